"""The rules engine: OpenFisca-France loaded once, every catalogue benefit computed.

The one entry point the GUI's engine process, the command line and the screener call
(``Engine.compute``, ``compute_many``); results are ``benefits.results``.

* Load: the tax-benefit system is built once per process (``openfisca/loading.py``: its
  parameter tree cached on disk, keyed on the openfisca versions).
* Compute: households become OpenFisca situations (``situation.py``), built side
  by side in one vectorised simulation (``simulation_build.py``). Benefits are
  computed in the catalogue's fixed order (results can depend on the order
  around the AAH supplement; see docs/engine.md).
* Fast path: before computing, sub-computations the household's own inputs rule
  out (no disability: AAH; nobody looking for work: ASS; nobody 55 or older:
  ASPA/ASI…) get explicit zeros on every period (``Gate``). A gate never applies
  when any input could make its variables non-zero; tests check both sides.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from app.core.base import paths
from app.core.base.formats import month as fr_month
from app.core.base.i18n import t
from app.core.benefits.benefit import Benefit
from app.core.benefits.catalogue import Catalogue, load_catalogue
from app.core.benefits.local_aids import append_local_aids
from app.core.benefits.results import BenefitResult, SimulationResult, Status
from app.core.model.birth import birth_grant_case
from app.core.model.examples import warm_up_household
from app.core.model.household import Activity, Household, ResourceKind
from app.core.model.sought_home import sought_home_case
from app.core.model.periods import add_months, current_month, first_day, months_range, parse_month
from app.core.model.validation import Problem, require_valid
from app.core.openfisca import speedups as openfisca_speedups
from app.core.openfisca.input import ReadSituation, RequestedValue, SituationRefused, compute_requests, requests_outside
from app.core.openfisca.loading import installed_versions, last_legislation_date, load_system
from app.core.openfisca.simulation_build import SituationError, build_simulation
from app.core.openfisca.situation import RESOURCE_VARIABLES, Situation, build_situation, input_months, row_positions
from app.core.openfisca.staleness import StaleParameter, StalenessChecker, attach, recorder_of, under_plain_tracer

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- side simulations


@dataclass(frozen=True)
class SideCase:
    """A copy of a household computed on its own for one catalogue benefit, at ``month``."""

    household: Household
    month: str
    # (variable, value) set on the copy's ménage for ``month``, after its situation is built
    menage_inputs: tuple[tuple[str, Any], ...] = ()
    paid_in: bool = False  # the result says the month (a grant paid at another month than M)


@dataclass(frozen=True)
class SideKind:
    """A catalogue benefit read on a copy of the household rather than on its own
    simulation, because the copy holds what the household's other benefits must not see."""

    variable: str  # the catalogue benefit's OpenFisca variable
    case: Callable[[Household, str], SideCase | None]  # None: the household's own result stands
    gated: bool = False  # the household's gates also apply to the copy (same persons, same month)
    beyond_legislation: str | None = None  # warning when the copy's month is after the legislation known


@dataclass(frozen=True)
class SideSimulation:
    """The simulation of one household's copy for one benefit (``Engine.side_simulation``)."""

    kind: SideKind
    case: SideCase
    situation: Situation
    simulation: Any
    ids: dict[str, list[str]]


BirthGrant = SideSimulation  # the prime à la naissance's (``Engine.birth_grant``)


def _birth_grant_side(household: Household, month: str) -> SideCase | None:
    """The prime à la naissance: on the household with the expected child, at the month it is
    paid (model/birth.py)."""
    case = birth_grant_case(household, month)
    return None if case is None else SideCase(case.household, case.month, paid_in=True)


def _visale_side(household: Household, month: str) -> SideCase | None:
    """Visale: on the household in the home it is about to rent, at the month computed, with
    the planned date of entry on its ménage (model/sought_home.py)."""
    case = sought_home_case(household, month)
    if case is None:
        return None
    return SideCase(case.household, case.month, (("date_entree_logement", case.entry_date.isoformat()),))


# The prime à la naissance: computed on its own simulation of the household with the
# expected child, at the month it is paid (model/birth.py).
BIRTH_GRANT_VARIABLE = "paje_naissance"
VISALE_VARIABLE = "visale_eligibilite"
SIDE_KINDS: tuple[SideKind, ...] = (
    SideKind(BIRTH_GRANT_VARIABLE, _birth_grant_side, beyond_legislation="engine.birth_grant_beyond_legislation"),
    SideKind(VISALE_VARIABLE, _visale_side, gated=True),
)


