"""What every fuzzed input must end in (issue 18), shared by ``tests/fuzz/`` and
``bench/fuzz.py``.

An input ends either in a French message naming the field or the file (``MESSAGE``) or in
a correct result (``RESULT``). Anything else raises ``FuzzFailure``: an exception other
than the path's own refusal (a traceback for the agent), a call over its time bound (a
hang), a file written or removed outside the expected place, a message that is not one
of the app's French texts or does not name its field, a result holding NaN, a negative
or implausible amount, or a value other than the one given.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import signal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.model.household import STATUSES_WITH_HOUSING_COST, Household, Role
from app.core.base.i18n import messages, t
from app.core.model import validation

MESSAGE = "message"
RESULT = "result"

# The French texts an input path may answer with (their placeholders filled).
MESSAGE_PREFIXES = ("problem.", "batch.input.", "batch.row.", "gui.problem.", "handout.logo.",
                    "handout.service_point.", "rules.", "cli.", "situation.", "engine.",
                    "openfisca_input.")


class FuzzFailure(AssertionError):
    """An input that ended neither in a clear message nor in a correct result."""


def fail(what: str) -> None:
    raise FuzzFailure(what)


# --------------------------------------------------------------------------- time bound


class Hang(FuzzFailure):
    pass


@contextlib.contextmanager
def bounded(seconds: float) -> Iterator[None]:
    """Raise ``Hang`` in the calling (main) thread after ``seconds``."""
    def ring(_signum: int, _frame: Any) -> None:
        raise Hang(f"no answer within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------- files


def snapshot(folders: Iterable[Path]) -> dict[str, tuple[int, int]]:
    """Every file and link under ``folders``: path -> (size, modification time)."""
    out: dict[str, tuple[int, int]] = {}
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
                path = os.path.join(root, name)
                info = os.lstat(path)
                out[path] = (info.st_size, info.st_mtime_ns)
    return out


def changed_files(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    return {p for p in set(before) | set(after) if before.get(p) != after.get(p)}


# --------------------------------------------------------------------------- messages


def _template_regex(text: str) -> re.Pattern[str]:
    parts = re.split(r"(?<!\{)\{(\w+)\}(?!\})", text)
    pattern, seen = "", set()
    for i, part in enumerate(parts):
        if i % 2 == 0:
            pattern += re.escape(part.replace("{{", "{").replace("}}", "}"))
        elif part in seen:
            pattern += ".*?"
        else:
            seen.add(part)
            pattern += f"(?P<{part}>.*?)"
    return re.compile(pattern, re.DOTALL)


_TEMPLATES: list[tuple[str, re.Pattern[str]]] = []


def templates() -> list[tuple[str, re.Pattern[str]]]:
    if not _TEMPLATES:
        _TEMPLATES.extend((key, _template_regex(text)) for key, text in sorted(messages().items())
                          if key.startswith(MESSAGE_PREFIXES))
    return _TEMPLATES


def message_key(message: str) -> tuple[str, dict[str, str]]:
    """The key of the app's French text ``message`` is, and its filled placeholders."""
    if not isinstance(message, str) or not message.strip():
        fail(f"an empty message: {message!r}")
    if len(message) > 1500:
        fail(f"a message of {len(message)} characters (a value repeated whole?)")
    for key, regex in templates():
        match = regex.fullmatch(message)
        if match:
            return key, match.groupdict()
    fail(f"not one of the app's French messages: {message[:300]!r}")
    raise AssertionError  # unreachable


def _label_regex(path: str) -> re.Pattern[str]:
    """``field_label(path)``, a person's first name allowed after « Personne N »."""
    label = validation.field_label(path)
    match = re.match(r"Personne \d+", label)
    pattern = re.escape(label)
    if match:
        pattern = re.escape(match.group(0)) + r"(?: \(.*\))?" + re.escape(label[match.end():])
    unknown_kind = re.escape(t("field.resource", kind="?"))
    return re.compile(pattern.replace(unknown_kind, re.escape(t("field.resource", kind="\0")).replace(
        re.escape("\0"), ".*?")), re.DOTALL)


ROOT_LABELS = {"persons": "field.persons", "housing": "field.housing", "couple": "field.couple",
               "savings": "field.savings", "benefits_received": "field.benefits_received",
               "reference": "field.reference", "month": "field.month", "household": "field.household"}
FILE_FIELDS = ("", "format", "version")


def check_problem(field: str, message: str) -> str:
    """A problem of the case format: one of the app's French texts, naming ``field``."""
    key, params = message_key(message)
    if "field" in params:
        if field in FILE_FIELDS:
            fail(f"a file-level problem worded for a field: {message!r}")
        if not _label_regex(field).fullmatch(params["field"]):
            fail(f"the message does not name its field {field!r}: {message!r}")
        return key
    if field in FILE_FIELDS:
        if not message.startswith(("Le fichier", "Le dossier")):
            fail(f"a file-level problem that names no file: {message!r}")
        return key
    root = field.split(".")[0]
    label = t(ROOT_LABELS[root]) if root in ROOT_LABELS else None
    if label is None or not message.startswith(label):
        fail(f"the message does not name its field {field!r}: {message!r}")
    return key


