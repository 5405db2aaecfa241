"""The household editor's fields as a fuzzed input path (Qt, offscreen): a valid household
loaded, then texts typed into its amount, date, rate, name, reference and commune fields
(set through the widgets' API: ``setText`` is what a paste does), then ``collect`` and
``show_problems`` as the window does after each edit.

Each input must end in French messages naming their fields (shown next to them, the text
typed kept as it is), or in a household whose every amount is the one typed."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from app.core.base import formats
from app.core.model.household import STATUSES_WITH_HOUSING_COST, Household
from fuzz_inputs import IMPOSSIBLE_DATES, STRANGE_TEXTS, TODAY, households
from fuzz_oracles import MESSAGE, RESULT, Target, check_household, check_problem, fail

TEXTS = st.one_of(
    st.sampled_from(STRANGE_TEXTS + IMPOSSIBLE_DATES + ["650", "1 234,56", "1234.5", "12,5 %", "100", "101", "0",
                                                        "-5", "29/11/2026", "01/01/1990", "12031985", "Lyon",
                                                        "69003", "Saint", "99999"]),
    st.integers(0, 10**7).map(lambda cents: formats.number(cents / 100)),
    st.text(max_size=25),
    st.integers(0, 5000).map(lambda n: "8" * n),
)


@dataclass(frozen=True)
class EditorInput:
    household: Household
    edits: tuple[tuple[int, str], ...]  # (index into the editable fields, sorted by path; text typed)


EDITOR_INPUTS = st.builds(EditorInput, households(),
                          st.lists(st.tuples(st.integers(0, 10_000), TEXTS), min_size=1, max_size=4).map(tuple))

_STATE: dict[str, Any] = {}


def application() -> Any:
    """The QApplication (the pytest-qt one under pytest), with the app's translators."""
    from PySide6.QtWidgets import QApplication

    if "app" not in _STATE:
        from app.gui.app import install_translator

        app = QApplication.instance() or QApplication(["guichet-fuzz"])
        install_translator(app)
        _STATE["app"] = app
    return _STATE["app"]


def editor() -> Any:
    """One editor for every input (building one costs more than the input itself)."""
    if "editor" not in _STATE:
        from app.core.benefits.catalogue import load_catalogue
        from app.gui.views.household_editor import HouseholdEditor

        application()
        _STATE["editor"] = HouseholdEditor(load_catalogue())
    return _STATE["editor"]


def _fields(widget: Any) -> dict[str, Any]:
    fields = dict(widget.typed_fields())
    fields["reference"] = widget.reference
    fields["housing.commune_insee"] = widget.housing.commune
    for i, form in enumerate(widget.forms):
        fields[f"persons.{i}.first_name"] = form.first_name
    return fields


def _read(household: Household, path: str) -> Any:
    parts = path.split(".")
    if path == "savings":
        return household.savings
    if parts[0] == "housing":
        return getattr(household.housing, parts[1])
    person = household.persons[int(parts[1])]
    if parts[2] == "resources":
        resource = person.resources[int(parts[3])]
        return resource.stable if parts[4] == "stable" else (resource.monthly or ())[int(parts[5])]
    return getattr(person, parts[2])


def _shown(household: Household, path: str) -> bool:
    """Whether the field at ``path`` is read: the grid of a resource given as stable (or the
    stable amount of one given month by month), a child's taxable income, the rent of a
    status without housing cost are not."""
    parts = path.split(".")
    if parts[0] == "persons" and "resources" in parts:
        resource = household.persons[int(parts[1])].resources[int(parts[3])]
        return (resource.monthly is None) == (parts[4] == "stable")
    if parts[0] == "persons" and parts[2].startswith("taxable"):
        return household.persons[int(parts[1])].role.value != "enfant"
    if parts[0] == "housing":
        return household.housing.status in STATUSES_WITH_HOUSING_COST
    return True


def run_editor(value: EditorInput) -> str:
    from app.core.base.formats import AmountError, parse_amount

    widget = editor()
    widget.load(value.household)
    fields = _fields(widget)
    paths = sorted(fields)
    typed: dict[str, str] = {}
    for index, text in value.edits:
        path = paths[index % len(paths)]
        fields[path].setText(text)
        typed[path] = fields[path].text()  # as the field kept it (at most its maximum length)
    collected = widget.collect(TODAY)
    widget.show_problems(collected.problems)
    for path, text in typed.items():
        if fields[path].text() != text:
            fail(f"the text typed in {path} was changed: {text!r} -> {fields[path].text()!r}")
    for problem in collected.problems:
        check_problem(problem.field, problem.message)
    if collected.problems:
        return MESSAGE
    household = collected.household
    check_household(household, TODAY, widget.known_benefits())
    for path, text in typed.items():
        amount = path.endswith(("rent", "charges", "savings", "stable", "_n2", "_last_year", "disability_rate"))
        if not text.strip() or not (amount or ".monthly." in path) or not _shown(household, path):
            continue  # a field hidden for this person, status or mode is not read
        try:
            expected = parse_amount(text.replace("%", "").strip() if path.endswith("rate") else text)
        except AmountError:
            fail(f"{path}: « {text} » is not an amount, yet the household was computable")
        read = _read(household, path)
        if read is not None and read != 0.0 and not math.isclose(read, expected):
            fail(f"{path}: « {text} » read as {read}")
    return RESULT


EDITOR = Target("household editor fields (GUI)", EDITOR_INPUTS, run_editor, timeout=20.0, weight=0.5,
                writes=lambda work: set())
