"""Parameters older than the month computed: which ones each benefit read, which are stale.

OpenFisca-France silently reuses a parameter's last known value for a later month: the
complémentaire santé solidaire ceilings of 176.1.8 date from 1 April 2024 and are still
used for November 2026. For each benefit of a computation this module finds the
parameters it actually read and says which of them look out of date:

* **What was read.** The engine's simulations run under a ``ParameterRecorder`` (a
  ``SimpleTracer`` that also keeps, per variable, the variables its formula asked for,
  the parameters its formula read on its first run, and the latest instant it read the
  legislation at; a parameter is judged at that instant). It only records names in sets:
  no values, no timings, no tree of nodes like OpenFisca's full trace. A benefit's parameters are
  those of every variable its computation reached, without going into another catalogue
  benefit's own computation (that benefit carries its own notice). Households computed
  together in one vectorised simulation share the set (the formulas are the same).
* **Normally revalued every year.** The rule, data in ``rules/staleness.yaml``: a
  parameter of the listed parts of the tree whose history shows a new value in at least
  ``min_years_with_change`` of the ``window_years`` calendar years up to the value in
  force (the ceilings and amounts revalued each January, April or October do; rates fixed
  by law do not); ``exclude`` lists the exceptions.
* **Stale.** The value used is the parameter's last known one and started more than
  ``max_age_months`` months before the instant read: at least one yearly revaluation is
  missing from the legislation Guichet carries, so the amount may differ. (A value
  followed by a later one is history, never stale, even with a gap.)

``docs/rules.md`` (« Barèmes anciens ») documents the rule; ``bench/staleness.py`` measures
the recorder's cost.
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from app.core.rules import safe_yaml
from app.core.base.paths import bundled_rules_dir

log = logging.getLogger(__name__)

RULES_FILE = "staleness.yaml"
GROUP_FROM = 3  # stale leaves of one node reported as the node from this many


@dataclass(frozen=True)
class StaleParameter:
    """A parameter a benefit read whose value is older than its yearly revaluation."""

    path: str  # OpenFisca parameter path
    description: str  # OpenFisca's French description (or the path)
    since: str  # ISO date of the value used


@dataclass(frozen=True)
class StalenessRules:
    max_age_months: int = 12
    window_years: int = 6
    min_years_with_change: int = 4
    prefixes: tuple[str, ...] = ("prestations_sociales.",)
    exclude: tuple[str, ...] = ()

    def considers(self, path: str) -> bool:
        return path.startswith(self.prefixes) and not (self.exclude and path.startswith(self.exclude))


def load_rules(folder: Path | None = None) -> StalenessRules:
    """``rules/staleness.yaml`` of the active rules folder (the bundled one when a rules
    pack lacks it)."""
    candidates = []
    if folder is not None:
        candidates.append(folder / RULES_FILE)
    from app.core.rules.folder import active_rules_dir_or_bundled

    candidates.append(active_rules_dir_or_bundled() / RULES_FILE)
    candidates.append(bundled_rules_dir() / RULES_FILE)
    for path in candidates:
        if path.is_file():
            return _parse(safe_yaml.load(path.read_text(encoding="utf-8")) or {})
    return StalenessRules()


def _parse(data: dict[str, Any]) -> StalenessRules:
    yearly = data.get("yearly") or {}
    return StalenessRules(
        max_age_months=int(data.get("max_age_months", 12)),
        window_years=int(yearly.get("window_years", 6)),
        min_years_with_change=int(yearly.get("min_years_with_change", 4)),
        prefixes=tuple(str(p) for p in data.get("prefixes") or ("prestations_sociales.",)),
        exclude=tuple(str(p) for p in data.get("exclude") or ()),
    )


# --------------------------------------------------------------------------- recording


@functools.cache
def recorder_class() -> type:
    from openfisca_core.tracers import SimpleTracer, TracingParameterNodeAtInstant

    class ParameterRecorder(SimpleTracer):
        """The plain tracer's stack, plus, per variable name, the names its formulas asked
        for, the parameters its formula read (traced on the formula's first run only: a
        formula reads the same parameters whatever the period) and the latest instant at
        which it read the legislation."""

        def __init__(self) -> None:
            super().__init__()
            self.children: dict[str, set[str]] = defaultdict(set)
            self.parameters: dict[str, set[str]] = defaultdict(set)
            self.latest: dict[str, str] = {}
            self._first: dict[str, Any] = {}  # variable -> the stack frame of its traced run

        def record_calculation_start(self, variable: str, period: Any) -> None:
            stack = self._stack
            if stack:
                self.children[stack[-1]["name"]].add(variable)
            stack.append({"name": variable, "period": period})

        def requested(self, variable: str) -> None:
            """A value answered from the cache without a calculation (openfisca_speedups)."""
            if self._stack:
                self.children[self._stack[-1]["name"]].add(variable)

        def record_parameter_access(self, parameter: str, period: Any, value: Any) -> None:
            if self._stack:
                self.parameters[self._stack[-1]["name"]].add(parameter)

        def parameters_at(self, plain: Any, instant: Any) -> Any:
            """What a formula's ``parameters(period)`` returns: the recording tree during
            the variable's first formula run, the plain one afterwards."""
            node = plain(instant)
            stack = self._stack
            if not stack:
                return node
            frame = stack[-1]
            name = frame["name"]
            text = node._instant_str
            if text > self.latest.get(name, ""):
                self.latest[name] = text
            if self._first.setdefault(name, frame) is not frame:
                return node
            return TracingParameterNodeAtInstant(node, self)

    return ParameterRecorder


