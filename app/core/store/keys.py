"""The key of the encrypted case database (SQLCipher): where it comes from.

In this order:

1. ``GUICHET_DB_KEY`` in the environment (tests, CI, headless use): a passphrase,
   or ``raw:`` followed by 64 hexadecimal digits (a 256-bit key used as is, with
   no key derivation — fast, for tests).
2. A passphrase the agent typed (``passphrase=`` of ``Store.open``: the GUI's
   dialog, the command line's prompt).
3. The operating system's keyring (``keyring``: Windows Credential Manager, the
   Secret Service of GNOME/KDE…), when a usable backend exists: a random 256-bit
   key created with the database and stored there under the service « Guichet ».
4. Otherwise ``StoreKeyNeeded``: the caller asks the agent for a passphrase.

A passphrase goes through SQLCipher's key derivation (PBKDF2-HMAC-SHA512,
256,000 iterations: about 0.1 s at each start). Nothing here logs or stores a
passphrase; a lost passphrase cannot be recovered (docs/storage.md).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.store.errors import StoreKeyNeeded

ENV_KEY = "GUICHET_DB_KEY"
KEYRING_SERVICE = "Guichet"
MIN_PASSPHRASE = 8
_RAW_RE = re.compile(r"^raw:([0-9a-fA-F]{64})$")
_HEX_RE = re.compile(r"^[0-9a-f]{64}$")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Key:
    """A database key: ``secret`` is a passphrase or 64 hex digits (``raw``)."""

    secret: str
    raw: bool
    source: str  # "env", "passphrase" or "keyring"

    def __repr__(self) -> str:  # never print the secret
        return f"Key(source={self.source!r}, raw={self.raw})"

    def pragma_value(self) -> str:
        """The literal of ``PRAGMA key = …``."""
        if self.raw:
            return f"\"x'{self.secret}'\""
        return "'" + self.secret.replace("'", "''") + "'"


def _keyring() -> Any | None:
    """The keyring module when it has a usable backend, else None."""
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception as error:  # noqa: BLE001 - no keyring is a normal case
        log.info("no keyring: %s", type(error).__name__)
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return None
    if type(backend).__name__ == "ChainerBackend" and not getattr(backend, "backends", None):
        return None
    return keyring


def keyring_available() -> bool:
    return _keyring() is not None


def _account(path: Path) -> str:
    return f"case-database:{path.resolve()}"


def from_environment() -> Key | None:
    value = os.environ.get(ENV_KEY)
    if not value:
        return None
    raw = _RAW_RE.match(value)
    if raw:
        return Key(raw.group(1).lower(), True, "env")
    return Key(value, False, "env")


def find_key(path: Path, new: bool, passphrase: str | None = None) -> Key:
    """The key of the database at ``path`` (``new``: it is about to be created).

    Raises ``StoreKeyNeeded`` when only the agent can give it (a passphrase)."""
    env = from_environment()
    if env is not None:
        return env
    if passphrase is not None:
        return Key(passphrase, False, "passphrase")
    keyring = _keyring()
    if keyring is not None:
        try:
            stored = keyring.get_password(KEYRING_SERVICE, _account(path))
            if stored and _HEX_RE.match(stored):
                return Key(stored, True, "keyring")
            if new:
                secret = secrets.token_hex(32)
                keyring.set_password(KEYRING_SERVICE, _account(path), secret)
                if keyring.get_password(KEYRING_SERVICE, _account(path)) == secret:
                    return Key(secret, True, "keyring")
        except Exception as error:  # noqa: BLE001 - a locked or broken keyring: ask instead
            log.warning("keyring unusable: %s", type(error).__name__)
    raise StoreKeyNeeded(new=new)

