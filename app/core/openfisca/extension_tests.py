"""Run the YAML tests of an OpenFisca extension without pytest.

Same format and same checks as ``openfisca test`` (``openfisca_core.tools.test_runner``):
each test has a ``name`` (a sentence), a ``period``, an ``input`` situation and the expected
``output``, with optional ``absolute_error_margin`` / ``relative_error_margin``. The rules
pack importer runs them before a pack becomes active; ``openfisca_core``'s runner needs
pytest, which the installed application does not ship. The test suite runs the same files
with ``openfisca_core.tools.test_runner`` too (tests/rules/test_extension_yaml.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from app.core.rules import safe_yaml
from app.core.base.i18n import t

SUPPORTED_KEYS = frozenset(
    {"name", "description", "keywords", "period", "input", "output", "absolute_error_margin",
     "relative_error_margin"}
)


@dataclass(frozen=True)
class YamlTestOutcome:
    file: str
    name: str
    passed: bool
    message: str = ""  # French, when the test failed or could not run


def yaml_test_files(folder: Path) -> list[Path]:
    """Every ``*.yaml`` / ``*.yml`` file under ``folder``, sorted."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def run_yaml_tests(tax_benefit_system: Any, paths: Iterable[Path]) -> list[YamlTestOutcome]:
    """Run every test of every file; never raises for a failing or broken test."""
    outcomes: list[YamlTestOutcome] = []
    for path in paths:
        try:
            content = safe_yaml.load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            outcomes.append(YamlTestOutcome(path.name, "", False, t("rules.tests.unreadable", reason=_short(error))))
            continue
        tests = content if isinstance(content, list) else [content]
        for test in tests:
            outcomes.append(_run_one(tax_benefit_system, path.name, test))
    return outcomes


def _run_one(tbs: Any, file: str, test: Any) -> YamlTestOutcome:
    if not isinstance(test, dict):
        return YamlTestOutcome(file, "", False, t("rules.tests.not_a_test"))
    name = str(test.get("name") or "")
    unknown = sorted(set(test) - SUPPORTED_KEYS)
    if unknown:
        return YamlTestOutcome(file, name, False, t("rules.tests.unsupported_keys", keys=", ".join(unknown)))
    if not name:
        return YamlTestOutcome(file, name, False, t("rules.tests.no_name"))
    if not isinstance(test.get("output"), dict) or not isinstance(test.get("input"), dict):
        return YamlTestOutcome(file, name, False, t("rules.tests.no_input_output"))
    from openfisca_core.simulations import SimulationBuilder

    period = str(test.get("period")) if test.get("period") is not None else None
    try:
        builder = SimulationBuilder()
        builder.set_default_period(period)
        simulation = builder.build_from_dict(tbs, test["input"])
    except Exception as error:  # noqa: BLE001 - a broken test is a failed test
        return YamlTestOutcome(file, name, False, t("rules.tests.bad_input", reason=_short(error)))
    margins = (_margins(test.get("absolute_error_margin")), _margins(test.get("relative_error_margin")))
    try:
        _check_output(tbs, simulation, test["output"], period, margins)
    except AssertionError as error:
        return YamlTestOutcome(file, name, False, t("rules.tests.wrong_value", reason=_short(error)))
    except Exception as error:  # noqa: BLE001
        return YamlTestOutcome(file, name, False, t("rules.tests.error", reason=_short(error)))
    return YamlTestOutcome(file, name, True)


def _margins(value: Any) -> dict[str, float | None]:
    if value is None:
        return {"default": None}
    if isinstance(value, dict):
        return {"default": None, **{str(k): float(v) for k, v in value.items()}}
    return {"default": float(value)}


def _check_output(
    tbs: Any, simulation: Any, output: dict[str, Any], period: str | None,
    margins: tuple[dict[str, float | None], dict[str, float | None]],
) -> None:
    for key, expected in output.items():
        if tbs.get_variable(key) is not None:
            _check_variable(simulation, key, expected, period, margins, None)
        elif simulation.populations.get(key) is not None:
            for variable, value in expected.items():
                _check_variable(simulation, variable, value, period, margins, None)
        else:
            population = simulation.get_population(plural=key)
            if population is None:
                raise AssertionError(t("rules.tests.unknown_variable", name=key))
            for instance_id, values in expected.items():
                index = population.get_index(instance_id)
                for variable, value in values.items():
                    _check_variable(simulation, variable, value, period, margins, index)


def _check_variable(
    simulation: Any, variable: str, expected: Any, period: str | None,
    margins: tuple[dict[str, float | None], dict[str, float | None]], index: int | None,
) -> None:
    from openfisca_core.tools import assert_near

    if isinstance(expected, dict):
        for at_period, value in expected.items():
            _check_variable(simulation, variable, value, str(at_period), margins, index)
        return
    actual = simulation.calculate(variable, period)
    if index is not None:
        actual = actual[index]
    absolute, relative = margins
    assert_near(
        actual,
        expected,
        absolute.get(variable, absolute["default"]),
        f"{variable}@{period}: ",
        relative.get(variable, relative["default"]),
    )


def _short(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return (text[:300] + "…") if len(text) > 300 else (text or type(error).__name__)