def attach(simulation: Any) -> Any:
    """Record the parameters ``simulation``'s formulas read from now on: the recorder, and
    the flag that makes openfisca-core ask ``trace_parameters_at_instant`` for a formula's
    parameters (``Simulation._run_formula``), answered by the recorder, without turning
    on its full trace (the ``trace`` setter would install a ``FullTracer``)."""
    recorder = recorder_class()()
    plain = simulation.tax_benefit_system.get_parameters_at_instant
    simulation.tracer = recorder
    simulation._trace = True
    simulation.trace_parameters_at_instant = lambda instant: recorder.parameters_at(plain, instant)
    return recorder


def under_plain_tracer(simulation: Any) -> bool:
    """Neither recorded yet nor under OpenFisca's full trace (an expert's trace export)."""
    from openfisca_core.tracers import SimpleTracer

    return type(getattr(simulation, "tracer", None)) is SimpleTracer


def recorder_of(simulation: Any) -> Any | None:
    tracer = getattr(simulation, "tracer", None)
    return tracer if type(tracer) is recorder_class() else None


def reached(recorder: Any, roots: Iterable[str], stop: frozenset[str]) -> set[str]:
    """Variables reached from ``roots`` through the recorded requests, not entering ``stop``
    (other benefits' own variables); breadth first, with set operations."""
    children = recorder.children
    seen: set[str] = set()
    frontier = set(roots)
    while frontier:
        seen |= frontier
        following: set[str] = set()
        for name in frontier:
            asked = children.get(name)
            if asked:
                following |= asked
        frontier = following - seen - stop
    return seen


# --------------------------------------------------------------------------- checking


def _months_between(start: str, end: str) -> int:
    return (int(end[:4]) - int(start[:4])) * 12 + int(end[5:7]) - int(start[5:7])


