"""The desktop app's response times: launch to window shown, rules ready, edit to results.

    python bench/gui.py [--runs 3] [--edits 5] [--cold] [--platform offscreen|xcb]

Each run starts the app as a new process (``python bench/gui.py --child``, which calls
``app.gui.app.run`` like ``python -m app`` does) and prints, from the moment just before
the process is created:

* **launch -> window shown**: the main window's first paint (target: 1 s), with the CPU
  time the app's process had used by then (what a busy machine does not stretch);
* **launch -> rules ready**: the engine process has loaded OpenFisca-France and warmed up
  (the window is usable meanwhile; computations asked for wait);
* **edit -> results (warm)**: an example household is loaded, then the rent is changed
  ``--edits`` times as typing would (``textEdited``); each time, from the edit to the
  results displayed and up to date. This includes the 600 ms pause the app waits after
  the last keystroke; the engine's round trip alone (request sent -> result back) is
  printed too.

Also printed: the resident memory of the window's process and of the engine process,
and the 1-minute load average (a busy machine stretches every wall time).
``--cold`` gives each run an empty data folder (no parameter cache: an agent's first
launch); by default runs share one temporary data folder, warmed by the first run.
Settings go to a temporary folder. Numbers are printed, not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SHOWN_S = 1.0
EXAMPLE = "01-parent-isolee-lyon.json"


# --------------------------------------------------------------------------- child


def child(edits: int) -> int:
    sys.path.insert(0, str(ROOT))
    from app.gui.app import run  # first, as ``python -m app`` does (its import order matters)
    from PySide6.QtCore import QSettings, QTimer

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, os.environ["GUICHET_BENCH_SETTINGS"])
    from app.core.model.examples import warm_up_household
    from app.gui.main_window import list_examples
    from app.gui.tasks import FirstPaint

    def report(kind: str, **values: object) -> None:
        print(json.dumps({"kind": kind, "at": time.time(), **values}), flush=True)

    def on_window(window) -> None:  # noqa: ANN001 - the MainWindow
        window.ask_before_discard = False
        state = {"edit": 0, "edit_at": 0.0, "sent_at": 0.0, "loaded": False}
        rents = [610 + 7 * i for i in range(edits)]
        original_compute = window.compute_now

        def compute_now() -> None:
            state["sent_at"] = time.perf_counter()
            original_compute()

        window.compute_now = compute_now  # type: ignore[method-assign]
        window._compute_timer.timeout.disconnect()
        window._compute_timer.timeout.connect(compute_now)

        FirstPaint(window, lambda: report("shown", cpu=time.process_time()))

        def on_ready(info: dict) -> None:
            report("ready", load_seconds=info.get("load_seconds"))
            example = next((e for e in list_examples() if e.path is not None and e.path.name == EXAMPLE), None)
            if example is not None:
                window.load_example(example)
            else:
                window.load_household(warm_up_household())

        def edit() -> None:
            rent = window.editor.housing.rent
            text = str(rents[state["edit"]])
            rent.setText(text)
            state["edit_at"] = time.perf_counter()
            rent.textEdited.emit(text)  # as if typed: the app's own edit path

        def on_result(_result: object) -> None:
            now = time.perf_counter()
            if not state["loaded"]:
                state["loaded"] = True
                QTimer.singleShot(300, edit)
                return
            report("edit", seconds=now - state["edit_at"], round_trip=now - state["sent_at"])
            state["edit"] += 1
            if state["edit"] < edits:
                QTimer.singleShot(300, edit)
                return
            import psutil

            engine_pid = window.engine.pid
            memory = {"window_mb": psutil.Process().memory_info().rss / 2**20}
            if engine_pid:
                memory["engine_mb"] = psutil.Process(engine_pid).memory_info().rss / 2**20
            report("done", **memory)
            window.close()

        window.engine.ready.connect(on_ready)
        window.resultShown.connect(on_result)

    return run([], on_window=on_window)


# --------------------------------------------------------------------------- parent


def one_run(args: argparse.Namespace, data_dir: Path, settings_dir: Path) -> dict:
    env = dict(os.environ, GUICHET_DATA_DIR=str(data_dir), GUICHET_BENCH_SETTINGS=str(settings_dir),
               QT_QPA_PLATFORM=args.platform)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--edits", str(args.edits)]
    launched = time.time()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
    out: dict = {"edits": [], "round_trips": []}
    assert process.stdout is not None
    for line in process.stdout:
        if not line.startswith("{"):
            continue
        event = json.loads(line)
        if event["kind"] == "shown":
            out["shown"] = event["at"] - launched
            out["shown_cpu"] = event["cpu"]
        elif event["kind"] == "ready":
            out["ready"] = event["at"] - launched
            out["engine_load"] = event.get("load_seconds")
        elif event["kind"] == "edit":
            out["edits"].append(event["seconds"])
            out["round_trips"].append(event["round_trip"])
        elif event["kind"] == "done":
            out.update(window_mb=event["window_mb"], engine_mb=event.get("engine_mb"))
    process.wait(timeout=args.timeout)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="an empty data folder for every run")
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM") or
                        ("xcb" if os.environ.get("DISPLAY") else "offscreen"))
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.edits)

    work = Path(tempfile.mkdtemp(prefix="guichet-bench-gui-"))
    print(f"platform: {args.platform}   runs: {args.runs}   edits per run: {args.edits}   "
          f"data folder: {'empty each run' if args.cold else 'shared (first run builds the caches)'}")
    results = []
    for number in range(1, args.runs + 1):
        data = work / (f"data-{number}" if args.cold else "data")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        result = one_run(args, data, work / f"settings-{number}")
        results.append(result)
        edits = result["edits"]
        print(f"run {number}: window shown {result.get('shown', float('nan')):.2f} s "
              f"(CPU {result.get('shown_cpu', float('nan')):.2f} s) · rules ready "
              f"{result.get('ready', float('nan')):.1f} s (engine load {result.get('engine_load')} s) · "
              f"edit -> results median {statistics.median(edits) if edits else float('nan'):.2f} s "
              f"(round trip {statistics.median(result['round_trips']) if edits else float('nan'):.2f} s) · "
              f"memory window {result.get('window_mb', 0):.0f} MB, engine {result.get('engine_mb') or 0:.0f} MB · "
              f"load average {load:.1f}")
    shown = [r["shown"] for r in results if "shown" in r]
    shown_cpu = [r["shown_cpu"] for r in results if "shown_cpu" in r]
    ready = [r["ready"] for r in results if "ready" in r]
    edits = [e for r in results for e in r["edits"]]
    trips = [e for r in results for e in r["round_trips"]]
    print()
    print(f"launch -> window shown : median {statistics.median(shown):.2f} s, best {min(shown):.2f} s "
          f"(target {TARGET_SHOWN_S:.1f} s: {'met' if min(shown) <= TARGET_SHOWN_S else 'not met'} at best); "
          f"CPU time of the app by then: median {statistics.median(shown_cpu):.2f} s")
    print(f"launch -> rules ready  : median {statistics.median(ready):.1f} s, best {min(ready):.1f} s "
          "(window usable meanwhile)")
    if edits:
        print(f"edit -> results (warm) : median {statistics.median(edits):.2f} s over {len(edits)} edits, "
              f"of which 0.60 s is the pause after typing; engine round trip median "
              f"{statistics.median(trips):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
