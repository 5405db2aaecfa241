"""A benefit of the catalogue: frozen dataclasses, and one YAML file read against the schema.

Every file is validated against ``rules/schema/benefit.schema.json`` (JSON Schema draft
2020-12) and turned into a :class:`Benefit`. Errors are reported in French and name the
file and the field (:func:`explain_error`, :func:`display_path`): the local aids'
loader (``local_aids.py``) reports its own files the same way.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import jsonschema
from jsonschema.exceptions import best_match
import yaml

from app.core.rules import safe_yaml
from app.core.base.paths import install_root


ValueKind = Literal["amount", "boolean", "contribution"]


@dataclass(frozen=True)
class Link:
    label: str
    url: str | None = None


@dataclass(frozen=True)
class PaperForm:
    label: str
    cerfa: str | None
    url: str | None


@dataclass(frozen=True)
class Apply:
    online: Link | None
    paper: PaperForm | None
    where: str
    automatic: bool  # paid without any claim, always (the energy cheque)
    # paid without a claim when the household already receives one of these benefits
    # (the ARS, for families already paid by the CAF): ``Benefit.paid_automatically``
    automatic_when_receiving: tuple[str, ...] = ()


@dataclass(frozen=True)
class PayingBody:
    short: str
    name: str
    alternative: str | None
    url: str | None = None  # the page where the body takes its online claims (one QR code per body)


@dataclass(frozen=True)
class CheckWhen:
    """A zero amount is shown "à vérifier" when at least one household member matches."""

    activity_any: tuple[str, ...] = ()
    disability_any: bool = False
    age_min_any: int | None = None
    persons: str = "any"  # "any" | "adults" | "dependants": whom the conditions look at


@dataclass(frozen=True)
class Benefit:
    id: str
    order: int
    label: str
    short_label: str
    description: str
    variable: str
    entity: str
    period: str
    value: ValueKind
    amount_period: str
    detail: tuple[str, ...]
    counts_in_total: bool
    periodicity: str
    paying_body: PayingBody
    apply: Apply
    documents: tuple[str, ...]
    conditions_to_check: tuple[str, ...]
    reference: Link
    check_when: CheckWhen | None
    source_file: str
    # The amount actually paid when the benefit's variable is before the CRDS (0,5 %) the
    # paying body withholds: OpenFisca's net variable, or (none exists) the rate parameter
    # to apply. Both None: the variable is what is paid.
    paid_variable: str | None = None
    paid_rate_parameter: str | None = None

    @property
    def before_crds(self) -> bool:
        return self.paid_variable is not None or self.paid_rate_parameter is not None

    def paid_automatically(self, benefits_received: Collection[str]) -> bool:
        """Whether this benefit comes without a claim for a household that already
        receives ``benefits_received`` (catalogue ids): ``apply.automatic``, or one of
        ``apply.automatic_when_receiving`` received. Such a benefit, when eligible and not
        received yet, is « versée automatiquement », not « à demander »
        (``engine.BenefitResult.claim``): outside the unclaimed totals."""
        return self.apply.automatic or any(b in benefits_received for b in self.apply.automatic_when_receiving)


class CatalogueError(Exception):
    """A catalogue file is missing, unreadable or invalid (message in French)."""


def load_json_text(text: str) -> Any:
    """``json.loads`` of a rules file; too deep a nesting is a ValueError too (French reason)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("imbrication trop profonde") from None


