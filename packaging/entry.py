"""Entry point of the frozen application (PyInstaller runs this file as ``__main__``).

Same behaviour as ``python -m app``: no arguments opens the window, anything else
is the command line. ``app.__main__.main`` calls ``multiprocessing.freeze_support()``
first, so that the engine process the GUI spawns (this same executable, started
with multiprocessing's arguments) becomes the worker instead of a second window.
"""

import sys

from app.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