# --------------------------------------------------------------------------- gates


@dataclass(frozen=True)
class Gate:
    """Variables given explicit zeros when ``applies(household, month)`` is true."""

    name: str
    variables: tuple[str, ...]
    applies: Callable[[Household, str], bool]


def _nobody(predicate: Callable[[Any, dt.date], bool]) -> Callable[[Household, str], bool]:
    def applies(household: Household, month: str) -> bool:
        day = first_day(month)
        return not any(predicate(p, day) for p in household.persons)

    return applies


def _declares(kind: ResourceKind) -> Callable[[Any, dt.date], bool]:
    return lambda p, _day: p.declares(kind)


def _always(_household: Household, _month: str) -> bool:
    return True


# Variables that no input of Guichet's household model can feed: their formulas give 0
# for every household we build (tax-return boxes, capital income, apprenticeship,
# overtime, the daily allowances other than sickness…).
NOT_IN_MODEL = (
    "revenus_capitaux_prelevement_liberatoire", "revenus_capitaux_prelevement_forfaitaire_unique_ir",
    "revenus_capitaux_prelevement_bareme", "revenus_capital", "revenus_locatifs",
    "rente_viagere_titre_onereux", "valeur_locative_immo_non_loue", "valeur_locative_terrains_non_loues",
    "epargne_revenus_non_imposables", "hsup", "indemnites_compensatrices_conges_payes",
    "remuneration_apprenti", "apprenti", "dedommagement_victime_amiante", "prestation_compensatoire",
    "prime_forfaitaire_mensuelle_reprise_activite", "revenus_stage_formation_pro", "bourse_recherche",
    "indemnites_journalieres_maternite", "indemnites_journalieres_paternite",
    "indemnites_journalieres_adoption", "indemnites_journalieres_accident_travail",
    "indemnites_journalieres_maladie_professionnelle",
)

GATES: tuple[Gate, ...] = (
    Gate("not_in_model", NOT_IN_MODEL, _always),
    Gate(
        "no_disability",
        ("aah", "caah", "aah_base", "aeeh", "pch", "mva"),
        _nobody(lambda p, _d: p.has_disability),
    ),
    Gate(
        "no_job_seeker",
        ("ass",),
        _nobody(
            lambda p, _d: p.activity
            in (Activity.DEMANDEUR_EMPLOI_INDEMNISE, Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE)
        ),
    ),
    Gate(
        "no_unemployment_benefit",
        ("chomage_brut", "allocation_securisation_professionnelle", "indemnites_chomage_partiel"),
        _nobody(lambda p, d: _declares(ResourceKind.CHOMAGE)(p, d) or p.activity == Activity.DEMANDEUR_EMPLOI_INDEMNISE),
    ),
    Gate(
        "no_pension",
        ("retraite_brute", "retraite_combattant"),
        _nobody(lambda p, d: _declares(ResourceKind.RETRAITE)(p, d) or p.activity == Activity.RETRAITE),
    ),
    Gate(
        "nobody_55_or_more",  # ASPA from 65 (62 for unfitness), ASI below retirement age with invalidity
        ("aspa", "asi", "asi_aspa_base_ressources_individu"),
        _nobody(lambda p, d: p.age_on(d) >= 55 or _declares(ResourceKind.PENSION_INVALIDITE)(p, d)),
    ),
    Gate(
        # Contrat d'engagement jeune: 16 to 25 (29 with a disability) in the month computed
        # (contrat_engagement_jeune.critere_age); its eligibility reads the income tax of N-2,
        # the costliest part. Nobody of that age at any day of the gated window.
        "nobody_16_to_29",
        ("contrat_engagement_jeune", "contrat_engagement_jeune_eligibilite"),
        lambda household, month: not any(_in_age_window(p, month, 16, 29) for p in household.persons),
    ),
)


def _in_age_window(person: Any, month: str, youngest: int, oldest: int) -> bool:
    """Whether ``person`` is between ``youngest`` and ``oldest`` years old (inclusive) on some
    day of the window the gates zero (January N-6 to the end of M+1)."""
    year = parse_month(month)[0]
    start = dt.date(year - GATE_YEARS_BACK, 1, 1)
    end = first_day(add_months(month, 2)) - dt.timedelta(days=1)
    return bool(person.age_on(end) >= youngest and person.age_on(start) <= oldest)


# --------------------------------------------------------------------------- taxable income grid


