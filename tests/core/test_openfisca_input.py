"""An OpenFisca situation (``simulate --openfisca``) read as openfisca-core reads it, or
refused in French: one test per defect of issue 20 / issue 19.

Expected amounts come from plain openfisca-core on the same situation:
``SimulationBuilder().build_from_entities(tbs, situation)`` then ``calculate``
(``core_value`` below), never from Guichet's own path.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from openfisca_core.errors import SituationParsingError
from openfisca_core.simulations import SimulationBuilder

from app.core.openfisca.input import (
    ReadSituation,
    SituationRefused,
    choose_month,
    load_situation_file,
    read_situation,
    requested_lines,
)
from app.core.openfisca.simulation_build import build_simulation

MONTH = "2026-11"


@pytest.fixture(scope="module")
def tbs(engine: Any) -> Any:
    return engine.tbs


def single_parent(children_key: str = "enfants") -> dict[str, Any]:
    """A mother alone with two children, no income, tenant in Lyon (the shape of the
    1jeune1solution situations of the issue: inputs on M-3 .. M)."""
    window = "month:2026-08:4"
    return {
        "individus": {
            "mere": {
                "date_naissance": {"ETERNITY": "1990-04-02"},
                "salaire_de_base": {window: 0},
                "activite": {window: "inactif"},
            },
            "lina": {"date_naissance": {"ETERNITY": "2022-05-10"}},
            "noah": {"date_naissance": {"ETERNITY": "2017-02-20"}},
        },
        "familles": {"famille_1": {"parents": ["mere"], children_key: ["lina", "noah"]}},
        "foyers_fiscaux": {"foyer_1": {"declarants": ["mere"], "personnes_a_charge": ["lina", "noah"]}},
        "menages": {
            "menage_1": {
                "personne_de_reference": ["mere"],
                "enfants": ["lina", "noah"],
                "statut_occupation_logement": {window: "locataire_vide"},
                "loyer": {window: 600},
                "depcom": {window: "69123"},
            }
        },
    }


def core_value(tbs: Any, situation: dict[str, Any], variable: str, period: str, entity_id: str) -> Any:
    """The value plain openfisca-core computes (its own dict build)."""
    simulation = SimulationBuilder().build_from_entities(tbs, situation)
    population = simulation.get_variable_population(variable)
    return simulation.calculate(variable, period)[list(population.ids).index(entity_id)]


def refused(tbs: Any, situation: Any) -> str:
    with pytest.raises(SituationRefused) as raised:
        read_situation(tbs, situation)
    return "\n".join(raised.value.lines())


def core_refuses(tbs: Any, situation: Any) -> bool:
    try:
        SimulationBuilder().build_from_entities(tbs, copy.deepcopy(situation))
    except (SituationParsingError, ValueError):
        return True
    return False


# ----------------------------------------------------------------- roles


def test_misspelt_role_key_is_refused_naming_the_group_and_the_key(tbs: Any) -> None:
    situation = single_parent(children_key="enfnats")
    message = refused(tbs, situation)
    assert "Famille « famille_1 »" in message and "« enfnats »" in message
    assert "vouliez-vous dire « enfants »" in message
    assert core_refuses(tbs, situation)  # openfisca-core refuses it too


def test_correctly_spelt_roles_give_rsa_and_asf_as_openfisca_core(engine: Any, tbs: Any) -> None:
    situation = single_parent()
    read = read_situation(tbs, situation)
    assert read.notices == ()
    result, _ = engine.compute_openfisca(read, MONTH)
    # Expected: plain openfisca-core on the same situation.
    rsa = float(core_value(tbs, situation, "rsa", MONTH, "famille_1"))
    asf = float(core_value(tbs, situation, "asf", MONTH, "famille_1"))
    assert result.get("rsa").amount == pytest.approx(rsa, abs=0.01)
    assert result.get("asf").amount == pytest.approx(asf, abs=0.01)
    # The defect read « enfnats » as absent: the children alone in families of their own.
    # The amounts of that reading, from plain openfisca-core too, are the wrong ones.
    broken = single_parent()
    del broken["familles"]["famille_1"]["enfants"]
    assert float(core_value(tbs, broken, "asf", MONTH, "famille_1")) == 0 < asf
    assert float(core_value(tbs, broken, "rsa", MONTH, "famille_1")) != pytest.approx(rsa, abs=1)


def test_person_in_two_groups_or_unknown_or_too_many_parents_is_refused(tbs: Any) -> None:
    twice = single_parent()
    twice["familles"]["famille_2"] = {"parents": ["noah"]}
    assert "« noah » est déclarée deux fois dans « familles » (« famille_1 » et « famille_2 »)" in refused(tbs, twice)
    assert core_refuses(tbs, twice)
    unknown = single_parent()
    unknown["familles"]["famille_1"]["enfants"].append("zoe")
    assert "la personne « zoe » n'est pas déclarée" in refused(tbs, unknown)
    assert core_refuses(tbs, unknown)
    three = single_parent()
    three["familles"]["famille_1"] = {"parents": ["mere", "lina", "noah"]}
    assert "rôle « parents » : au plus 2 ; 3 sont déclarées" in refused(tbs, three)
    assert core_refuses(tbs, three)


def test_person_in_no_group_is_counted_alone_as_openfisca_core_does_and_said(engine: Any, tbs: Any) -> None:
    situation = single_parent()
    situation["familles"]["famille_1"]["enfants"] = ["lina"]  # noah in no famille
    read = read_situation(tbs, situation)
    assert any("« noah » n'est dans aucune famille" in notice for notice in read.notices)
    result, _ = engine.compute_openfisca(read, MONTH)
    # Expected: plain openfisca-core, which also counts noah alone in a famille of his own.
    af = float(core_value(tbs, situation, "af", MONTH, "famille_1"))
    assert result.get("allocations_familiales").amount == pytest.approx(af, abs=0.01)
    absent = single_parent()
    del absent["foyers_fiscaux"]
    notices = read_situation(tbs, absent).notices
    assert any("aucun foyer fiscal" in notice for notice in notices)


# ----------------------------------------------------------------- variables and values


def test_variable_given_as_a_list_is_refused_naming_the_person_and_the_variable(tbs: Any) -> None:
    situation = single_parent()
    situation["individus"]["mere"]["aah_restriction_substantielle_durable_acces_emploi"] = [True]
    message = refused(tbs, situation)
    assert "Personne « mere », variable « aah_restriction_substantielle_durable_acces_emploi »" in message
    assert "une liste" in message
    assert core_refuses(tbs, situation)


def test_unknown_variable_and_entity_and_wrong_entity_are_refused(tbs: Any) -> None:
    situation = single_parent()
    situation["individus"]["mere"]["salaire_imposabel"] = {MONTH: 100}
    situation["individus"]["mere"]["loyer"] = {MONTH: 100}
    situation["chiens"] = {}
    message = refused(tbs, situation)
    assert "« salaire_imposabel » est inconnue d'OpenFisca-France (vouliez-vous dire « salaire_imposable » ?)" in message
    assert "« loyer » se donne dans « menages », pas dans « individus »" in message
    assert "« chiens » n'est pas une entité" in message
    for part in ("salaire_imposabel", "loyer"):
        alone = single_parent()
        alone["individus"]["mere"][part] = {MONTH: 100}
        assert core_refuses(tbs, alone)
    assert "écrivez « menages »" in refused(tbs, {"individus": {"a": {}}, "menage": {"personne_de_reference": ["a"]}})


def test_unknown_enum_value_names_the_value_the_variable_and_the_allowed_values(tbs: Any) -> None:
    situation = single_parent()
    situation["menages"]["menage_1"]["statut_occupation_logement"] = {MONTH: "sdf"}
    message = refused(tbs, situation)
    assert "Ménage « menage_1 », variable « statut_occupation_logement », période « 2026-11 »" in message
    assert '"sdf" n\'est pas une valeur possible de « statut_occupation_logement »' in message
    assert "locataire_vide" in message and "sans_domicile" in message
    assert core_refuses(tbs, situation)


NAN = float("nan")

# (entity plural, id, variable, value by period, what the message must say)
BAD_VALUES = [
    ("individus", "mere", "salaire_de_base", {MONTH: "-inf"}, 'Personne « mere », variable « salaire_de_base », période « 2026-11 » : "-inf" n\'est pas un nombre'),
    ("individus", "mere", "salaire_de_base", {MONTH: NAN}, "NaN n'est pas un nombre fini"),
    ("individus", "mere", "salaire_de_base", {MONTH: float("inf")}, "Infinity n'est pas un nombre fini"),
    ("individus", "mere", "salaire_de_base", {MONTH: 1e39}, "hors des limites"),
    ("individus", "mere", "retraite_brute", {MONTH: "1e5str"}, '"1e5str" n\'est pas un nombre'),
    ("individus", "mere", "retraite_brute", {MONTH: True}, "true n'est pas un nombre"),
    ("individus", "mere", "livret_a", {MONTH: None}, "variable « livret_a », période « 2026-11 » : null demande de calculer"),
    ("menages", "menage_1", "logement_conventionne", {MONTH: "1 234,56"}, 'Ménage « menage_1 », variable « logement_conventionne », période « 2026-11 » : true ou false est attendu ; reçu "1 234,56"'),
    ("menages", "menage_1", "logement_conventionne", {MONTH: {"oui": 1}}, "true ou false est attendu"),
    ("menages", "menage_1", "logement_conventionne", {"oui": True}, "« oui » n'est pas une période"),
    ("menages", "menage_1", "logement_conventionne", {MONTH: 2}, "true ou false est attendu ; reçu 2"),
    ("menages", "menage_1", "depcom", {MONTH: 69123}, "un texte est attendu ; reçu 69123"),
    ("individus", "mere", "date_naissance", {"ETERNITY": "1990-13-01"}, "une date AAAA-MM-JJ est attendue"),
    ("individus", "mere", "date_naissance", {"ETERNITY": "1990-01-01", "2026-11": "1991-01-01"}, "une seule valeur est attendue"),
    ("individus", "mere", "age", {MONTH: 30.5}, "un nombre entier est attendu ; reçu 30.5"),
    ("individus", "mere", "activite", {MONTH: 1}, "1 n'est pas une valeur possible de « activite »"),
    ("individus", "mere", "salaire_de_base", {"2026-11-05": 10}, "« salaire_de_base » se donne par mois"),
    ("individus", "mere", "salaire_de_base", {"ETERNITY": 10}, "« salaire_de_base » se donne par mois"),
    ("individus", "mere", "salaire_de_base", {"month:2026-11-05": 10}, "doit commencer le premier jour d'un mois"),
    ("individus", "mere", "salaire_de_base", {"2026-13": 10}, "« 2026-13 » n'est pas une période OpenFisca"),
    ("foyers_fiscaux", "foyer_1", "rfr", {MONTH: 1000}, "Foyer fiscal « foyer_1 », variable « rfr », période « 2026-11 » : « rfr » se donne par année civile"),
    ("foyers_fiscaux", "foyer_1", "rfr", {"year:2024-03": 1000}, "« rfr » se donne par année civile"),
    ("individus", "mere", "are_allocation_nette_mensuelle", {"2026": 30}, "« are_allocation_nette_mensuelle » se donne par mois (« 2026-11 ») ; la période"),
    ("individus", "mere", "salaire_de_base", 1500, 'une valeur par période est attendue, par exemple { « 2026-11 » : 1200 } ou { « ETERNITY » : « 1990-05-01 » } ; reçu « 1500 »'),
]


@pytest.mark.parametrize(("plural", "eid", "variable", "value", "expected"), BAD_VALUES)
def test_every_value_is_checked_against_the_variable_before_computing(
    tbs: Any, plural: str, eid: str, variable: str, value: Any, expected: str
) -> None:
    situation = single_parent()
    situation[plural][eid][variable] = value
    assert expected in refused(tbs, situation)


def test_every_problem_is_listed_at_once(tbs: Any) -> None:
    situation = single_parent(children_key="enfnats")
    situation["individus"]["mere"]["salaire_de_base"] = {MONTH: "-inf"}
    situation["menages"]["menage_1"]["statut_occupation_logement"] = {MONTH: "sdf"}
    with pytest.raises(SituationRefused) as raised:
        read_situation(tbs, situation)
    assert len(raised.value.problems) == 3


def test_plain_number_texts_and_whole_floats_are_read_as_openfisca_core_reads_them(tbs: Any) -> None:
    situation = single_parent()
    situation["individus"]["mere"]["salaire_de_base"] = {"2026-10": "1500.5", MONTH: "1e3"}
    situation["individus"]["mere"]["age"] = {MONTH: 36.0}
    situation["menages"]["menage_1"]["logement_conventionne"] = {MONTH: 1}
    read = read_situation(tbs, situation)
    assert read.data["individus"]["mere"]["salaire_de_base"] == {"2026-10": 1500.5, MONTH: 1000.0}
    ours, _ = build_simulation(tbs, [read.data])
    core = SimulationBuilder().build_from_entities(tbs, situation)
    for variable, period in (("salaire_de_base", "2026-10"), ("salaire_de_base", MONTH), ("age", MONTH),
                             ("logement_conventionne", MONTH)):
        assert np.array_equal(ours.get_holder(variable).get_array(period), core.get_holder(variable).get_array(period))


def test_duplicate_key_in_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "situation.json"
    path.write_text('{"individus": {"a": {"salaire_de_base": {"2026-11": 1, "2026-11": 2}}}}', encoding="utf-8")
    with pytest.raises(SituationRefused) as raised:
        load_situation_file(path)
    assert "« 2026-11 » apparaît deux fois" in raised.value.lines()[0]


# ----------------------------------------------------------------- periods


def test_a_year_and_months_of_it_follow_openfisca_cores_rule(engine: Any, tbs: Any) -> None:
    """``{"2024": 6000, "2024-01": 1500}``: openfisca-core sets the months first, then
    spreads what the year adds over the other months (4 500 / 11); Guichet used to set
    the year first (500 a month) and let January overwrite it (a year of 7 000)."""
    situation = single_parent()
    situation["individus"]["mere"]["salaire_imposable"] = {"2024": 6000, "2024-01": 1500}
    read = read_situation(tbs, situation)
    ours, _ = build_simulation(tbs, [read.data])
    core = SimulationBuilder().build_from_entities(tbs, situation)
    for month in [f"2024-{m:02d}" for m in range(1, 13)]:
        assert np.array_equal(
            ours.get_holder("salaire_imposable").get_array(month), core.get_holder("salaire_imposable").get_array(month)
        )
    assert float(ours.get_holder("salaire_imposable").get_array("2024-02")[0]) == pytest.approx(4500 / 11, abs=1e-3)
    # The energy cheque of 2026 reads the 2024 income: expected from plain openfisca-core.
    result, _ = engine.compute_openfisca(read, MONTH)
    cheque = float(core_value(tbs, situation, "cheque_energie", "2026", "menage_1"))
    assert result.get("cheque_energie").amount == pytest.approx(cheque, abs=0.01)


def test_months_adding_up_differently_from_their_year_are_refused(engine: Any, tbs: Any) -> None:
    situation = single_parent()
    situation["individus"]["mere"]["salaire_imposable"] = {
        "2024": 6000, **{f"2024-{m:02d}": 100 for m in range(1, 13)}
    }
    read = read_situation(tbs, situation)
    with pytest.raises(SituationRefused) as raised:
        engine.compute_openfisca(read, MONTH)
    assert "« salaire_imposable », période « 2024 »" in raised.value.lines()[0]
    assert core_refuses(tbs, situation)


def test_without_month_the_situations_own_month_is_computed_and_said(tbs: Any) -> None:
    situation = single_parent()
    for body in (situation["individus"]["mere"], situation["menages"]["menage_1"]):
        for variable, by_period in body.items():
            if isinstance(by_period, dict) and "month:2026-08:4" in by_period:
                body[variable] = {"month:2024-01:6": by_period["month:2026-08:4"]}
    read = read_situation(tbs, situation)
    month, line = choose_month(read, None)
    assert month == "2024-06" and "juin 2024, le dernier mois couvert par les données" in line
    # A monthly variable asked for (null) says which month the client wants.
    situation["familles"]["famille_1"]["rsa"] = {"2024-03": None}
    month, line = choose_month(read_situation(tbs, situation), None)
    assert month == "2024-03" and "mars 2024" in line and "demande de calculer" in line
    # --month outside the data: computed, and said.
    month, line = choose_month(read, MONTH)
    assert month == MONTH and "Aucune donnée de la situation ne porte sur novembre 2026" in line
    # Nothing by month: refused, asking for --month.
    only_dates = {"individus": {"a": {"date_naissance": {"ETERNITY": "1990-01-01"}}}}
    with pytest.raises(SituationRefused) as raised:
        choose_month(read_situation(tbs, only_dates), None)
    assert "--month AAAA-MM" in raised.value.lines()[0]


# ----------------------------------------------------------------- variables asked for


def test_variables_asked_for_outside_the_catalogue_are_computed_or_listed(engine: Any, tbs: Any) -> None:
    situation = single_parent()
    famille = situation["familles"]["famille_1"]
    famille["rsa_base_ressources"] = {MONTH: None}  # not in the catalogue
    famille["rsa"] = {MONTH: None}  # in the table already
    famille["ars"] = {MONTH: None}  # a yearly variable asked for a month
    situation["individus"]["lina"]["age"] = {MONTH: None}
    read = read_situation(tbs, situation)
    result, requested = engine.compute_openfisca(read, MONTH)
    by_variable = {value.request.variable: value for value in requested}
    assert set(by_variable) == {"rsa_base_ressources", "ars", "age"}
    # Expected: plain openfisca-core on the same situation.
    assert by_variable["rsa_base_ressources"].value == pytest.approx(
        float(core_value(tbs, situation, "rsa_base_ressources", MONTH, "famille_1")), abs=0.01
    )
    assert by_variable["age"].value == int(core_value(tbs, situation, "age", MONTH, "lina")) == 4
    assert not by_variable["ars"].computed and "par année" in by_variable["ars"].reason
    text = "\n".join(requested_lines(requested))
    assert "rsa_base_ressources — Famille « famille_1 », 2026-11 :" in text
    assert "Non calculé par Guichet" in text and "ars — Famille « famille_1 », 2026-11" in text


def test_the_reference_situations_are_read_without_a_notice(tbs: Any) -> None:
    folder = Path(__file__).parent / "reference"
    for path in sorted(folder.glob("*.openfisca.json")):
        read = read_situation(tbs, json.loads(path.read_text(encoding="utf-8")))
        assert isinstance(read, ReadSituation) and read.notices == (), path.name
        assert choose_month(read, None)[0] == MONTH, path.name


def test_periods_openfisca_core_would_mix_up_between_entities_are_refused(tbs: Any) -> None:
    """Inputs are one array per period for everyone: what one entity gives changes how
    openfisca-core reads another's (plain openfisca-core below, then Guichet's refusal)."""
    # A year for the mother, a month of it for the child: openfisca-core counts the child's
    # January as known for the mother too, and gives the child a negative share of the year.
    mixed = single_parent()
    mixed["individus"]["mere"]["salaire_imposable"] = {"2024": 6000}
    mixed["individus"]["lina"]["salaire_imposable"] = {"2024-01": 110}
    core = SimulationBuilder().build_from_entities(tbs, copy.deepcopy(mixed))
    february = core.get_holder("salaire_imposable").get_array("2024-02")
    assert february[1] == pytest.approx(-10, abs=1e-3) and february[0] == pytest.approx(6000 / 11, abs=1e-2)
    assert "se chevauchent et ne sont pas données pour les mêmes entités" in refused(tbs, mixed)
    # A value repeated over a year with one month apart: the month's value carries on.
    repeated = single_parent()
    repeated["individus"]["mere"]["activite"] = {"2024": "actif", "2024-03": "chomeur"}
    core = SimulationBuilder().build_from_entities(tbs, copy.deepcopy(repeated))
    assert core.get_holder("activite").get_array("2024-04").decode_to_str()[0] == "chomeur"
    assert "« 2024 » et « 2024-03 » se chevauchent" in refused(tbs, repeated)
    # A spelling openfisca-core does not store as such, for two persons: one value kept.
    spelt = single_parent()
    for pid in ("mere", "lina"):
        spelt["individus"][pid]["livret_a"] = {"month:2026-11": 100}
    core = SimulationBuilder().build_from_entities(tbs, copy.deepcopy(spelt))
    assert list(core.get_holder("livret_a").get_array(MONTH)) == [0, 100, 0]
    assert "écrivez la période « month:2026-11 » sous la forme « 2026-11 »" in refused(tbs, spelt)
    # The same spelling for one person only is read as openfisca-core reads it.
    del spelt["individus"]["lina"]["livret_a"]
    assert read_situation(tbs, spelt).data["individus"]["mere"]["livret_a"] == {MONTH: 100.0}
    # A birth date on two different periods: openfisca-core keeps one period's array.
    dates = single_parent()
    dates["individus"]["lina"]["date_naissance"] = {"2026-11": "2022-05-10"}
    core = SimulationBuilder().build_from_entities(tbs, copy.deepcopy(dates))
    assert str(core.get_holder("date_naissance").get_array("ETERNITY")[1]) == "1970-01-01"
    assert "donnez-la sur la même période" in refused(tbs, dates)


# ----------------------------------------------------------------- found by fuzzing (tests/fuzz, issue 18)


def test_a_file_starting_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    """Windows' Notepad writes UTF-8 with a byte-order mark: the same situation, not a
    JSON error (« Unexpected UTF-8 BOM »), as for a Guichet case file."""
    path = tmp_path / "situation.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"individus": {"a": {}}}).encode("utf-8"))
    assert load_situation_file(path) == {"individus": {"a": {}}}


def test_a_situation_that_is_not_an_object_is_refused_with_single_braces(tbs: Any) -> None:
    """The text has no placeholder: ``t()`` does not format it, so ``{{`` was shown as is."""
    with pytest.raises(SituationRefused) as raised:
        read_situation(tbs, [{"individus": {}}])
    line = raised.value.lines()[0]
    assert line.startswith("La situation doit être un objet JSON : { « individus » : { … }")
    assert "{{" not in line and "}}" not in line


def test_a_period_over_a_hundred_years_is_refused_not_spread_month_by_month(tbs: Any) -> None:
    """``month:2026-01:99999999`` for a monthly variable: every month it covers was
    listed (100 million), the reading never ended. Refused, naming the period."""
    situation = {"individus": {"a": {"handicap": {"month:2026-01:99999999": False},
                                     "salaire_de_base": {"year:2024:101": 1000, "month:2024-01:1201": 10}}}}
    with pytest.raises(SituationRefused) as raised:
        read_situation(tbs, situation)
    assert raised.value.codes == ("period_too_long",) * 3
    assert "la période « month:2026-01:99999999 » couvre plus de 100 ans" in raised.value.lines()[0]
    read_situation(tbs, {"individus": {"a": {"salaire_de_base": {"month:2024-01:35": 100}}}})  # 3 years: read


def test_a_huge_key_or_period_is_shortened_in_the_message(tbs: Any) -> None:
    """A 5 000-character variable name, person id or period was repeated whole in the
    message (and the terminal)."""
    situation = {"individus": {"p" * 5000: {"x" * 5000: {"2026-01": 1}, "salaire_de_base": {"2" * 5000: 1}}}}
    with pytest.raises(SituationRefused) as raised:
        read_situation(tbs, situation)
    lines = raised.value.lines()
    assert len(lines) == 2 and all(len(line) < 400 for line in lines), [len(line) for line in lines]
    assert "« " + "p" * 59 + "… »" in lines[0] and "« " + "x" * 59 + "… »" in lines[0]


def test_a_number_of_thousands_of_digits_is_refused_not_a_crash(tmp_path: Path, tbs: Any) -> None:
    """Python refuses to convert an integer of over 4 300 digits (ValueError): as a text
    for an integer variable, and as a bare JSON number in the file."""
    with pytest.raises(SituationRefused) as raised:
        read_situation(tbs, {"individus": {"a": {"age": {"2024-12": "9" * 5000}}}})
    assert raised.value.codes == ("too_large",)
    path = tmp_path / "situation.json"
    path.write_text('{"individus": {"a": {"age": {"2024-12": ' + "9" * 5000 + "}}}}", encoding="utf-8")
    with pytest.raises(SituationRefused) as raised:
        load_situation_file(path)
    assert raised.value.lines() == [f"Le fichier {path} contient un nombre de plus de 4 300 chiffres : "
                                    "ce n'est pas une situation OpenFisca."]
