"""The benefits added for issue 14 (every household-level right OpenFisca-France computes).

For each new benefit: a household where it is positive and one where it is not, the expected
amount derived without Guichet (the parameter files of openfisca-france, read by
``explain_cases.parameter_from_file``, or plain openfisca-core's ``build_from_entities`` on the
very same situation), and the gated computation (Guichet's fast path, the profile gates of
``engine.GATES``) equal to the full one (no gate) on every benefit of the catalogue.

Where the case format cannot say an input a benefit needs yet (childcare, adoption, a job
taken, a home moved into, the ARE daily amount, asylum...), the household's own situation is
completed with the OpenFisca input variables named in docs/rules.md, then computed through
``Engine.compute_built`` with and without the household's gates. Every household is computed
in one vectorised simulation per path (plus one per group of gates), so the test is also a
check that households computed side by side do not leak into each other.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from explain_cases import parameter_from_file

from app.core.compute.engine import GATES
from app.core.benefits.results import Status
from app.core.model.household import (
    Activity,
    CoupleStatus,
    Household,
    Housing,
    HousingStatus,
    Person,
    Resource,
    ResourceKind,
    Role,
    Schooling,
)

pytestmark = pytest.mark.slow

MONTH = "2026-11"
DAY = "2026-11-01"
PAJE = "prestations_sociales.prestations_familiales.petite_enfance.paje"
BMAF = "prestations_sociales.prestations_familiales.bmaf.bmaf"
AEFA = "prestations_sociales.solidarite_insertion.autre_solidarite.aefa"
ADA = "prestations_sociales.solidarite_insertion.autre_solidarite.ada"

Inject = Callable[[dict[str, Any]], None]


def _parameter_file(path: str) -> Any:
    import openfisca_france

    file = Path(openfisca_france.__file__).parent / "parameters" / (path.replace(".", "/") + ".yaml")
    return yaml.safe_load(file.read_text(encoding="utf-8"))


def _at(values: dict[Any, Any], on: str) -> Any:
    day = max(str(d) for d in values if str(d) <= on)
    entry = {str(k): v for k, v in values.items()}[day]
    return entry["value"] if isinstance(entry, dict) else entry


def scale_amount(path: str, on: str, value: float) -> float:
    """The amount of an openfisca-france single-amount scale (YAML ``brackets``) for ``value``."""
    amount = 0.0
    for bracket in _parameter_file(path)["brackets"]:
        if value >= _at(bracket["threshold"], on):
            amount = _at(bracket["amount"], on)
    return amount


def parameter_in_index(path: str, key: str, on: str) -> float:
    """A parameter written inside its parent's YAML file (``key:`` with ``values:``)."""
    return _at(_parameter_file(path)[key]["values"], on)


def person(pid: str, role: Role, born: str, **kw: Any) -> Person:
    return Person(pid, role, dt.date.fromisoformat(born), **kw)


def salary(amount: float) -> tuple[Resource, ...]:
    return (Resource(ResourceKind.SALAIRE_NET, stable=amount),)


LYON = Housing(HousingStatus.LOCATAIRE_VIDE, rent=550.0, charges=50.0, commune_insee="69123", postal_code="69003")
LILLE = Housing(HousingStatus.LOCATAIRE_VIDE, rent=480.0, charges=40.0, commune_insee="59350", postal_code="59000")
TOULOUSE = Housing(HousingStatus.LOCATAIRE_MEUBLE, rent=520.0, charges=40.0, commune_insee="31555", postal_code="31000")
MARSEILLE_HLM = Housing(HousingStatus.LOCATAIRE_VIDE, rent=420.0, charges=60.0, conventionne=True,
                        commune_insee="13055", postal_code="13013")

