"""The one translation mechanism of Guichet, usable without Qt.

Every text an agent or a citizen reads lives in ``resources/i18n/<lang>/*.yaml``
(one file per area: ``core.yaml``, ``gui.yaml``, ``handout.yaml`` …), as nested
mappings flattened to dotted keys. ``t("validation.age_over_120", field="Âge")``
returns the French text with its ``{placeholders}`` filled.

Code, identifiers and logs stay in English; only what people read goes through here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

from app.core.paths import resources_dir

DEFAULT_LANGUAGE = "fr"
# libyaml's safe loader when PyYAML has it: 15x faster (the GUI reads these texts at start-up).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _flatten(prefix: str, node: Any, out: dict[str, str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), value, out)
    else:
        out[prefix] = str(node)


@lru_cache(maxsize=4)
def messages(language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """All messages of a language, keyed by dotted names."""
    out: dict[str, str] = {}
    folder = resources_dir() / "i18n" / language
    for path in sorted(folder.glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_LOADER) or {}
        flat: dict[str, str] = {}
        _flatten("", data, flat)
        duplicated = set(flat) & set(out)
        if duplicated:
            raise ValueError(f"{path.name}: keys defined twice: {sorted(duplicated)[:5]}")
        out.update(flat)
    return out


def t(key: str, /, **params: Any) -> str:
    """The French text for ``key``, with ``{name}`` placeholders filled.

    A missing key raises KeyError: a forgotten text is a bug that tests must catch,
    not something to show an agent as a raw identifier.
    """
    text = messages()[key]
    return text.format(**params) if params else text


def has(key: str) -> bool:
    return key in messages()