class GridConverter:
    """Taxable from net, by interpolation on OpenFisca's own gross -> (net, taxable) grid.

    The CSG rate on pensions and unemployment benefits depends on the household's
    fiscal income: the grid gives each point the fiscal income (revenu fiscal de
    référence) of a single person receiving that gross amount all year, so a low
    pension is computed exempt and a higher one at the full rate. For a couple the
    real rate can be lower than assumed (its thresholds are higher): the taxable
    amount is then slightly overstated; a declared taxable income avoids it.
    """

    GRID = np.concatenate([np.arange(0, 3000, 25.0), np.arange(3000, 20000, 250.0)])
    INPUTS = {
        ResourceKind.SALAIRE_NET: ("salaire_de_base", "salaire_net", "salaire_imposable"),
        ResourceKind.CHOMAGE: ("chomage_brut", "chomage_net", "chomage_imposable"),
        ResourceKind.RETRAITE: ("retraite_brute", "retraite_nette", "retraite_imposable"),
    }

    def __init__(self, curves: dict[ResourceKind, tuple[np.ndarray, np.ndarray, np.ndarray]]) -> None:
        self._curves = curves  # kind -> (nets sorted, taxables, grosses)

    @classmethod
    def compute(cls, tbs: Any, month: str) -> "GridConverter":
        n = len(cls.GRID)
        situation: dict[str, Any] = {"individus": {}, "familles": {}, "foyers_fiscaux": {}, "menages": {}}
        for i in range(n):
            pid = f"p{i}"
            situation["individus"][pid] = {"date_naissance": {"ETERNITY": "1970-01-01"}}
            situation["familles"][f"f{i}"] = {"parents": [pid]}
            situation["foyers_fiscaux"][f"ff{i}"] = {"declarants": [pid]}
            situation["menages"][f"m{i}"] = {"personne_de_reference": [pid]}
        year = int(month[:4])
        yearly_fiscal_income = (cls.GRID * 12 * 0.9).astype(np.float32)
        curves = {}
        for kind, (gross, net, taxable) in cls.INPUTS.items():
            simulation, _ids = build_simulation(tbs, [situation])
            for fiscal_year in range(year - 3, year + 1):
                simulation.set_input("rfr", str(fiscal_year), yearly_fiscal_income)
            simulation.set_input(gross, month, cls.GRID.astype(np.float32))
            nets = np.asarray(simulation.calculate(net, month), dtype=float)
            taxables = np.asarray(simulation.calculate(taxable, month), dtype=float)
            order = np.argsort(nets, kind="stable")
            curves[kind] = (nets[order], taxables[order], cls.GRID[order])
        return cls(curves)

    def taxable(self, kind: ResourceKind, net: float) -> float:
        nets, taxables, _grosses = self._curves[kind]
        return float(np.interp(net, nets, taxables))

    def gross(self, kind: ResourceKind, net: float) -> float:
        nets, _taxables, grosses = self._curves[kind]
        return float(np.interp(net, nets, grosses))

    def to_lists(self) -> dict[str, list[list[float]]]:
        return {kind.value: [list(map(float, column)) for column in curve] for kind, curve in self._curves.items()}

    @classmethod
    def from_lists(cls, data: dict[str, list[list[float]]]) -> "GridConverter":
        curves = {}
        for key, columns in data.items():
            nets, taxables, grosses = (np.array(column, dtype=float) for column in columns)
            curves[ResourceKind(key)] = (nets, taxables, grosses)
        return cls(curves)


# --------------------------------------------------------------------------- engine