# A lone mother (salaried, 1 300 € net) of a 2-year-old, pregnant.
MOTHER = Household(
    (person("mere", Role.DEMANDEUR, "1995-03-10", activity=Activity.SALARIE, pregnant=True, resources=salary(1300.0)),
     person("enfant", Role.ENFANT, "2024-06-01")),
    housing=LYON, savings=0.0,
)
# A father (1 500 € net, taxable income 16 000 € in N-2) and his daughter, a student.
STUDENT_FAMILY = Household(
    (person("pere", Role.DEMANDEUR, "1972-02-02", activity=Activity.SALARIE, resources=salary(1500.0),
            taxable_income_n2=16000.0, taxable_income_last_year=16500.0),
     person("etudiante", Role.ENFANT, "2006-09-01", activity=Activity.ETUDIANT, schooling=Schooling.SUPERIEUR)),
    housing=LYON, savings=0.0,
)
YOUNG_WORKER = Household(
    (person("jeune", Role.DEMANDEUR, "2002-04-04", activity=Activity.SALARIE, resources=salary(1400.0)),),
    housing=TOULOUSE, savings=0.0,
)
JOB_SEEKER = Household(
    (person("dem", Role.DEMANDEUR, "1985-06-06", activity=Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE),), housing=LILLE,
    savings=0.0,
)
WORKER_900 = Household(
    (person("sal", Role.DEMANDEUR, "1985-06-06", activity=Activity.SALARIE, resources=salary(900.0)),),
    housing=LILLE, savings=0.0,
)
ALONE_NO_INCOME = Household(
    (person("p1", Role.DEMANDEUR, "1990-01-01"),),
    housing=Housing(HousingStatus.SANS_DOMICILE, commune_insee="75056"), savings=0.0,
)
# A job seeker without allowance whose partner earns 2 200 € net: no RSA in the household.
SEEKER_COUPLE = Household(
    (person("dem", Role.DEMANDEUR, "1990-05-05", activity=Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE),
     person("conj", Role.CONJOINT, "1989-05-05", activity=Activity.SALARIE, resources=salary(2200.0))),
    couple=CoupleStatus.CONCUBIN, housing=LILLE, savings=0.0,
)
# A 20-year-old, not in training, hosted free, no income.
NEET_20 = Household(
    (person("jeune", Role.DEMANDEUR, "2006-03-03"),),
    housing=Housing(HousingStatus.HEBERGE, commune_insee="69123"), savings=0.0,
)
# A lone parent on a low salary, in social housing, with a 10-year-old and a 17-year-old
# (16 this month: 17 next month, the age the pass Culture reads).
HLM_FAMILY = Household(
    (person("mere", Role.DEMANDEUR, "1982-01-01", activity=Activity.SALARIE, resources=salary(1100.0)),
     person("fils", Role.ENFANT, "2016-04-04", schooling=Schooling.PRIMAIRE),
     person("fille", Role.ENFANT, "2009-11-15", schooling=Schooling.LYCEE)),
    housing=MARSEILLE_HLM, savings=0.0,
)
WELL_OFF = Household(
    (person("p1", Role.DEMANDEUR, "1980-01-01", activity=Activity.SALARIE, resources=salary(6000.0),
            taxable_income_n2=70000.0, taxable_income_last_year=71000.0),),
    housing=Housing(HousingStatus.LOCATAIRE_VIDE, rent=1500.0, commune_insee="69123"), savings=20000.0,
)


def _add_child(pid: str, born: str) -> Inject:
    def inject(data: dict[str, Any]) -> None:
        data["individus"][pid] = {"date_naissance": {"ETERNITY": born}}
        for group, key in (("familles", "enfants"), ("foyers_fiscaux", "personnes_a_charge"), ("menages", "enfants")):
            entity = next(iter(data[group].values()))
            entity[key] = list(entity[key]) + [pid]  # the builder shares one list between entities
    return inject


def _set(entity: str, eid: str, **values: Any) -> Inject:
    def inject(data: dict[str, Any]) -> None:
        for name, value in values.items():
            data[entity][eid][name] = {MONTH: value}
    return inject


