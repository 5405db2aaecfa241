"""Example households shipped in ``examples/`` (case files), and the warm-up household."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.core.model.household import (
    Activity,
    Household,
    Housing,
    HousingStatus,
    Person,
    Resource,
    ResourceKind,
    Role,
    Schooling,
)
from app.core.base.paths import install_root


def examples_dir() -> Path:
    return install_root() / "examples"


def example_files() -> list[Path]:
    return sorted(examples_dir().glob("*.json"))


def warm_up_household() -> Household:
    """A single parent tenant with earnings: touches RSA, prime d'activité, housing and family benefits."""
    return Household(
        persons=(
            Person("p1", Role.DEMANDEUR, dt.date(1990, 1, 1), activity=Activity.SALARIE,
                   resources=(Resource(ResourceKind.SALAIRE_NET, stable=1000.0),)),
            Person("p2", Role.ENFANT, dt.date(2017, 1, 1), schooling=Schooling.PRIMAIRE),
        ),
        housing=Housing(HousingStatus.LOCATAIRE_VIDE, rent=650.0, commune_insee="69123"),
        savings=0.0,
    )
