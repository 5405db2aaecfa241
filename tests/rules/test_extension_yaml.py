"""The OpenFisca extension of rules/local (guichet_local): its YAML tests, metadata, and how
the engine loads it (after the cached parameters: the parameter cache stays valid).

The YAML tests' expected amounts are derived by hand from the Ville de Paris page
https://paris.fr/pages/minimas-sociaux-garanties-de-ressources-3846 (see the test file).
"""

from __future__ import annotations

import ast
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.core.openfisca.extension_tests import run_yaml_tests, yaml_test_files
from app.core.base.paths import bundled_rules_dir

RULES = bundled_rules_dir()
PACKAGE = RULES / "local" / "extension" / "guichet_local"
TESTS = PACKAGE / "tests"


def _tests() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in yaml_test_files(TESTS):
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        out += content if isinstance(content, list) else [content]
    return out


def _extension_variables() -> set[str]:
    names = set()
    for path in (PACKAGE / "variables").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    return names


@pytest.fixture(scope="module")
def extension_system() -> Any:
    from app.core.openfisca.loading import load_system
    from app.core.rules.folder import load_extension

    tbs = load_system(use_cache=True, with_extension=False)
    assert "paris_solidarite_seniors" not in tbs.variables
    assert load_extension(tbs, RULES) == "guichet_local"
    return tbs


# --------------------------------------------------------------------------- tests, as files


def test_test_names_are_sentences() -> None:
    tests = _tests()
    assert len(tests) >= 7
    for test in tests:
        name = test["name"]
        assert name[0].isupper() and len(name.split()) >= 8, name
        assert "_" not in name, name
        assert test["output"], name
    assert len({test["name"] for test in tests}) == len(tests)


def test_every_extension_variable_is_tested() -> None:
    tested: set[str] = set()
    for test in _tests():
        tested |= set(test["output"])
    assert _extension_variables() <= tested


# --------------------------------------------------------------------------- running them


