"""Independent oracle: OpenFisca-France's standard dict path on hand-written situations.

    python tests/core/reference/oracle.py [--separate] FILE.openfisca.json ... > out.json

Run in its own process by ``tests/core/test_reference_households.py``. It imports
nothing from Guichet, loads a plain ``CountryTaxBenefitSystem()`` (not Guichet's
cached one), builds situations with OpenFisca's own
``SimulationBuilder().build_from_entities(tbs, situation)`` and reads
``simulation.calculate(variable, period)``.

The benefit -> (variable, period, reading) table below is written here on
purpose, not read from Guichet's catalogue, so that a catalogue pointing at the
wrong variable is caught too. Variables are computed in the catalogue's fixed
order (results can depend on the order around the AAH supplement).

Speed: one household on the standard path costs about 5 s here (RSA and CSS
look-backs on gross salaries), so by default households are built side by side,
several per ``build_from_entities`` call. That is exactly equivalent to one build
per household only when every household of a batch gives the same set of
(variable, period) inputs for variables that have a formula: OpenFisca gives the
entities of a batch that lack such an input the variable's default value instead
of running its formula. Households are therefore batched by that signature (input
variables without a formula are free: missing means default either way).
``--separate`` builds one simulation per household; both modes give identical
results on the reference households (checked when they were written).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

MONTH = "2026-11"
YEAR = "2026"
N2 = "2024"
# The 12 declared months M-12 .. M-1 and the month M itself.
RESOURCE_MONTHS = [f"2025-{m:02d}" for m in (11, 12)] + [f"2026-{m:02d}" for m in range(1, 12)]
NET_VARIABLES = ("salaire_net", "chomage_net", "retraite_nette")
TAXABLE_VARIABLES = ("salaire_imposable", "chomage_imposable", "retraite_imposable")

# benefit id -> (OpenFisca variable, "month" | "year", reading)
#   "group": the value of the household's only famille (or ménage);
#   "sum_persons": summed over the household's persons;
#   "bool": the famille's boolean.
BENEFITS: tuple[tuple[str, str, str, str], ...] = (
    ("rsa", "rsa", "month", "group"),
    ("prime_activite", "ppa", "month", "group"),
    ("aide_logement", "aide_logement", "month", "group"),
    ("ass", "ass", "month", "sum_persons"),
    ("allocations_familiales", "af", "month", "group"),
    ("complement_familial", "cf", "month", "group"),
    ("asf", "asf", "month", "group"),
    ("paje_base", "paje_base", "month", "group"),
    ("allocation_rentree_scolaire", "ars", "year", "group"),
    ("aah", "aah", "month", "sum_persons"),
    ("aeeh", "aeeh", "month", "group"),
    ("asi", "asi", "month", "sum_persons"),
    ("aspa", "aspa", "month", "group"),
    ("css_gratuite", "cmu_c", "month", "bool"),
    ("css_participation", "css_participation_forfaitaire", "month", "group"),
    ("cheque_energie", "cheque_energie", "year", "group"),
    ("bourse_college", "bourse_college", "month", "group"),
    ("bourse_lycee", "bourse_lycee", "month", "group"),
    # Case format 3 (childcare, studies, job offers): a monthly amount, or a one-off sum
    # (AGEPI, aide au permis, aide à la mobilité, Pass'Sport) as OpenFisca gives it on month M.
    ("paje_cmg", "paje_cmg", "month", "group"),
    ("bourse_criteres_sociaux", "bourse_criteres_sociaux", "month", "sum_persons"),
    ("aide_merite", "aide_merite_montant", "month", "sum_persons"),
    ("contrat_engagement_jeune", "contrat_engagement_jeune", "month", "sum_persons"),
    ("agepi", "agepi", "month", "sum_persons"),
    ("aide_permis_demandeur_emploi", "aide_permis_demandeur_emploi", "month", "sum_persons"),
    ("aide_mobilite", "aide_mobilite", "month", "sum_persons"),
    ("pass_sport", "pass_sport", "month", "sum_persons"),
    ("logement_social", "logement_social_eligible", "month", "bool"),
)
GROUPS = ("familles", "foyers_fiscaux", "menages")


def input_periods(situation: dict) -> dict[str, frozenset[str]]:
    """Variable -> the periods (as written) the situation gives it on."""
    out: dict[str, set[str]] = {}
    for plural in ("individus",) + GROUPS:
        for entity in (situation.get(plural) or {}).values():
            for variable, value in entity.items():
                if isinstance(value, dict):
                    out.setdefault(variable, set()).update(str(period) for period in value)
    return {variable: frozenset(periods) for variable, periods in out.items()}


def can_batch(tbs: Any, a: dict[str, frozenset[str]], b: dict[str, frozenset[str]]) -> bool:
    """Whether two households give the same results built together as alone: the same
    inputs for every variable with a formula, and the same periods for any variable
    both give (OpenFisca's set_input refuses, or splits differently, overlapping
    periods written differently)."""
    for variable in set(a) | set(b):
        if variable in a and variable in b:
            if a[variable] != b[variable]:
                return False
        elif tbs.variables[variable].formulas:
            return False
    return True


def merge(situations: dict[str, dict]) -> dict:
    """One situation holding several, every id prefixed with ``<name>/``."""
    merged: dict = {plural: {} for plural in ("individus",) + GROUPS}
    for name, situation in situations.items():
        def rename(pid: str) -> str:
            return f"{name}/{pid}"

        for pid, person in situation["individus"].items():
            merged["individus"][rename(pid)] = person
        for plural in GROUPS:
            for gid, group in (situation.get(plural) or {}).items():
                merged[plural][rename(gid)] = {
                    key: ([rename(p) for p in value] if isinstance(value, list) else value)
                    for key, value in group.items()
                }
    return merged


def compute_batch(tbs: Any, situations: dict[str, dict]) -> dict[str, dict]:
    from openfisca_core.simulation_builder import SimulationBuilder

    simulation = SimulationBuilder().build_from_entities(tbs, merge(situations))
    ids = {key: list(population.ids) for key, population in simulation.populations.items()}

    def rows(entity: str, name: str) -> list[int]:
        return [i for i, eid in enumerate(ids[entity]) if eid.startswith(f"{name}/")]

    results: dict[str, dict] = {name: {"benefits": {}} for name in situations}
    for benefit_id, variable, period_kind, reading in BENEFITS:
        period = YEAR if period_kind == "year" else MONTH
        values = simulation.calculate(variable, period)
        entity = tbs.variables[variable].entity.key
        for name in situations:
            own = rows(entity, name)
            if reading == "sum_persons":
                value: Any = round(float(sum(float(values[i]) for i in own)), 2)
            else:
                assert len(own) == 1, f"{name}: {len(own)} {entity} for {benefit_id}"
                value = bool(values[own[0]]) if reading == "bool" else round(float(values[own[0]]), 2)
            results[name]["benefits"][benefit_id] = value
    # The resources OpenFisca derived from the hand-written inputs (gross amounts),
    # so that the test can check the case file declares the same facts.
    for name in situations:
        own = rows("individu", name)
        results[name]["resources"] = {
            ids["individu"][i].split("/", 1)[1]: {
                variable: [round(float(simulation.calculate(variable, m)[i]), 2) for m in RESOURCE_MONTHS]
                for variable in NET_VARIABLES
            }
            for i in own
        }
        results[name]["taxable_n2"] = {
            ids["individu"][i].split("/", 1)[1]: round(
                sum(float(simulation.calculate_add(v, N2)[i]) for v in TAXABLE_VARIABLES), 2
            )
            for i in own
        }
    return results


def main(argv: list[str]) -> None:
    from openfisca_france import CountryTaxBenefitSystem

    separate = "--separate" in argv
    paths = [a for a in argv if a != "--separate"]
    tbs = CountryTaxBenefitSystem()
    situations = {
        Path(p).name.removesuffix(".openfisca.json"): json.loads(Path(p).read_text(encoding="utf-8")) for p in paths
    }
    batches: list[dict[str, dict]] = []
    for name, situation in situations.items():
        periods = input_periods(situation)
        for batch in batches:
            if not separate and all(can_batch(tbs, periods, input_periods(other)) for other in batch.values()):
                batch[name] = situation
                break
        else:
            batches.append({name: situation})
    results: dict[str, dict] = {}
    for batch in batches:
        print("batch:", ", ".join(batch), file=sys.stderr)
        results.update(compute_batch(tbs, batch))
    json.dump(results, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
