"""The household of the Visale guarantee: the same household in the home it is about to rent.

OpenFisca-France's ``visale_eligibilite`` (ménage, month, formula from 2018-06-19) asks for a
home about to be rented: its ``date_entree_logement`` strictly after the first day of the
month computed, its ``loyer + charges_locatives`` under ``visale_montant_max`` (half of
``visale_base_ressources``, capped by ``visale.plafond_loyer``), and
``visale_base_ressources`` counts the housing aid computed *for that home* (67 %). That home
cannot be in the household's own simulation (every other benefit of the month would be
computed on a rent the household does not pay yet), so Visale is computed on a copy of the
household (``compute.engine``), as the prime à la naissance is (``birth.py``).

The copy lives in the sought home from the month computed M on: a rented dwelling of the
private sector (``locataire_vide``, not conventionné) in the same commune, with the sought
rent and charges; before M, the dwelling it lives in now (a move at M whose dwelling before is
the declared one: the resources of M-1 that Visale reads — RSA, prime d'activité, family
benefits — are those of the household as it lives now). A move the household declared
earlier is replaced by that one: the months before it then carry the declared dwelling
(they only count through the benefits of M-1 computed on them). The engine sets
``date_entree_logement`` = the planned date of entry on the copy's ménage for month M.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from app.core.model.household import EventKind, Household, Housing, HousingStatus, LifeEvent

# The sought home's status: a tenant of the private sector (Visale's main case), unfurnished.
SOUGHT_STATUS = HousingStatus.LOCATAIRE_VIDE


@dataclass(frozen=True)
class SoughtHomeCase:
    household: Household  # the household living in the sought home from ``month`` on
    month: str  # the month computed (YYYY-MM): Visale is asked for it
    entry_date: dt.date  # the planned date of entry (OpenFisca's ``date_entree_logement``)


def sought_home_dwelling(household: Household) -> Housing | None:
    """The sought home as a dwelling: rented, private sector, in the household's commune."""
    sought = household.sought_home
    if sought is None:
        return None
    current = household.housing
    return Housing(
        status=SOUGHT_STATUS,
        rent=float(sought.rent),
        charges=float(sought.charges),
        conventionne=False,
        commune_insee=current.commune_insee,
        postal_code=current.postal_code,
    )


def sought_home_case(household: Household, month: str) -> SoughtHomeCase | None:
    """The household to compute Visale on, or None when no home to rent is declared."""
    sought = household.sought_home
    dwelling = sought_home_dwelling(household)
    if sought is None or dwelling is None:
        return None
    move = LifeEvent(kind=EventKind.MOVE, month=month, housing_before=household.housing)
    events = tuple(e for e in household.events if e.kind != EventKind.MOVE) + (move,)
    copy = dataclasses.replace(household, housing=dwelling, events=events, sought_home=None)
    return SoughtHomeCase(copy, month, sought.entry_date)