def _both(*injects: Inject) -> Inject:
    def inject(data: dict[str, Any]) -> None:
        for item in injects:
            item(data)
    return inject


def _job_seeker_inputs(pid: str, **extra: Any) -> Inject:
    return _set("individus", pid, pole_emploi_categorie_demandeur_emploi="categorie_1", contrat_de_travail_type="cdi",
                contrat_de_travail_debut="2026-11-02", lieu_emploi_ou_formation="metropole_hors_corse", **extra)


def _mother_back_to_work(data: dict[str, Any]) -> None:
    activity = dict(data["individus"]["mere"]["activite"])
    activity[MONTH] = "chomeur"
    data["individus"]["mere"]["activite"] = activity
    _job_seeker_inputs("mere", agepi_date_demande="2026-11-10", type_intensite_activite="hebdomadaire",
                       agepi_temps_travail_en_heure=35)(data)


# name -> (household, extra OpenFisca inputs or None)
CASES: dict[str, tuple[Household, Inject | None]] = {
    # baby expected in January 2027 = M+2: the prime is paid in M (7th month of pregnancy)
    "birth_expected": (MOTHER, _add_child("bebe", "2027-01-15")),
    "mother": (MOTHER, None),
    "adoption": (MOTHER, _set("individus", "enfant", adoption=True, date_adoption="2026-10-20")),
    "childminder": (MOTHER, _set("familles", "famille_1", ass_mat=True)),
    "back_to_work": (MOTHER, _mother_back_to_work),
    "student": (STUDENT_FAMILY, _set("individus", "etudiante", statuts_etablissement_scolaire="public",
                                     annee_etude="licence_2", mention_baccalaureat="mention_tres_bien")),
    "student_as_declared": (STUDENT_FAMILY, None),
    "moving_in": (YOUNG_WORKER, _set("menages", "menage_1", date_entree_logement="2026-11-20")),
    "new_job_new_home": (YOUNG_WORKER, _both(_set("menages", "menage_1", date_entree_logement="2026-10-15"),
                                           _set("individus", "jeune", contrat_de_travail_debut="2026-10-01"))),
    "young_worker": (YOUNG_WORKER, None),
    "job_40_km": (JOB_SEEKER, _job_seeker_inputs("dem", contexte_activite_pole_emploi="reprise_emploi",
                                                aide_mobilite_date_demande="2026-11-05", distance_activite_domicile=40.0,
                                                nombre_allers_retours=20.0)),
    "job_seeker": (JOB_SEEKER, None),
    "are_left": (WORKER_900, _set("individus", "sal", allocation_retour_emploi_journaliere=45.0,
                                  are_salaire_journalier_reference=80.0, complement_are_nombre_jours_restants=300.0)),
    "worker_900": (WORKER_900, None),
    "asylum": (ALONE_NO_INCOME, _set("familles", "famille_1", asile_demandeur=True, place_hebergement=False)),
    "alone_no_income": (ALONE_NO_INCOME, None),
    "seeker_couple": (SEEKER_COUPLE, None),
    "neet_20": (NEET_20, None),
    "hlm_family": (HLM_FAMILY, None),
    "well_off": (WELL_OFF, None),
}

# benefit -> (a case where it is positive, a case where it is not)
POSITIVE_NEGATIVE = {
    "paje_naissance": ("birth_expected", "mother"),
    "paje_adoption": ("adoption", "mother"),
    "paje_cmg": ("childminder", "mother"),
    "bourse_criteres_sociaux": ("student", "student_as_declared"),
    "aide_merite": ("student", "student_as_declared"),
    "contrat_engagement_jeune": ("neet_20", "young_worker"),
    "agepi": ("back_to_work", "mother"),
    "aide_permis_demandeur_emploi": ("seeker_couple", "job_40_km"),  # the latter receives the RSA
    "aide_mobilite": ("job_40_km", "job_seeker"),
    "complement_are": ("are_left", "worker_900"),
    "visale": ("moving_in", "young_worker"),
    "locapass": ("new_job_new_home", "young_worker"),
    "mon_job_mon_logement": ("new_job_new_home", "young_worker"),
    "pass_sport": ("hlm_family", "well_off"),
    "pass_culture": ("hlm_family", "well_off"),
    "reduction_loyer_solidarite": ("hlm_family", "young_worker"),
    "aefa": ("alone_no_income", "young_worker"),
    "ada": ("asylum", "alone_no_income"),
    "logement_social": ("hlm_family", "well_off"),
}


