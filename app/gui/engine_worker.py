"""The rules engine's side of the GUI's engine process (no Qt here).

``serve`` runs in a spawned process: it loads ``Engine()`` once, then answers
requests read from one pipe on another, until the request pipe closes or a
``stop`` arrives. Messages are tuples (pickled by ``multiprocessing``):

requests:  ``("compute", request_id, case_dict, month)``, ``("stop",)``
replies:   ``("loading", {})``, ``("ready", info)``, ``("fatal", french_message)``,
           ``("result", request_id, SimulationResult)``, then
           ``("explanations", request_id, {benefit_id: Explanation})`` (computed after
           the result is sent, so that it never delays it; ``{}`` if it failed),
           ``("invalid", request_id, problems)``, ``("error", request_id, french_message)``

The household travels as the case format's dict (``casefile.case_to_dict``), read
back and validated with ``case_from_dict``: the same path as a case file.
"""

from __future__ import annotations

import logging
import os
import time
from multiprocessing.connection import Connection
from typing import Any

log = logging.getLogger(__name__)


def serve(requests: Connection, replies: Connection, data_dir: str | None = None) -> None:
    """Entry point of the engine process."""
    if data_dir:
        os.environ["GUICHET_DATA_DIR"] = data_dir
    from app.core.logs import report_unexpected, setup_logging

    setup_logging()
    replies.send(("loading", {}))
    started = time.perf_counter()
    try:
        from app.core.engine import Engine

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


def _compute(engine: Any, request_id: int, case: dict[str, Any], month: str, report: Any) -> tuple[Any, ...]:
    from app.core.casefile import case_from_dict
    from app.core.validation import InvalidHousehold

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


def _explain(engine: Any, case: dict[str, Any], month: str) -> dict[str, Any]:
    """« Pourquoi / pourquoi pas » of every benefit; never breaks the results."""
    from app.core.casefile import case_from_dict
    from app.core.explain import explain_all

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
