"""The rules engine's side of the GUI's engine process (no Qt here).

``serve`` runs in a spawned process: it loads ``Engine()`` once, then answers
requests read from one pipe on another, until the request pipe closes or a
``stop`` arrives. Messages are tuples (pickled by ``multiprocessing``):

requests:  ``("compute", request_id, case_dict, month)``, ``("task", request_id, name, payload)``,
           ``("stop",)``
replies:   ``("loading", {})``, ``("ready", info)``, ``("fatal", french_message)``,
           ``("result", request_id, SimulationResult)``, then
           ``("explanations", request_id, {benefit_id: Explanation})`` (computed after
           the result is sent, so that it never delays it; ``{}`` if it failed),
           ``("invalid", request_id, problems)``, ``("error", request_id, french_message)``,
           ``("task_done", request_id, value)`` (a task's value: see ``TASKS``)

A task is a named computation beyond the household's results (scenario
comparison, earnings curve, trace export): ``TASKS[name](engine, payload)``; its
payload carries the household as a case dict too. Invalid households and
scenarios come back as ``invalid`` / ``error`` with French messages.

The household travels as the case format's dict (``casefile.case_to_dict``), read
back and validated with ``case_from_dict``: the same path as a case file.
"""

from __future__ import annotations

import logging
import os
import time
from multiprocessing.connection import Connection
from typing import Any, Callable

log = logging.getLogger(__name__)


def serve(requests: Connection, replies: Connection, data_dir: str | None = None) -> None:
    """Entry point of the engine process."""
    if data_dir:
        os.environ["GUICHET_DATA_DIR"] = data_dir
    from app.core.base.logs import report_unexpected, setup_logging

    setup_logging()
    replies.send(("loading", {}))
    started = time.perf_counter()
    try:
        from app.core.compute.engine import Engine

        engine = Engine()
    except Exception as error:  # noqa: BLE001 - reported to the GUI in French
        replies.send(("fatal", report_unexpected(error)))
        return
    replies.send(("ready", _info(engine, time.perf_counter() - started)))
    log.info("engine process ready in %.1f s", time.perf_counter() - started)
    while True:
        try:
            message = requests.recv()
        except (EOFError, OSError):
            break
        if not message or message[0] == "stop":
            break
        if message[0] == "compute":
            _, request_id, case, month = message
            reply = _compute(engine, request_id, case, month, report_unexpected)
            replies.send(reply)
            if reply[0] == "result" and not requests.poll():  # a newer household first
                replies.send(("explanations", request_id, _explain(engine, case, month)))
        elif message[0] == "task":
            _, request_id, name, payload = message
            replies.send(_run_task(engine, request_id, name, payload, report_unexpected))


def _compute(engine: Any, request_id: int, case: dict[str, Any], month: str, report: Any) -> tuple[Any, ...]:
    from app.core.io.casefile import case_from_dict
    from app.core.model.validation import InvalidHousehold

    try:
        household, _ = case_from_dict(case)
        started = time.perf_counter()
        result = engine.compute(household, month)
        log.info("computed in %.2f s", time.perf_counter() - started)
        return ("result", request_id, result)
    except InvalidHousehold as error:
        return ("invalid", request_id, tuple(error.problems))
    except Exception as error:  # noqa: BLE001 - the GUI shows the apology, the log has the detail
        return ("error", request_id, report(error))


def _household(payload: dict[str, Any]) -> Any:
    from app.core.io.casefile import case_from_dict

    household, _ = case_from_dict(payload["case"])
    return household


def _task_compare(engine: Any, payload: dict[str, Any]) -> Any:
    """The household and its variants side by side (``scenarios.compare``)."""
    from app.core.compute.scenarios import compare

    return compare(engine, _household(payload), list(payload["scenarios"]), payload["month"])


def _task_work(engine: Any, payload: dict[str, Any]) -> Any:
    """« Better off in work? » (``scenarios.better_off_in_work``)."""
    from app.core.compute.scenarios import better_off_in_work

    return better_off_in_work(engine, _household(payload), payload["person_id"], payload["month"],
                              net_monthly=payload.get("net_monthly"), hours_per_week=payload.get("hours_per_week"))


def _task_curve(engine: Any, payload: dict[str, Any]) -> Any:
    """The earnings curve of one person (``scenarios.earnings_curve``)."""
    from app.core.compute.scenarios import earnings_curve

    return earnings_curve(engine, _household(payload), payload["person_id"], payload["month"],
                          points=int(payload.get("points", 101)), maximum=payload.get("maximum"))


def _task_trace(engine: Any, payload: dict[str, Any]) -> Any:
    """The full computation trace of one benefit, as JSON-ready data (``trace_export``)."""
    from app.core.compute.trace_export import export_trace

    return export_trace(engine, _household(payload), payload["month"], payload["benefit_id"])


TASKS: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "compare": _task_compare,
    "work": _task_work,
    "curve": _task_curve,
    "trace": _task_trace,
}


def _run_task(engine: Any, request_id: int, name: str, payload: dict[str, Any], report: Any) -> tuple[Any, ...]:
    from app.core.compute.scenarios import ScenarioError
    from app.core.model.validation import InvalidHousehold

    try:
        task = TASKS[name]
        started = time.perf_counter()
        value = task(engine, payload)
        log.info("task %s done in %.2f s", name, time.perf_counter() - started)
        return ("task_done", request_id, value)
    except InvalidHousehold as error:
        return ("invalid", request_id, tuple(error.problems))
    except ScenarioError as error:
        return ("error", request_id, str(error))  # already a French sentence
    except Exception as error:  # noqa: BLE001 - the GUI shows the apology, the log has the detail
        return ("error", request_id, report(error))


def _explain(engine: Any, case: dict[str, Any], month: str) -> dict[str, Any]:
    """« Pourquoi / pourquoi pas » of every benefit; never breaks the results."""
    from app.core.io.casefile import case_from_dict
    from app.core.compute.explain import explain_all

    try:
        household, _ = case_from_dict(case)
        started = time.perf_counter()
        explanations = explain_all(engine, household, month)
        log.info("explained in %.2f s", time.perf_counter() - started)
        return explanations
    except Exception as error:  # noqa: BLE001 - an explanation must never break the results
        log.error("explanations failed: %s", type(error).__name__, exc_info=True)
        return {}


def _info(engine: Any, seconds: float) -> dict[str, Any]:
    return {
        "openfisca_france": engine.versions.openfisca_france,
        "openfisca_core": engine.versions.openfisca_core,
        "legislation_until": engine.legislation_until.isoformat(),
        "catalogue_version": engine.catalogue_version,
        "load_seconds": round(seconds, 2),
        "pid": os.getpid(),
    }
