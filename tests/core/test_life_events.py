"""Facts of a household's recent life that change its rights: a separation or widowhood
(the RSA's majoration for a parent recently left alone) and a pregnancy with its expected
date of birth. Case format 2 carries them; format 1 files are still read."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from app.core.io.casefile import VERSION, case_from_dict, case_to_dict, load_case
from app.core.model.household import CoupleStatus, Household, Person, Role
from app.core.model.periods import months_range
from app.core.openfisca.situation import ASSUMED_SEPARATION, FixedRatioConverter, build_situation
from app.core.model.validation import validate

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "11-mere-separee-recemment-nantes.json"
TODAY = dt.date(2026, 11, 29)
MONTH = "2026-11"


def _example() -> Household:
    return load_case(EXAMPLE, today=TODAY)[0]


# ----------------------------------------------------------------- case format


def test_format_1_files_are_still_read_and_new_files_are_the_current_format() -> None:
    old = json.loads((ROOT / "examples" / "09-jeune-femme-enceinte-toulouse.json").read_text(encoding="utf-8"))
    assert old["version"] == 1
    household, month = case_from_dict(old, today=TODAY)
    assert month == MONTH and household.separation_date is None
    assert all(p.pregnancy_due_date is None for p in household.persons)
    assert household.persons[0].pregnant
    written = case_to_dict(household, month)
    assert written["version"] == VERSION == 3  # version 3: life events (test_life_event_changes.py)
    assert "separation_date" not in written["household"]


def test_separation_and_due_date_round_trip() -> None:
    household = _example()
    assert household.separation_date == dt.date(2026, 9, 15)
    with_due = dataclasses.replace(
        household,
        persons=(dataclasses.replace(household.persons[0], pregnant=True, pregnancy_due_date=dt.date(2027, 3, 2)),)
        + household.persons[1:],
    )
    data = case_to_dict(with_due, MONTH)
    assert data["household"]["separation_date"] == "2026-09-15"
    assert data["household"]["persons"][0]["pregnancy_due_date"] == "2027-03-02"
    assert case_from_dict(data, today=TODAY)[0] == with_due


def _messages(data: dict[str, Any]) -> list[str]:
    from app.core.model.validation import InvalidHousehold

    with pytest.raises(InvalidHousehold) as caught:
        case_from_dict(data, today=TODAY)
    return [p.message for p in caught.value.problems]


def test_bad_dates_are_named_in_french() -> None:
    data = case_to_dict(_example(), MONTH)
    data["household"]["separation_date"] = "31/02/2026"
    assert _messages(data) == [
        "Date de la séparation ou du décès du conjoint : « 31/02/2026 » : cette date n'existe pas (le jour ne va pas avec le mois)."
    ]
    data["household"]["separation_date"] = "2027-01-10"
    assert _messages(data) == ["Date de la séparation ou du décès du conjoint : la date est dans le futur."]
    data["household"]["separation_date"] = "2026-09-15"
    data["household"]["persons"][0]["pregnancy_due_date"] = "2027-03-02"
    assert _messages(data) == [
        "Personne 1 (Inès), date prévue d'accouchement : une date prévue d'accouchement est indiquée, "
        "mais la grossesse n'est pas déclarée."
    ]


def test_a_separation_in_a_couple_is_refused() -> None:
    household = _example()
    partner = Person("p2", Role.CONJOINT, dt.date(1990, 1, 1))
    in_couple = dataclasses.replace(household, couple=CoupleStatus.CONCUBIN, persons=household.persons + (partner,))
    problems = validate(in_couple, TODAY)
    assert [p.field for p in problems] == ["separation_date"]
    assert problems[0].message == (
        "Date de la séparation ou du décès du conjoint : une séparation est indiquée, mais le foyer est déclaré "
        "« en concubinage ». Une personne seule depuis la séparation est « seule »."
    )


# ----------------------------------------------------------------- mapping (no OpenFisca)


def test_isolation_is_set_from_the_separation_month_for_18_months() -> None:
    situation = build_situation(_example(), MONTH, FixedRatioConverter())
    months = situation.data["familles"]["famille_1"]["rsa_isolement_recent"]
    assert [m for m, v in months.items() if v] == list(months_range("2026-09", MONTH))
    assert ASSUMED_SEPARATION in situation.assumptions
    # Separated in May 2025: still within 18 months in October 2026, not in November.
    earlier = dataclasses.replace(_example(), separation_date=dt.date(2025, 5, 31))
    months = build_situation(earlier, MONTH, FixedRatioConverter()).data["familles"]["famille_1"]["rsa_isolement_recent"]
    assert months["2026-10"] and not months["2026-11"] and months["2025-05"] and not months["2025-04"]
    # More than 18 months ago in the month computed: nothing to say about the majoration.
    assert ASSUMED_SEPARATION not in build_situation(earlier, MONTH, FixedRatioConverter()).assumptions
    none = build_situation(dataclasses.replace(_example(), separation_date=None), MONTH, FixedRatioConverter())
    assert not any(none.data["familles"]["famille_1"]["rsa_isolement_recent"].values())
    assert ASSUMED_SEPARATION not in none.assumptions


def test_pregnancy_is_declared_on_its_own_months_only() -> None:
    mother = dataclasses.replace(_example().persons[0], pregnant=True, pregnancy_due_date=dt.date(2027, 3, 2))
    household = dataclasses.replace(_example(), persons=(mother,) + _example().persons[1:])
    months = build_situation(household, MONTH, FixedRatioConverter()).data["individus"]["ines"]["enceinte"]
    # Due in March 2027: pregnant from June 2026 (9 months before), not before.
    assert [m for m, v in months.items() if v] == list(months_range("2026-06", MONTH))
    undated = dataclasses.replace(mother, pregnancy_due_date=None)
    household = dataclasses.replace(_example(), persons=(undated,) + _example().persons[1:])
    months = build_situation(household, MONTH, FixedRatioConverter()).data["individus"]["ines"]["enceinte"]
    assert all(months.values())  # no date: every month, as before


# ----------------------------------------------------------------- amounts


def test_rsa_includes_the_majoration_for_a_parent_recently_left_alone(engine: Any) -> None:
    """Example 11: Inès, separated on 15/09/2026, alone with Adam (5), no income, tenant in Nantes.

    Expected, by hand from OpenFisca-France 176.1.8's parameters at 2026-11-01 (read below so
    that the test names them; values in the comments):
      base  prestations_sociales.solidarite_insertion.minima_sociaux.rsa.rsa_m.montant_de_base_du_rsa = 651.69
      majoré  base x (rsa_maj.majoration_isolement_en_base_rsa.femmes_enceintes 1.28412
              + rsa_maj.majoration_isolement_en_base_rsa.par_enfant_a_charge 0.42804) = 1 115.7976
      forfait logement  rsa_fl.forfait_logement.taux_2_personnes 0.16
              x base x (1 + rsa_maj.maj_montant_max.couples_celibataire_avec_enfant 0.5) = 156.4056
      ASF counted  rsa_maj.forfait_asf.taux2 0.225 x prestations_familiales.bmaf.bmaf 478.16 = 107.586
      RSA = 1 115.7976 - 156.4056 - 107.586 = 851.806 -> 851.81
    Without the separation (what Guichet computed before: rsa_isolement_recent never set, and
    Adam is over 3): 977.535 - 156.4056 - 107.586 = 713.5434 -> 713.54. Plain openfisca-core on
    the same situation (tests/core/reference/r15-*.openfisca.json, with and without
    ``rsa_isolement_recent``) gives 851.81 and 713.54.
    """
    parameters = engine.tbs.parameters("2026-11-01")
    rsa = parameters.prestations_sociales.solidarite_insertion.minima_sociaux.rsa
    base = rsa.rsa_m.montant_de_base_du_rsa
    majore = base * (
        rsa.rsa_maj.majoration_isolement_en_base_rsa.femmes_enceintes
        + rsa.rsa_maj.majoration_isolement_en_base_rsa.par_enfant_a_charge
    )
    forfait = rsa.rsa_fl.forfait_logement.taux_2_personnes * base * (1 + rsa.rsa_maj.maj_montant_max.couples_celibataire_avec_enfant)
    asf = rsa.rsa_maj.forfait_asf.taux2 * parameters.prestations_sociales.prestations_familiales.bmaf.bmaf
    assert (base, round(majore, 4), round(forfait, 4), round(asf, 3)) == (651.69, 1115.7976, 156.4056, 107.586)

    household, month = load_case(EXAMPLE, today=TODAY)
    with_separation = engine.compute(household, month)
    without = engine.compute(dataclasses.replace(household, separation_date=None), month)
    assert without.get("rsa").amount == round(base * 1.5 - forfait - asf, 2) == 713.54
    assert with_separation.get("rsa").amount == round(majore - forfait - asf, 2) == 851.81
    assert ASSUMED_SEPARATION in with_separation.assumptions
