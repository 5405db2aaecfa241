"""``python -m app`` and the ``guichet`` command: no arguments opens the window,
anything else goes to the command line interface (``app/cli.py``)."""

from __future__ import annotations

import multiprocessing
import sys
from typing import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    # The GUI runs the rules engine in a spawned process: in a frozen bundle that
    # process starts this same executable, which must then act as the worker.
    multiprocessing.freeze_support()
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        from app.gui.app import run

        return run()
    from app.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
