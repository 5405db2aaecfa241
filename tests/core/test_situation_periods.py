"""Period-by-period unit tests of the Household -> OpenFisca situation mapping.

No OpenFisca here: ``build_situation`` with a ``FixedRatioConverter`` (taxable =
net x a ratio chosen so that every derived value is recognisable). The windows
checked are those OpenFisca-France 176 reads (docs/reference-households.md):

* RSA and prime d'activité: resources of M-3 .. M-1;
* housing aid: taxable income of the rolling 12 months M-13 .. M-2;
* complémentaire santé solidaire: M-12 .. M-1;
* fiscal income of year N-2 (family benefits, school-year allowance, energy
  cheque, school grants), so every month from January of N-2;
* housing status, rent and commune on past months and in January (flat-rate
  housing deduction, energy cheque).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

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
from app.core.model.periods import add_months, months_range
from app.core.openfisca.situation import (
    ASSUMED_N1_INCOME,
    ASSUMED_N2_INCOME,
    ASSUMED_OLDER_MONTHS,
    ASSUMED_SAVINGS,
    RESOURCE_VARIABLES,
    FixedRatioConverter,
    Situation,
    build_situation,
    input_months,
)

MONTH = "2026-11"
RATIOS = FixedRatioConverter(salary=1.03, unemployment=1.05, pension=1.07)
# Varying over the 12 declared months M-12 .. M-1 (2025-11 .. 2026-10), oldest first.
VARYING = (1900.0, 0.0, 650.0, 1900.0, 1900.0, 1250.0, 0.0, 0.0, 1900.0, 1900.0, 1000.0, 800.0)


def window(month: str, first: int, last: int) -> list[str]:
    """Months M+first .. M+last (first, last <= 0)."""
    return months_range(add_months(month, first), add_months(month, last))


def windows(month: str) -> dict[str, list[str]]:
    year = int(month[:4])
    return {
        "rsa_ppa (M-3..M-1)": window(month, -3, -1),
        "housing_aid (M-13..M-2)": window(month, -13, -2),
        "css (M-12..M-1)": window(month, -12, -1),
        "rolling_year_ass (M-12..M-1)": window(month, -12, -1),
        "n2_year": months_range(f"{year - 2}-01", f"{year - 2}-12"),
        "january_n2_to_m": months_range(f"{year - 2}-01", month),
    }


def adult(pid: str = "p1", role: Role = Role.DEMANDEUR, **changes: Any) -> Person:
    values: dict[str, Any] = dict(id=pid, role=role, birth_date=dt.date(1985, 5, 17), activity=Activity.SALARIE)
    values.update(changes)
    return Person(**values)


def child(pid: str, born: dt.date, schooling: Schooling) -> Person:
    return Person(pid, Role.ENFANT, born, schooling=schooling)


def household(*persons: Person, couple: CoupleStatus = CoupleStatus.SEUL, **changes: Any) -> Household:
    values: dict[str, Any] = dict(
        persons=persons or (adult(),),
        couple=couple,
        housing=Housing(HousingStatus.LOCATAIRE_VIDE, rent=650.0, charges=45.0, commune_insee="69123"),
        savings=0.0,
    )
    values.update(changes)
    return Household(**values)


def roles(group: dict[str, Any]) -> dict[str, Any]:
    """A group's members (without its own variables, such as rsa_isolement_recent)."""
    return {key: value for key, value in group.items() if isinstance(value, list)}


def build(h: Household, month: str = MONTH) -> Situation:
    return build_situation(h, month, RATIOS)


def salaried(amount: float | None = None, monthly: tuple[float, ...] | None = None, **changes: Any) -> Person:
    resource = Resource(ResourceKind.SALAIRE_NET, stable=amount, monthly=monthly)
    return adult(resources=(resource,), **changes)


def person_data(s: Situation, pid: str = "p1") -> dict[str, Any]:
    return s.data["individus"][pid]


# ----------------------------------------------------------------- every month of every window


def test_inputs_run_from_january_of_n2_to_m() -> None:
    months = input_months(MONTH)
    assert months[0] == "2024-01" and months[-1] == MONTH
    assert len(months) == 35
    assert list(months) == sorted(set(months))