def _situations(engine: Any) -> dict[str, Any]:
    out = {}
    for name, (household, inject) in CASES.items():
        situation = engine.situation(household, MONTH)
        data = copy.deepcopy(situation.data)
        if inject is not None:
            inject(data)
        out[name] = dataclasses.replace(situation, data=data)
    return out


@pytest.fixture(scope="module")
def computed(engine: Any) -> dict[str, Any]:
    """Every case, full path (no gate) in one simulation, and gated path (one simulation per
    group of households with the same gates)."""
    from app.core.openfisca.simulation_build import build_simulation

    situations = _situations(engine)
    names = list(CASES)
    households = [CASES[n][0] for n in names]
    simulation, ids = build_simulation(engine.tbs, [situations[n].data for n in names])
    full = dict(zip(names, engine.compute_built(simulation, ids, households, [situations[n] for n in names], MONTH)))
    groups: dict[tuple[str, ...], list[str]] = {}
    for name in names:
        key = tuple(g.name for g in engine.gates_for(CASES[name][0], MONTH))
        groups.setdefault(key, []).append(name)
    gated: dict[str, Any] = {}
    for key, members in groups.items():
        gates = [g for g in GATES if g.name in key]
        simulation, ids = build_simulation(engine.tbs, [situations[n].data for n in members])
        results = engine.compute_built(simulation, ids, [CASES[n][0] for n in members],
                                       [situations[n] for n in members], MONTH, gates)
        gated.update(zip(members, results))
    return {"full": full, "gated": gated, "situations": situations}


def oracle(engine: Any, situation: Any, benefit: Any) -> float:
    """Plain openfisca-core on the same situation (its own dict builder, no gate, one
    household): the benefit's variable, summed over the household's persons for a
    per-person benefit."""
    from openfisca_core.simulation_builder import SimulationBuilder

    simulation = SimulationBuilder().build_from_entities(engine.tbs, copy.deepcopy(situation.data))
    period = MONTH[:4] if benefit.period == "year" else MONTH
    values = simulation.calculate(benefit.variable, period)
    if benefit.entity == "individu":
        return round(float(sum(values)), 2)
    ids = {"famille": simulation.famille.ids, "menage": simulation.menage.ids}[benefit.entity]
    own = situation.famille_id if benefit.entity == "famille" else situation.menage_id
    return round(float(values[list(ids).index(own)]), 2)


def test_at_least_35_benefits_each_with_a_status(computed: dict[str, Any], engine: Any) -> None:
    national = [b for b in engine.catalogue]
    assert len(national) >= 35
    for result in computed["full"].values():
        ids = [b.benefit_id for b in result.benefits]
        assert set(b.id for b in national) <= set(ids)
        assert all(b.status in set(Status) for b in result.benefits)


@pytest.mark.parametrize("name", list(CASES))
def test_gated_equals_full_on_every_benefit(computed: dict[str, Any], name: str) -> None:
    full, gated = computed["full"][name], computed["gated"][name]
    assert [(b.benefit_id, b.status, b.amount) for b in gated.benefits] == [
        (b.benefit_id, b.status, b.amount) for b in full.benefits
    ]