class Engine:
    """Load once, compute many. Thread-safe for one caller at a time (a lock)."""

    def __init__(self, catalogue: Catalogue | None = None, use_cache: bool = True, warm_up: bool = True) -> None:
        started = time.perf_counter()
        self.catalogue = catalogue or load_catalogue()
        self.tbs = load_system(use_cache=use_cache)
        # on the checked openfisca versions only; else one log line and OpenFisca's own code
        if openfisca_speedups.install():
            openfisca_speedups.preload_zone_apl(paths.cache_dir() / f"zone_apl_{installed_versions().cache_key}.json",
                                                openfisca_speedups.housing_module(self.tbs))
        self.versions = installed_versions()
        self.legislation_until = last_legislation_date(self.tbs)
        self._converters: dict[str, GridConverter] = {}
        self.staleness = StalenessChecker(self.tbs.parameters)
        self.record_parameters = True  # off: no staleness notes (bench/staleness.py compares)
        self._lock = threading.Lock()
        self.load_seconds = time.perf_counter() - started
        if warm_up:
            self.warm_up()

    # -- helpers
    def converter(self, month: str) -> GridConverter:
        """Net -> taxable grid for the year of ``month``, cached in memory and on disk
        (keyed on the OpenFisca versions; a bad file is recomputed)."""
        year = month[:4]
        if year not in self._converters:
            path = paths.cache_dir() / f"net_grid_v2_{self.versions.cache_key}_{year}.json"
            converter = None
            try:
                converter = GridConverter.from_lists(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError, IndexError):  # missing or not ours: recompute
                converter = None
            if converter is None:
                converter = GridConverter.compute(self.tbs, f"{year}-01")
                try:
                    path.write_text(json.dumps(converter.to_lists()), encoding="utf-8")
                except OSError:
                    log.warning("could not write the taxable grid cache")
            self._converters[year] = converter
        return self._converters[year]

    def situation(self, household: Household, month: str) -> Situation:
        return build_situation(household, month, self.converter(month))

    def month_warnings(self, month: str) -> tuple[str, ...]:
        if first_day(month) > self.legislation_until + dt.timedelta(days=31):
            return (
                t(
                    "engine.beyond_legislation",
                    month=_fr_month(month),
                    until=self.legislation_until.strftime("%d/%m/%Y"),
                ),
            )
        return ()

    def warm_up(self, month: str | None = None) -> None:
        """Build the per-date parameter trees of the windows of ``month`` (default: the
        current month) once, then put every object alive (the tax-benefit system, its
        parameter trees: millions of objects that live as long as the process) out of the
        garbage collector's reach: otherwise a full collection walks them all, about
        0.27 s measured here, at random moments of a computation."""
        self.compute(warm_up_household(), month or current_month())
        gc.collect()
        gc.freeze()

    # -- computing
    def compute(self, household: Household, month: str | None = None) -> SimulationResult:
        return self.compute_many([household], month)[0]

    def compute_many(
        self, households: Sequence[Household], month: str | None = None, fast: bool = True
    ) -> list[SimulationResult]:
        """Results for each household (validated first), in order."""
        month = month or current_month()
        parse_month(month)
        for household in households:
            require_valid(household)
        situations = [self.situation(h, month) for h in households]
        groups: dict[tuple[str, ...], list[int]] = {}
        for i, household in enumerate(households):
            key = tuple(g.name for g in GATES if fast and g.applies(household, month))
            groups.setdefault(key, []).append(i)
        out: list[SimulationResult | None] = [None] * len(households)
        with self._lock:
            for key, indexes in groups.items():
                gates = [g for g in GATES if g.name in key]  # empty on the standard path
                results = self._compute_group(
                    [households[i] for i in indexes], [situations[i] for i in indexes], month, gates
                )
                for i, result in zip(indexes, results):
                    out[i] = result
        return [r for r in out if r is not None]

    def compute_situations(self, situations: Sequence[dict[str, Any]], month: str) -> list[SimulationResult]:
        """Results for standard OpenFisca situations (``--openfisca``), read on the first
        famille and ménage of each; no gate applies (nothing is known of the profile)."""
        wrapped = [
            Situation(
                data=data,
                month=month,
                famille_id=next(iter(data.get("familles") or {"_famille_" + next(iter(data["individus"])): None})),
                menage_id=next(iter(data.get("menages") or {"_menage_" + next(iter(data["individus"])): None})),
                person_ids=tuple(data["individus"]),
                assumptions=(),
            )
            for data in situations
        ]
        with self._lock:
            return self._compute_group(None, wrapped, month, ())

    def compute_openfisca(
        self, read: "ReadSituation", month: str
    ) -> tuple[SimulationResult, tuple["RequestedValue", ...]]:
        """Results of a situation read by ``openfisca.input.read_situation`` (no gate: nothing
        is known of the profile), and the variables it asks for that the results do not show,
        computed on the same simulation after the catalogue."""
        situation = Situation(
            data=read.data, month=month, famille_id=read.famille_id, menage_id=read.menage_id,
            person_ids=read.person_ids, assumptions=(),
        )
        with self._lock:
            try:
                simulation, ids = build_simulation(self.tbs, [read.data])
            except SituationError as error:
                raise SituationRefused([Problem("", str(error))], ["inconsistent"]) from None
            result = self._results_of(simulation, ids, None, [situation], month, ())[0]
            requested = compute_requests(self.tbs, simulation, ids, requests_outside(read, self.catalogue, month))
        return result, requested

    def _compute_group(
        self,
        households: Sequence[Household] | None,
        situations: Sequence[Situation],
        month: str,
        gates: Sequence[Gate],
    ) -> list[SimulationResult]:
        simulation, ids = build_simulation(self.tbs, [s.data for s in situations])
        return self._results_of(simulation, ids, households, situations, month, gates)

    def gates_for(self, household: Household, month: str) -> tuple[Gate, ...]:
        """The gates ``compute`` applies to this household (its fast path)."""
        return tuple(g for g in GATES if g.applies(household, month))

    def compute_built(
        self,
        simulation: Any,
        ids: dict[str, list[str]],
        households: Sequence[Household],
        situations: Sequence[Situation],
        month: str,
        gates: Sequence[Gate] = (),
    ) -> list[SimulationResult]:
        """Results of a simulation the caller built (``build_simulation`` or
        ``build_copies``: one row block per situation, ids ``"k:<id>"``): ``gates``
        (which must apply to every household: ``gates_for``), then every catalogue
        benefit in the fixed order, read as ``compute`` does. The simulation keeps its
        cached values for further reading (explanations, earnings curves)."""
        with self._lock:
            return self._results_of(simulation, ids, households, situations, month, gates)

    def calculate_catalogue(
        self, simulation: Any, ids: dict[str, list[str]], month: str, gates: Sequence[Gate] = ()
    ) -> dict[str, Any]:
        """``gates``, then every catalogue variable in the fixed order, on a simulation the
        caller built: ``{benefit id: (array over the variable's entity, {detail: array})}``
        (or the exception), what ``compute`` reads its results from. For vectorised readers
        of many copies of one household (earnings curves), which would not want one
        ``SimulationResult`` per copy."""
        with self._lock:
            _apply_gates(self.tbs, simulation, ids, month, gates)
            return self._calculate_all(simulation, month)

    def _results_of(
        self,
        simulation: Any,
        ids: dict[str, list[str]],
        households: Sequence[Household] | None,
        situations: Sequence[Situation],
        month: str,
        gates: Sequence[Gate],
    ) -> list[SimulationResult]:
        if self.record_parameters and under_plain_tracer(simulation):  # not under a full trace
            attach(simulation)  # which parameters each benefit reads (stale ones are reported)
        _apply_gates(self.tbs, simulation, ids, month, gates)
        values = self._calculate_all(simulation, month)
        warnings = self.month_warnings(month)
        positions = row_positions(ids)
        stale = self._stale_parameters(simulation)
        paid = self._paid_values(simulation, month)
        results = []
        for k, situation in enumerate(situations):
            household = households[k] if households is not None else None
            benefits = []
            for benefit in self.catalogue:
                result = self.benefit_result(benefit, values.get(benefit.id), positions, k, situation, household, month)
                benefits.append(dataclasses.replace(
                    result,
                    stale_parameters=stale.get(benefit.id, ()),
                    amount_paid=self._amount_paid(benefit, result, paid.get(benefit.id), positions, k, situation),
                ))
            results.append(
                SimulationResult(
                    month=month,
                    benefits=tuple(benefits),
                    assumptions=situation.assumptions,
                    warnings=warnings,
                    openfisca_france=self.versions.openfisca_france,
                    legislation_until=self.legislation_until.isoformat(),
                    catalogue_version=self.catalogue_version,
                    totals_ids=tuple(b.id for b in self.catalogue if b.counts_in_total),
                )
            )
        if households is not None:
            results = [self._with_side_simulations(h, r, month, gates) for h, r in zip(households, results)]
        if getattr(self.catalogue, "local_aids", ()):  # rules/local: evaluated after OpenFisca
            results = append_local_aids(self, results, simulation, ids, situations, households, month)
        return results

    # -- side simulations: a benefit read on a copy of the household (SIDE_KINDS)
    def _side_benefit(self, kind: SideKind) -> Benefit | None:
        return next((b for b in self.catalogue if b.variable == kind.variable), None)

    def side_situation(self, case: SideCase) -> Situation:
        """The OpenFisca situation of a side case: the copy's, with its ménage inputs."""
        situation = build_situation(case.household, case.month, self.converter(case.month))
        menage = situation.data["menages"][situation.menage_id]
        for variable, value in case.menage_inputs:
            menage[variable] = {**menage.get(variable, {}), case.month: value}
        return situation

    def side_simulation(
        self, benefit_id: str, household: Household, month: str, gates: Sequence[Gate] = ()
    ) -> SideSimulation | None:
        """The simulation of the household's copy that ``benefit_id`` is read on (the prime à
        la naissance with the expected child, Visale in the home to rent), when the
        household declares what the copy needs and the catalogue shows the benefit; None
        otherwise (the benefit is read on the household's own simulation). ``gates``: the
        household's (``gates_for``), applied to the copy of a gated kind."""
        for kind in SIDE_KINDS:
            benefit = self._side_benefit(kind)
            if benefit is not None and benefit.id == benefit_id:
                return self._side_simulation(kind, household, month, gates)
        return None

    def _side_simulation(
        self, kind: SideKind, household: Household, month: str, gates: Sequence[Gate]
    ) -> SideSimulation | None:
        case = kind.case(household, month)
        if case is None:
            return None
        situation = self.side_situation(case)
        simulation, ids = build_simulation(self.tbs, [situation.data])
        if kind.gated:
            _apply_gates(self.tbs, simulation, ids, case.month, gates)
        return SideSimulation(kind, case, situation, simulation, ids)

    def birth_grant(self, household: Household, month: str) -> SideSimulation | None:
        """The simulation of the household with its expected child at the month the prime à
        la naissance is paid, when a pregnancy with its expected date is declared (and the
        catalogue shows the grant); None otherwise. Only the grant is read from it: every
        other benefit of the household is computed without the unborn child."""
        benefit = next((b for b in self.catalogue if b.variable == BIRTH_GRANT_VARIABLE), None)
        return None if benefit is None else self.side_simulation(benefit.id, household, month)

    def _with_side_simulations(
        self, household: Household, result: SimulationResult, month: str, gates: Sequence[Gate]
    ) -> SimulationResult:
        for kind in SIDE_KINDS:
            benefit = self._side_benefit(kind)
            if benefit is not None:
                result = self._with_side(kind, benefit, household, result, month, gates)
        return result

    def _with_side(
        self, kind: SideKind, benefit: Benefit, household: Household, result: SimulationResult, month: str,
        gates: Sequence[Gate],
    ) -> SimulationResult:
        """``result`` with ``benefit`` read on the household's copy (when it has one)."""
        own = result.get(benefit.id)
        try:
            side = self._side_simulation(kind, household, month, gates)
            if side is None:
                return result
            with np.errstate(divide="ignore", invalid="ignore"):
                array = np.asarray(side.simulation.calculate(benefit.variable, side.case.month))
            item = self.benefit_result(
                benefit, (array, {}), row_positions(side.ids), 0, side.situation, household, month
            )
            item = dataclasses.replace(item, paid_in=side.case.month if side.case.paid_in else None,
                                       stale_parameters=own.stale_parameters)
            warnings = result.warnings
            if kind.beyond_legislation and self.month_warnings(side.case.month) and item.status == Status.ELIGIBLE:
                warnings += (t(kind.beyond_legislation, month=_fr_month(side.case.month),
                               until=self.legislation_until.strftime("%d/%m/%Y")),)
            result = dataclasses.replace(result, warnings=warnings)
        except Exception as error:  # noqa: BLE001 - one benefit's failure must not stop the others
            log.error("computing %s failed: %s", benefit.variable, type(error).__name__, exc_info=True)
            item = dataclasses.replace(own, status=Status.ERROR, amount=0.0, error=t("engine.benefit_failed"))
        return dataclasses.replace(
            result, benefits=tuple(item if b.benefit_id == benefit.id else b for b in result.benefits)
        )

    def _paid_values(self, simulation: Any, month: str) -> dict[str, Any]:
        """Per benefit before CRDS: its net variable's array (computed after the whole
        catalogue, so the fixed order is untouched), or the CRDS rate (a float)."""
        out: dict[str, Any] = {}
        for benefit in self.catalogue:
            try:
                if benefit.paid_variable is not None:
                    period = month[:4] if benefit.period == "year" else month
                    out[benefit.id] = np.asarray(simulation.calculate(benefit.paid_variable, period))
                elif benefit.paid_rate_parameter is not None:
                    node = self.tbs.get_parameters_at_instant(first_day(month).isoformat())
                    for part in benefit.paid_rate_parameter.split("."):
                        node = node[part]
                    out[benefit.id] = float(node)
            except Exception as error:  # noqa: BLE001 - the amount before CRDS is still shown
                log.error("computing the paid amount of %s failed: %s", benefit.id, type(error).__name__)
        return out

    @staticmethod
    def _amount_paid(
        benefit: Benefit,
        result: BenefitResult,
        paid: Any,
        positions: dict[str, dict[str, int]],
        k: int,
        situation: Situation,
    ) -> float | None:
        if paid is None or result.status != Status.ELIGIBLE or result.amount <= 0:
            return None
        if isinstance(paid, float):
            return round(result.amount * (1 - paid), 2)
        return round(sum(float(paid[row]) for _id, row in _rows(positions, benefit.entity, k, situation)), 2)

    def _stale_parameters(self, simulation: Any) -> dict[str, tuple[StaleParameter, ...]]:
        """Per benefit id, the stale parameters its computation read (when the simulation
        was recorded: ``attach``); shared by the households of one simulation."""
        recorder = recorder_of(simulation)
        if recorder is None:
            return {}
        own = {b.id: (b.variable, *b.detail) for b in self.catalogue}
        every = frozenset(v for variables in own.values() for v in variables)
        return {
            benefit_id: self.staleness.notes(recorder, variables, every - set(variables))
            for benefit_id, variables in own.items()
        }

    @property
    def catalogue_version(self) -> str:
        return getattr(self.catalogue, "version", "") or ""

    def _calculate_all(self, simulation: Any, month: str) -> dict[str, Any]:
        """Every catalogue variable (and detail), in the catalogue's fixed order."""
        values: dict[str, Any] = {}
        year = month[:4]
        for benefit in self.catalogue:
            try:
                period = year if benefit.period == "year" else month
                # 0/0 in formulas whose result is then discarded (complément ARE without
                # remaining days) must not print a RuntimeWarning to the agent's console.
                with np.errstate(divide="ignore", invalid="ignore"), _only_month_of_year(
                    simulation, benefit.variable, month
                ):
                    amount = simulation.calculate(benefit.variable, period)
                    details = {d: simulation.calculate(d, period) for d in benefit.detail}
                values[benefit.id] = (np.asarray(amount), {k: np.asarray(v) for k, v in details.items()})
            except Exception as error:  # noqa: BLE001 - one benefit's failure must not stop the others
                log.error("computing %s failed: %s", benefit.variable, type(error).__name__, exc_info=True)
                values[benefit.id] = error
        return values

    def benefit_result(
        self,
        benefit: Benefit,
        value: Any,
        positions: dict[str, dict[str, int]],
        k: int,
        situation: Situation,
        household: Household | None,
        month: str,
    ) -> BenefitResult:
        received = household is not None and benefit.id in household.benefits_received
        automatic = benefit.paid_automatically(household.benefits_received if household is not None else ())
        if value is None or isinstance(value, Exception):
            return BenefitResult(
                benefit.id, Status.ERROR, 0.0, benefit.amount_period, already_received=received,
                error=t("engine.benefit_failed"), paid_automatically=automatic,
            )
        array, details = value
        rows = _rows(positions, benefit.entity, k, situation)
        beneficiaries: tuple[str, ...] = ()
        if benefit.entity == "individu":
            per_person = [(pid, float(array[row])) for pid, row in rows]
            beneficiaries = tuple(pid for pid, amount in per_person if amount > 0)
            amount = sum(a for _pid, a in per_person)
        else:
            row = rows[0][1]
            amount = float(array[row])
        amount = round(amount, 2)
        detail = None
        for name, detail_array in details.items():
            if float(detail_array[rows[0][1]]) > 0:
                detail = name
        if benefit.value == "boolean":
            positive = amount > 0
            amount = 0.0
        else:
            positive = amount > 0
        if positive:
            status = Status.ELIGIBLE
        elif household is not None and _check_applies(benefit, household, month):
            status = Status.TO_CHECK
        else:
            status = Status.NOT_ELIGIBLE
        return BenefitResult(
            benefit.id, status, amount, benefit.amount_period, beneficiaries, detail, already_received=received,
            paid_automatically=automatic,
        )