@pytest.mark.parametrize("month", ["2026-01", "2026-02", "2026-11", "2026-12", "2027-06"])
def test_every_month_of_every_window_is_filled(month: str) -> None:
    h = household(salaried(1200.0), child("c1", dt.date(2016, 3, 1), Schooling.PRIMAIRE))
    s = build(h, month)
    expected_months = set(input_months(month))
    for pid in ("p1", "c1"):
        for variable in RESOURCE_VARIABLES + ("activite", "scolarite", "enceinte", "handicap", "taux_incapacite",
                                              "statut_marital", "ass_precondition_remplie"):
            assert set(person_data(s, pid)[variable]) == expected_months, (pid, variable)
    menage = s.data["menages"]["menage_1"]
    for variable in ("statut_occupation_logement", "loyer", "charges_locatives", "logement_conventionne", "depcom"):
        assert set(menage[variable]) == expected_months, variable
    salary = person_data(s)["salaire_net"]
    taxable = person_data(s)["salaire_imposable"]
    for name, months in windows(month).items():
        for m in months:
            assert salary[m] == 1200.0, (name, m)
            assert taxable[m] == pytest.approx(1236.0), (name, m)


def test_month_m_repeats_m_minus_1() -> None:
    s = build(household(salaried(monthly=VARYING)))
    salary = person_data(s)["salaire_net"]
    assert salary[MONTH] == salary["2026-10"] == 800.0
    assert person_data(s)["salaire_imposable"][MONTH] == pytest.approx(800.0 * 1.03)


def test_declared_months_land_on_m_minus_12_to_m_minus_1_oldest_first() -> None:
    s = build(household(salaried(monthly=VARYING)))
    salary = person_data(s)["salaire_net"]
    assert [salary[m] for m in window(MONTH, -12, -1)] == list(VARYING)
    # the RSA / prime d'activité quarter is the last three declared months
    assert [salary[m] for m in window(MONTH, -3, -1)] == [1900.0, 1000.0, 800.0]
    # the housing-aid year M-13 .. M-2 starts one month before the declared history
    housing_year = [person_data(s)["salaire_imposable"][m] for m in window(MONTH, -13, -2)]
    average = sum(VARYING) / 12
    assert housing_year[0] == pytest.approx(round(average * 1.03, 2))
    assert housing_year[1:] == [pytest.approx(round(v * 1.03, 2)) for v in VARYING[:-1]]


def test_older_months_repeat_a_stable_amount_without_assumption() -> None:
    s = build(household(salaried(1500.0)))
    salary = person_data(s)["salaire_net"]
    for m in months_range("2024-01", "2025-10"):
        assert salary[m] == 1500.0
    assert ASSUMED_OLDER_MONTHS not in s.assumptions


def test_older_months_of_a_varying_resource_take_the_12_month_average_and_say_so() -> None:
    s = build(household(salaried(monthly=VARYING)))
    salary = person_data(s)["salaire_net"]
    taxable = person_data(s)["salaire_imposable"]
    average = sum(VARYING) / 12  # 1100.0
    assert average == 1100.0
    for m in months_range("2024-01", "2025-10"):
        assert salary[m] == pytest.approx(average)
        assert taxable[m] == pytest.approx(round(average * 1.03, 2))
    assert ASSUMED_OLDER_MONTHS in s.assumptions


def test_zero_varying_resource_is_no_assumption() -> None:
    s = build(household(salaried(monthly=(0.0,) * 12)))
    assert ASSUMED_OLDER_MONTHS not in s.assumptions
    assert ASSUMED_N2_INCOME not in s.assumptions


def test_taxable_comes_from_the_converter_for_each_converted_kind() -> None:
    person = adult(
        activity=Activity.RETRAITE,
        resources=(
            Resource(ResourceKind.SALAIRE_NET, stable=100.0),
            Resource(ResourceKind.CHOMAGE, stable=200.0),
            Resource(ResourceKind.RETRAITE, stable=300.0),
        ),
    )
    data = person_data(build(household(person)))
    for m in input_months(MONTH)[-14:]:
        assert (data["salaire_net"][m], data["salaire_imposable"][m]) == (100.0, pytest.approx(103.0))
        assert (data["chomage_net"][m], data["chomage_imposable"][m]) == (200.0, pytest.approx(210.0))
        assert (data["retraite_nette"][m], data["retraite_imposable"][m]) == (300.0, pytest.approx(321.0))


