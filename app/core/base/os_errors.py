"""French words for the OS errors of file reads and writes (the system's own are English).

Apart from ``files`` because ``files`` is below the texts: ``paths`` uses ``files``, and
``i18n`` finds its texts through ``paths``.
"""

from __future__ import annotations

from pathlib import Path

from app.core.base.files import is_disk_full
from app.core.base.i18n import t


def os_reason(error: OSError) -> str:
    """The French words for a file error (the system's own are English)."""
    if isinstance(error, PermissionError):
        return t("files.os_reason.permission")
    if isinstance(error, FileNotFoundError):
        return t("files.os_reason.not_found")
    if isinstance(error, (IsADirectoryError, NotADirectoryError)):
        return t("files.os_reason.kind")
    if is_disk_full(error):
        return t("files.os_reason.no_space")
    return t("files.os_reason.other", code=error.errno if error.errno is not None else "?")


def write_failed(path: Path, error: OSError) -> str:
    """« fiche.pdf n'a pas été enregistré (disque plein). Rien n'a été écrit… » (French)."""
    return t("files.write_failed", name=Path(path).name, reason=os_reason(error))