def _check_applies(benefit: Benefit, household: Household, month: str) -> bool:
    """Whether a zero amount must read "à vérifier": every condition of the catalogue's
    ``check_when`` holds, each for at least one of the persons it looks at."""
    rule = benefit.check_when
    if rule is None:
        return False
    day = first_day(month)
    persons = {
        "adults": household.adults,
        "dependants": household.dependants,
    }.get(rule.persons, household.persons)
    conditions = []
    if rule.activity_any:
        conditions.append(any(p.activity.value in rule.activity_any for p in persons))
    if rule.disability_any:
        conditions.append(any(p.has_disability for p in persons))
    if rule.age_min_any is not None:
        conditions.append(any(p.age_on(day) >= rule.age_min_any for p in persons))
    return bool(conditions) and all(conditions)


# Yearly benefits whose legal condition is a monthly right at the end of the year, while
# OpenFisca adds the monthly variables over the whole year: the prime de Noël (aefa) is due for
# a right to the RSA or the ASS for November or December (décret annuel), OpenFisca's formula
# counts any month of the year, and Guichet's situations stop at the month computed (months
# after it have no input: a December RSA of a well-paid household came out positive). The
# yearly formula is evaluated with these monthly variables as computed for the month M and
# zero on the other months of the year (the situation of M is taken to last to December);
# the values cached for those months are put back afterwards, for the explanations.
MONTH_OF_YEAR_ONLY: dict[str, tuple[str, ...]] = {"aefa": ("rsa", "ass")}


