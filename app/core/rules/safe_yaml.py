"""YAML of the rules: safe loading, without anchors or aliases (issues 19 and 21).

An alias (``*name``) re-uses an anchored node (``&name``): a few lines can expand to
billions of values (the "billion laughs" pattern) and hang whatever walks the data (schema
validation, OpenFisca's parameter loader). The rules never need them, so every YAML read
from a rules folder (the bundled ``rules/`` or an imported pack) goes through :func:`load`,
which refuses a document with an anchor or an alias before building anything from it.

The check reads the event stream only (libyaml's parser when PyYAML has it): it costs a
fraction of the load itself.
"""

from __future__ import annotations

from typing import Any

import yaml

from app.core.base.i18n import t

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class AnchorNotAllowed(yaml.YAMLError):
    """An anchor or an alias in a rules YAML file; ``problem_mark`` is where (0-based line)."""

    def __init__(self, line: int, mark: Any = None) -> None:
        super().__init__(t("rules.yaml.anchor", line=line + 1))
        self.line = line
        self.problem_mark = mark


def check_no_anchors(text: str | bytes) -> None:
    """Raise :class:`AnchorNotAllowed` at the first anchor or alias of ``text`` (any
    ``yaml.YAMLError`` for text that is not YAML)."""
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            mark = event.start_mark
            raise AnchorNotAllowed(int(mark.line) if mark is not None else 0, mark)


def load(text: str | bytes) -> Any:
    """``yaml.safe_load`` refusing anchors and aliases (:class:`AnchorNotAllowed`)."""
    check_no_anchors(text)
    return yaml.load(text, Loader=_LOADER)
