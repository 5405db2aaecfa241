"""``python -m app`` and the ``guichet`` command: no arguments opens the window,
anything else goes to the command line interface (``app/cli.py``)."""

from __future__ import annotations

import multiprocessing
import platform
import sys
import types
from typing import Any, Callable, Sequence

# Room for about 4 MB of Python frames above the command line's own: see _roomy_stack.
ROOMY_STACK_BYTES = 4 << 20


def main(argv: Sequence[str] | None = None) -> int:
    # The GUI runs the rules engine in a spawned process: in a frozen bundle that
    # process starts this same executable, which must then act as the worker.
    multiprocessing.freeze_support()
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        from app.gui.app import run

        return run()
    from app.cli import main as cli_main

    return int(_roomy_stack(cli_main, args))


def _call(function: Callable[..., Any], *args: Any) -> Any:
    return function(*args)


def _roomy_stack(function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)`` called from a frame that reserves ``ROOMY_STACK_BYTES`` of
    CPython's frame stack (only a speed matter: the same call, the same result).

    CPython 3.11+ keeps Python frames in 16 KB chunks, allocates one (``mmap``) when the
    stack grows past the last one and frees it (``munmap``) as soon as it shrinks back.
    OpenFisca's formulas call each other hundreds of levels deep, up and down: when
    their depth swings across a chunk's edge, a ``guichet simulate`` mapped and unmapped
    a chunk 125,000 times (``strace -c -e trace=mmap``): 1 s of CPU, most of it in the
    kernel. A frame whose code declares a large value stack makes CPython allocate one
    chunk twice its size, whose free half then holds every frame called from it: about
    400 mappings left, 2.1 s of CPU instead of 3.2 (bench/cli_startup.py). The value
    stack is never used beyond the call's own two slots; its pages are never touched."""
    if platform.python_implementation() != "CPython" or sys.version_info < (3, 11):
        return function(*args)
    try:
        code = _call.__code__.replace(co_stacksize=ROOMY_STACK_BYTES // 8)
    except (ValueError, TypeError):
        return function(*args)
    roomy = types.FunctionType(code, _call.__globals__, "_roomy_call")
    return roomy(function, *args)


if __name__ == "__main__":
    sys.exit(main())