@pytest.mark.parametrize("benefit_id", list(POSITIVE_NEGATIVE))
def test_positive_and_negative_households(computed: dict[str, Any], engine: Any, benefit_id: str) -> None:
    positive, negative = POSITIVE_NEGATIVE[benefit_id]
    benefit = engine.catalogue.get(benefit_id)
    yes = computed["gated"][positive].get(benefit_id)
    no = computed["gated"][negative].get(benefit_id)
    assert yes.status == Status.ELIGIBLE
    assert no.status in (Status.NOT_ELIGIBLE, Status.TO_CHECK) and no.amount == 0
    if benefit.value == "amount":
        assert yes.amount > 0
    if benefit_id != "aefa":  # aefa: Guichet restricts the year to the month (see test_aefa_*)
        expected = oracle(engine, computed["situations"][positive], benefit)
        if benefit.value == "boolean":
            assert expected > 0
        else:
            assert yes.amount == pytest.approx(expected, abs=0.01)


# --------------------------------------------------------------------------- hand calculations


def test_birth_and_adoption_premiums_from_the_parameters(computed: dict[str, Any]) -> None:
    bmaf = parameter_from_file(BMAF, DAY)
    # paje_cm2.montant.prime_naissance = 2.2975 BMAF, prime_adoption = 4.595 BMAF (rounded to the cent)
    birth = round(100 * parameter_from_file(f"{PAJE}.paje_cm2.montant.prime_naissance", DAY) * bmaf) / 100
    adoption = round(100 * parameter_from_file(f"{PAJE}.paje_cm2.montant.prime_adoption", DAY) * bmaf) / 100
    assert computed["gated"]["birth_expected"].get("paje_naissance").amount == pytest.approx(birth, abs=0.01)
    assert computed["gated"]["adoption"].get("paje_adoption").amount == pytest.approx(adoption, abs=0.01)


def test_asylum_seeker_allowance_per_day(computed: dict[str, Any]) -> None:
    # ada = days x (montant_journalier_pour_une_personne + supplement_non_hebergement) for one
    # person without accommodation; November has 30 days.
    per_day = parameter_from_file(f"{ADA}.montant_journalier_pour_une_personne", DAY) + parameter_from_file(
        f"{ADA}.supplement_non_hebergement", DAY)
    assert computed["gated"]["asylum"].get("ada").amount == pytest.approx(30 * per_day, abs=0.01)


def test_flat_amounts(computed: dict[str, Any]) -> None:
    gated = computed["gated"]
    merit = parameter_from_file(
        "prestations_sociales.education.bourses.enseignement_superieur.aide_merite.montant_annuel", DAY)
    assert gated["student"].get("aide_merite").amount == merit == 900
    job_home = parameter_from_file("prestations_sociales.aides_logement.action_logement.mon_job_mon_logement.montant", DAY)
    assert gated["new_job_new_home"].get("mon_job_mon_logement").amount == job_home
    permit = parameter_in_index("prestations_sociales.transport.permis_de_conduire.aide_permis_demandeur_emploi",
                                "montant_maximum", DAY)
    assert gated["seeker_couple"].get("aide_permis_demandeur_emploi").amount == permit
    assert gated["seeker_couple"].get("aide_permis_demandeur_emploi").beneficiaries == ("dem",)
    sport = parameter_from_file("prestations_sociales.education.pass_sport.montant", DAY)
    # the 10-year-old (ARS profile, 6 to 17) and the 16-year-old: two passes
    assert gated["hlm_family"].get("pass_sport").amount == 2 * sport
    # pass Culture: the scale at the age reached next month (17 in December)
    culture = scale_amount("prestations_sociales.education.pass_culture.montants", DAY, 17)
    assert culture > 0
    assert gated["hlm_family"].get("pass_culture").amount == culture
    assert gated["hlm_family"].get("pass_culture").beneficiaries == ("fille",)


