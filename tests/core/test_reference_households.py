"""Reference households: Guichet's engine against amounts derived without Guichet.

Each household of ``tests/core/reference/`` exists twice:

* ``NAME.case.json``: the household as an agent declares it (Guichet's case format);
* ``NAME.openfisca.json``: the same facts written by hand in OpenFisca's own
  situation format (gross salaries and pensions, every month of every window
  filled with OpenFisca's period syntax), never produced by Guichet's code.

``reference/oracle.py`` computes the second in a separate process with a plain
``CountryTaxBenefitSystem()`` and OpenFisca's dict builder, while this module
computes the first with Guichet's engine. ``reference/expected.yaml`` pins the
oracle's amounts (so that a change on either side is caught), the amounts
calculated by hand from the parameters (with the parameter files cited), the
assumptions the engine must report, and the known disagreements with their
diagnosis. ``docs/reference-households.md`` is the readable table.

Also here: many households computed together in one ``compute_many`` call give
the results of each computed alone, and the standard path (``fast=False``, no
gates) gives the amounts of the fast path.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from app.core.io.casefile import load_case
from app.core.model.household import CoupleStatus, Household, Housing, HousingStatus, Person
from app.core.model.periods import add_months, months_range
from app.core.openfisca.situation import ACTIVITE, DIRECT_KINDS, SCOLARITE, STATUT_OCCUPATION

REFERENCE = Path(__file__).parent / "reference"
EXAMPLES = Path(__file__).parents[2] / "examples"
MONTH = "2026-11"
EXPECTED: dict[str, Any] = yaml.safe_load((REFERENCE / "expected.yaml").read_text(encoding="utf-8"))
NAMES: list[str] = sorted(EXPECTED["households"])
BENEFITS: list[str] = list(EXPECTED["benefits"])
NET_VARIABLE = {"salaire_net": "salaire_net", "chomage": "chomage_net", "retraite": "retraite_nette"}
ORACLE_TIMEOUT_S = 900
# Benefits whose value is an eligibility (OpenFisca boolean), compared as such.
BOOLEAN_BENEFITS = frozenset({"css_gratuite", "logement_social"})
# Oracle columns that no reference household makes positive: their positive households are in
# test_benefits_issue14.py (POSITIVE_NEGATIVE) and test_household_inputs_v3.py (AGEPI: a lone
# parent taking a job; aide au mérite: a grant holder with the mention très bien).
ZERO_IN_EVERY_HOUSEHOLD = frozenset({"agepi", "aide_merite"})


def known(name: str, benefit: str) -> dict[str, Any] | None:
    for item in EXPECTED.get("known_disagreements") or ():
        if item["household"] == name and item["benefit"] == benefit:
            return item
    return None


def engine_params(pairs: list[tuple[str, str]]) -> list[Any]:
    """(household, benefit) parameters, a known disagreement marked as a strict xfail."""
    params = []
    for name, benefit in pairs:
        disagreement = known(name, benefit)
        marks = (
            [pytest.mark.xfail(strict=True, reason=" ".join(disagreement["diagnosis"].split()))]
            if disagreement
            else []
        )
        params.append(pytest.param(name, benefit, marks=marks, id=f"{name}-{benefit}"))
    return params


ALL_PAIRS = [(name, benefit) for name in NAMES for benefit in BENEFITS]
HAND_PAIRS = [(name, benefit) for name in NAMES for benefit in EXPECTED["households"][name].get("hand") or {}]


def value_of(result: Any, benefit: str) -> float | bool:
    """A benefit's value as the oracle gives it: the amount (a one-off sum: the one of month M),
    or eligibility for booleans."""
    item = result.get(benefit)
    if benefit in BOOLEAN_BENEFITS:
        return item.status.value == "eligible"
    return item.amount


# ----------------------------------------------------------------- fixtures


class OracleRun:
    """``oracle.py`` running in its own process while the engine computes."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.err = out.with_suffix(".err")
        files = [str(REFERENCE / f"{name}.openfisca.json") for name in NAMES]
        with self.out.open("w") as stdout, self.err.open("w") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, str(REFERENCE / "oracle.py"), *files], stdout=stdout, stderr=stderr
            )
        self._results: dict[str, Any] | None = None

    def results(self) -> dict[str, Any]:
        if self._results is None:
            code = self.process.wait(timeout=ORACLE_TIMEOUT_S)
            if code != 0:
                pytest.fail(f"oracle.py failed ({code}):\n{self.err.read_text()[-3000:]}")
            self._results = json.loads(self.out.read_text(encoding="utf-8"))
        return self._results

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="session")
def oracle_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OracleRun]:
    # Session-scoped so that pytest starts it before the session's engine when both
    # are needed (higher scopes first, then in order of request): they run side by side.
    run = OracleRun(tmp_path_factory.mktemp("oracle") / "oracle.json")
    yield run
    run.stop()


