"""``app/__main__.py``: the command line runs on a roomy frame stack, with the same
result, exceptions and exit code as a plain call."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app import __main__ as entry

ROOT = Path(__file__).resolve().parents[1]


def test_the_roomy_stack_returns_what_the_function_returns() -> None:
    assert entry._roomy_stack(lambda a, b: (a, b), 1, [2]) == (1, [2])


def test_the_roomy_stack_lets_exceptions_through() -> None:
    def fails() -> None:
        raise KeyError("x")

    with pytest.raises(KeyError):
        entry._roomy_stack(fails)


def test_deep_recursion_keeps_pythons_own_limit() -> None:
    def depth(n: int) -> int:
        return 0 if n == 0 else 1 + depth(n - 1)

    assert entry._roomy_stack(depth, 500) == 500
    with pytest.raises(RecursionError):
        entry._roomy_stack(depth, sys.getrecursionlimit() + 10)


def test_the_module_exit_code_is_the_commands() -> None:
    """``python -m app`` with a bad month: exit code 2 (bad input), through the roomy stack."""
    done = subprocess.run([sys.executable, "-m", "app", "simulate", "x.json", "--month", "13-2026"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "13-2026" in done.stderr
