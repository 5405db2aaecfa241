"""The CI settings of the fuzz tests: a fixed seed (derandomised), no example database,
no deadline (the machine is shared), a bounded number of examples per test (the whole
folder runs in under 3 minutes; ``bench/fuzz.py`` runs the full 10,000+)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings


def CI(max_examples: int) -> Any:  # noqa: N802 - used as a decorator, like hypothesis' own
    return settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])
