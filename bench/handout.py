"""Time to build the citizen's two-page handout (issues 4 and 15; target: 0.3 s or less).

The eight-person household of ``app/core/handout/examples.py`` (two adults, six
children, eleven benefits to request with the 2026.11 catalogue) is computed once with
the real engine, outside the timing; then the handout is built 10 times in each
language and the median is printed (also for a first build, without the right-to-left
paragraphs an earlier build laid out), with the detailed version, the agent's appendix
and the agent's copy for reference, and the page count of each.

    GUICHET_DATA_DIR=/tmp/guichet-bench /work/venv/bin/python bench/handout.py
"""

from __future__ import annotations

import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pypdf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("GUICHET_DATA_DIR", tempfile.mkdtemp(prefix="guichet-bench-"))

from app.core.compute.engine import Engine  # noqa: E402
from app.core.handout.citizen import HandoutOptions  # noqa: E402
from app.core.handout.build import build_agent_copy, build_handout  # noqa: E402
from app.core.handout.examples import MONTH, SERVICE_POINT, eight_persons  # noqa: E402
from app.core.handout.layout import forget_laid_out_paragraphs  # noqa: E402
from app.core.base.i18n import LANGUAGES  # noqa: E402

RUNS = 10
TARGET = 0.3


def medians(build: Callable[[], bytes], runs: int = RUNS) -> tuple[float, float, int]:
    """Median wall-clock and CPU seconds of ``runs`` builds, and the PDF's size."""
    wall, cpu = [], []
    size = 0
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        size = len(build())
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu), size


def main() -> None:
    engine = Engine()
    household = eight_persons()
    result = engine.compute(household, MONTH)
    catalogue = engine.catalogue
    created = dt.date(2026, 11, 3)

    build_handout(household, result, catalogue, SERVICE_POINT, HandoutOptions(created=created))  # warm-up: fonts, communes

    def handout(lang: str, first: bool = False) -> Callable[[], bytes]:
        def build() -> bytes:
            if first:  # a household's first build: no paragraph laid out by an earlier one
                forget_laid_out_paragraphs()
            return build_handout(household, result, catalogue, SERVICE_POINT,
                                 HandoutOptions(created=created, language=lang))
        return build

    cases: dict[str, Callable[[], bytes]] = {}
    for lang in LANGUAGES:
        cases[f"handout, {lang}"] = handout(lang)
        cases[f"handout, {lang}, first build"] = handout(lang, first=True)
    cases.update({
        "detailed version": lambda: build_handout(household, result, catalogue, SERVICE_POINT,
                                                  HandoutOptions(created=created, detailed=True)),
        "handout + agent appendix": lambda: build_handout(
            household, result, catalogue, SERVICE_POINT, HandoutOptions(created=created, agent_copy="appendix")
        ),
        "agent copy alone": lambda: build_agent_copy(
            household, result, catalogue, SERVICE_POINT, HandoutOptions(created=created)
        ),
    })
    print(f"eight-person household, {MONTH}; median of {RUNS} builds")
    print(f"  {'':<30} {'wall':>8} {'CPU':>8} {'size':>10} {'pages':>5}")
    for name, build in cases.items():
        wall, cpu, size = medians(build)
        pages = len(pypdf.PdfReader(io.BytesIO(build())).pages)
        verdict = ("OK" if wall <= TARGET else "OVER TARGET") if name.startswith("handout, ") else ""
        print(f"  {name:<30} {wall:7.3f}s {cpu:7.3f}s {size / 1024:7.1f} KiB {pages:3} p.  {verdict}")
    print(f"target for the handout: <= {TARGET} s (wall clock; CPU time shown for busy machines)")


if __name__ == "__main__":
    main()