def schema_validator(schema_path: Path) -> jsonschema.Draft202012Validator:
    try:
        schema = load_json_text(schema_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogueError(f"{display_path(schema_path)} : schéma illisible ({exc}).") from exc
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise CatalogueError(f"{display_path(schema_path)} : schéma invalide ({exc.message}).") from exc
    return jsonschema.Draft202012Validator(schema)


def load_benefit_file(path: Path, validator: jsonschema.Draft202012Validator) -> Benefit:
    name = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = safe_yaml.load(text)
    except safe_yaml.AnchorNotAllowed as exc:
        raise CatalogueError(f"{name} : {exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", ligne {mark.line + 1}" if mark is not None else ""
        raise CatalogueError(f"{name}{where} : le fichier n'est pas du YAML valide.") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{name} : impossible de lire le fichier ({exc}).") from exc

    error = best_match(validator.iter_errors(data))
    if error is not None:
        field_path, reason = explain_error(error)
        line = _line_of(text, field_path)
        where = f", ligne {line}" if line is not None else ""
        field = ".".join(str(part) for part in field_path) or "(racine)"
        raise CatalogueError(f"{name}, champ « {field} »{where} : {reason}")
    if data["id"] != path.stem:
        raise CatalogueError(
            f"{name}, champ « id » : l'identifiant « {data['id']} » doit être égal au nom du "
            f"fichier (« {path.stem} »)."
        )
    return _benefit(data, name)


def explain_error(error: jsonschema.ValidationError) -> tuple[list[str | int], str]:
    """Path of the faulty field and a French explanation of a schema error."""
    path: list[str | int] = list(error.absolute_path)
    kind, expected = error.validator, error.validator_value
    if kind == "required":
        missing = [key for key in expected if key not in error.instance]
        return path + missing[:1], "champ obligatoire manquant."
    if kind == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return path + extra[:1], "champ inconnu (faute de frappe ?)."
    if kind == "enum":
        allowed = ", ".join(json.dumps(v, ensure_ascii=False) for v in expected)
        return path, f"valeur non autorisée ; valeurs possibles : {allowed}."
    if kind == "const":
        return path, f"la valeur doit être {json.dumps(expected, ensure_ascii=False)}."
    if kind == "type":
        return path, f"il faut {_TYPES.get(str(expected), expected)}."
    if kind == "pattern":
        return path, f"format invalide. {error.schema.get('description', '')}".rstrip()
    reasons = {
        "minLength": "le texte ne doit pas être vide.",
        "maxLength": f"texte trop long (au plus {expected} caractères).",
        "minItems": f"la liste doit contenir au moins {expected} élément(s).",
        "minProperties": "au moins un champ est attendu.",
        "uniqueItems": "la liste contient des doublons.",
        "minimum": f"la valeur doit être au moins {expected}.",
        "maximum": f"la valeur doit être au plus {expected}.",
    }
    return path, reasons.get(str(kind), f"valeur invalide ({error.message}).")


_TYPES = {
    "object": "des champs « nom: valeur »",
    "array": "une liste",
    "string": "un texte",
    "integer": "un nombre entier",
    "number": "un nombre",
    "boolean": "true ou false",
}


def _line_of(text: str, field_path: Sequence[str | int]) -> int | None:
    """1-based line of ``field_path`` in the YAML text, or of its closest parent."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    if node is None:
        return None
    for part in field_path:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node = child
    return int(node.start_mark.line) + 1


def display_path(path: Path) -> str:
    try:
        return path.resolve().relative_to(install_root()).as_posix()
    except ValueError:
        return str(path)


def optional_link(data: dict[str, Any] | None) -> Link | None:
    return Link(data["label"], data.get("url")) if data else None


def _benefit(data: dict[str, Any], source_file: str) -> Benefit:
    openfisca = data["openfisca"]
    apply = data["apply"]
    paper = apply.get("paper")
    check = data.get("check_when")
    return Benefit(
        id=data["id"],
        order=data["order"],
        label=data["label"],
        short_label=data["short_label"],
        description=data["description"],
        variable=openfisca["variable"],
        entity=openfisca["entity"],
        period=openfisca["period"],
        value=cast(ValueKind, openfisca["value"]),
        amount_period=openfisca["amount_period"],
        detail=tuple(openfisca.get("detail", ())),
        paid_variable=(openfisca.get("paid") or {}).get("variable"),
        paid_rate_parameter=(openfisca.get("paid") or {}).get("crds_rate_parameter"),
        counts_in_total=data["counts_in_total"],
        periodicity=data["periodicity"],
        paying_body=PayingBody(
            short=data["paying_body"]["short"],
            name=data["paying_body"]["name"],
            alternative=data["paying_body"].get("alternative"),
            url=data["paying_body"].get("url"),
        ),
        apply=Apply(
            online=optional_link(apply.get("online")),
            paper=PaperForm(paper["label"], paper.get("cerfa"), paper.get("url")) if paper else None,
            where=apply["where"],
            automatic=apply["automatic"],
            automatic_when_receiving=tuple(apply.get("automatic_when_receiving", ())),
        ),
        documents=tuple(data["documents"]),
        conditions_to_check=tuple(data["conditions_to_check"]),
        reference=Link(data["reference"]["title"], data["reference"]["url"]),
        check_when=CheckWhen(
            activity_any=tuple(check.get("activity_any", ())),
            disability_any=bool(check.get("disability_any", False)),
            age_min_any=check.get("age_min_any"),
            persons=str(check.get("persons", "any")),
        )
        if check
        else None,
        source_file=source_file,
    )
