"""Local logging: a rotating file in the user's data folder, never personal data.

Log records carry technical facts only (exception types, stack frames of our
code, durations). Messages with household content must never be logged: the
core logs exception *types*, not their text, where the text could hold input.
"""

from __future__ import annotations

import logging
import logging.handlers
import traceback
from pathlib import Path
from typing import IO

from app.core.base import paths
from app.core.base.files import open_private, private_file
from app.core.base.i18n import t

LOG_FILE = "guichet.log"
_configured = False


class PrivateLogHandler(logging.handlers.RotatingFileHandler):
    """The rotating log file, created ``0600`` (as its rotated copies), that stays
    silent when it cannot write (a full disk): the logging module would otherwise
    print a traceback on the console for each record."""

    def _open(self) -> IO[str]:  # type: ignore[override]
        return open_private(Path(self.baseFilename), self.mode, encoding=self.encoding)

    def handleError(self, record: logging.LogRecord) -> None:
        pass  # nowhere to report it: the log itself is what failed


def log_file() -> Path:
    return paths.log_dir() / LOG_FILE


def setup_logging(level: int = logging.INFO) -> Path:
    """Send the app's logs to the rotating local file (idempotent)."""
    global _configured
    path = log_file()
    if not _configured:
        private_file(path)  # an older Guichet left it 0644
        handler = PrivateLogHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root = logging.getLogger()
        root.addHandler(handler)
        root.setLevel(level)
        # openfisca-core warns about each variable file it cannot describe; not ours to fix.
        logging.getLogger("openfisca_core").setLevel(logging.ERROR)
        _configured = True
    return path


def report_unexpected(error: BaseException) -> str:
    """Log an unexpected error (type and our stack frames, no message text, which may
    hold personal data) and return the short French apology that names the log."""
    frames = traceback.extract_tb(error.__traceback__)
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames[-8:]))
    logging.getLogger("guichet").error("unexpected %s at %s", type(error).__name__, where)
    return t("errors.unexpected", log=str(log_file()))
