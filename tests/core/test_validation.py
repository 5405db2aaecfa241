"""Validation: every bad input gives a French message naming its field, all at once."""

from __future__ import annotations

import dataclasses
import datetime as dt

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
from app.core.model.validation import InvalidHousehold, notices, require_valid, validate

TODAY = dt.date(2026, 11, 29)


def household(**changes: object) -> Household:
    base = Household(
        persons=(
            Person("p1", Role.DEMANDEUR, dt.date(1985, 3, 2), first_name="Amina", activity=Activity.SALARIE,
                   resources=(Resource(ResourceKind.SALAIRE_NET, stable=1200.0),)),
            Person("c1", Role.ENFANT, dt.date(2015, 9, 1), first_name="Léo", schooling=Schooling.COLLEGE),
        ),
        housing=Housing(HousingStatus.LOCATAIRE_VIDE, rent=600.0, commune_insee="69123", postal_code="69003"),
        savings=0.0,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def person(h: Household, index: int, **changes: object) -> Household:
    persons = list(h.persons)
    persons[index] = dataclasses.replace(persons[index], **changes)  # type: ignore[arg-type]
    return dataclasses.replace(h, persons=tuple(persons))


def messages(h: Household) -> dict[str, str]:
    return {p.field: p.message for p in validate(h, TODAY)}


def test_a_correct_household_has_no_problem() -> None:
    assert validate(household(), TODAY) == ()


def test_birth_date_in_the_future_names_the_person_and_the_field() -> None:
    found = messages(person(household(), 1, birth_date=dt.date(2027, 1, 1)))
    assert found == {"persons.1.birth_date": "Personne 2 (Léo), date de naissance : la date est dans le futur."}


def test_age_over_120() -> None:
    found = messages(person(household(), 0, birth_date=dt.date(1900, 1, 1)))
    assert found["persons.0.birth_date"].endswith("l'âge dépasserait 120 ans.")


def test_negative_amount_and_nonsense_amount() -> None:
    h = person(household(), 0, resources=(Resource(ResourceKind.SALAIRE_NET, stable=-10.0),
                                         Resource(ResourceKind.CHOMAGE, stable=10_000_000.0)))
    found = messages(h)
    assert "ne peut pas être négatif" in found["persons.0.resources.0.stable"]
    assert "salaire net" in found["persons.0.resources.0.stable"]
    assert "invraisemblable" in found["persons.0.resources.1.stable"]
    assert "10\u202f000\u202f000,00\u00a0€" in found["persons.0.resources.1.stable"]
    assert "allocations chômage" in found["persons.0.resources.1.stable"]


def test_rent_without_tenant_status() -> None:
    found = messages(household(housing=Housing(HousingStatus.HEBERGE, rent=300.0, commune_insee="69123")))
    assert found == {
        "housing.rent": "Logement, loyer : un loyer est indiqué, mais le statut « hébergé(e) gratuitement » ne paie pas de loyer."
    }


def test_unknown_commune_and_missing_commune_and_wrong_postal_code() -> None:
    assert "00000" in messages(household(housing=Housing(HousingStatus.LOCATAIRE_VIDE, rent=1, commune_insee="00000")))[
        "housing.commune_insee"
    ]
    assert messages(household(housing=Housing(HousingStatus.HEBERGE)))["housing.commune_insee"] == "Logement, commune : à renseigner."
    wrong = messages(household(housing=Housing(HousingStatus.HEBERGE, commune_insee="69123", postal_code="75001")))
    assert wrong["housing.postal_code"] == "Logement, code postal : 75001 n'est pas un code postal de Lyon."


def test_child_older_than_its_parent() -> None:
    found = messages(person(household(), 1, birth_date=dt.date(1980, 1, 1)))
    assert found["persons.1.birth_date"] == (
        "Personne 2 (Léo), date de naissance : l'enfant serait né avant son parent (Personne 1 (Amina))."
    )


def test_two_spouses_no_demandeur_and_couple_mismatch() -> None:
    spouse = Person("p2", Role.CONJOINT, dt.date(1984, 1, 1))
    two = household(persons=household().persons + (spouse, dataclasses.replace(spouse, id="p3")), couple=CoupleStatus.MARIE)
    assert "une seule personne peut avoir le rôle « conjoint »" in messages(two)["persons"]
    none = household(persons=(Person("c1", Role.ENFANT, dt.date(2015, 1, 1)),))
    assert "il faut une personne qui fait la demande" in messages(none)["persons"]
    alone = household(couple=CoupleStatus.PACSE)
    assert "aucun conjoint" in messages(alone)["couple"]
    unmarried = household(persons=household().persons + (spouse,))
    assert "un conjoint est déclaré" in messages(unmarried)["couple"]


def test_every_problem_is_reported_together() -> None:
    h = person(household(housing=Housing(HousingStatus.PROPRIETAIRE, rent=500.0, commune_insee="99999")), 1,
               birth_date=dt.date(2030, 1, 1))
    fields = {p.field for p in validate(h, TODAY)}
    assert fields == {"persons.1.birth_date", "housing.rent", "housing.commune_insee"}


def test_twelve_months_required_and_stable_or_monthly() -> None:
    h = person(household(), 0, resources=(Resource(ResourceKind.SALAIRE_NET, monthly=(100.0,) * 11),
                                         Resource(ResourceKind.RETRAITE, stable=5.0, monthly=(5.0,) * 12)))
    found = messages(h)
    assert "il faut 12 montants" in found["persons.0.resources.0.monthly"] and "il y en a 11" in found["persons.0.resources.0.monthly"]
    assert "pas les deux" in found["persons.0.resources.1"]


def test_disability_rate_range() -> None:
    assert "entre 0 et 100" in messages(person(household(), 0, disability_rate=150.0))["persons.0.disability_rate"]


def test_require_valid_raises_with_every_problem() -> None:
    with pytest.raises(InvalidHousehold) as raised:
        require_valid(person(household(), 1, birth_date=dt.date(2030, 1, 1)), TODAY)
    assert len(raised.value.problems) == 1
    assert "futur" in str(raised.value)


def test_a_salaried_person_without_salary_is_a_notice_not_a_problem() -> None:
    """Issue 22: « salarié(e) » with no salary computes as zero earned income; the agent is
    told so with the result, nothing is blocked."""
    without = person(household(), 0, resources=())
    assert messages(without) == {}  # computable as it is
    found = notices(without)
    assert [n.field for n in found] == ["persons.0.resources"]
    assert "Personne 1" in found[0].message and "Amina" in found[0].message and "0 €" in found[0].message
    assert notices(household()) == ()  # a salary declared: nothing to say
    zero = person(household(), 0, resources=(Resource(ResourceKind.SALAIRE_NET, stable=0.0),))
    assert len(notices(zero)) == 1  # a salary of 0 € is no salary either
    assert notices(person(household(), 0, activity=Activity.INACTIF, resources=())) == ()


@pytest.mark.parametrize(("text", "key"), [
    ("31/02/2026", "problem.no_such_date"), ("29/02/2027", "problem.no_such_date"), ("2026-13-01", "problem.no_such_date"),
    ("12/0", "problem.not_a_date"), ("demain", "problem.not_a_date"), ("1/1/26", "problem.not_a_date"),
])
def test_a_date_that_does_not_exist_is_told_apart_from_a_wrong_format(text: str, key: str) -> None:
    from app.core.base.formats import date_problem_key, parse_date

    with pytest.raises(ValueError):
        parse_date(text)
    assert date_problem_key(text) == key


def test_a_control_character_typed_or_pasted_in_a_text_is_refused() -> None:
    # Found by bench/fuzz.py (the editor): a first name "Léa\n" pasted was accepted in the
    # window, then the saved case was refused when read again.
    from app.core.base.i18n import t

    found = messages(person(household(reference="R\t1"), 1, first_name="Léo\x00"))
    assert found == {
        "reference": t("problem.bad_characters", field="Référence du dossier"),
        "persons.1.first_name": t("problem.bad_characters", field="Personne 2, prénom"),
    }
