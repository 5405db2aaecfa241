"""The national benefit catalogue (rules/benefits/*.yaml) and its loader."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from app.core.benefits.benefit import Benefit, CatalogueError, CheckWhen
from app.core.benefits.catalogue import Catalogue, load_catalogue
from app.core.base.paths import bundled_rules_dir

RULES = bundled_rules_dir()
BENEFITS_DIR = RULES / "benefits"
SCHEMA_PATH = RULES / "schema" / "benefit.schema.json"
FILES = sorted(BENEFITS_DIR.glob("*.yaml"))

EXPECTED_IDS = {
    "rsa",
    "prime_activite",
    "aide_logement",
    "allocations_familiales",
    "complement_familial",
    "allocation_rentree_scolaire",
    "asf",
    "paje_base",
    "aah",
    "aspa",
    "asi",
    "ass",
    "css_gratuite",
    "css_participation",
    "cheque_energie",
    "bourse_college",
    "bourse_lycee",
    "aeeh",
    # issue 14
    "paje_naissance", "paje_adoption", "paje_cmg", "bourse_criteres_sociaux", "aide_merite",
    "contrat_engagement_jeune", "agepi", "aide_permis_demandeur_emploi", "aide_mobilite", "complement_are",
    "visale", "locapass", "mon_job_mon_logement", "pass_sport", "pass_culture", "reduction_loyer_solidarite",
    "aefa", "ada", "logement_social",
}
# Not in the totals: contributions, rights without an amount, one-off sums, a rent reduction the
# landlord already applies.
NOT_COUNTED = {
    "css_participation", "css_gratuite", "visale", "locapass", "logement_social", "paje_naissance",
    "paje_adoption", "agepi", "aide_permis_demandeur_emploi", "aide_mobilite", "mon_job_mon_logement",
    "pass_sport", "pass_culture", "reduction_loyer_solidarite",
}

# id -> (OpenFisca variable, entity, definition period) as in openfisca-france 176.1.8
EXPECTED_VARIABLES = {
    "rsa": ("rsa", "famille", "month"),
    "prime_activite": ("ppa", "famille", "month"),
    "aide_logement": ("aide_logement", "famille", "month"),
    "allocations_familiales": ("af", "famille", "month"),
    "complement_familial": ("cf", "famille", "month"),
    "allocation_rentree_scolaire": ("ars", "famille", "year"),
    "asf": ("asf", "famille", "month"),
    "paje_base": ("paje_base", "famille", "month"),
    "aah": ("aah", "individu", "month"),
    "aspa": ("aspa", "famille", "month"),
    "asi": ("asi", "individu", "month"),
    "ass": ("ass", "individu", "month"),
    "css_gratuite": ("cmu_c", "famille", "month"),
    "css_participation": ("css_participation_forfaitaire", "famille", "month"),
    "cheque_energie": ("cheque_energie", "menage", "year"),
    "bourse_college": ("bourse_college", "famille", "month"),
    "bourse_lycee": ("bourse_lycee", "famille", "month"),
    "aeeh": ("aeeh", "famille", "month"),
    # issue 14: every other household-level right OpenFisca-France computes (docs/rules.md)
    "paje_naissance": ("paje_naissance", "famille", "month"),
    "paje_adoption": ("paje_adoption", "famille", "month"),
    "paje_cmg": ("paje_cmg", "famille", "month"),
    "bourse_criteres_sociaux": ("bourse_criteres_sociaux", "individu", "month"),
    "aide_merite": ("aide_merite_montant", "individu", "month"),
    "contrat_engagement_jeune": ("contrat_engagement_jeune", "individu", "month"),
    "agepi": ("agepi", "individu", "month"),
    "aide_permis_demandeur_emploi": ("aide_permis_demandeur_emploi", "individu", "month"),
    "aide_mobilite": ("aide_mobilite", "individu", "month"),
    "complement_are": ("complement_are_net", "individu", "month"),
    "visale": ("visale_eligibilite", "menage", "month"),
    "locapass": ("locapass_eligibilite", "individu", "month"),
    "mon_job_mon_logement": ("mon_job_mon_logement", "individu", "month"),
    "pass_sport": ("pass_sport", "individu", "month"),
    "pass_culture": ("pass_culture", "individu", "month"),
    "reduction_loyer_solidarite": ("reduction_loyer_solidarite", "famille", "month"),
    "aefa": ("aefa", "famille", "year"),
    "ada": ("ada", "famille", "month"),
    "logement_social": ("logement_social_eligible", "famille", "month"),
}

TEXT_KEYS = {
    "label",
    "short_label",
    "description",
    "where",
    "documents",
    "conditions_to_check",
    "name",
    "alternative",
    "title",
    "short",
}


def _raw(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _strings(node: Any, key: str | None = None) -> Iterator[tuple[str | None, str]]:
    """Every string of a YAML tree, with the mapping key it hangs from."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, str(k))
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item, key)
    elif isinstance(node, str):
        yield key, node


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    """A writable copy of rules/benefits and rules/schema; returns the benefits folder."""
    shutil.copytree(BENEFITS_DIR, tmp_path / "benefits")
    shutil.copytree(RULES / "schema", tmp_path / "schema")
    return tmp_path / "benefits"