@pytest.mark.parametrize(
    ("kind", "variable"),
    [
        (ResourceKind.PENSION_ALIMENTAIRE_RECUE, "pensions_alimentaires_percues"),
        (ResourceKind.PENSION_ALIMENTAIRE_VERSEE, "pensions_alimentaires_versees_individu"),
        (ResourceKind.INDEPENDANT, "rpns_auto_entrepreneur_benefice"),
        (ResourceKind.INDEMNITES_JOURNALIERES, "indemnites_journalieres_maladie"),
        (ResourceKind.PENSION_INVALIDITE, "pensions_invalidite"),
        (ResourceKind.BOURSE, "bourse_enseignement_sup"),
        (ResourceKind.AUTRE, "gains_exceptionnels"),
    ],
)
def test_direct_kinds_fill_their_variable_on_every_month(kind: ResourceKind, variable: str) -> None:
    data = person_data(build(household(adult(resources=(Resource(kind, stable=180.0),)))))
    assert set(data[variable].values()) == {180.0}
    assert set(data[variable]) == set(input_months(MONTH))
    for taxable in ("salaire_imposable", "chomage_imposable", "retraite_imposable"):
        assert set(data[taxable].values()) == {0.0}


def test_undeclared_resources_are_zero_on_every_month() -> None:
    data = person_data(build(household(adult(activity=Activity.INACTIF))))
    for variable in RESOURCE_VARIABLES:
        assert set(data[variable].values()) == {0.0}, variable


# ----------------------------------------------------------------- declared taxable income


def taxable_year(data: dict[str, Any], year: int) -> float:
    return sum(
        data[v][m]
        for v in ("salaire_imposable", "chomage_imposable", "retraite_imposable")
        for m in months_range(f"{year}-01", f"{year}-12")
    )


def test_declared_n2_income_makes_year_n2_add_up_and_is_no_assumption() -> None:
    s = build(household(salaried(1500.0, taxable_income_n2=21600.0)))
    data = person_data(s)
    assert taxable_year(data, 2024) == pytest.approx(21600.0)
    for m in months_range("2024-01", "2024-12"):
        assert data["salaire_imposable"][m] == 1800.0
        assert data["chomage_imposable"][m] == 0.0 and data["retraite_imposable"][m] == 0.0
    # the net amounts received stay as declared
    assert set(data["salaire_net"][m] for m in months_range("2024-01", "2024-12")) == {1500.0}
    assert ASSUMED_N2_INCOME not in s.assumptions
    assert ASSUMED_N1_INCOME in s.assumptions  # last year's was not declared


def test_declared_n2_income_that_does_not_divide_by_12_adds_up_to_the_cent() -> None:
    data = person_data(build(household(salaried(1500.0, taxable_income_n2=17203.0))))
    assert taxable_year(data, 2024) == pytest.approx(17203.0, abs=0.06)  # 12 x round(17203 / 12, 2)


def test_declared_n2_income_replaces_pension_and_unemployment_too() -> None:
    person = adult(
        activity=Activity.RETRAITE,
        resources=(Resource(ResourceKind.RETRAITE, stable=900.0), Resource(ResourceKind.CHOMAGE, stable=100.0)),
        taxable_income_n2=12000.0,
    )
    data = person_data(build(household(person)))
    assert taxable_year(data, 2024) == pytest.approx(12000.0)
    # Split as the declared resources are (taxable 900 x 1.07 = 963 and 100 x 1.05 = 105 a month):
    # the pension's part is a pension (its own deduction rules), not a salary. Before, all of it
    # went to salaire_imposable.
    year = months_range("2024-01", "2024-12")
    assert sum(data["salaire_imposable"][m] for m in year) == 0.0
    assert sum(data["retraite_imposable"][m] for m in year) == pytest.approx(12000.0 * 963 / 1068, abs=0.06)
    assert sum(data["chomage_imposable"][m] for m in year) == pytest.approx(12000.0 * 105 / 1068, abs=0.06)


@pytest.mark.parametrize(
    ("activity", "variable"),
    [
        (Activity.RETRAITE, "retraite_imposable"),
        (Activity.DEMANDEUR_EMPLOI_INDEMNISE, "chomage_imposable"),
        (Activity.INACTIF, "salaire_imposable"),
    ],
)
def test_declared_income_without_resources_follows_the_activity(activity: Activity, variable: str) -> None:
    data = person_data(build(household(adult(activity=activity, taxable_income_n2=9000.0))))
    year = months_range("2024-01", "2024-12")
    assert sum(data[variable][m] for m in year) == pytest.approx(9000.0)
    for other in {"salaire_imposable", "chomage_imposable", "retraite_imposable"} - {variable}:
        assert sum(data[other][m] for m in year) == 0.0


