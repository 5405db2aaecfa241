"""The faster loading of openfisca-france gives the very same variables, and the same
introspection data (source lines) as openfisca-core's own parsing."""

from __future__ import annotations

import ast

import pytest

from app.core.openfisca.system import _LineScanningAst


SOURCE = '''"""doc"""
import x


class first(Variable):
    value_type = float

    def formula(individu, period):
        return 1


def helper():
    pass


class second(Variable):
    value_type = int
'''


def test_line_scan_finds_the_classes_ast_finds_with_the_same_start_lines() -> None:
    expected = {node.name: node.lineno for node in ast.parse(SOURCE).body if isinstance(node, ast.ClassDef)}
    found = {node.name: node.lineno for node in _LineScanningAst.parse(SOURCE).body}
    assert found == expected == {"first": 5, "second": 16}


@pytest.mark.slow
def test_system_has_every_variable_and_their_source_lines(engine: object) -> None:
    from openfisca_france import CountryTaxBenefitSystem

    plain = CountryTaxBenefitSystem()
    ours = engine.tbs  # type: ignore[attr-defined]
    assert set(plain.variables) <= set(ours.variables)  # ours may add the local extension
    for name in ("rsa", "aide_logement", "af", "salaire_net", "aspa"):
        theirs, mine = plain.variables[name].get_introspection_data(), ours.variables[name].get_introspection_data()
        assert mine[0] == theirs[0] and mine[2] == theirs[2]
        assert mine[1].startswith(theirs[1].rstrip()[:200])
