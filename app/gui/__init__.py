"""The agent's desktop app (PySide6): the only place in Guichet that imports Qt."""

from __future__ import annotations

import ctypes
import sys


def keep_none_alive() -> None:
    """PySide6 6.12's bindings return ``None`` from every Qt call without a result without
    taking a reference to it (right since Python 3.12, where ``None`` is immortal, PEP 683).
    On Python 3.11 each such call takes one from ``None``'s few thousand: after a few
    thousand calls (a morning of editing: every ``setText``, ``setTabOrder``…) the app
    aborts with « deallocating None ». Found by bench/fuzz.py (issue 18). Here, as 3.12
    does, ``None`` gets so many references that it is never freed."""
    if sys.version_info < (3, 12):
        refcount = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt, the object's first field
        if refcount.value < 1 << 40:
            refcount.value += 1 << 48


keep_none_alive()