def test_declared_zero_n2_income_gives_zero_taxable_in_n2() -> None:
    data = person_data(build(household(salaried(1500.0, taxable_income_n2=0.0))))
    assert taxable_year(data, 2024) == 0.0


def test_declared_n1_income_keeps_the_declared_months_and_fills_the_rest() -> None:
    # N-1 = 2025: M-13 .. M-1 covers 2025-10 .. 2025-12 (kept from the declared history),
    # the other nine months share what remains of the declared year.
    s = build(household(salaried(1000.0, taxable_income_last_year=15000.0)))
    data = person_data(s)
    kept = [data["salaire_imposable"][m] for m in ("2025-10", "2025-11", "2025-12")]
    assert kept == [pytest.approx(1030.0)] * 3
    filled = [data["salaire_imposable"][m] for m in months_range("2025-01", "2025-09")]
    assert filled == [pytest.approx(round((15000.0 - 3 * 1030.0) / 9, 2))] * 9
    assert taxable_year(data, 2025) == pytest.approx(15000.0, abs=0.05)
    assert ASSUMED_N1_INCOME not in s.assumptions
    assert ASSUMED_N2_INCOME in s.assumptions


def test_declared_n1_income_below_the_declared_months_leaves_zero_elsewhere() -> None:
    data = person_data(build(household(salaried(2000.0, taxable_income_last_year=1000.0))))
    assert {data["salaire_imposable"][m] for m in months_range("2025-01", "2025-09")} == {0.0}


def test_housing_aid_window_in_n1_is_not_rewritten_by_a_declared_n1_income() -> None:
    # The housing-aid year M-13 .. M-2 must reflect the declared monthly resources.
    data = person_data(build(household(salaried(1000.0, taxable_income_last_year=30000.0))))
    for m in window(MONTH, -13, -2):
        assert data["salaire_imposable"][m] == pytest.approx(1030.0), m


def test_derived_income_is_reported_only_when_there_is_income() -> None:
    assert ASSUMED_N2_INCOME in build(household(salaried(1000.0))).assumptions
    nothing = build(household(adult(activity=Activity.INACTIF)))
    assert ASSUMED_N2_INCOME not in nothing.assumptions
    assert ASSUMED_N1_INCOME not in nothing.assumptions


def test_january_month_declared_n2_still_adds_up() -> None:
    # M = 2026-01: N-2 = 2024 and the housing-aid year starts in 2024-12.
    data = person_data(build(household(salaried(1000.0, taxable_income_n2=9000.0)), "2026-01"))
    assert taxable_year(data, 2024) == pytest.approx(9000.0, abs=0.06)


# ----------------------------------------------------------------- housing on past months and in January


@pytest.mark.parametrize(
    ("status", "openfisca"),
    [
        (HousingStatus.LOCATAIRE_VIDE, "locataire_vide"),
        (HousingStatus.LOCATAIRE_MEUBLE, "locataire_meuble"),
        (HousingStatus.LOCATAIRE_FOYER, "locataire_foyer"),
        (HousingStatus.ACCEDANT, "primo_accedant"),
        (HousingStatus.PROPRIETAIRE, "proprietaire"),
        (HousingStatus.HEBERGE, "loge_gratuitement"),
        (HousingStatus.SANS_DOMICILE, "sans_domicile"),
    ],
)
def test_housing_status_on_every_past_month_and_every_january(status: HousingStatus, openfisca: str) -> None:
    rent = 720.0 if status in (HousingStatus.LOCATAIRE_VIDE, HousingStatus.LOCATAIRE_MEUBLE,
                               HousingStatus.LOCATAIRE_FOYER, HousingStatus.ACCEDANT) else 0.0
    housing = Housing(status, rent=rent, charges=55.0 if rent else 0.0, conventionne=bool(rent),
                      commune_insee="13055")
    menage = build(household(housing=housing)).data["menages"]["menage_1"]
    for m in input_months(MONTH):
        assert menage["statut_occupation_logement"][m] == openfisca, m
        assert menage["loyer"][m] == rent
        assert menage["charges_locatives"][m] == (55.0 if rent else 0.0)
        assert menage["logement_conventionne"][m] is bool(rent)
        assert menage["depcom"][m] == "13055"
    for january in ("2024-01", "2025-01", "2026-01"):
        assert menage["statut_occupation_logement"][january] == openfisca
        assert menage["depcom"][january] == "13055"


