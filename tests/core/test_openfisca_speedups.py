"""The speed-ups of ``app/core/openfisca/speedups.py`` (fancy-indexed parameters, values
already computed) change no value.

Oracle: the same computations with openfisca-core's own code (``uninstall()``: its
``build_from_node_name``, ``CorePopulation.__call__`` and ``Simulation.calculate``), in
the same process, on the same simulations' inputs. The
households are varied on purpose: the synthetic screening households of
``bench/batch.py`` (singles, couples, children, students, retired, disabled, job
seekers, tenants and owners in 12 communes: several housing-aid zones and family
sizes, the keys fancy indexing reads), every example case, and an earnings curve
(101 copies of one household).
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest

from openfisca_france import CountryTaxBenefitSystem

from app.core.openfisca import speedups as openfisca_speedups
from app.core.batch.sources import open_source
from app.core.batch.input import parse_record
from app.core.io.casefile import load_case
from app.core.model.examples import example_files, warm_up_household

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MONTH = "2026-11"


@pytest.fixture
def original_code() -> Iterator[None]:
    """openfisca-core's own code for the duration of a block; put back after."""
    yield
    openfisca_speedups.install()


def _synthetic_households(count: int, folder: Path) -> list[Any]:
    """The screening bench's synthetic rows, through the screening's own reader."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from batch import synthetic_rows  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(ROOT / "bench"))
    rows = synthetic_rows(count, seed=11)
    path = folder / "foyers.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=sorted({key for row in rows for key in row}), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    source = open_source(path)
    parsed = [parse_record(source.kind, source.headers, record, dt.date(2026, 11, 29)) for record in source.records()]
    return [item.household for item in parsed if item.household is not None]


def test_the_speed_up_is_installed_by_the_engine(engine: Any) -> None:
    assert openfisca_speedups.installed()


def test_every_amount_is_the_same_with_openfisca_cores_own_code(
        engine: Any, original_code: None, tmp_path: Path) -> None:
    households = _synthetic_households(300, tmp_path) + [load_case(path)[0] for path in example_files()]
    assert len(households) > 250
    fast = engine.compute_many(households, MONTH)
    openfisca_speedups.uninstall()
    assert not openfisca_speedups.installed()
    slow = engine.compute_many(households, MONTH)
    compared = 0
    for a, b in zip(fast, slow):
        assert a.benefits == b.benefits
        compared += len(a.benefits)
    assert compared > 5000
    # the households did reach fancy-indexed parameters with several distinct keys
    assert len({b.detail for r in fast for b in r.benefits if b.benefit_id == "aide_logement"}) >= 2


def test_an_earnings_curve_is_the_same_with_openfisca_cores_own_code(
        engine: Any, original_code: None) -> None:
    from app.core.compute.scenarios import earnings_curve

    household = warm_up_household()
    person = household.persons[0].id
    fast = earnings_curve(engine, household, person, MONTH)
    openfisca_speedups.uninstall()
    slow = earnings_curve(engine, household, person, MONTH)
    assert np.array_equal(fast.disposable, slow.disposable)
    assert fast.benefits.keys() == slow.benefits.keys()
    for benefit_id in fast.benefits:
        assert np.array_equal(fast.benefits[benefit_id], slow.benefits[benefit_id]), benefit_id


def test_values_already_computed_are_answered_from_the_cache_inside_formulas(engine: Any) -> None:
    """The second speed-up is really used by a computation (else the comparisons above
    would compare OpenFisca's code with itself)."""
    from app.core.openfisca.speedups import _known

    answered = []

    def counting(simulation: Any, holder: Any, period: Any) -> Any:
        value = _known(simulation, holder, period)
        answered.append(value is not None)
        return value

    openfisca_speedups._known = counting  # type: ignore[assignment]
    try:
        engine.compute(warm_up_household(), MONTH)
    finally:
        openfisca_speedups._known = _known  # type: ignore[assignment]
    assert sum(answered) > 1000


def test_a_full_trace_is_the_same_with_openfisca_cores_own_code(engine: Any, original_code: None) -> None:
    """A trace (explanations, the expert export) records every request, values already
    computed included: the speed-up stands aside while a full trace is recorded."""
    from app.core.compute.trace_export import export_trace

    household = warm_up_household()
    fast = export_trace(engine, household, MONTH, "rsa")
    openfisca_speedups.uninstall()
    slow = export_trace(engine, household, MONTH, "rsa")
    assert fast["node_count"] == slow["node_count"] > 1000
    assert {**fast, "exported_at": None} == {**slow, "exported_at": None}


def _same_tree(lazy: Any, own: Any, path: str = "") -> int:
    """Every child of two trees at an instant: the same names in the same order, the same
    kinds, the same values (scales by their brackets); the number of leaves compared."""
    from openfisca_core.parameters import ParameterNodeAtInstant

    if isinstance(own, ParameterNodeAtInstant):
        assert isinstance(lazy, ParameterNodeAtInstant), path
        assert list(lazy) == list(own), path
        return sum(_same_tree(getattr(lazy, name), own._children[name], f"{path}.{name}") for name in own)
    assert type(lazy) is type(own), path
    if hasattr(own, "thresholds"):  # a tax scale
        assert repr(lazy) == repr(own), path
    else:
        assert lazy == own, path
    return 1


@pytest.mark.parametrize("instant", ["2026-11-01", "2024-01-01", "2009-06-01"])
def test_a_tree_built_on_demand_is_openfisca_cores_own_tree(engine: Any, instant: str) -> None:
    """Speed-up 6 against openfisca-core's own ``ParameterNodeAtInstant`` built on the same
    node at the same date (its constructor builds every child at once)."""
    from openfisca_core.errors import ParameterNotFoundError
    from openfisca_core.parameters import ParameterNodeAtInstant

    root = engine.tbs.parameters
    own = ParameterNodeAtInstant(root.name, root, instant)
    lazy = root._get_at_instant(instant)
    assert type(lazy) is not ParameterNodeAtInstant and isinstance(lazy, ParameterNodeAtInstant)
    # a few reads before the whole walk: what was read first is kept, the order is the node's
    locatif_own = own.prestations_sociales.aides_logement.allocations_logement.locatif
    locatif = lazy["prestations_sociales"].aides_logement.allocations_logement["locatif"]
    zones = np.array(["zone_1", "zone_3", "zone_2", "zone_1"])
    names = list(locatif_own.coefficients_degressivite_suppression.zone_1)
    if instant >= "2020":  # the zones' coefficients have values from 2016 on
        assert names
        picked, picked_own = (node.coefficients_degressivite_suppression[zones] for node in (locatif, locatif_own))
        for name in names:  # fancy indexing (OpenFisca's __getitem__) on a tree built on demand
            assert np.array_equal(picked[name], picked_own[name]), name
    assert _same_tree(lazy, own) > 1_000
    assert lazy.prestations_sociales.aides_logement.allocations_logement["locatif"] is locatif
    for read in (lambda node: node.prestations_sociales.no_such_parameter,
                 lambda node: node.prestations_sociales["no_such_parameter"],
                 lambda node: node["prestations_sociales"][3]):
        with pytest.raises(ParameterNotFoundError) as from_lazy:
            read(lazy)
        with pytest.raises(ParameterNotFoundError) as from_own:
            read(own)
        assert str(from_lazy.value) == str(from_own.value)


def test_the_trees_of_one_code_are_not_served_to_the_other(engine: Any, original_code: None) -> None:
    """openfisca-core caches the trees at an instant per system: after ``uninstall()`` a
    formula gets OpenFisca's own tree, not one built on demand before (else comparing the
    amounts with and without the speed-ups would not compare speed-up 6)."""
    from openfisca_core.parameters import ParameterNodeAtInstant

    assert type(engine.tbs.get_parameters_at_instant("2026-11-01")) is not ParameterNodeAtInstant
    openfisca_speedups.uninstall()
    assert type(engine.tbs.get_parameters_at_instant("2026-11-01")) is ParameterNodeAtInstant
    openfisca_speedups.install()
    assert type(engine.tbs.get_parameters_at_instant("2026-11-01")) is not ParameterNodeAtInstant


# --------------------------------------------------------------------------- version check


@pytest.fixture
def other_core_version(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """openfisca-core reported as a version the speed-ups were not checked against."""
    real = openfisca_speedups.installed_version
    monkeypatch.setattr(openfisca_speedups, "installed_version",
                        lambda name: "45.0.0" if name == "openfisca-core" else real(name))
    monkeypatch.setitem(openfisca_speedups._state, "refused_logged", False)
    yield
    monkeypatch.undo()
    assert openfisca_speedups.install()


def test_the_speed_ups_are_checked_against_the_installed_versions() -> None:
    """The versions in the contract are the ones installed (a bump of either must come
    with this file's comparisons run again and ``CHECKED_AGAINST`` updated)."""
    from importlib import metadata

    assert openfisca_speedups.CHECKED_AGAINST == {
        "openfisca-core": metadata.version("openfisca-core"),
        "openfisca-france": metadata.version("openfisca-france"),
    }
    assert openfisca_speedups.enabled()
    assert openfisca_speedups.install() and openfisca_speedups.installed()


def test_another_openfisca_core_turns_every_speed_up_off_with_one_log_line(
        engine: Any, other_core_version: None, caplog: pytest.LogCaptureFixture) -> None:
    from openfisca_core.parameters import ParameterNode, ParameterNodeAtInstant
    from openfisca_core.parameters.vectorial_parameter_node_at_instant import VectorialParameterNodeAtInstant
    from openfisca_core.periods import Period
    from openfisca_core.populations import CorePopulation
    from openfisca_core.simulations import Simulation

    household = load_case(example_files()[0])[0]
    fast = engine.compute(household, MONTH)
    with caplog.at_level("INFO", logger="app.core.openfisca.speedups"):
        assert openfisca_speedups.install() is False
        assert openfisca_speedups.install() is False  # asked again: no second line
    assert not openfisca_speedups.installed()
    lines = [r for r in caplog.records if r.name == "app.core.openfisca.speedups"]
    assert len(lines) == 1 and lines[0].levelname == "WARNING"
    assert "openfisca-core 45.0.0" in lines[0].getMessage() and "44.7.1" in lines[0].getMessage()
    # OpenFisca's own code is back, every method (the standard path)
    assert CorePopulation.__call__.__module__.startswith("openfisca_core")
    assert Simulation.calculate.__module__.startswith("openfisca_core")
    assert VectorialParameterNodeAtInstant.build_from_node_name.__module__.startswith("openfisca_core")
    assert ParameterNode.__dict__["_get_at_instant"].__module__.startswith("openfisca_core")
    assert type(engine.tbs.get_parameters_at_instant("2026-11-01")) is ParameterNodeAtInstant
    assert not hasattr(Period.__dict__["stop"].fget, "cache_info")
    # and the amounts are those of the standard path
    assert engine.compute(household, MONTH).benefits == fast.benefits


def test_a_new_system_on_another_openfisca_core_is_loaded_by_openfiscas_own_parser(
        other_core_version: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from openfisca_core.taxbenefitsystems import tax_benefit_system as loader

    from app.core.openfisca.system import CachedFranceSystem, _LineScanningAst

    seen = []
    original_init = CountryTaxBenefitSystem.__init__

    def spy(self: Any) -> None:
        seen.append(loader.ast)
        raise RuntimeError("stop here")  # the full load is not needed to see the parser

    monkeypatch.setattr(CountryTaxBenefitSystem, "__init__", spy)
    with pytest.raises(RuntimeError):
        CachedFranceSystem()
    monkeypatch.setattr(CountryTaxBenefitSystem, "__init__", original_init)
    assert seen and seen[0] is not _LineScanningAst
    assert loader.ast is not _LineScanningAst


def test_the_housing_aid_zones_from_the_cache_are_openfisca_frances_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Oracle: ``preload_zone_apl()`` of openfisca-france itself, on a fresh module dict."""
    from openfisca_france.model.prestations import aides_logement

    monkeypatch.setattr(aides_logement, "zone_apl_by_depcom", None)
    aides_logement.preload_zone_apl()
    frances = aides_logement.zone_apl_by_depcom
    assert frances and frances["69123"] in (1, 2, 3)  # Lyon
    cache = tmp_path / "zones.json"
    monkeypatch.setattr(aides_logement, "zone_apl_by_depcom", None)
    assert openfisca_speedups.preload_zone_apl(cache, aides_logement) is False  # no file yet: France's reading, written
    assert aides_logement.zone_apl_by_depcom == frances and cache.exists()
    monkeypatch.setattr(aides_logement, "zone_apl_by_depcom", None)
    assert openfisca_speedups.preload_zone_apl(cache, aides_logement) is True
    assert aides_logement.zone_apl_by_depcom == frances
    cache.write_text('{"69123": "1"}', encoding="utf-8")  # not ours: France's reading again
    monkeypatch.setattr(aides_logement, "zone_apl_by_depcom", None)
    assert openfisca_speedups.preload_zone_apl(cache, aides_logement) is False
    assert aides_logement.zone_apl_by_depcom == frances


def test_on_another_openfisca_core_the_zones_are_read_by_openfisca_france(
        other_core_version: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from openfisca_france.model.prestations import aides_logement

    cache = tmp_path / "zones.json"
    cache.write_text('{"69123": 3}', encoding="utf-8")
    monkeypatch.setattr(aides_logement, "zone_apl_by_depcom", None)
    assert openfisca_speedups.preload_zone_apl(cache, aides_logement) is False
    assert aides_logement.zone_apl_by_depcom is None  # left to France's own first reading


def test_the_engines_housing_aid_zones_are_set_where_its_formula_reads_them(engine: Any) -> None:
    """The zones are set in the globals of the system's own ``zone_apl`` formula (the module
    openfisca-core loaded ``aides_logement.py`` as), the dict France's own reading builds."""
    from openfisca_france.model.prestations import aides_logement

    module = openfisca_speedups.housing_module(engine.tbs)
    formula = next(iter(engine.tbs.variables["zone_apl"].formulas.values()))
    assert formula.__globals__ is vars(module) and module is not aides_logement
    assert module.zone_apl_by_depcom is not None
    saved = module.zone_apl_by_depcom
    try:
        module.zone_apl_by_depcom = None
        module.preload_zone_apl()  # openfisca-france's own reading
        assert module.zone_apl_by_depcom == saved
    finally:
        module.zone_apl_by_depcom = saved
