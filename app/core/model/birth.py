"""The household of the prime à la naissance: the same household with the expected child.

OpenFisca-France's ``paje_naissance`` (formula from 2018-04-01) is paid in the month that
falls two months before a child's birth (the 7th month of pregnancy): it counts the children
of the famille whose ``date_naissance`` is in M+2, and compares the resources of N-2 with the
PAJE ceiling for the children, the one to be born included. The expected child cannot be in
the household's own simulation (every other benefit would count it as born: the RSA of a
pregnant woman alone rose when it was), so the grant is computed on a copy of the household
with that child, at the month the grant is paid (``compute.engine``; issue 14).

The copy's declared yearly incomes follow that month's year: « N-2 » of a grant paid next
year is the income declared as last year's (and the one before is then unknown: derived
from the resources, as when it is not given).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from app.core.model.household import Household, Person, Role
from app.core.model.periods import add_months, month_str

# paje_naissance: « versée au 7ème mois de grossesse », the child born in M+2.
GRANT_MONTHS_BEFORE_BIRTH = 2
UNBORN_ID = "enfant_a_naitre"


@dataclass(frozen=True)
class BirthGrantCase:
    household: Household  # the household with the expected child (role enfant, born at the due date)
    month: str  # the month the prime à la naissance is paid (YYYY-MM)


def birth_grant_case(household: Household, month: str) -> BirthGrantCase | None:
    """The household to compute the prime à la naissance on, or None when no pregnancy
    with an expected date of birth is declared, or when that date is before month M (the
    child is born: the household declares it as a child)."""
    mother = next((p for p in household.persons if p.pregnant and p.pregnancy_due_date is not None), None)
    if mother is None or mother.pregnancy_due_date is None:
        return None
    due = mother.pregnancy_due_date
    due_month = month_str(due.year, due.month)
    if due_month < month:
        return None
    grant_month = add_months(due_month, -GRANT_MONTHS_BEFORE_BIRTH)
    shift = int(grant_month[:4]) - int(month[:4])
    if abs(shift) > 1:  # a month computed far from the pregnancy: its N-2 income is not declared
        return None
    taken = {p.id for p in household.persons}
    child_id = UNBORN_ID
    while child_id in taken:
        child_id += "_"
    child = Person(id=child_id, role=Role.ENFANT, birth_date=due)
    persons = tuple(_declared_years_shifted(p, shift) for p in household.persons) + (child,)
    return BirthGrantCase(dataclasses.replace(household, persons=persons), grant_month)


def _declared_years_shifted(person: Person, years: int) -> Person:
    """``person`` with its declared N-1 and N-2 taxable incomes seen from ``years`` later
    (-1, 0 or +1)."""
    if years == 1:
        return dataclasses.replace(person, taxable_income_n2=person.taxable_income_last_year,
                                   taxable_income_last_year=None)
    if years == -1:
        return dataclasses.replace(person, taxable_income_last_year=person.taxable_income_n2, taxable_income_n2=None)
    return person