# ----------------------------------------------------------------- couples, children, other dependants


def test_married_couple_shares_one_tax_household() -> None:
    s = build(household(salaried(1500.0), adult("p2", Role.CONJOINT), couple=CoupleStatus.MARIE))
    famille = s.data["familles"]["famille_1"]
    assert list(s.data["familles"]) == ["famille_1"]
    assert (famille["parents"], famille["enfants"]) == (["p1", "p2"], [])
    assert not any(famille["rsa_isolement_recent"].values())  # a couple: never recently alone
    assert s.data["foyers_fiscaux"] == {"foyer_fiscal_1": {"declarants": ["p1", "p2"], "personnes_a_charge": []}}
    assert s.data["menages"]["menage_1"]["conjoint"] == ["p2"]
    for pid in ("p1", "p2"):
        assert set(person_data(s, pid)["statut_marital"].values()) == {"marie"}


def test_pacsed_couple_shares_one_tax_household() -> None:
    s = build(household(salaried(1500.0), adult("p2", Role.CONJOINT), couple=CoupleStatus.PACSE))
    assert list(s.data["foyers_fiscaux"]) == ["foyer_fiscal_1"]
    assert s.data["foyers_fiscaux"]["foyer_fiscal_1"]["declarants"] == ["p1", "p2"]
    for pid in ("p1", "p2"):
        assert set(person_data(s, pid)["statut_marital"].values()) == {"pacse"}


def test_cohabiting_couple_is_one_famille_but_two_tax_households() -> None:
    s = build(household(salaried(1500.0), adult("p2", Role.CONJOINT), child("c1", dt.date(2019, 1, 2), Schooling.PRIMAIRE),
                        couple=CoupleStatus.CONCUBIN))
    assert roles(s.data["familles"]["famille_1"]) == {"parents": ["p1", "p2"], "enfants": ["c1"]}
    assert s.data["foyers_fiscaux"] == {
        "foyer_fiscal_1": {"declarants": ["p1"], "personnes_a_charge": ["c1"]},
        "foyer_fiscal_2": {"declarants": ["p2"], "personnes_a_charge": []},
    }
    assert s.data["menages"]["menage_1"]["conjoint"] == ["p2"]
    for pid in ("p1", "p2", "c1"):
        assert set(person_data(s, pid)["statut_marital"].values()) == {"celibataire"}


def test_children_are_in_the_famille_the_tax_household_and_the_menage() -> None:
    kids = (
        child("c1", dt.date(2024, 2, 1), Schooling.CRECHE),
        child("c2", dt.date(2021, 6, 1), Schooling.MATERNELLE),
        child("c3", dt.date(2017, 6, 1), Schooling.PRIMAIRE),
        child("c4", dt.date(2013, 6, 1), Schooling.COLLEGE),
        child("c5", dt.date(2010, 6, 1), Schooling.LYCEE),
        child("c6", dt.date(2006, 6, 1), Schooling.SUPERIEUR),
    )
    s = build(household(salaried(2500.0), adult("p2", Role.CONJOINT), *kids, couple=CoupleStatus.MARIE))
    ids = [k.id for k in kids]
    assert s.data["familles"]["famille_1"]["enfants"] == ids
    assert s.data["foyers_fiscaux"]["foyer_fiscal_1"]["personnes_a_charge"] == ids
    assert s.data["menages"]["menage_1"]["enfants"] == ids
    expected = ["inconnue", "maternelle", "primaire", "college", "lycee", "enseignement_superieur"]
    for kid, scolarite in zip(kids, expected):
        data = person_data(s, kid.id)
        assert set(data["scolarite"].values()) == {scolarite}
        assert data["date_naissance"] == {"ETERNITY": kid.birth_date.isoformat()}
        assert set(data["statut_marital"].values()) == {"celibataire"}


def test_other_dependant_has_own_famille_and_tax_household() -> None:
    other = Person("g1", Role.AUTRE, dt.date(1950, 1, 1), activity=Activity.RETRAITE,
                   resources=(Resource(ResourceKind.RETRAITE, stable=700.0),))
    s = build(household(salaried(1500.0), other))
    assert roles(s.data["familles"]["famille_2"]) == {"parents": ["g1"], "enfants": []}
    assert s.data["foyers_fiscaux"]["foyer_fiscal_2"] == {"declarants": ["g1"], "personnes_a_charge": []}
    assert s.data["menages"]["menage_1"]["autres"] == ["g1"]
    assert "g1" not in s.data["foyers_fiscaux"]["foyer_fiscal_1"]["personnes_a_charge"]