@pytest.fixture(scope="module")
def oracle(oracle_run: OracleRun) -> dict[str, Any]:
    return oracle_run.results()


@pytest.fixture(scope="module")
def households() -> dict[str, Household]:
    out = {}
    for name in NAMES:
        household, month = load_case(REFERENCE / f"{name}.case.json")
        assert month == MONTH
        out[name] = household
    return out


@pytest.fixture(scope="module")
def ref_engine(oracle_run: OracleRun, engine: Any) -> Any:
    """The session's engine, asked for after the oracle process has started."""
    return engine


@pytest.fixture(scope="module")
def alone(ref_engine: Any, households: dict[str, Household]) -> dict[str, Any]:
    """Each reference household computed on its own (the oracle runs meanwhile)."""
    return {name: ref_engine.compute(household, MONTH) for name, household in households.items()}


# ----------------------------------------------------------------- engine-only checks (run while the oracle computes)


def variants(households: dict[str, Household]) -> list[Household]:
    """Other households of the profile that takes every gate, so that at least 12
    households share one simulation (``compute_many`` groups households by gates)."""
    def ref(number: str) -> Household:
        (name,) = [n for n in households if n.startswith(f"r{number}-")]
        return households[name]

    r01, r02, r03, r08, r13, r14 = (ref(n) for n in ("01", "02", "03", "08", "13", "14"))
    return [
        dataclasses.replace(r01, housing=dataclasses.replace(r01.housing, commune_insee="59350", postal_code="")),
        dataclasses.replace(r02, housing=Housing(HousingStatus.LOCATAIRE_VIDE, 480.0, 0.0, False, "31555", "")),
        dataclasses.replace(r03, housing=dataclasses.replace(r03.housing, conventionne=False)),
        dataclasses.replace(r08, housing=Housing(HousingStatus.LOCATAIRE_VIDE, 820.0, 60.0, False, "59350", "")),
        dataclasses.replace(r13, couple=CoupleStatus.PACSE),
        dataclasses.replace(
            r14,
            persons=(dataclasses.replace(r14.persons[0], pregnant=False),),
            housing=Housing(HousingStatus.LOCATAIRE_MEUBLE, 450.0, 30.0, False, "13055", ""),
        ),
    ]