def check_problems(problems: Iterable[Any]) -> None:
    problems = list(problems)
    if not problems:
        fail("refused without any problem")
    for problem in problems:
        check_problem(problem.field, problem.message)


# --------------------------------------------------------------------------- households


LIMITS = {"rent": validation.MAX_RENT, "charges": validation.MAX_RENT, "savings": validation.MAX_SAVINGS,
          "monthly": validation.MAX_MONTHLY_AMOUNT, "yearly": validation.MAX_YEARLY_INCOME}


def _amount(what: str, value: float | None, maximum: float) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(f"{what} is not a number: {value!r}")
    if not math.isfinite(value) or value < 0 or value > maximum:
        fail(f"{what} computed from nonsense: {value!r}")


def check_household(household: Household, today: Any, known: tuple[str, ...] | None = None) -> None:
    """A household accepted: every amount finite and in range, the texts within their
    limits, one demandeur, valid for ``validate``, and written back the same."""
    from app.core.io.casefile import case_from_dict, case_to_dict, dump_case

    if not isinstance(household, Household):
        fail(f"not a household: {type(household).__name__}")
    problems = validation.validate(household, today, known_benefits=known)
    if problems:
        fail(f"accepted though invalid: {[p.message for p in problems][:3]}")
    if [p.role for p in household.persons].count(Role.DEMANDEUR) != 1:
        fail("accepted without exactly one demandeur")
    housing = household.housing
    _amount("rent", housing.rent, LIMITS["rent"])
    _amount("charges", housing.charges, LIMITS["charges"])
    if housing.rent and housing.status not in STATUSES_WITH_HOUSING_COST:
        fail("a rent for a status without housing cost")
    _amount("savings", household.savings, LIMITS["savings"])
    for person in household.persons:
        if person.birth_date > today:
            fail("a birth date in the future")
        for resource in person.resources:
            if resource.monthly is not None and len(resource.monthly) != 12:
                fail(f"{len(resource.monthly)} monthly amounts")
            for value in resource.months():
                _amount(f"resource {resource.kind}", value, LIMITS["monthly"])
        _amount("taxable income", person.taxable_income_last_year, LIMITS["yearly"])
        _amount("taxable income N-2", person.taxable_income_n2, LIMITS["yearly"])
        if person.disability_rate is not None:
            _amount("disability rate", person.disability_rate, 100)
    texts = [household.reference, household.housing.commune_insee, household.housing.postal_code,
             *household.benefits_received, *(p.first_name for p in household.persons), *(p.id for p in household.persons)]
    if any(validation.has_bad_characters(text) for text in texts):
        fail("accepted a text with a control character or a lone surrogate")
    text = dump_case(household)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        fail("accepted a text that cannot be saved in UTF-8 (a lone surrogate)")
    again, _month = case_from_dict(case_to_dict(household), today)
    if again != household:
        fail("written back and read again, the household differs")


@dataclass(frozen=True)
class Target:
    """An input path: a hypothesis strategy of inputs, ``prepare`` (input, work folder)
    writing the input's files there and returning what ``run`` takes, and ``run`` ->
    MESSAGE or RESULT, raising FuzzFailure otherwise."""

    name: str
    strategy: Any
    run: Callable[[Any], str]
    prepare: Callable[[Any, Path], Any] = lambda value, _work: value
    timeout: float = 10.0
    watched: Callable[[Path], list[Path]] | None = None  # folders nothing may change in (default: work)
    writes: Callable[[Path], set[str]] | None = None  # files the path may write
    weight: float = 1.0  # share of bench/fuzz.py's inputs (a cheap path gets more)


def check(target: Target, value: Any, work: Path) -> str:
    """Run ``target`` on ``value`` in the empty folder ``work``; MESSAGE or RESULT."""
    data_dir = Path(os.environ["GUICHET_DATA_DIR"])
    folders = [work, data_dir] + (target.watched(work) if target.watched else [])
    argument = target.prepare(value, work)
    before = snapshot(folders)
    try:
        with bounded(target.timeout):
            outcome = target.run(argument)
    except FuzzFailure:
        raise
    except RecursionError:
        fail("RecursionError reached the agent")
    except Exception as error:  # noqa: BLE001 - a traceback for the agent
        import traceback

        where = traceback.extract_tb(error.__traceback__)[-1]
        fail(f"{type(error).__name__} reached the agent ({Path(where.filename).name}:{where.lineno}): "
             f"{str(error)[:200]}")
    if outcome not in (MESSAGE, RESULT):
        fail(f"unknown outcome {outcome!r}")
    allowed = target.writes(work) if target.writes else set()
    written = changed_files(before, snapshot(folders)) - allowed
    if written:
        fail(f"files written or removed outside the expected place: {sorted(written)[:5]}")
    return outcome