def test_a_single_person_with_a_declared_conjoint_role_but_seul_status_is_not_a_couple() -> None:
    s = build(household(salaried(1500.0), adult("p2", Role.CONJOINT), couple=CoupleStatus.SEUL))
    assert s.data["familles"]["famille_1"]["parents"] == ["p1"]


# ----------------------------------------------------------------- person facts, savings


def test_disability_pregnancy_activity_and_ass_condition_on_every_month() -> None:
    person = adult(activity=Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE, disability_rate=80.0, pregnant=True,
                   ass_work_history=True)
    data = person_data(build(household(person)))
    assert set(data["handicap"].values()) == {True}
    assert set(data["taux_incapacite"].values()) == {0.8}
    assert set(data["enceinte"].values()) == {True}
    assert set(data["activite"].values()) == {"chomeur"}
    assert set(data["ass_precondition_remplie"].values()) == {True}
    plain = person_data(build(household(adult())))
    assert set(plain["handicap"].values()) == {False}
    assert set(plain["taux_incapacite"].values()) == {0.0}
    assert set(plain["ass_precondition_remplie"].values()) == {False}


@pytest.mark.parametrize(
    ("activity", "activite"),
    [
        (Activity.SALARIE, "actif"), (Activity.INDEPENDANT, "actif"),
        (Activity.DEMANDEUR_EMPLOI_INDEMNISE, "chomeur"), (Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE, "chomeur"),
        (Activity.ETUDIANT, "etudiant"), (Activity.RETRAITE, "retraite"), (Activity.INACTIF, "inactif"),
    ],
)
def test_activity_mapping(activity: Activity, activite: str) -> None:
    assert set(person_data(build(household(adult(activity=activity))))["activite"].values()) == {activite}


def test_savings_go_to_the_demandeur_livret_a_on_every_month() -> None:
    s = build(household(salaried(1500.0), adult("p2", Role.CONJOINT), couple=CoupleStatus.MARIE, savings=3200.0))
    assert person_data(s)["livret_a"] == {m: 3200.0 for m in input_months(MONTH)}
    assert set(person_data(s, "p2")["livret_a"].values()) == {0.0}
    assert ASSUMED_SAVINGS not in s.assumptions


def test_unknown_savings_count_as_zero_and_say_so() -> None:
    s = build(household(salaried(1500.0), savings=None))
    assert set(person_data(s)["livret_a"].values()) == {0.0}
    assert ASSUMED_SAVINGS in s.assumptions


def test_situation_ids_and_entities() -> None:
    s = build(household(salaried(1500.0), child("c1", dt.date(2019, 1, 2), Schooling.PRIMAIRE)))
    assert s.month == MONTH
    assert s.famille_id == "famille_1" and s.menage_id == "menage_1"
    assert s.person_ids == ("p1", "c1")
    assert set(s.data) == {"individus", "familles", "foyers_fiscaux", "menages"}
    assert s.data["menages"]["menage_1"]["personne_de_reference"] == ["p1"]


@pytest.mark.parametrize(("schooling", "expected"), [
    (Schooling.LYCEE, "etudiant"), (Schooling.COLLEGE, "etudiant"), (Schooling.SUPERIEUR, "etudiant"),
    (Schooling.AUCUNE, "inactif"), (Schooling.PRIMAIRE, "inactif"),
])
def test_a_pupil_left_inactive_is_a_student_for_openfisca(schooling: Schooling, expected: str) -> None:
    """A 17-year-old at the lycée, « inactif » as every child by default, was read by
    OpenFisca as a young person out of school: the contrat d'engagement jeune (224,68 €
    for example 08) was shown to a lycée pupil. At school, OpenFisca's activite is
    « etudiant » (openfisca_france TypesActivite)."""
    s = build(household(salaried(1200.0), child("c1", dt.date(2009, 3, 1), schooling)))
    assert set(person_data(s, "c1")["activite"].values()) == {expected}
    assert set(person_data(s, "p1")["activite"].values()) == {"actif"}  # the parent's own activity