@contextlib.contextmanager
def _only_month_of_year(simulation: Any, variable: str, month: str) -> Iterator[None]:
    monthly = MONTH_OF_YEAR_ONLY.get(variable)
    if not monthly:
        yield
        return
    others = [m for m in months_range(f"{month[:4]}-01", f"{month[:4]}-12") if m != month]
    saved: list[tuple[Any, Any, Any]] = []
    for name in monthly:
        holder = simulation.get_holder(name)
        zeros = np.full(holder.population.count, holder.variable.default_value)
        for text in others:
            period = _period(text)
            saved.append((holder, period, holder.get_array(period)))
            holder.put_in_cache(zeros, period)
    try:
        yield
    finally:
        for holder, period, array in saved:
            holder.delete_arrays(period)
            if array is not None:
                holder.put_in_cache(array, period)


def _rows(positions: dict[str, dict[str, int]], entity: str, k: int, situation: Situation) -> list[tuple[str, int]]:
    """(id in the situation, row in the simulation) of the entities a benefit is read on;
    ``positions``: entity key -> simulation id -> row."""
    if entity == "individu":
        return [(pid, positions["individu"][f"{k}:{pid}"]) for pid in situation.person_ids]
    own = {"famille": situation.famille_id, "menage": situation.menage_id}[entity]
    row = positions[entity].get(f"{k}:{own}")
    if row is None:  # a person placed alone by the builder
        row = positions[entity][f"{k}:_{entity}_{situation.person_ids[0]}"]
    return [(own, row)]