@pytest.mark.slow
# openfisca-core 44.7's plugin still takes pytest's deprecated ``path`` hook argument
@pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn9Warning")
def test_yaml_tests_pass_with_openfisca_test_runner(extension_system: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from openfisca_core.tools import test_runner

    # openfisca-core 44.7 leaves each test file open (yaml.load(open(path))): a ResourceWarning,
    # an error under this project's filterwarnings. Give its collector a file already read.
    def read(path: Any, *args: Any, **kwargs: Any) -> io.StringIO:
        return io.StringIO(Path(path).read_text(encoding="utf-8"))

    monkeypatch.setattr(test_runner, "open", read, raising=False)
    assert test_runner.run_tests(extension_system, [str(TESTS)], {}) == 0


@pytest.mark.slow
def test_yaml_tests_pass_with_the_runner_used_at_import(extension_system: Any) -> None:
    outcomes = run_yaml_tests(extension_system, yaml_test_files(TESTS))
    assert len(outcomes) == len(_tests())
    assert [o.message for o in outcomes if not o.passed] == []


@pytest.mark.slow
def test_a_wrong_expectation_fails(extension_system: Any, tmp_path: Path) -> None:
    source = (TESTS / "paris_solidarite_seniors.yaml").read_text(encoding="utf-8")
    assert source.count("paris_solidarite_seniors: 286") == 1
    (tmp_path / "wrong.yaml").write_text(source.replace("paris_solidarite_seniors: 286", "paris_solidarite_seniors: 300"),
                                         encoding="utf-8")
    outcomes = run_yaml_tests(extension_system, [tmp_path / "wrong.yaml"])
    failed = [o for o in outcomes if not o.passed]
    assert len(failed) == 1
    assert failed[0].name.startswith("Un couple parisien")
    assert "paris_solidarite_seniors" in failed[0].message and "valeur inattendue" in failed[0].message


def test_broken_test_files_are_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("- name: [unclosed\n", encoding="utf-8")
    (tmp_path / "odd.yaml").write_text("- name: Un test sans entrée ni sortie attendue\n  period: 2026-11\n", encoding="utf-8")
    outcomes = run_yaml_tests(object(), yaml_test_files(tmp_path))
    assert [(o.file, o.passed) for o in outcomes] == [("bad.yaml", False), ("odd.yaml", False)]
    assert "illisible" in outcomes[0].message and "input" in outcomes[1].message


# --------------------------------------------------------------------------- metadata


@pytest.mark.slow
def test_variables_have_label_reference_and_unit(extension_system: Any) -> None:
    for name in _extension_variables():
        variable = extension_system.variables[name]
        assert variable.label, name
        references = variable.reference if isinstance(variable.reference, list) else [variable.reference]
        assert references and all(str(r).startswith("https://") for r in references), name
        if variable.value_type is float:
            assert variable.unit == "currency", name


@pytest.mark.slow
def test_parameters_have_description_reference_and_unit(extension_system: Any) -> None:
    leaves = []

    def walk(node: Any) -> None:
        children = getattr(node, "children", None)
        if children is None:
            leaves.append(node)
            return
        for child in children.values():
            walk(child)

    walk(extension_system.parameters.guichet_local)
    assert len(leaves) == 3
    for parameter in leaves:
        assert parameter.description, parameter.name
        assert parameter.metadata.get("unit") in ("currency", "year"), parameter.name
        references = parameter.metadata.get("reference")
        assert references and all(r["href"].startswith("https://") and r["title"] for r in references.values())
    seniors = extension_system.parameters.guichet_local.paris.solidarite_seniors
    assert (seniors.plafond_personne_seule("2026-11-01"), seniors.plafond_couple("2026-11-01")) == (1129, 1786)
    assert seniors.plafond_personne_seule("2024-01-31") is None or seniors.plafond_personne_seule("2024-01-31") == 0


# --------------------------------------------------------------------------- engine load


@pytest.mark.slow
def test_parameter_cache_stays_openfisca_france_only(engine: Any) -> None:
    """The session's engine wrote or read the parameter cache, then loaded the extension:
    the cache holds openfisca-france's tree alone, so a system read from it takes the
    extension again (any extension, any version) without a conflict."""
    from app.core.openfisca.loading import _cache_path, _read_parameter_cache, installed_versions, load_system

    assert "paris_solidarite_seniors" in engine.tbs.variables
    assert "guichet_local" in engine.tbs.parameters.children
    versions = installed_versions()
    cached = _read_parameter_cache(_cache_path(versions), versions)
    assert cached is not None
    assert "guichet_local" not in cached.children
    again = load_system()  # from the cache, then the extension
    assert again.parameters.guichet_local.paris.solidarite_seniors.plafond_couple("2026-11-01") == 1786
    assert "prestations_sociales" in again.parameters.children
    reread = _read_parameter_cache(_cache_path(versions), versions)
    assert reread is not None and "guichet_local" not in reread.children


@pytest.mark.slow
def test_broken_extension(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from app.core.openfisca.loading import load_system
    from app.core.rules.folder import RulesPackError, load_extension

    shutil.copy(RULES / "manifest.yaml", tmp_path / "manifest.yaml")
    shutil.copytree(PACKAGE, tmp_path / "local" / "extension" / "guichet_local",
                    ignore=shutil.ignore_patterns("__pycache__"))
    broken = tmp_path / "local" / "extension" / "guichet_local" / "variables" / "paris_solidarite_seniors.py"
    broken.write_text(broken.read_text(encoding="utf-8").replace("class paris_solidarite_seniors(Variable):",
                                                                   "class paris_solidarite_seniors(Variable)"),
                      encoding="utf-8")
    tbs = load_system(use_cache=True, with_extension=False)
    with pytest.raises(RulesPackError, match="guichet_local ne se charge pas"):
        load_extension(tbs, tmp_path)


def test_folder_without_extension(tmp_path: Path) -> None:
    from app.core.rules.folder import load_extension

    (tmp_path / "manifest.yaml").write_text(
        (RULES / "manifest.yaml").read_text(encoding="utf-8").replace("extension: guichet_local\n", ""),
        encoding="utf-8",
    )
    assert load_extension(object(), tmp_path) is None