# --- data files ---------------------------------------------------------------


def test_schema_is_valid_draft_2020_12() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_file_validates_against_schema(path: Path) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(_raw(path))]
    assert errors == []


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_id_matches_file_name(path: Path) -> None:
    assert _raw(path)["id"] == path.stem


def test_all_expected_benefits_present_and_nothing_else() -> None:
    assert {p.stem for p in FILES} == EXPECTED_IDS


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_url_is_https(path: Path) -> None:
    data = _raw(path)
    urls = [text for key, text in _strings(data) if key == "url" or "http" in text.lower()]
    assert urls, "each benefit names at least one address"
    for url in urls:
        assert re.fullmatch(r"https://[^\s/]+\.[^\s]+", url), url


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_acronyms_are_spelled_out(path: Path) -> None:
    """Every acronym in the French texts is explained once, as « Meaning (ACR) » or « ACR (meaning) »."""
    texts = [text for key, text in _strings(_raw(path)) if key in TEXT_KEYS]
    whole = "\n".join(texts)
    acronyms = set(re.findall(r"\b[A-ZÉ]{2,}\b", whole))
    unexplained = {a for a in acronyms if f"({a})" not in whole and f"{a} (" not in whole}
    assert unexplained == set()


def test_values_and_totals_are_consistent() -> None:
    by_id = {p.stem: _raw(p) for p in FILES}
    assert by_id["css_participation"]["openfisca"]["value"] == "contribution"
    assert by_id["css_participation"]["counts_in_total"] is False
    assert by_id["css_gratuite"]["openfisca"]["value"] == "boolean"
    assert by_id["css_gratuite"]["counts_in_total"] is False
    counted = {i for i, d in by_id.items() if d["counts_in_total"]}
    assert counted == EXPECTED_IDS - NOT_COUNTED
    for benefit_id in ("bourse_college", "bourse_lycee"):
        assert by_id[benefit_id]["openfisca"]["period"] == "month"
        assert by_id[benefit_id]["openfisca"]["amount_period"] == "year"


# --- loader ---------------------------------------------------------------------


def test_load_bundled_catalogue(catalogue: Catalogue) -> None:
    assert set(catalogue.ids()) == EXPECTED_IDS
    assert len(catalogue) == len(EXPECTED_IDS)
    orders = [b.order for b in catalogue]
    assert orders == sorted(orders)
    assert len(set(orders)) == len(orders)
    assert catalogue.ids()[:3] == ("rsa", "prime_activite", "aide_logement")
    assert all(isinstance(b, Benefit) for b in catalogue)


def test_benefit_fields(catalogue: Catalogue) -> None:
    logement = catalogue.get("aide_logement")
    assert logement.detail == ("apl", "alf", "als")
    assert logement.source_file == "rules/benefits/aide_logement.yaml"
    rsa = catalogue.get("rsa")
    assert (rsa.variable, rsa.entity, rsa.period, rsa.value) == ("rsa", "famille", "month", "amount")
    assert rsa.paying_body.short == "CAF"
    assert rsa.apply.paper is not None and rsa.apply.paper.cerfa == "15481"
    assert rsa.apply.automatic is False
    assert rsa.check_when is None
    assert rsa.reference.url is not None and rsa.reference.url.startswith("https://www.legifrance.gouv.fr/")
    assert catalogue.get("cheque_energie").apply.automatic is True
    assert catalogue.get("css_participation").counts_in_total is False
    assert catalogue.get("css_participation").value == "contribution"
    with pytest.raises(KeyError):
        catalogue.get("inconnue")


def test_paid_automatically_always_or_when_receiving_a_caf_benefit(catalogue: Catalogue) -> None:
    # The energy cheque is sent without a claim (Code de l'énergie L124-1; apply.automatic).
    assert catalogue.get("cheque_energie").paid_automatically(()) is True
    # The ARS comes without a claim only to families the CAF already pays (service-public.fr F1878).
    ars = catalogue.get("allocation_rentree_scolaire")
    assert ars.paid_automatically(()) is False
    assert ars.paid_automatically(("allocations_familiales",)) is True
    assert ars.paid_automatically(("rsa",)) is True
    assert ars.paid_automatically(("cheque_energie",)) is False  # not a CAF benefit
    assert set(ars.apply.automatic_when_receiving) <= {
        b.id for b in catalogue if b.paying_body.short == "CAF"
    }
    assert catalogue.get("prime_activite").paid_automatically(("allocations_familiales",)) is False