def test_aefa_for_a_right_to_the_rsa_of_the_month(computed: dict[str, Any], engine: Any) -> None:
    gated = computed["gated"]
    prime = parameter_from_file(f"{AEFA}.montant_prime", DAY)
    assert gated["alone_no_income"].get("rsa").amount > 0
    assert gated["alone_no_income"].get("aefa").amount == pytest.approx(prime, abs=0.01)  # one person: no raise
    # the lone mother of 2 children on the RSA? not here: HLM family earns too much for the RSA
    assert gated["hlm_family"].get("rsa").amount == 0 and gated["hlm_family"].get("aefa").amount == 0
    # A well-paid household: no RSA in any month computed, no prime (OpenFisca's year sum alone
    # would count a December without inputs).
    assert gated["well_off"].get("aefa").amount == 0


def test_aefa_leaves_the_cached_months_as_they_were(engine: Any) -> None:
    """The month restriction puts back what was cached (explanations read those months)."""
    from app.core.openfisca.simulation_build import build_simulation

    situation = engine.situation(ALONE_NO_INCOME, MONTH)
    simulation, ids = build_simulation(engine.tbs, [situation.data])
    before = [float(simulation.calculate("rsa", f"2026-{m:02d}")[0]) for m in range(8, 11)]
    engine.compute_built(simulation, ids, [ALONE_NO_INCOME], [situation], MONTH)
    after = [float(simulation.get_holder("rsa").get_array(engine_period(f"2026-{m:02d}"))[0]) for m in range(8, 11)]
    assert after == before and all(v > 0 for v in before)


def engine_period(text: str) -> Any:
    from openfisca_core.periods import period

    return period(text)


def test_rls_is_shown_as_applied_by_the_landlord(engine: Any) -> None:
    rls = engine.catalogue.get("reduction_loyer_solidarite")
    assert rls.apply.automatic is True and rls.counts_in_total is False
    assert "bailleur" in rls.description and "déjà" in rls.description


# --------------------------------------------------------------------------- the new gate


def _alone(born: str, **kw: Any) -> Household:
    return Household((person("p", Role.DEMANDEUR, born, **kw),), housing=LILLE, savings=0.0)


@pytest.mark.parametrize(
    ("born", "applies"),
    [
        ("1986-01-01", True),   # 40
        ("1990-06-01", False),  # 36, but 29 on 2020-01-01: inside the window from January N-6
        ("1990-01-01", True),   # 30 on 2020-01-01 already
        ("2011-01-15", True),   # 15 on 2026-12-31, the end of M+1
        ("2010-12-31", False),  # 16 on 2026-12-31
    ],
)
def test_cej_gate_window(born: str, applies: bool) -> None:
    gate = next(g for g in GATES if g.name == "nobody_16_to_29")
    assert gate.applies(_alone(born), MONTH) is applies


def test_cej_gate_never_zeroes_a_young_disabled_person(engine: Any) -> None:
    # 27 (CEJ up to 29 with a disability), hosted, AAH only: no RSA nor prime d'activité
    household = Household((person("p", Role.DEMANDEUR, "1999-02-02", disability_rate=80.0),),
                          housing=Housing(HousingStatus.HEBERGE, commune_insee="59350"), savings=0.0)
    assert "nobody_16_to_29" not in {g.name for g in engine.gates_for(household, MONTH)}
    fast = engine.compute_many([household], MONTH)[0]
    standard = engine.compute_many([household], MONTH, fast=False)[0]
    assert fast.get("contrat_engagement_jeune").amount > 0
    assert [(b.benefit_id, b.amount) for b in fast.benefits] == [(b.benefit_id, b.amount) for b in standard.benefits]


def test_cej_gate_only_where_the_full_computation_gives_zero(engine: Any) -> None:
    household = _alone("1986-01-01", activity=Activity.INACTIF)
    assert "nobody_16_to_29" in {g.name for g in engine.gates_for(household, MONTH)}
    standard = engine.compute_many([household], MONTH, fast=False)[0]
    assert standard.get("contrat_engagement_jeune").amount == 0
    assert standard.get("rsa").amount > 0  # the same profile gets the RSA: nothing else rules CEJ out
