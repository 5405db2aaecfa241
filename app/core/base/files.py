"""The one place Guichet creates its files and folders: private modes, atomic writes.

Everything Guichet writes may hold personal data (the case database, its backups,
drafts, logs, settings, case exports, handouts, screening outputs), so:

* folders are created ``0700`` and files ``0600`` on POSIX (readable by the agent's
  account only). ``private_by_default()`` sets the process umask to ``077`` at
  start (GUI and command line), so that files written by libraries (Qt's settings,
  reportlab, zipfile, the logging module) get the same modes; the helpers below do
  not rely on it and set the modes themselves.
* an output file appears complete or not at all: ``atomic_write`` /
  ``atomic_path`` write a temporary file in the target's folder, ``fsync`` it,
  then ``os.replace`` it onto the target (and ``fsync`` the folder). On a full disk
  or any other error, the temporary file is removed and the target is untouched
  (an older file of that name is kept as it was).
* ``os_errors.os_reason(error)`` (apart, above the texts) gives the French words for an ``OSError`` (the system's own
  are English): « disque plein », « accès refusé »…
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import tempfile
from pathlib import Path
from typing import IO, Any, Iterator


PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
PRIVATE_UMASK = 0o077
_POSIX = sys.platform != "win32"


def private_by_default() -> None:
    """Make every file and folder this process creates private (umask 077; POSIX)."""
    if _POSIX:
        os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) if needed; make ``path`` itself ``0700``.

    An existing folder that is wider (an older Guichet created it ``0755``) is
    narrowed. Parents that already exist are left alone (e.g. the home folder)."""
    path = Path(path)
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if _POSIX:
        with contextlib.suppress(OSError):  # not ours (a shared folder): keep going
            if path.stat().st_mode & 0o777 != PRIVATE_DIR_MODE:
                path.chmod(PRIVATE_DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty if missing, ``0600``; narrow an existing file to ``0600``."""
    path = Path(path)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0), PRIVATE_FILE_MODE))
    if _POSIX:
        with contextlib.suppress(OSError):
            if path.stat().st_mode & 0o777 != PRIVATE_FILE_MODE:
                path.chmod(PRIVATE_FILE_MODE)
    return path


def open_private(path: Path, mode: str = "a", encoding: str | None = "utf-8") -> IO[str]:
    """``open(path, mode)`` for text, the file created ``0600`` (logs)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    fd = os.open(path, flags, PRIVATE_FILE_MODE)
    return os.fdopen(fd, mode, encoding=encoding)


def _fsync_folder(folder: Path) -> None:
    if not _POSIX:
        return  # Windows cannot open a folder; NTFS journals the rename
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def commit_file(tmp: Path, target: Path) -> Path:
    """Sync ``tmp`` to disk, rename it onto ``target`` and sync the folder: after a
    crash or a power cut, ``target`` is the old file or the complete new one."""
    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    _fsync_folder(Path(target).parent)
    return Path(target)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path (``0600``, in ``target``'s folder) to write to; on a clean
    exit it is synced and renamed onto ``target``, on an error it is removed.

    For writers that want a file name (reportlab, zipfile)."""
    target = Path(target)
    fd, name = tempfile.mkstemp(prefix="." + target.name + ".", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        commit_file(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def atomic_open(target: Path, mode: str = "wb", encoding: str | None = None,
                newline: str | None = None) -> Iterator[IO[Any]]:
    """``open(target, mode)`` that writes a temporary file renamed onto ``target`` at
    the end (see ``atomic_path``). ``mode`` is ``"wb"`` or ``"w"``."""
    with atomic_path(target) as tmp:
        with open(tmp, mode, encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())


def atomic_write(target: Path, data: bytes | str, encoding: str = "utf-8") -> Path:
    """Write ``data`` to ``target`` atomically (complete, or the target untouched)."""
    raw = data.encode(encoding) if isinstance(data, str) else data
    with atomic_open(target, "wb") as handle:
        handle.write(raw)
    return Path(target)


def is_disk_full(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