class StalenessChecker:
    """Per engine: the rules, the parameter tree, and a cache of verdicts per
    (parameter, instant) so that a warm computation only looks up sets."""

    def __init__(self, parameters: Any, rules: StalenessRules | None = None) -> None:
        self.parameters = parameters
        self.rules = rules or load_rules()
        self._verdicts: dict[tuple[str, str], tuple[StaleParameter, ...]] = {}

    def notes(self, recorder: Any, roots: Iterable[str], stop: frozenset[str]) -> tuple[StaleParameter, ...]:
        """Stale parameters read while computing ``roots``, oldest first; the leaves of one
        node (a ceiling per zone or per household size) become one note with the node's
        description, from 3 on."""
        leaves: set[StaleParameter] = set()
        for name in reached(recorder, roots, stop):
            instant = recorder.latest.get(name)
            for path in recorder.parameters.get(name, ()) if instant else ():
                leaves.update(self.verdict(path, instant))
        by_parent: dict[tuple[str, str], list[StaleParameter]] = defaultdict(list)
        for item in sorted(leaves, key=lambda leaf: (leaf.path, leaf.since)):  # the same notes in every process
            by_parent[(item.path.rsplit(".", 1)[0], item.since)].append(item)
        found: dict[tuple[str, str], StaleParameter] = {}
        for (parent_path, since), items in by_parent.items():
            parent = _node(self.parameters, parent_path) if len(items) >= GROUP_FROM else None
            if parent is not None and getattr(parent, "description", None):
                items = [StaleParameter(parent_path, _text(parent.description), since)]
            for item in items:
                found.setdefault((item.description, item.since), item)
        return tuple(sorted(found.values(), key=lambda p: (p.since, p.description)))

    def verdict(self, path: str, instant: str) -> tuple[StaleParameter, ...]:
        key = (path, instant)
        cached = self._verdicts.get(key)
        if cached is None:
            cached = self._verdicts[key] = tuple(
                StaleParameter(leaf.name, _text(leaf.description or leaf.name), since)
                for leaf, since in self._stale_leaves(path, instant)
            )
        return cached

    def _stale_leaves(self, path: str, instant: str) -> Iterator[tuple[Any, str]]:
        if not self.rules.considers(path):
            return
        node = _node(self.parameters, path)
        if node is None:
            return
        for leaf in _leaves(node):
            if not self.rules.considers(leaf.name):
                continue
            starts = sorted(v.instant_str for v in leaf.values_list if v.value is not None)
            if not starts or starts[-1] > instant:  # a later value exists: the history is complete here
                continue
            since = starts[-1]
            if _months_between(since, instant) <= self.rules.max_age_months:
                continue
            first_year = int(since[:4]) - self.rules.window_years + 1
            years = {int(s[:4]) for s in starts if first_year <= int(s[:4])}
            if len(years) < self.rules.min_years_with_change:
                continue
            yield leaf, since


def note_text(parameter: StaleParameter) -> str:
    """« plafond … du 01/04/2024 : le montant peut différer » (app, CLI, handout)."""
    import datetime as dt

    from app.core.base import formats
    from app.core.base.i18n import t

    return t("staleness.note", parameter=parameter.description, since=formats.date(dt.date.fromisoformat(parameter.since)))


def short_notes(parameters: Iterable[StaleParameter], limit: int = 3) -> list[str]:
    """The notes of ``parameters`` for a page of limited room (the handout): each text
    once, the first ``limit`` of them, then « et N autres barèmes anciens » (a formula
    that reads a whole scale — the social-housing ceilings by household category and
    region — reports every leaf of it)."""
    texts = list(dict.fromkeys(note_text(p) for p in parameters))
    if len(texts) <= limit:
        return texts
    from app.core.base.i18n import t

    return texts[:limit] + [t("staleness.more", count=len(texts) - limit)]


def _text(description: str) -> str:
    description = " ".join(description.split())
    return description[:1].lower() + description[1:]


def _node(root: Any, path: str) -> Any | None:
    node = root
    for part in path.split("."):
        children = getattr(node, "children", None)
        if children is None or part not in children:
            return None
        node = children[part]
    return node


def _leaves(node: Any) -> Iterator[Any]:
    children = getattr(node, "children", None)
    if children is not None:
        for child in children.values():
            yield from _leaves(child)
    elif getattr(node, "values_list", None) is not None:
        yield node
