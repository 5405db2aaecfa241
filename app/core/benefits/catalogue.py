"""National benefit catalogue: one YAML file per benefit in ``rules/benefits/``.

Every file is validated against ``rules/schema/benefit.schema.json`` (JSON Schema
draft 2020-12) and turned into frozen dataclasses. Errors are reported in French
and name the file and the field, so that whoever edits the rules can fix them.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import jsonschema
from jsonschema.exceptions import best_match
import yaml

from app.core.rules import safe_yaml
from app.core.base.paths import bundled_rules_dir, install_root

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


@dataclass(frozen=True)
class Catalogue:
    benefits: tuple[Benefit, ...]  # national benefits (iteration, len and ids() cover these)
    version: str = ""  # version of the rules folder (its manifest.yaml), printed on handouts
    local_aids: tuple[Benefit, ...] = ()  # rules/local (local_aids.LocalAid), after OpenFisca

    def get(self, benefit_id: str) -> Benefit:
        """A national benefit or a local aid."""
        for benefit in (*self.benefits, *self.local_aids):
            if benefit.id == benefit_id:
                return benefit
        raise KeyError(f"Aide inconnue dans le catalogue : « {benefit_id} »")

    def entries(self) -> tuple[Benefit, ...]:
        """National benefits then local aids, in display order (what a results list shows)."""
        return (*self.benefits, *self.local_aids)

    def all_ids(self) -> tuple[str, ...]:
        return tuple(benefit.id for benefit in self.entries())

    def __iter__(self) -> Iterator[Benefit]:
        return iter(self.benefits)

    def __len__(self) -> int:
        return len(self.benefits)

    def ids(self) -> tuple[str, ...]:
        return tuple(benefit.id for benefit in self.benefits)


class CatalogueError(Exception):
    """A catalogue file is missing, unreadable or invalid (message in French)."""


def load_catalogue(folder: Path | None = None) -> Catalogue:
    """Load, validate and sort (by ``order``) every ``*.yaml`` file of ``folder``.

    By default the active rules folder's ``benefits/`` (the bundled ``rules/``, or the
    imported rules pack: ``rules_pack.active_rules_dir``). The local aids of the sibling
    ``local/`` folder and the version of the sibling ``manifest.yaml`` come along.
    """
    folder = folder if folder is not None else active_rules_dir_or_bundled() / "benefits"
    stamp = _rules_stamp(folder.parent)
    cached = _LOADED.get(str(folder))
    if cached is not None and cached[0] == stamp:
        return cached[1]  # frozen: safe to share
    catalogue = _load(folder)
    _LOADED[str(folder)] = (stamp, catalogue)
    return catalogue


# folder -> (stamp of its rules folder's files, catalogue): loading validates ~25 YAML
# files against the schema (~0.5 s); the batch screener and the GUI ask more than once.
_LOADED: dict[str, tuple[tuple[tuple[str, int, int], ...], Catalogue]] = {}


def _rules_stamp(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, modification time and size of every file of a rules folder: any edit, pack
    import or rollback changes it."""
    stamp = []
    for path in sorted(root.rglob("*")):
        try:
            if path.is_file() and "__pycache__" not in path.parts:
                info = path.stat()
                stamp.append((path.as_posix(), info.st_mtime_ns, info.st_size))
        except OSError:
            continue
    return tuple(stamp)


def _load(folder: Path) -> Catalogue:
    validator = _validator(folder.parent / "schema" / "benefit.schema.json")
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise CatalogueError(f"{_display(folder)} : aucun fichier d'aide (*.yaml) trouvé.")
    benefits: dict[str, Benefit] = {}
    for path in files:
        benefit = _load_file(path, validator)
        if benefit.id in benefits:
            raise CatalogueError(
                f"{_display(path)}, champ « id » : l'identifiant « {benefit.id} » est déjà utilisé "
                f"par {benefits[benefit.id].source_file}."
            )
        benefits[benefit.id] = benefit
    for benefit in benefits.values():
        unknown = [b for b in benefit.apply.automatic_when_receiving if b not in benefits]
        if unknown:
            raise CatalogueError(
                f"{benefit.source_file}, champ « apply.automatic_when_receiving » : l'aide « {unknown[0]} » "
                "n'existe pas dans le catalogue."
            )
    national = tuple(sorted(benefits.values(), key=lambda b: (b.order, b.id)))
    from app.core.benefits.local_aids import load_local_aids
    from app.core.benefits.rules_pack import manifest_version

    local = load_local_aids(folder.parent / "local", known_ids=benefits)
    return Catalogue(national, version=manifest_version(folder.parent), local_aids=local)


def active_rules_dir_or_bundled() -> Path:
    """The active rules folder (``rules_pack.active_rules_dir``), or the bundled one when
    the packs' state cannot be read: what every reader of rules data starts from."""
    try:
        from app.core.benefits.rules_pack import active_rules_dir

        return active_rules_dir()
    except Exception:  # noqa: BLE001 - an unreadable pack state falls back on the bundled rules
        return bundled_rules_dir()


def load_json_text(text: str) -> Any:
    """``json.loads`` of a rules file; too deep a nesting is a ValueError too (French reason)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("imbrication trop profonde") from None


def _validator(schema_path: Path) -> jsonschema.Draft202012Validator:
    try:
        schema = load_json_text(schema_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogueError(f"{_display(schema_path)} : schéma illisible ({exc}).") from exc
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise CatalogueError(f"{_display(schema_path)} : schéma invalide ({exc.message}).") from exc
    return jsonschema.Draft202012Validator(schema)


def _load_file(path: Path, validator: jsonschema.Draft202012Validator) -> Benefit:
    name = _display(path)
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
        field_path, reason = _explain(error)
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


def _explain(error: jsonschema.ValidationError) -> tuple[list[str | int], str]:
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


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(install_root()).as_posix()
    except ValueError:
        return str(path)


def _optional_link(data: dict[str, Any] | None) -> Link | None:
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
            online=_optional_link(apply.get("online")),
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
