"""National benefit catalogue: one YAML file per benefit in ``rules/benefits/``, and the
local aids of ``rules/local/``, in the fixed order.

Every file is validated against ``rules/schema/benefit.schema.json`` (JSON Schema
draft 2020-12) and turned into frozen dataclasses (``benefit.py``). Errors are reported
in French and name the file and the field, so that whoever edits the rules can fix them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.core.benefits.benefit import Benefit, CatalogueError, display_path, load_benefit_file, schema_validator
from app.core.benefits.local_aids import load_local_aids
from app.core.rules.folder import active_rules_dir_or_bundled, manifest_version


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


def load_catalogue(folder: Path | None = None) -> Catalogue:
    """Load, validate and sort (by ``order``) every ``*.yaml`` file of ``folder``.

    By default the active rules folder's ``benefits/`` (the bundled ``rules/``, or the
    imported rules pack: ``folder.active_rules_dir``). The local aids of the sibling
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
    validator = schema_validator(folder.parent / "schema" / "benefit.schema.json")
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise CatalogueError(f"{display_path(folder)} : aucun fichier d'aide (*.yaml) trouvé.")
    benefits: dict[str, Benefit] = {}
    for path in files:
        benefit = load_benefit_file(path, validator)
        if benefit.id in benefits:
            raise CatalogueError(
                f"{display_path(path)}, champ « id » : l'identifiant « {benefit.id} » est déjà utilisé "
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
    local = load_local_aids(folder.parent / "local", known_ids=benefits)
    return Catalogue(national, version=manifest_version(folder.parent), local_aids=local)


