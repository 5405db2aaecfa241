"""Where bundled resources, rules and the user's data live.

Bundled files are found next to the code (source checkout or a PyInstaller
bundle); the user's data goes in the platform's per-user data folder. The
``GUICHET_DATA_DIR`` environment variable overrides the latter (tests, portable use).
The data folders are created ``0700`` (``files.private_dir``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from app.core.base.files import private_dir

APP_NAME = "Guichet"


def install_root() -> Path:
    """Folder holding ``resources/`` and ``rules/`` (the repository or the bundle)."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parents[3]


def resources_dir() -> Path:
    return install_root() / "resources"


def bundled_rules_dir() -> Path:
    return install_root() / "rules"


def user_data_dir() -> Path:
    override = os.environ.get("GUICHET_DATA_DIR")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return private_dir(path)  # 0700: personal data


def cache_dir() -> Path:
    return private_dir(user_data_dir() / "cache")


def log_dir() -> Path:
    return private_dir(user_data_dir() / "logs")


CASE_DATABASE_NAME = "guichet.db"


def case_database_path() -> Path:
    """The case database's file (``app/core/store``), without importing the store: the
    command line checks it exists before paying for the store's imports."""
    return user_data_dir() / CASE_DATABASE_NAME