def test_check_when(catalogue: Catalogue) -> None:
    assert catalogue.get("ass").check_when == CheckWhen(
        activity_any=("demandeur_emploi_non_indemnise", "demandeur_emploi_indemnise")
    )
    assert catalogue.get("asi").check_when == CheckWhen(disability_any=True, persons="adults")
    assert catalogue.get("aeeh").check_when == CheckWhen(disability_any=True, persons="dependants")
    assert catalogue.get("aspa").check_when == CheckWhen(age_min_any=62, persons="adults")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "field"),
    [
        ("rsa", "entity: famille", "entity: foyer", "openfisca.entity"),
        ("rsa", "  variable: rsa\n", "", "openfisca.variable"),
        ("rsa", "order: 10", "order: dix", "order"),
        ("rsa", "url: https://wwwd.caf.fr/redirect", "url: http://wwwd.caf.fr/redirect", "apply.online.url"),
        ("rsa", 'cerfa: "15481"', 'cerfa: "15481 bis"', "apply.paper.cerfa"),
        ("rsa", "periodicity: mensuelle", "periodicity: mensuelle\nperiodicite: x", "periodicite"),
        ("css_participation", "counts_in_total: false", "counts_in_total: true", "counts_in_total"),
        ("ass", "[demandeur_emploi_non_indemnise,", "[chomeur,", "check_when.activity_any.0"),
        ("aspa", "age_min_any: 62", "age_minimum: 62", "check_when.age_minimum"),
        ("aah", "id: aah", "id: aah_adulte", "id"),
        ("aah", "short_label: AAH", "short_label: " + "A" * 41, "short_label"),
        ("aspa", "age_min_any: 62", "age_min_any: 200", "check_when.age_min_any"),
        ("asi", "  - Dernier avis d'impôt sur le revenu\n", "  - 2 justificatifs de domicile de moins de 6 mois\n", "documents"),
        ("allocation_rentree_scolaire", "automatic_when_receiving: [allocations_familiales,",
         "automatic_when_receiving: [allocations_familliales,", "apply.automatic_when_receiving"),
        ("allocation_rentree_scolaire", "automatic_when_receiving: [allocations_familiales,",
         "automatic_when_receiving: [Allocations,", "apply.automatic_when_receiving.0"),
    ],
)
def test_broken_file_names_file_and_field(
    rules_copy: Path, file: str, old: str, new: str, field: str
) -> None:
    _edit(rules_copy / f"{file}.yaml", old, new)
    with pytest.raises(CatalogueError) as info:
        load_catalogue(rules_copy)
    message = str(info.value)
    assert f"{file}.yaml" in message
    assert f"champ « {field} »" in message


def test_error_gives_line_number(rules_copy: Path) -> None:
    _edit(rules_copy / "rsa.yaml", "entity: famille", "entity: foyer")
    with pytest.raises(CatalogueError, match=r"rsa\.yaml, champ « openfisca\.entity », ligne 12 :"):
        load_catalogue(rules_copy)


def test_yaml_syntax_error(rules_copy: Path) -> None:
    _edit(rules_copy / "asf.yaml", "order: 60", "order: [60")
    with pytest.raises(CatalogueError, match=r"asf\.yaml, ligne \d+ : le fichier n'est pas du YAML valide"):
        load_catalogue(rules_copy)


def test_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "benefits").mkdir()
    shutil.copytree(RULES / "schema", tmp_path / "schema")
    with pytest.raises(CatalogueError, match="aucun fichier"):
        load_catalogue(tmp_path / "benefits")


def test_missing_schema(tmp_path: Path) -> None:
    shutil.copytree(BENEFITS_DIR, tmp_path / "benefits")
    with pytest.raises(CatalogueError, match="benefit.schema.json"):
        load_catalogue(tmp_path / "benefits")


def test_copy_loads_like_bundled(rules_copy: Path, catalogue: Catalogue) -> None:
    copy = load_catalogue(rules_copy)
    assert copy.ids() == catalogue.ids()
    assert copy.get("rsa").source_file.endswith("rsa.yaml")


# --- against OpenFisca-France -------------------------------------------------------


@pytest.fixture(scope="module")
def tax_benefit_system() -> Any:
    from openfisca_france import CountryTaxBenefitSystem

    return CountryTaxBenefitSystem()


@pytest.mark.slow
def test_variables_exist_in_openfisca(tax_benefit_system: Any, catalogue: Catalogue) -> None:
    for benefit in catalogue:
        assert (benefit.variable, benefit.entity, benefit.period) == EXPECTED_VARIABLES[benefit.id]
        for name in (benefit.variable, *benefit.detail):
            variable = tax_benefit_system.variables.get(name)
            assert variable is not None, f"{benefit.id}: {name} absent d'OpenFisca-France"
            assert variable.entity.key == benefit.entity, f"{benefit.id}: {name}"
            assert str(variable.definition_period) == benefit.period, f"{benefit.id}: {name}"
            expected_type = bool if benefit.value == "boolean" else float
            assert variable.value_type is expected_type, f"{benefit.id}: {name}"


def test_a_loaded_catalogue_is_reused_until_a_file_of_its_rules_changes(rules_copy: Path) -> None:
    first = load_catalogue(rules_copy)
    assert load_catalogue(rules_copy) is first  # nothing changed: not validated again
    path = rules_copy / "rsa.yaml"
    text = path.read_text(encoding="utf-8")
    label = first.get("rsa").label
    path.write_text(text.replace(label, label + " (modifié)", 1), encoding="utf-8")
    second = load_catalogue(rules_copy)
    assert second is not first
    assert second.get("rsa").label == label + " (modifié)"
