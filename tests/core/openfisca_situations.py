"""Generated OpenFisca situations, mostly valid, one in three with a fault (a bad period,
value, role or variable): shared by the property test against openfisca-core
(``test_openfisca_input_property.py``) and the fuzzing of ``guichet simulate --openfisca``
(``tests/fuzz/fuzz_paths.py``)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

PERSON_IDS = ("a", "b", "c")


ODD = 37  # not a bound: Hypothesis favours the bounds of a range (and shrinks towards the lower one)


def rarely(valid: Any, invalid: Any) -> Any:
    """Mostly ``valid``, one time in 60 ``invalid``: about one situation in three has a fault."""
    return st.integers(0, 59).flatmap(lambda n: invalid if n == ODD else valid)


MONTHS = st.sampled_from(["2024-01", "2024-02", "2024-06", "2024-12", "2025-03"])
SPREAD = st.sampled_from(["2024", "2025", "month:2024-01:3", "month:2024-06:12", "year:2024-03", "month:2024-01:12"])
BAD_PERIODS = st.sampled_from(
    ["ETERNITY", "2024-01-05", "month:2024-01", "month:2024-03:0", "bad", "year:2024:2", "2024"]
)
AMOUNTS = st.one_of(st.integers(-5, 3000), st.floats(-100, 50_000, allow_nan=False, width=32),
                    st.sampled_from(["1500", "1e3", "0"]))
BAD_NUMBERS = st.sampled_from([0.5, 1e39, float("nan"), float("inf"), "-inf", "1e5str", "1 234,56", True, None,
                               {"x": 1}, [1]])
BAD_OTHERS = st.sampled_from([None, 2, "1 234,56", {"x": 1}, [1], "sdf", 1.5, "2024-02-30", 69123])
# name -> (periods openfisca-core accepts for it, values of its type)
VARIABLES: dict[str, tuple[Any, Any]] = {
    "salaire_imposable": (st.one_of(MONTHS, SPREAD), AMOUNTS),  # float, divided
    "salaire_de_base": (st.one_of(MONTHS, SPREAD), AMOUNTS),
    "livret_a": (st.one_of(MONTHS, SPREAD), AMOUNTS),  # float, dispatched
    "are_allocation_nette_mensuelle": (MONTHS, AMOUNTS),  # float, month only
    "activite": (st.one_of(MONTHS, SPREAD), st.sampled_from(["actif", "chomeur", "inactif", "retraite"])),
    "age": (MONTHS, st.integers(0, 100)),  # int with a formula
    "handicap": (st.one_of(MONTHS, SPREAD), st.sampled_from([True, False, 0, 1])),
    "date_naissance": (st.just("ETERNITY"), st.sampled_from(["1985-03-01", "2019-07-14", "1950-01-01"])),
    "loyer": (st.one_of(MONTHS, SPREAD), AMOUNTS),
    "statut_occupation_logement": (st.one_of(MONTHS, SPREAD), st.sampled_from(["locataire_vide", "proprietaire"])),
    "logement_conventionne": (st.one_of(MONTHS, SPREAD), st.booleans()),
    "depcom": (st.one_of(MONTHS, SPREAD), st.sampled_from(["69123", "75056"])),
    "rfr": (st.sampled_from(["2023", "2024"]), AMOUNTS),  # yearly
    "af": (MONTHS, AMOUNTS),  # a benefit given as an input
}
PERSON_VARIABLES = ("salaire_imposable", "salaire_de_base", "livret_a", "are_allocation_nette_mensuelle",
                    "activite", "age", "handicap", "date_naissance")
MENAGE_VARIABLES = ("loyer", "statut_occupation_logement", "logement_conventionne", "depcom")
FOYER_VARIABLES = ("rfr",)
FAMILLE_VARIABLES = ("af",)


@st.composite
def by_period(draw: Any, name: str) -> Any:
    if draw(st.integers(0, 59)) == ODD:
        return draw(st.sampled_from([[True], 1500, None, "x"]))  # not {period: value}
    periods, values = VARIABLES[name]
    bad_values = BAD_NUMBERS if name in ("salaire_imposable", "salaire_de_base", "livret_a", "loyer", "rfr") else BAD_OTHERS
    chosen = draw(st.lists(rarely(periods, BAD_PERIODS), min_size=1, max_size=3, unique=True))
    return {period: draw(rarely(values, bad_values)) for period in chosen}


@st.composite
def entity_body(draw: Any, names: tuple[str, ...]) -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(names), max_size=3, unique=True)) if names else []
    body = {name: draw(by_period(name)) for name in chosen}
    if draw(st.integers(0, 59)) == ODD:
        body[draw(st.sampled_from(["salaire_imposabel", "loyer", "enfnats"]))] = {"2024-01": 1}
    return body


@st.composite
def situations(draw: Any) -> dict[str, Any]:
    persons = PERSON_IDS[: draw(st.integers(1, 3))]
    situation: dict[str, Any] = {"individus": {pid: draw(entity_body(PERSON_VARIABLES)) for pid in persons}}
    for plural, roles, names in (
        ("familles", ("parents", "enfants"), FAMILLE_VARIABLES),
        ("foyers_fiscaux", ("declarants", "personnes_a_charge"), FOYER_VARIABLES),
        ("menages", ("personne_de_reference", "enfants", "conjoint", "autres"), MENAGE_VARIABLES),
    ):
        if draw(st.integers(0, 5)) == 0:
            continue  # the entity absent: openfisca-core gives each person their own group
        # Each person in one group or none (rarely two, or an unknown person).
        count = draw(st.sampled_from([0, 1, 1, 1, 2]))
        groups: dict[str, Any] = {f"g{g}": draw(entity_body(names)) for g in range(count)}
        if groups:
            for pid in persons + ("zz",):
                chance = draw(st.integers(0, 59))
                if pid == "zz" and chance != ODD:
                    continue  # an unknown person, rarely
                where = draw(st.lists(st.sampled_from(sorted(groups)), min_size=0 if chance in (ODD, ODD + 1) else 1,
                                      max_size=2 if chance == ODD + 2 else 1, unique=True))
                for gid in where:
                    placed = any(isinstance(v, list) for v in groups[gid].values())
                    usual = roles[1] if placed else roles[0]  # one demandeur, the others children
                    role = draw(rarely(st.just(usual), st.sampled_from(roles + ("enfnats",))))
                    members = groups[gid].setdefault(role, [])
                    if isinstance(members, list):
                        members.append(pid)
        situation[plural] = groups
    return situation