GATE_YEARS_BACK = 6  # formulas read as far back as N-5 (seen: ASPA/ASS look-backs, AAH history)


def _apply_gates(tbs: Any, simulation: Any, ids: dict[str, list[str]], month: str, gates: Sequence[Gate]) -> None:
    """Explicit zeros on every month and year from January N-6 to M+1, and, for the
    resources a household declares, on the months before the situation's inputs start
    (where, with no input, OpenFisca's formulas would give zero too)."""
    if not gates:
        return
    year = parse_month(month)[0]
    months = months_range(f"{year - GATE_YEARS_BACK:04d}-01", add_months(month, 1))
    years = [str(y) for y in range(year - GATE_YEARS_BACK, year + 1)]
    first_input = input_months(month)[0]
    before_inputs = [m for m in months if m < first_input]

    def zero(variable: str, periods: Sequence[str]) -> None:
        definition = tbs.variables.get(variable)
        if definition is None:
            raise KeyError(f"unknown variable {variable}")
        zeros = np.full(len(ids[definition.entity.key]), definition.default_value)
        holder = simulation.get_holder(variable)
        for text in periods:
            holder.put_in_cache(zeros, _period(text))

    for gate in gates:
        for variable in gate.variables:
            zero(variable, years if tbs.variables[variable].definition_period == "year" else months)
    for variable in RESOURCE_VARIABLES:
        zero(variable, before_inputs)


@functools.lru_cache(maxsize=4096)
def _period(text: str) -> Any:
    from openfisca_core.periods import period

    return period(text)


def _fr_month(month: str) -> str:
    return fr_month(month)


@functools.lru_cache(maxsize=1)
def shared_engine(warm_up: bool = False) -> Engine:
    """The process's engine (CLI, batch workers, the GUI's engine process)."""
    return Engine(warm_up=warm_up)