@pytest.mark.slow
def test_many_households_together_give_each_ones_results_alone(
    alone: dict[str, Any], ref_engine: Any, households: dict[str, Household]
) -> None:
    from app.core.compute.engine import GATES

    engine = ref_engine
    extra = variants(households)

    def key(household: Household) -> tuple[str, ...]:
        return tuple(g.name for g in GATES if g.applies(household, MONTH))

    # compute_many builds one simulation per set of gates: make sure one of them holds
    # at least 12 households, so that group ids such as "10:famille_1" sort before
    # "2:famille_1" as strings (the id-ordering bug this test guards against). More gates
    # (issue 14: nobody_16_to_29) split the groups: rent-shifted copies fill the largest one.
    batch = list(households.values()) + extra
    largest = max({key(h) for h in batch}, key=lambda k: sum(key(h) == k for h in batch))
    members = [h for h in batch if key(h) == largest]
    extra += [dataclasses.replace(h, housing=dataclasses.replace(h.housing, rent=h.housing.rent + 10.0))
              for h in members[: max(0, 12 - len(members))]]
    batch = list(households.values()) + extra
    groups: dict[tuple[str, ...], int] = {}
    for household in batch:
        groups[key(household)] = groups.get(key(household), 0) + 1
    assert max(groups.values()) >= 12, groups

    together = engine.compute_many(batch, MONTH)
    expected = [alone[name] for name in households] + [engine.compute(h, MONTH) for h in extra]
    assert len(together) == len(expected)
    for k, (got, want) in enumerate(zip(together, expected)):
        assert got.benefits == want.benefits, f"household {k} differs computed together"
        assert got.assumptions == want.assumptions


@pytest.mark.slow
def test_standard_path_gives_the_fast_path_amounts(
    alone: dict[str, Any], ref_engine: Any, households: dict[str, Household]
) -> None:
    standard = ref_engine.compute_many(list(households.values()), MONTH, fast=False)
    differences = []
    for name, result in zip(households, standard):
        for got, want in zip(result.benefits, alone[name].benefits):
            assert got.benefit_id == want.benefit_id
            if (got.status, got.amount, got.beneficiaries) != (want.status, want.amount, want.beneficiaries):
                differences.append((name, got.benefit_id, got.amount, want.amount))
    assert differences == []


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_engine_reports_the_assumptions_it_made(name: str, alone: dict[str, Any]) -> None:
    assert list(alone[name].assumptions) == sorted(EXPECTED["households"][name]["assumptions"])


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_no_benefit_fails(name: str, alone: dict[str, Any]) -> None:
    assert [b.benefit_id for b in alone[name].benefits if b.status.value == "error"] == []


@pytest.mark.slow
@pytest.mark.parametrize(("name", "benefit"), engine_params(HAND_PAIRS))
def test_engine_matches_the_hand_calculation(name: str, benefit: str, alone: dict[str, Any]) -> None:
    hand = EXPECTED["households"][name]["hand"][benefit]
    got = value_of(alone[name], benefit)
    if isinstance(hand["amount"], bool):
        assert got is hand["amount"]
    else:
        assert abs(got - hand["amount"]) <= hand.get("tolerance", 0.0) + 1e-9, (got, hand["amount"])


# ----------------------------------------------------------------- against the oracle


@pytest.mark.slow
@pytest.mark.parametrize(("name", "benefit"), engine_params(ALL_PAIRS))
def test_engine_matches_the_oracle(name: str, benefit: str, alone: dict[str, Any], oracle: dict[str, Any]) -> None:
    assert value_of(alone[name], benefit) == oracle[name]["benefits"][benefit]


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_oracle_gives_the_pinned_amounts(name: str, oracle: dict[str, Any]) -> None:
    # A change here comes from OpenFisca-France (or a hand-written situation), not from Guichet.
    assert oracle[name]["benefits"] == EXPECTED["households"][name]["oracle"]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "benefit"), HAND_PAIRS)
