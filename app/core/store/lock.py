"""One writer per database: an OS lock that dies with the process.

POSIX: ``fcntl.flock`` (exclusive, non-blocking) on **the database file itself**.
Deleting a file therefore cannot bypass the lock (an older Guichet locked a
``guichet.db.lock`` beside it: deleting that file let a second writer in). On
Linux ``flock`` locks are independent of the POSIX byte-range locks SQLite takes
on the same file, so the two never interfere. Closing a descriptor of the file
would drop this process's SQLite locks on it (POSIX rule), so the descriptor a
process opened to lock a database is shared by every ``FileLock`` of the process
on that file (``_descriptors``) and closed only when the last of them is
``release()``d — after their stores closed their SQLite connections.

Windows: ``msvcrt.locking`` on the first byte of ``guichet.db.lock`` (Windows keeps
a file open by a process from being deleted, so the sidecar is safe there; a lock
inside the database file would be mandatory and block SQLite's own reads).

The OS releases the lock when the process ends, however it ends (crash, SIGKILL,
power button), so nothing stale ever blocks the next start.

Limits: locks on network shares depend on the share's server; the database is
meant to live on the workstation's own disk (the user data folder).
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from app.core.base.files import PRIVATE_FILE_MODE

_WINDOWS = sys.platform == "win32"
_registry = threading.Lock()
# POSIX: (device, inode) -> the descriptor this process locks that file with.
_descriptors: dict[tuple[int, int], int] = {}
_held: set[tuple[int, int]] = set()
_users: dict[tuple[int, int], int] = {}  # FileLock objects using each descriptor


def _descriptor(path: Path) -> int:
    """This process's descriptor of ``path`` (opened once, created ``0600``). A file
    this process already has is found by its inode without opening it again:
    closing a second descriptor would release SQLite's locks (POSIX)."""
    try:
        stat = os.stat(path)
        known = _descriptors.get((stat.st_dev, stat.st_ino))
        if known is not None:
            return known
    except FileNotFoundError:
        pass
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
    stat = os.fstat(fd)
    return _descriptors.setdefault((stat.st_dev, stat.st_ino), fd)


def lock_file_for(database: Path) -> Path:
    """The file the lock is taken on: the database itself (POSIX) or its sidecar (Windows)."""
    return database.with_name(database.name + ".lock") if _WINDOWS else database


class FileLock:
    """``FileLock(database_path)``: ``acquire()`` creates the file (``0600``) if needed."""

    def __init__(self, database: Path) -> None:
        self.path = lock_file_for(Path(database))
        self._key: tuple[int, int] | None = None
        self._fd: int | None = None
        self._held = False

    @property
    def held(self) -> bool:
        return self._held

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another process (or another
        ``FileLock`` of this process on the same file) holds it."""
        if self._held:
            return True
        if _WINDOWS:
            return self._acquire_windows()
        with _registry:
            if self._fd is None:
                fd = _descriptor(self.path)
                stat = os.fstat(fd)
                self._key, self._fd = (stat.st_dev, stat.st_ino), fd
                _users[self._key] = _users.get(self._key, 0) + 1
            assert self._key is not None and self._fd is not None
            if self._key in _held or not _try_lock(self._fd):
                return False
            _held.add(self._key)
            self._held = True
            return True

    def follow(self, path: Path) -> None:
        """The locked file was renamed to ``path`` (the lock follows the file)."""
        self.path = Path(path)

    def release(self) -> None:
        """Unlock (when held) and stop using the file; call it after closing the
        SQLite connection(s) this object's store had on the file."""
        key, self._key = self._key, None
        fd, self._fd = self._fd, None
        held, self._held = self._held, False
        if key is None or fd is None:
            return
        if _WINDOWS:
            try:
                if held:
                    _unlock(fd)
            finally:
                os.close(fd)
            return
        with _registry:
            if held:
                _held.discard(key)
                _unlock(fd)
            _users[key] -= 1
            if _users[key] == 0:
                del _users[key]
                if _descriptors.get(key) == fd:
                    del _descriptors[key]
                os.close(fd)

    def _acquire_windows(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
        try:
            if not _try_lock(fd):
                os.close(fd)
                return False
        except BaseException:
            os.close(fd)
            raise
        self._key, self._fd, self._held = (0, 0), fd, True
        try:
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        except OSError:
            pass  # the pid is informative only
        return True


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (BlockingIOError, PermissionError):
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
