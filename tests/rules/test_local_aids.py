"""Local aids (rules/local/*.yaml): schema errors, criteria evaluation, engine integration.

Expected amounts come from the official pages quoted in each aid's file:
- Paris Logement Familles (paris.fr page « Aides au logement et à l'énergie », 29/12/2023):
  3+ children and at most 3 000 €/month: 128 € + 41 € per child from the 4th; 3+ children,
  3 001 to 5 000 €: 84 € + 21 € per child from the 4th; 2 children and at most 2 000 €: 116 €.
- Paris Logement (paris.fr, English page): at most 84 € single, 95 € couple, 116 € couple + 1 child.
- Revenu Solidarité Jeunes (Info Jeunes Lyon): 420 € with no resource, 315 € under 400 €/month.
- TCL Solidaire Gratuit (tcl.fr): free pass for RSA, AAH, ASI, ASPA, RSJ recipients in the Rhône.
- Paris Solidarité seniors (paris.fr, 04/07/2024): 1 129 € single minus resources.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from app.core.benefits.catalogue import Catalogue, load_catalogue
from app.core.benefits.benefit import CatalogueError
from app.core.benefits.results import BenefitResult, Status
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
)
from app.core.benefits.local_aids import (
    DETAIL_MAXIMUM,
    DETAIL_NOT_EVALUATED,
    DETAIL_OUTSIDE_TERRITORY,
    DETAIL_UNKNOWN_AMOUNT,
    LocalAid,
    amount_note,
    evaluate,
    is_outside_territory,
    quotient_familial_parts,
    territory_matches,
)
from app.core.base.paths import bundled_rules_dir

RULES = bundled_rules_dir()
LOCAL = RULES / "local"
MONTH = "2026-11"
BUNDLED_IDS = {
    "paris_solidarite_seniors",
    "paris_logement_familles",
    "paris_logement",
    "revenu_solidarite_jeunes",
    "tcl_solidaire_gratuit",
}


# --------------------------------------------------------------------------- helpers


def person(pid: str, role: Role, age: int, *, activity: Activity = Activity.INACTIF,
           salary: float | None = None, disability: float | None = None,
           taxable: float | None = None, kind: ResourceKind = ResourceKind.SALAIRE_NET) -> Person:
    birth = dt.date(2026 - age, 6, 1)  # age years old on 2026-11-01
    resources = (Resource(kind, stable=salary),) if salary is not None else ()
    return Person(pid, role, birth, activity=activity, resources=resources, disability_rate=disability,
                  taxable_income_last_year=taxable)


def family(children: int, salary: float, *, commune: str = "75056", status: HousingStatus = HousingStatus.LOCATAIRE_VIDE,
           couple: bool = False, rent: float = 900.0, taxable: float | None = None) -> Household:
    persons = [person("p1", Role.DEMANDEUR, 40, activity=Activity.SALARIE, salary=salary, taxable=taxable)]
    if couple:
        persons.append(person("p2", Role.CONJOINT, 38, taxable=0.0 if taxable is not None else None))
    persons += [person(f"c{i}", Role.ENFANT, 3 + i) for i in range(children)]
    return Household(tuple(persons), couple=CoupleStatus.MARIE if couple else CoupleStatus.SEUL,
                     housing=Housing(status, rent=rent, commune_insee=commune))


def result(benefit_id: str, amount: float = 100.0, status: Status = Status.ELIGIBLE) -> BenefitResult:
    return BenefitResult(benefit_id, status, amount, "month")


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def aid(catalogue: Catalogue, aid_id: str) -> LocalAid:
    found = catalogue.get(aid_id)
    assert isinstance(found, LocalAid)
    return found


def run(catalogue: Catalogue, aid_id: str, household: Household, *results: BenefitResult) -> Any:
    entry = aid(catalogue, aid_id)
    assert territory_matches(entry.territory, household), "household outside the aid's territory"
    return evaluate(entry, household, MONTH, {r.benefit_id: r for r in results})


# --------------------------------------------------------------------------- bundled files


def test_schema_is_valid_draft_2020_12() -> None:
    schema = json.loads((RULES / "schema" / "local_aid.schema.json").read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_bundled_local_aids(catalogue: Catalogue) -> None:
    assert {a.id for a in catalogue.local_aids} == BUNDLED_IDS
    assert catalogue.version == "2026.11.1"
    # national iteration is unchanged; entries() and get() see the local aids too
    assert not BUNDLED_IDS & set(catalogue.ids())
    assert BUNDLED_IDS <= set(catalogue.all_ids())
    assert [b.id for b in catalogue.entries()][: len(catalogue)] == list(catalogue.ids())
    orders = [a.order for a in catalogue.local_aids]
    assert orders == sorted(orders)
    for entry in catalogue.local_aids:
        assert isinstance(entry, LocalAid)
        assert entry.source.url and entry.source.url.startswith("https://")
        text = (LOCAL / f"{entry.id}.yaml").read_text(encoding="utf-8")
        assert entry.source.url in text and "# " in text  # the address is in the file, with comments
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry.version)
        assert entry.territory.label and (entry.territory.communes or entry.territory.departments)
        assert entry.conditions_to_check
    assert aid(catalogue, "paris_solidarite_seniors").rule is None
    assert aid(catalogue, "paris_solidarite_seniors").variable == "paris_solidarite_seniors"
    assert aid(catalogue, "tcl_solidaire_gratuit").value == "boolean"
    assert aid(catalogue, "tcl_solidaire_gratuit").counts_in_total is False


def test_metropole_de_lyon_communes(catalogue: Catalogue) -> None:
    from app.core.model.communes import default_index

    communes = aid(catalogue, "revenu_solidarite_jeunes").territory.communes
    index = default_index()
    # 59 communes until 2023; Oullins and Pierre-Bénite merged in 2024 (69149)
    assert len(communes) == 58
    assert all(index.by_insee(code) is not None and index.by_insee(code).insee == code for code in communes)
    assert {"69123", "69266", "69259", "69149"} <= set(communes)
    assert "69264" not in communes  # Villefranche-sur-Saône: Rhône, not the Métropole


# --------------------------------------------------------------------------- schema errors


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    """A writable copy of benefits/, schema/ and the local aid files; returns the copy's root."""
    shutil.copytree(RULES / "benefits", tmp_path / "benefits")
    shutil.copytree(RULES / "schema", tmp_path / "schema")
    (tmp_path / "local").mkdir()
    for path in LOCAL.glob("*.yaml"):
        shutil.copy(path, tmp_path / "local" / path.name)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> int:
    """Replace once; returns the 1-based line where the new text starts."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    position = text.index(old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[:position].count("\n") + 1


@pytest.mark.parametrize(
    ("file", "old", "new", "field", "line_of"),
    [
        ("revenu_solidarite_jeunes", "activities_excluded: [etudiant]", "activities_excluded: [etudiante]",
         "criteria.person.activities_excluded.0", "activities_excluded"),
        ("revenu_solidarite_jeunes", "  receives_none: [rsa, aah, aeeh]", "  receives_none: [rsa, aah, aeh]",
         "criteria.receives_none.2", "receives_none"),
        ("paris_logement_familles", "      amount: 116\n", "      amount: cent seize\n",
         "amount.brackets.2.amount", "cent seize"),
        ("paris_logement_familles", "  value: amount\n  period: month\n  brackets:",
         "  value: amount\n  period: month\n  brakets:", "amount.brakets", "brakets"),
        ("tcl_solidaire_gratuit", "  departments: [\"69\"]", "  departments: [\"6\"]",
         "territory.departments.0", "departments"),
        ("paris_logement", "  url: https://www.paris.fr./en/pages/housing-and-energy-assistance-29579\nsource:",
         "  url: http://www.paris.fr/en/pages/housing\nsource:", "reference.url", "http://"),
        ("paris_logement", "version: \"2026-11-29\"", "version: \"29/11/2026\"", "version", "version:"),
        ("tcl_solidaire_gratuit", "counts_in_total: false", "counts_in_total: true", "counts_in_total",
         "counts_in_total"),
        ("paris_logement_familles", "id: paris_logement_familles", "id: plf", "id", "id:"),
    ],
)
def test_schema_error_names_file_field_and_line(
    rules_copy: Path, file: str, old: str, new: str, field: str, line_of: str
) -> None:
    path = rules_copy / "local" / f"{file}.yaml"
    _edit(path, old, new)
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line_of in text)
    with pytest.raises(CatalogueError) as info:
        load_catalogue(rules_copy / "benefits")
    message = str(info.value)
    assert f"{file}.yaml" in message
    assert f"champ « {field} »" in message
    assert f"ligne {line} :" in message


def test_missing_field_points_at_the_parent(rules_copy: Path) -> None:
    path = rules_copy / "local" / "paris_logement.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"\nsource:\n(  .*\n)+", "\n", text), encoding="utf-8")
    root = next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith("id:"))  # after the comments
    with pytest.raises(CatalogueError,
                       match=rf"paris_logement\.yaml, champ « source », ligne {root} : champ obligatoire manquant"):
        load_catalogue(rules_copy / "benefits")


def test_unknown_benefit_reference(rules_copy: Path) -> None:
    path = rules_copy / "local" / "tcl_solidaire_gratuit.yaml"
    line = _edit(path, "  receives_any: [rsa, aah, asi, aspa, revenu_solidarite_jeunes]",
                 "  receives_any: [rsa, aah, asi, aspa, pass_navigo]")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(rules_copy / "benefits")
    assert "tcl_solidaire_gratuit.yaml, champ « criteria.receives_any.4 »" in str(info.value)
    assert f"ligne {line} :" in str(info.value)
    assert "pass_navigo" in str(info.value)


def test_reference_to_a_later_local_aid_is_refused(rules_copy: Path) -> None:
    # RSJ (order 1100) may not read TCL (order 1110), evaluated after it
    _edit(rules_copy / "local" / "revenu_solidarite_jeunes.yaml", "receives_none: [rsa, aah, aeeh]",
          "receives_none: [rsa, aah, aeeh, tcl_solidaire_gratuit]")
    with pytest.raises(CatalogueError, match="criteria.receives_none.3"):
        load_catalogue(rules_copy / "benefits")


def test_yaml_syntax_error_gives_line(rules_copy: Path) -> None:
    line = _edit(rules_copy / "local" / "paris_logement.yaml", "order: 1020", "order: [1020")
    with pytest.raises(CatalogueError, match=r"paris_logement\.yaml, ligne \d+ : le fichier n'est pas du YAML valide"):
        load_catalogue(rules_copy / "benefits")
    assert line > 1


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        ("  brackets:\n    - when: {children_min: 3, resources_at_most: 3000}",
         "  fixed: 10\n  brackets:\n    - when: {children_min: 3, resources_at_most: 3000}", "amount", "un seul"),
        ("resources:\n  basis: household\n  months: 12\n  declared_income_first: true\n", "",
         "resources", "ressources"),
        ("    - when: {children_min: 3, resources_above: 3000, resources_at_most: 5000}",
         "    - when: {children_min: 3, resources_above: 6000, resources_at_most: 5000}",
         "amount.brackets.1.when.resources_above", "jamais"),
        ("criteria:\n  housing_status:", "openfisca: {variable: x, entity: famille, period: month, value: amount, "
         "amount_period: month}\ncriteria:\n  housing_status:", "openfisca", "pas les deux"),
    ],
)
def test_consistency_errors(rules_copy: Path, old: str, new: str, field: str, words: str) -> None:
    _edit(rules_copy / "local" / "paris_logement_familles.yaml", old, new)
    with pytest.raises(CatalogueError) as info:
        load_catalogue(rules_copy / "benefits")
    assert f"paris_logement_familles.yaml, champ « {field} »" in str(info.value)
    assert words in str(info.value)
    assert "ligne" in str(info.value)


def test_local_id_may_not_reuse_a_national_id(rules_copy: Path) -> None:
    path = rules_copy / "local" / "paris_logement.yaml"
    path.rename(path.with_name("rsa.yaml"))
    _edit(path.with_name("rsa.yaml"), "id: paris_logement", "id: rsa")
    with pytest.raises(CatalogueError, match="aide nationale"):
        load_catalogue(rules_copy / "benefits")


def test_no_local_folder_means_no_local_aid(tmp_path: Path) -> None:
    shutil.copytree(RULES / "benefits", tmp_path / "benefits")
    shutil.copytree(RULES / "schema", tmp_path / "schema")
    catalogue = load_catalogue(tmp_path / "benefits")
    assert catalogue.local_aids == () and catalogue.version == ""


# --------------------------------------------------------------------------- territory


def test_territory(catalogue: Catalogue) -> None:
    paris = aid(catalogue, "paris_logement_familles").territory
    rhone = aid(catalogue, "tcl_solidaire_gratuit").territory
    metropole = aid(catalogue, "revenu_solidarite_jeunes").territory
    assert territory_matches(paris, family(2, 1000, commune="75056"))
    assert not territory_matches(paris, family(2, 1000, commune="69123"))
    assert not territory_matches(paris, family(2, 1000, commune=""))  # unknown: the aid is not shown
    assert territory_matches(rhone, family(2, 1000, commune="69264"))  # Villefranche: Rhône
    assert not territory_matches(metropole, family(2, 1000, commune="69264"))  # …but not the Métropole
    assert territory_matches(metropole, family(2, 1000, commune="69381"))  # Lyon 1er: former code of Lyon
    assert territory_matches(metropole, family(2, 1000, commune="69152"))  # Pierre-Bénite, merged in 2024
    no_commune = Household(family(0, 0).persons, housing=Housing(HousingStatus.LOCATAIRE_VIDE, postal_code="69100"))
    assert territory_matches(rhone, no_commune)  # department from the postal code
    assert not territory_matches(metropole, no_commune)


# --------------------------------------------------------------------------- Paris Logement Familles


@pytest.mark.parametrize(
    ("children", "salary", "expected"),
    [
        (3, 2500.0, 128.0),  # 3 children, at most 3 000 €
        (3, 3000.0, 128.0),  # "inférieur ou égal à 3000€"
        (4, 2500.0, 169.0),  # 128 + 41 for the 4th child
        (6, 1500.0, 251.0),  # 128 + 3 × 41
        (3, 3000.01, 84.0),  # between 3 001 and 5 000 €
        (5, 4000.0, 126.0),  # 84 + 2 × 21
        (2, 1800.0, 116.0),  # 2 children, at most 2 000 €
        (2, 2000.0, 116.0),
    ],
)
def test_paris_logement_familles_amounts(catalogue: Catalogue, children: int, salary: float, expected: float) -> None:
    outcome = run(catalogue, "paris_logement_familles", family(children, salary))
    assert (outcome.status, outcome.amount) == (Status.ELIGIBLE.value, expected)


@pytest.mark.parametrize(
    ("household", "status", "detail"),
    [
        (family(3, 5000.5), Status.NOT_ELIGIBLE, None),  # over 5 000 €: no bracket on the page
        (family(1, 1000.0), Status.NOT_ELIGIBLE, None),  # one child, not disabled
        (family(3, 1000.0, status=HousingStatus.HEBERGE), Status.NOT_ELIGIBLE, None),
        (family(2, 2500.0), Status.TO_CHECK, DETAIL_UNKNOWN_AMOUNT),  # amount not on the stored page
    ],
)
def test_paris_logement_familles_other_cases(
    catalogue: Catalogue, household: Household, status: Status, detail: str | None
) -> None:
    outcome = run(catalogue, "paris_logement_familles", household)
    assert (outcome.status, outcome.amount, outcome.detail) == (status.value, 0.0, detail)
    if status == Status.NOT_ELIGIBLE:
        assert outcome.reasons  # French reasons for the agent


def test_paris_logement_familles_disabled_only_child(catalogue: Catalogue) -> None:
    household = family(1, 1000.0)
    child = household.persons[1]
    household = Household((household.persons[0], Person(child.id, Role.ENFANT, child.birth_date, disability_rate=80.0)),
                          housing=household.housing)
    outcome = run(catalogue, "paris_logement_familles", household)
    assert (outcome.status, outcome.detail) == (Status.TO_CHECK.value, DETAIL_UNKNOWN_AMOUNT)


def test_paris_logement_familles_declared_income_first(catalogue: Catalogue) -> None:
    # declared taxable income 38 400 €/year = 3 200 €/month (> 3 000): 84 €, although the net
    # salary entered is 2 500 €/month (<= 3 000: 128 €)
    outcome = run(catalogue, "paris_logement_familles", family(3, 2500.0, couple=True, taxable=38400.0))
    assert outcome.amount == 84.0
    # taxable income unknown for the spouse: back to the declared monthly resources
    household = family(3, 2500.0, couple=True, taxable=38400.0)
    spouse = household.persons[1]
    household = Household((household.persons[0], Person(spouse.id, Role.CONJOINT, spouse.birth_date),
                           *household.persons[2:]), couple=CoupleStatus.MARIE, housing=household.housing)
    assert run(catalogue, "paris_logement_familles", household).amount == 128.0


# --------------------------------------------------------------------------- Paris Logement


@pytest.mark.parametrize(
    ("couple", "children", "maximum"),
    [(False, 0, 84.0), (True, 0, 95.0), (True, 1, 116.0)],
)
def test_paris_logement_maximum(catalogue: Catalogue, couple: bool, children: int, maximum: float) -> None:
    # rent 450 € for 1 000 € of resources: 45 % >= 30 %
    outcome = run(catalogue, "paris_logement", family(children, 1000.0, couple=couple, rent=450.0))
    assert (outcome.status, outcome.amount, outcome.detail) == (Status.TO_CHECK.value, maximum, DETAIL_MAXIMUM)
    item = BenefitResult("paris_logement", Status.TO_CHECK, outcome.amount, "month", detail=outcome.detail)
    assert amount_note(item) == f"jusqu'à {maximum:.0f},00\u00a0€ par mois"


@pytest.mark.parametrize(
    "household",
    [
        family(0, 1000.0, rent=250.0),  # 25 % < 30 %
        family(1, 1000.0, rent=450.0),  # single parent: not among the page's compositions
        family(2, 1000.0, couple=True, rent=450.0),  # 2 children: Paris Logement Familles instead
        family(0, 1000.0, rent=450.0, status=HousingStatus.PROPRIETAIRE),  # tenants only
    ],
)
def test_paris_logement_not_eligible(catalogue: Catalogue, household: Household) -> None:
    assert run(catalogue, "paris_logement", household).status == Status.NOT_ELIGIBLE.value


# --------------------------------------------------------------------------- Revenu Solidarité Jeunes


def young(age: int = 20, salary: float | None = None, activity: Activity = Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE,
          commune: str = "69266") -> Household:
    return Household((person("y1", Role.DEMANDEUR, age, activity=activity, salary=salary),),
                     housing=Housing(HousingStatus.HEBERGE, commune_insee=commune))


@pytest.mark.parametrize(
    ("salary", "status", "amount"),
    [
        (None, Status.ELIGIBLE, 420.0),  # no resource at all
        (0.0, Status.ELIGIBLE, 420.0),
        (300.0, Status.ELIGIBLE, 315.0),  # under 400 €
        (399.99, Status.ELIGIBLE, 315.0),
        (400.0, Status.NOT_ELIGIBLE, 0.0),  # "moins de 400 euros"
        (650.0, Status.NOT_ELIGIBLE, 0.0),
    ],
)
def test_rsj_amounts(catalogue: Catalogue, salary: float | None, status: Status, amount: float) -> None:
    outcome = run(catalogue, "revenu_solidarite_jeunes", young(salary=salary))
    assert (outcome.status, outcome.amount) == (status.value, amount)
    if status == Status.ELIGIBLE:
        assert outcome.beneficiaries == ("y1",)


def test_rsj_activity_resources_only(catalogue: Catalogue) -> None:
    # an alimony received is not an activity resource: still "sans aucune ressource" d'activité
    household = Household((person("y1", Role.DEMANDEUR, 22, salary=500.0, kind=ResourceKind.PENSION_ALIMENTAIRE_RECUE),),
                          housing=Housing(HousingStatus.HEBERGE, commune_insee="69123"))
    assert run(catalogue, "revenu_solidarite_jeunes", household).amount == 420.0


@pytest.mark.parametrize(
    ("household", "results"),
    [
        (young(age=17), ()),
        (young(age=25), ()),
        (young(activity=Activity.ETUDIANT), ()),
        (young(), (result("rsa", 500.0),)),  # receives the RSA (OpenFisca result)
        (young(), (result("aah", 900.0),)),
        (Household(young().persons, housing=young().housing, benefits_received=("aeeh",)), ()),  # declared
    ],
)
def test_rsj_not_eligible(catalogue: Catalogue, household: Household, results: tuple[BenefitResult, ...]) -> None:
    outcome = run(catalogue, "revenu_solidarite_jeunes", household, *results)
    assert (outcome.status, outcome.amount) == (Status.NOT_ELIGIBLE.value, 0.0)


def test_rsj_rsa_computed_zero_does_not_exclude(catalogue: Catalogue) -> None:
    outcome = run(catalogue, "revenu_solidarite_jeunes", young(), result("rsa", 0.0, Status.NOT_ELIGIBLE))
    assert outcome.amount == 420.0


def test_rsj_per_person(catalogue: Catalogue) -> None:
    # a parent and two young adults at home, one with a 300 € job, one without; a 16-year-old
    household = Household(
        (
            person("p1", Role.DEMANDEUR, 50, activity=Activity.SALARIE, salary=2000.0),
            person("y1", Role.ENFANT, 19),
            person("y2", Role.ENFANT, 23, activity=Activity.SALARIE, salary=300.0),
            person("y3", Role.ENFANT, 16),
        ),
        housing=Housing(HousingStatus.LOCATAIRE_VIDE, rent=700.0, commune_insee="69259"),
    )
    outcome = run(catalogue, "revenu_solidarite_jeunes", household)
    assert (outcome.status, outcome.amount, outcome.beneficiaries) == (Status.ELIGIBLE.value, 735.0, ("y1", "y2"))


# --------------------------------------------------------------------------- TCL Solidaire Gratuit


@pytest.mark.parametrize("benefit_id", ["rsa", "aah", "asi", "aspa", "revenu_solidarite_jeunes"])
def test_tcl_for_recipients(catalogue: Catalogue, benefit_id: str) -> None:
    outcome = run(catalogue, "tcl_solidaire_gratuit", family(1, 500.0, commune="69264"), result(benefit_id))
    assert (outcome.status, outcome.amount) == (Status.ELIGIBLE.value, 0.0)


def test_tcl_declared_received(catalogue: Catalogue) -> None:
    household = Household(family(0, 0.0, commune="69123").persons, housing=family(0, 0.0, commune="69123").housing,
                          benefits_received=("aspa",))
    assert run(catalogue, "tcl_solidaire_gratuit", household).status == Status.ELIGIBLE.value


def test_tcl_not_eligible(catalogue: Catalogue) -> None:
    outcome = run(catalogue, "tcl_solidaire_gratuit", family(1, 1500.0, commune="69123"),
                  result("rsa", 0.0, Status.NOT_ELIGIBLE), result("prime_activite", 200.0))
    assert outcome.status == Status.NOT_ELIGIBLE.value
    assert "rsa" in outcome.reasons[0]


# --------------------------------------------------------------------------- quotient familial


def test_quotient_familial_parts() -> None:
    assert quotient_familial_parts(family(0, 1000.0)) == 2.0
    assert quotient_familial_parts(family(2, 1000.0, couple=True)) == 3.0
    assert quotient_familial_parts(family(3, 1000.0)) == 4.0  # 2 + 0.5 + 0.5 + 1
    assert quotient_familial_parts(family(4, 1000.0)) == 4.5
    household = family(1, 1000.0)
    child = household.persons[1]
    disabled = Household((household.persons[0], Person(child.id, Role.ENFANT, child.birth_date, disability_rate=50.0)))
    assert quotient_familial_parts(disabled) == 3.0  # 2 + 0.5 + 0.5 (disabled child)


def test_quotient_familial_ceiling(rules_copy: Path) -> None:
    """A made-up canteen aid with a CAF quotient familial ceiling of 600 €."""
    path = rules_copy / "local" / "aide_cantine_test.yaml"
    data = yaml.safe_load((LOCAL / "tcl_solidaire_gratuit.yaml").read_text(encoding="utf-8"))
    data.update(
        id="aide_cantine_test", order=2000, counts_in_total=True, periodicity="annuelle",
        territory={"label": "Lyon", "communes": ["69123"]},
        criteria={"children_min": 1, "resources_at_most": 600},
        resources={"basis": "quotient_familial", "months": 12},
        amount={"value": "amount", "period": "year", "fixed": 150},
    )
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    test_catalogue = load_catalogue(rules_copy / "benefits")
    entry = test_catalogue.get("aide_cantine_test")
    assert isinstance(entry, LocalAid)
    # 2 children, 1 200 € of salary + 150 € of allocations familiales: (1 200 + 150) / 3 = 450 €
    household = family(2, 1200.0, commune="69123")
    outcome = evaluate(entry, household, MONTH, {"allocations_familiales": result("allocations_familiales", 150.0)})
    assert (outcome.status, outcome.amount) == (Status.ELIGIBLE.value, 150.0)
    # 2 000 € of salary: (2 000 + 150) / 3 = 716.67 € > 600 €
    outcome = evaluate(entry, family(2, 2000.0, commune="69123"), MONTH,
                       {"allocations_familiales": result("allocations_familiales", 150.0)})
    assert outcome.status == Status.NOT_ELIGIBLE.value
    assert "716,67" in outcome.reasons[0]


# --------------------------------------------------------------------------- with the engine


@pytest.mark.slow
def test_engine_appends_local_aids(engine: Any) -> None:
    paris = family(4, 2500.0, commune="75056")
    result_paris = engine.compute(paris, MONTH)
    ids = [b.benefit_id for b in result_paris.benefits]
    assert ids == list(engine.catalogue.all_ids())  # national then local, the same for every household
    for other in ("revenu_solidarite_jeunes", "tcl_solidaire_gratuit"):  # other territory
        item = result_paris.get(other)
        assert (item.status, item.detail) == (Status.NOT_ELIGIBLE, DETAIL_OUTSIDE_TERRITORY)
        assert is_outside_territory(item) and not item.not_claimed
    assert not is_outside_territory(result_paris.get("paris_logement"))
    plf = result_paris.get("paris_logement_familles")
    assert (plf.status, plf.amount, plf.amount_period) == (Status.ELIGIBLE, 169.0, "month")
    assert "paris_logement_familles" in result_paris.totals_ids
    national_total = sum(b.amount for b in result_paris.benefits if b.status == Status.ELIGIBLE
                         and b.amount_period == "month" and b.benefit_id in engine.catalogue.ids()
                         and engine.catalogue.get(b.benefit_id).counts_in_total)
    assert result_paris.total_monthly() == pytest.approx(national_total + 169.0)
    assert result_paris.catalogue_version == "2026.11.1"
    assert engine.catalogue.get("paris_logement_familles").label == "Paris Logement Familles"

    lyon = young(commune="69123")
    result_lyon = engine.compute(lyon, MONTH)
    assert result_lyon.get("rsa").status != Status.ELIGIBLE  # 20 years old
    assert (result_lyon.get("revenu_solidarite_jeunes").status, result_lyon.get("revenu_solidarite_jeunes").amount) \
        == (Status.ELIGIBLE, 420.0)
    assert result_lyon.get("tcl_solidaire_gratuit").status == Status.ELIGIBLE  # through the RSJ
    assert [b.benefit_id for b in result_lyon.benefits] == ids
    assert is_outside_territory(result_lyon.get("paris_logement"))


@pytest.mark.slow
def test_engine_tcl_reads_openfisca_rsa(engine: Any) -> None:
    # 30 years old, no resource, tenant in Vénissieux: OpenFisca gives the RSA, so the TCL pass
    household = Household((person("p1", Role.DEMANDEUR, 30, activity=Activity.DEMANDEUR_EMPLOI_NON_INDEMNISE),),
                          housing=Housing(HousingStatus.LOCATAIRE_VIDE, rent=450.0, commune_insee="69259"))
    computed = engine.compute(household, MONTH)
    assert computed.get("rsa").status == Status.ELIGIBLE
    assert computed.get("tcl_solidaire_gratuit").status == Status.ELIGIBLE
    assert computed.get("revenu_solidarite_jeunes").status == Status.NOT_ELIGIBLE  # 30 years old
    # same person with a 2 500 € salary: no RSA, no pass
    richer = Household((person("p1", Role.DEMANDEUR, 30, activity=Activity.SALARIE, salary=2500.0),),
                       housing=household.housing)
    computed = engine.compute(richer, MONTH)
    assert computed.get("rsa").status != Status.ELIGIBLE
    assert computed.get("tcl_solidaire_gratuit").status == Status.NOT_ELIGIBLE


@pytest.mark.slow
def test_engine_paris_solidarite_from_the_extension(engine: Any) -> None:
    pension = 600.0
    senior = Household((person("p1", Role.DEMANDEUR, 70, activity=Activity.RETRAITE, salary=pension,
                               kind=ResourceKind.RETRAITE),),
                       housing=Housing(HousingStatus.LOCATAIRE_VIDE, rent=500.0, commune_insee="75056"))
    computed = engine.compute(senior, MONTH)
    psol = computed.get("paris_solidarite_seniors")
    aspa = computed.get("aspa").amount
    # page ceiling 1 129 € minus the resources the extension counts: the pension and the ASPA
    # (the ASPA of the result is rounded to the cent, the extension reads it unrounded)
    assert psol.amount == pytest.approx(max(0.0, 1129.0 - pension - aspa), abs=0.015)
    assert psol.status == (Status.ELIGIBLE if psol.amount > 0 else Status.NOT_ELIGIBLE)
    lyon = Household(senior.persons, housing=Housing(HousingStatus.LOCATAIRE_VIDE, rent=500.0, commune_insee="69123"))
    assert is_outside_territory(engine.compute(lyon, MONTH).get("paris_solidarite_seniors"))


@pytest.mark.slow
def test_bare_openfisca_situation_gets_formula_aids_only(engine: Any) -> None:
    situation = {
        "individus": {"p": {"date_naissance": {"ETERNITY": "1950-01-01"}}},
        "familles": {"f": {"parents": ["p"]}},
        "foyers_fiscaux": {"ff": {"declarants": ["p"]}},
        "menages": {"m": {"personne_de_reference": ["p"], "depcom": {MONTH: "75056"}}},
    }
    computed = engine.compute_situations([situation], MONTH)[0]
    assert [b.benefit_id for b in computed.benefits] == list(engine.catalogue.all_ids())
    psol = computed.get("paris_solidarite_seniors")  # from the extension, no household needed
    assert not is_outside_territory(psol) and psol.status != Status.ERROR
    for criteria_aid in ("paris_logement_familles", "tcl_solidaire_gratuit"):  # need a household
        assert computed.get(criteria_aid).detail == DETAIL_NOT_EVALUATED