def test_oracle_matches_the_hand_calculation(name: str, benefit: str, oracle: dict[str, Any]) -> None:
    hand = EXPECTED["households"][name]["hand"][benefit]
    got = oracle[name]["benefits"][benefit]
    if isinstance(hand["amount"], bool):
        assert got is hand["amount"]
    else:
        assert abs(got - hand["amount"]) <= hand.get("tolerance", 0.0) + 1e-9, (got, hand["amount"])


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_case_declares_what_the_oracle_derives_from_gross(
    name: str, households: dict[str, Household], oracle: dict[str, Any]
) -> None:
    """The case file's net amounts are the ones OpenFisca computes from the gross
    amounts of the hand-written situation, month by month (M-12 .. M-1), and month M
    is M-1 again; a declared N-2 taxable income is the situation's year N-2 total."""
    household = households[name]
    derived = oracle[name]["resources"]
    assert set(derived) == {p.id for p in household.persons}
    for person in household.persons:
        for kind, variable in NET_VARIABLE.items():
            months = derived[person.id][variable]
            declared = _declared_months(household, person, kind)
            assert months[:12] == pytest.approx(declared, abs=0.005), (person.id, variable)
            assert months[12] == pytest.approx(months[11], abs=0.005), (person.id, variable, "month M")
        if person.taxable_income_n2 is not None:
            assert oracle[name]["taxable_n2"][person.id] == pytest.approx(person.taxable_income_n2, abs=0.01)


# The amount a job change (case format 3's events) gives before its month, by resource kind.
BEFORE_JOB_CHANGE = {"salaire_net": "salary_before", "chomage": "unemployment_before"}


def _declared_months(household: Household, person: Person, kind: str) -> list[float]:
    """What the case declares for ``kind`` on M-12 .. M-1: its resource, and before the month
    of the person's job change, the amount the change says was received before it."""
    resource = next((r for r in person.resources if r.kind.value == kind), None)
    declared = list(resource.months()) if resource else [0.0] * 12
    job = household.job_event(person.id)
    if job is None or kind not in BEFORE_JOB_CHANGE:
        return declared
    months = months_range(add_months(MONTH, -12), add_months(MONTH, -1))
    return [float(getattr(job, BEFORE_JOB_CHANGE[kind])) if m < job.month else v for m, v in zip(months, declared)]


def _activity_periods(household: Household, person: Person) -> dict[str, str]:
    """``activite`` as the hand-written situation gives it: one period of 35 months, or,
    with a job change, the months before it and the months from it."""
    now = ACTIVITE[person.activity]
    job = household.job_event(person.id)
    if job is None:
        return {"month:2024-01:35": now}
    before = len(months_range("2024-01", add_months(job.month, -1)))
    return {f"month:2024-01:{before}": ACTIVITE[job.activity_before_or_default()], f"month:{job.month}:{35 - before}": now}


# ----------------------------------------------------------------- the files themselves (no OpenFisca)


def _per_month(value: dict[str, Any]) -> Any:
    """The monthly value of an input written on the 35 months January N-2 .. M."""
    assert set(value) == {"month:2024-01:35"}, value
    return value["month:2024-01:35"]


