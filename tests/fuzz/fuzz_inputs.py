"""Hypothesis strategies of hostile inputs shared by the fuzzed paths: valid households
(so that a correct result can be checked value by value), hostile JSON values, and the
ways a file's bytes go wrong (truncated, another encoding, a byte-order mark, deeply
nested, too big, bytes flipped)."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from app.core.base import formats
from app.core.model import validation
from app.core.model.household import (
    STATUSES_WITH_HOUSING_COST,
    Activity,
    CoupleStatus,
    Household,
    Housing,
    HousingStatus,
    Person,
    Resource,
    ResourceKind,
    Role,
    Schooling,
)

TODAY = dt.date(2026, 11, 29)
COMMUNES = {"69123": ("69001", "69003", "69009"), "13055": ("13001", "13015"), "75056": ("75011", "75116"),
            "59350": ("59000",), "01004": ("01500",), "2A004": ("20000",), "97411": ("97400",)}
BENEFITS = ("rsa", "prime_activite", "aide_logement", "ass", "allocations_familiales", "complement_familial",
            "asf", "paje_base", "allocation_rentree_scolaire", "aah", "aspa", "css_gratuite", "cheque_energie")

# ---------------------------------------------------------------------------- valid values

def amounts(maximum: float) -> st.SearchStrategy[float]:
    """Amounts of at most ``maximum``, to the cent, whole euros often."""
    top = int(maximum * 100)
    return st.one_of(st.integers(0, int(maximum)).map(float), st.integers(0, top).map(lambda c: c / 100),
                     st.sampled_from([0.0, 0.01, maximum]))


MONTHLY = amounts(validation.MAX_MONTHLY_AMOUNT)
TWELVE = st.lists(MONTHLY, min_size=12, max_size=12).map(tuple)
YEARLY = st.one_of(st.none(), amounts(validation.MAX_YEARLY_INCOME))
RENT = amounts(validation.MAX_RENT)
SAVINGS = st.one_of(st.none(), amounts(validation.MAX_SAVINGS))
RATES = st.one_of(st.none(), st.integers(0, 100).map(float), st.floats(0, 100))
ADULT_BIRTHS = st.dates(min_value=dt.date(TODAY.year - 110, 1, 1), max_value=dt.date(TODAY.year - 16, 1, 1))
DAYS_AFTER = st.integers(min_value=1, max_value=80 * 366)
PRINTABLE = st.characters(exclude_categories=("Cc", "Cs"))  # what a text field accepts
NAMES = st.one_of(st.sampled_from(["Amina", "Léa", "Jean-Noël", "Zoé", "Ngô", "Ünal", "", "O'Brien"]),
                  st.text(PRINTABLE, max_size=validation.MAX_FIRST_NAME))
KINDS = st.sampled_from(list(ResourceKind))
RESOURCES = st.one_of(st.builds(lambda kind, value: Resource(kind, stable=value), KINDS, MONTHLY),
                      st.builds(lambda kind, values: Resource(kind, monthly=values), KINDS, TWELVE))
ACTIVITIES = st.sampled_from(list(Activity))
SCHOOLINGS = st.sampled_from(list(Schooling))
STATUSES = st.sampled_from(list(HousingStatus))
COUPLES = st.sampled_from(list(CoupleStatus))
DEPENDANTS = st.sampled_from([Role.ENFANT, Role.ENFANT, Role.AUTRE])
RECEIVED = st.lists(st.sampled_from(BENEFITS), unique=True, max_size=4).map(tuple)
REFERENCES = st.text(PRINTABLE, max_size=validation.MAX_REFERENCE)


def persons(draw: Any, role: Role, born_after: dt.date | None, pid: str) -> Person:
    if born_after is None:
        birth = draw(ADULT_BIRTHS)
    else:
        birth = min(TODAY, born_after + dt.timedelta(days=draw(DAYS_AFTER)))
    return Person(
        id=pid,
        role=role,
        birth_date=birth,
        first_name=draw(NAMES),
        activity=draw(ACTIVITIES),
        disability_rate=draw(RATES),
        pregnant=draw(st.booleans()),
        schooling=draw(SCHOOLINGS),
        resources=tuple(draw(st.lists(RESOURCES, max_size=3))),
        taxable_income_last_year=draw(YEARLY),
        taxable_income_n2=draw(YEARLY),
        ass_work_history=draw(st.booleans()),
    )


@st.composite
def households(draw: Any) -> Household:
    """A household ``validate`` accepts on ``TODAY``."""
    couple = draw(COUPLES)
    adults = [persons(draw, Role.DEMANDEUR, None, "p1")]
    if couple != CoupleStatus.SEUL:
        adults.append(persons(draw, Role.CONJOINT, None, "p2"))
    youngest = max(p.birth_date for p in adults)
    children = [persons(draw, draw(DEPENDANTS), youngest, f"c{i + 1}") for i in range(draw(st.integers(0, 4)))]
    status = draw(STATUSES)
    cost = status in STATUSES_WITH_HOUSING_COST
    commune = draw(st.sampled_from(sorted(COMMUNES)))
    housing = Housing(
        status=status,
        rent=draw(RENT) if cost else 0.0,
        charges=draw(RENT) if cost else 0.0,
        conventionne=draw(st.booleans()),
        commune_insee=commune,
        postal_code=draw(st.sampled_from(("",) + COMMUNES[commune])),
    )
    return Household(
        persons=tuple(adults + children),
        couple=couple,
        housing=housing,
        savings=draw(SAVINGS),
        benefits_received=draw(RECEIVED),
        reference=draw(REFERENCES),
    )


def french_amount(value: float, rng: Any) -> str:
    """``value`` typed the French way (read back to the cent); ``rng``: a ``random.Random``."""
    text = formats.number(value, rng.choice([2, 0]) if value == round(value) else 2)
    text = text.replace("\u202f", rng.choice([" ", "\u00a0", "\u202f", ""]))
    return text + rng.choice(["", "", " €", "€", "\u00a0€"])


# ---------------------------------------------------------------------------- hostile values

IMPOSSIBLE_DATES = ["2026-02-30", "30/02/2026", "31/04/2020", "29/02/2023", "2023-02-29", "0000-00-00",
                    "00/00/0000", "32/01/2000", "01/13/2000", "2000-13-01", "9999-99-99", "1990-1-1",
                    "1/1/1990", "01/01/10000", "-001-01-01", "+2000-01-01", "2026-11-29T12:00", "29.11.2026",
                    "٢٠٢٠-٠١-٠١", "２０２０-０１-０１", "19900101", "01011990", "\x00", "today"]
STRANGE_TEXTS = ["nan", "NaN", "-nan", "inf", "-Infinity", "Infinity", "1e5", "1E-3", "1_000", "0x1F", "1.500",
                 "2.000", "1,500", "1,234.56", "1.234,56", "1 500,50", "12,3456", "-1", "−12", "+5", "", " ",
                 "€", "1 2 3", "١٢٣", "１２３", "12\u00a0345", "1\u202f234,5", "=1+1", "@SUM(A1)", "\ud800",
                 "\udfff", "\x00", "\u202e1234", "\ufeff12", "12\n", "None", "null", "true", "[]", "{}",
                 "2026-11", "2026-1", "2026-13", "+202-11", "٢٠٢٦-١١", " 2026-11 ", "0000-01", "9999-12"]


def nested(depth: int) -> str:
    """A marker ``to_json`` writes as ``depth`` nested arrays and objects (too deep for
    ``json.dumps`` itself)."""
    return f"\x00DEEP{depth}\x00"


_DEEP = re.compile(r'"\\u0000DEEP(\d+)\\u0000"')


def _deep_text(match: re.Match[str]) -> str:
    depth = int(match.group(1))
    opening = "".join('{"a": ' if i % 2 else "[" for i in range(depth))
    return opening + "0" + "".join("}" if i % 2 else "]" for i in reversed(range(depth)))


HOSTILE_VALUES: st.SearchStrategy[Any] = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-10**6, max_value=10**6),
    st.integers(min_value=-10**400, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([float("nan"), float("inf"), float("-inf"), -0.0, 1e308, 5e-324, 10**20]),
    st.sampled_from(IMPOSSIBLE_DATES + STRANGE_TEXTS),
    st.text(max_size=30),
    st.integers(min_value=0, max_value=300_000).map(lambda n: "9" * n),
    st.integers(min_value=0, max_value=300_000).map(lambda n: "é" * n),
    st.lists(st.integers(), max_size=3),
    st.lists(st.text(max_size=3), max_size=200),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.integers(min_value=1, max_value=3000).map(nested),
)


# ---------------------------------------------------------------------------- mutations of JSON data


def paths_of(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``data`` (dict keys and list indexes)."""
    out = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            out.extend(paths_of(value, prefix + (key,)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out.extend(paths_of(value, prefix + (index,)))
    return out


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    node = data
    for step in path[:-1]:
        node = node[step]
    return node


@st.composite
def mutated(draw: Any, data: Any) -> Any:
    """``data`` (a JSON-like tree, changed in place) with 1 to 3 hostile changes: a value
    replaced, a field removed, a field added, a value nested deeply."""
    for _ in range(draw(st.integers(1, 3))):
        paths = paths_of(data)
        if not paths:
            return draw(HOSTILE_VALUES)
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        action = draw(st.sampled_from(["replace", "replace", "replace", "remove", "add", "nest"]))
        if action == "replace":
            parent[path[-1]] = draw(HOSTILE_VALUES)
        elif action == "remove":
            if isinstance(parent, dict):
                del parent[path[-1]]
            else:
                parent.pop(path[-1])
        elif action == "add":
            if isinstance(parent, dict):
                parent[draw(st.text(max_size=10))] = draw(HOSTILE_VALUES)
            else:
                parent.append(draw(HOSTILE_VALUES))
        else:
            parent[path[-1]] = nested(draw(st.integers(1, 3000)))
    return data


# ---------------------------------------------------------------------------- bytes of a file


@dataclass(frozen=True)
class FileBytes:
    """The bytes of an input file, and whether they are the JSON text unchanged (a valid
    input must then be read exactly)."""

    content: bytes
    intact: bool
    how: str


def to_json(data: Any, draw: Any) -> str:
    text = json.dumps(data, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 1, "\t"])))
    return _DEEP.sub(_deep_text, text)


