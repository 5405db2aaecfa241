"""The one translation mechanism of Guichet, usable without Qt.

Every text an agent or a citizen reads lives in ``resources/i18n/<lang>/*.yaml``
(one file per area: ``core.yaml``, ``gui.yaml``, ``handout.yaml`` …), as nested
mappings flattened to dotted keys. ``t("validation.age_over_120", field="Âge")``
returns the French text with its ``{placeholders}`` filled.

French is the language of the app and always complete. The citizen's handout can
also be given in the languages of ``LANGUAGES``: their folders hold the same keys
as the French files they translate (``tests/core/test_i18n.py`` checks that every
key exists in every language); a key a language does not translate (an agent's
text) is the French one. ``t(key, lang="en")`` asks for one language; inside
``with language("ar"):`` (one handout's build, in one thread) ``t(key)`` answers
in that language, everywhere else in French.

Code, identifiers and logs stay in English; only what people read goes through here.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import yaml

from app.core.base.paths import resources_dir

DEFAULT_LANGUAGE = "fr"
# The handout's languages: French first (always available), then the translations.
LANGUAGES = ("fr", "en", "es", "pt", "ar")
RIGHT_TO_LEFT = frozenset({"ar"})
# libyaml's safe loader when PyYAML has it: 15x faster (the GUI reads these texts at start-up).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# The language of t() without ``lang``: French unless a handout's build says otherwise
# (a context variable: each thread sees its own value, the GUI thread stays French).
_current: contextvars.ContextVar[str] = contextvars.ContextVar("guichet_language", default=DEFAULT_LANGUAGE)


def _flatten(prefix: str, node: Any, out: dict[str, str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), value, out)
    else:
        out[prefix] = str(node)


@lru_cache(maxsize=16)
def file_messages(language: str, name: str) -> dict[str, str]:
    """The messages of one file (``handout.yaml``) of a language, keyed by dotted names."""
    path = resources_dir() / "i18n" / language / name
    with path.open(encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=_LOADER) or {}
    flat: dict[str, str] = {}
    _flatten("", data, flat)
    return flat


@lru_cache(maxsize=8)
def own_messages(language: str) -> dict[str, str]:
    """The messages a language's folder defines itself (no French fallback)."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; one of {LANGUAGES}")
    out: dict[str, str] = {}
    for path in sorted((resources_dir() / "i18n" / language).glob("*.yaml")):
        flat = file_messages(language, path.name)
        duplicated = set(flat) & set(out)
        if duplicated:
            raise ValueError(f"{language}/{path.name}: keys defined twice: {sorted(duplicated)[:5]}")
        out.update(flat)
    return out


@lru_cache(maxsize=8)
def messages(language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """All messages of a language, keyed by dotted names (French where it has none)."""
    if language == DEFAULT_LANGUAGE:
        return own_messages(DEFAULT_LANGUAGE)
    return {**own_messages(DEFAULT_LANGUAGE), **own_messages(language)}


def current_language() -> str:
    return _current.get()


@contextlib.contextmanager
def language(lang: str) -> Iterator[None]:
    """``t()`` answers in ``lang`` inside the block (in this thread only)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; one of {LANGUAGES}")
    token = _current.set(lang)
    try:
        yield
    finally:
        _current.reset(token)


def is_right_to_left(lang: str | None = None) -> bool:
    return (lang or _current.get()) in RIGHT_TO_LEFT


def t(key: str, /, lang: object = None, **params: Any) -> str:
    """The text for ``key`` (in ``lang``, a code of ``LANGUAGES``; else the current
    language: French outside a handout's build), with ``{name}`` placeholders filled.
    (``lang`` is typed ``object`` so that callers may pass ``**params: object``.)

    A missing key raises KeyError: a forgotten text is a bug that tests must catch,
    not something to show an agent as a raw identifier.
    """
    text = messages(lang if isinstance(lang, str) and lang else _current.get())[key]
    return text.format(**params) if params else text


def has(key: str, lang: str | None = None) -> bool:
    return key in messages(lang or _current.get())
