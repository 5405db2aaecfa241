"""Icons from ``resources/icons/*.svg`` (vector: sharp at any screen scale)."""

from __future__ import annotations

import functools

from PySide6.QtGui import QIcon

from app.core.base.paths import resources_dir


@functools.lru_cache(maxsize=64)
def icon(name: str) -> QIcon:
    path = resources_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()


def icon_path(name: str) -> str:
    return str(resources_dir() / "icons" / f"{name}.svg")