@st.composite
def file_bytes(draw: Any, text: str, max_bytes: int = 1_000_000) -> FileBytes:
    """``text`` as a file: mostly UTF-8 as is, else one of the ways a file goes wrong."""
    raw = text.encode("utf-8", "surrogatepass")
    if any("\ud800" <= char <= "\udfff" for char in text):  # not UTF-8 at all
        return FileBytes(raw, False, "surrogates")
    how = draw(st.sampled_from(["utf-8"] * 6 + ["bom", "crlf", "utf-16", "utf-16-le", "latin-1", "cp1252",
                                                  "truncated", "flipped", "wrapped", "junk", "empty", "nul",
                                                  "too-big", "random"]))
    if how == "utf-8":
        return FileBytes(raw, True, how)
    if how == "bom":
        return FileBytes(b"\xef\xbb\xbf" + raw, True, how)
    if how == "crlf":
        return FileBytes(raw.replace(b"\n", b"\r\n"), True, how)
    if how in ("utf-16", "utf-16-le", "latin-1", "cp1252"):
        return FileBytes(text.encode(how, "replace") if how != "utf-16" else text.encode("utf-16", "surrogatepass"),
                         False, how)
    if how == "truncated":
        return FileBytes(raw[: draw(st.integers(0, max(0, len(raw) - 1)))], False, how)
    if how == "flipped":
        content = bytearray(raw or b"{}")
        for _ in range(draw(st.integers(1, 4))):
            content[draw(st.integers(0, len(content) - 1))] = draw(st.integers(0, 255))
        return FileBytes(bytes(content), False, how)
    if how == "wrapped":
        depth = draw(st.integers(1, 200_000))
        return FileBytes(b"[" * depth + raw + b"]" * depth, False, how)
    if how == "junk":
        return FileBytes(raw + draw(st.sampled_from([b"}", b",", b"x", b"\x00", b"{}", b"\n{}"])), False, how)
    if how == "empty":
        return FileBytes(draw(st.sampled_from([b"", b" ", b"\n", b"\xef\xbb\xbf"])), False, how)
    if how == "nul":
        return FileBytes(raw.replace(b'"', b'"\x00', 1), False, how)
    if how == "too-big":
        return FileBytes(raw + b" " * (max_bytes + 1 - len(raw)), False, how)
    return FileBytes(draw(st.binary(max_size=200)), False, how)