@pytest.mark.parametrize("name", NAMES)
def test_both_files_describe_the_same_household(name: str) -> None:
    household, _ = load_case(REFERENCE / f"{name}.case.json")
    situation = json.loads((REFERENCE / f"{name}.openfisca.json").read_text(encoding="utf-8"))
    individus = situation["individus"]
    assert set(individus) == {p.id for p in household.persons}
    for person in household.persons:
        data = individus[person.id]
        assert data["date_naissance"] == {"ETERNITY": person.birth_date.isoformat()}
        if person.role.value in ("demandeur", "conjoint"):
            assert data["activite"] == _activity_periods(household, person)
        if person.schooling.value not in ("aucune", "creche"):
            assert _per_month(data["scolarite"]) == SCOLARITE[person.schooling]
        rate = _per_month(data["taux_incapacite"]) if "taux_incapacite" in data else 0.0
        assert rate == pytest.approx((person.disability_rate or 0.0) / 100)
        assert ("handicap" in data) is person.has_disability
        assert ("enceinte" in data) is person.pregnant  # on the months of the pregnancy only
        assert ("ass_precondition_remplie" in data) is person.ass_work_history
        for kind, variable in DIRECT_KINDS.items():
            resource = person.resource(kind)
            given = _per_month(data[variable]) / 35 if variable in data else 0.0
            assert given == pytest.approx(resource.stable if resource else 0.0), (person.id, variable)
        savings = (household.savings or 0.0) if person.role.value == "demandeur" else 0.0
        assert (_per_month(data["livret_a"]) if "livret_a" in data else 0.0) == savings
    (menage,) = situation["menages"].values()
    housing = household.housing
    assert _per_month(menage["statut_occupation_logement"]) == STATUT_OCCUPATION[housing.status]
    assert _per_month(menage["depcom"]) == housing.commune_insee
    assert _per_month(menage["logement_conventionne"]) is housing.conventionne
    assert _per_month(menage.get("loyer", {"month:2024-01:35": 0})) == pytest.approx(35 * housing.rent)
    assert _per_month(menage.get("charges_locatives", {"month:2024-01:35": 0})) == pytest.approx(35 * housing.charges)
    (famille,) = situation["familles"].values()
    assert famille["parents"] == [p.id for p in household.adults if p.role.value == "demandeur" or household.in_couple]
    assert sorted(famille.get("enfants", [])) == sorted(p.id for p in household.dependants)
    shared = household.couple in (CoupleStatus.MARIE, CoupleStatus.PACSE)
    assert len(situation["foyers_fiscaux"]) == (1 if shared or not household.in_couple else 2)


def test_every_catalogue_benefit_is_covered_with_a_non_zero_amount() -> None:
    from app.core.benefits.catalogue import load_catalogue

    from test_benefits_issue14 import POSITIVE_NEGATIVE

    # the benefits of issue 14 have their positive and negative households in
    # test_benefits_issue14.py (some need inputs the case format cannot say); those of case
    # format 3 are oracle columns here too
    assert len(set(BENEFITS)) == len(BENEFITS)
    assert set(BENEFITS) | set(POSITIVE_NEGATIVE) == {b.id for b in load_catalogue()}
    assert ZERO_IN_EVERY_HOUSEHOLD <= set(BENEFITS) & set(POSITIVE_NEGATIVE)
    uncovered = {b for b in BENEFITS if not any(EXPECTED["households"][n]["oracle"][b] for n in NAMES)}
    assert uncovered == ZERO_IN_EVERY_HOUSEHOLD


def test_every_household_pins_every_benefit_and_documents_its_sources() -> None:
    assert len(NAMES) >= 12
    for name in NAMES:
        entry = EXPECTED["households"][name]
        assert set(entry["oracle"]) == set(BENEFITS), name
        assert entry["summary"] and entry["covers"]
        for benefit, hand in (entry.get("hand") or {}).items():
            assert benefit in BENEFITS and hand["source"].strip(), (name, benefit)
        assert (REFERENCE / f"{name}.case.json").is_file() and (REFERENCE / f"{name}.openfisca.json").is_file()


def test_examples_load_and_copy_their_reference_household() -> None:
    files = sorted(EXAMPLES.glob("*.json"))
    assert len(files) >= 6
    by_example = {item["example"]: item["household"] for item in EXPECTED["examples"]}
    elsewhere = EXPECTED["examples_without_reference_household"]
    checked_by = "".join((Path(__file__).parent / name).read_text(encoding="utf-8")
                         for name in ("test_household_inputs_v3.py", "test_birth_grant.py", "test_visale.py",
                                      "test_complement_are.py"))
    assert all(name.removesuffix(".json") in checked_by for name in elsewhere)
    assert sorted([*by_example, *elsewhere]) == [f.name for f in files]
    for path in [f for f in files if f.name in by_example]:
        household, month = load_case(path, today=dt.date(2026, 11, 29))
        assert month == MONTH
        assert all(p.first_name for p in household.persons), path.name
        reference, _ = load_case(REFERENCE / f"{by_example[path.name]}.case.json")
        assert dataclasses.replace(household, reference="") == dataclasses.replace(reference, reference=""), path.name
