"""Expert export of a benefit's computation trace: complete, consistent, without names."""

from __future__ import annotations

import dataclasses
import json

import pytest

import explain_cases as cases
from explain_cases import MONTH, parameter_from_file

from app.core.compute.trace_export import export_trace

pytestmark = pytest.mark.slow


def _nodes(tree):
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.get("children", ()))


def test_trace_of_the_rsa(engine) -> None:
    household = cases.single_no_income()
    household = dataclasses.replace(
        household, persons=tuple(dataclasses.replace(p, first_name="Zéphyrine") for p in household.persons)
    )
    data = export_trace(engine, household, MONTH, "rsa")
    text = json.dumps(data, ensure_ascii=False)
    assert "Zéphyrine" not in text  # ids only
    assert data["month"] == MONTH and data["versions"]["openfisca_france"] == engine.versions.openfisca_france
    assert data["versions"]["guichet"]
    result = engine.compute(household, MONTH).get("rsa")
    assert data["result"]["amount"] == result.amount > 0
    tree = data["tree"]
    assert tree["variable"] == "rsa" and tree["period"] == MONTH
    assert tree["value"]["famille_1"] == pytest.approx(result.amount, abs=0.01)
    nodes = list(_nodes(tree))
    by_id = {n["id"]: n for n in nodes if "id" in n}
    assert all(n["ref"] in by_id for n in nodes if "ref" in n)  # every reference is written in full once
    assert data["node_count"] == len(by_id) > 100
    # the base amount is a parameter read, with its value at the date
    base = parameter_from_file("prestations_sociales.solidarite_insertion.minima_sociaux.rsa.rsa_m.montant_de_base_du_rsa",
                               "2026-11-01")
    read = [p for n in by_id.values() for p in n.get("parameters", ())
            if p["name"].endswith("rsa_m.montant_de_base_du_rsa")]
    assert read and read[0]["value"] == pytest.approx(base) and read[0]["at"] == "2026-11-01"
    # inputs are the household's, per person id
    assert by_id["salaire_net<2026-10>"]["value"] == {"p1": 0.0}
    assert by_id["salaire_net<2026-10>"]["source"] == "input"


def test_trace_marks_the_engine_shortcuts(engine) -> None:
    data = export_trace(engine, cases.parent_one_child(), MONTH, "aah")
    assert data["tree"]["source"] == "engine_zero:no_disability"
    assert data["tree"]["value"] == {"p1": 0.0, "p2": 0.0}
    yearly = export_trace(engine, cases.parent_one_child(), MONTH, "allocation_rentree_scolaire")
    assert yearly["period"] == "2026" and yearly["tree"]["period"] == "2026"
    assert yearly["tree"]["value"]["famille_1"] == pytest.approx(yearly["result"]["amount"], abs=0.01)
