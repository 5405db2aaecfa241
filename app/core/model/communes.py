"""Offline French communes: lookup by INSEE code or postal code, and search.

The table is ``resources/communes.tsv.gz``, built by ``packaging/build_communes.py``
from the npm package ``@etalab/decoupage-administratif`` (see
``resources/communes.SOURCE.md``). It holds the current communes of metropolitan
France, of the DROM (971-976) and of the COM 975/977/978. Paris, Lyon and
Marseille appear once, under their commune-level INSEE code (75056, 69123,
13055, the ``depcom`` OpenFisca-France expects), with the postal codes of all
their arrondissements.

Former or secondary INSEE codes (arrondissement codes such as 69381, codes of
merged communes) are resolved by :meth:`CommuneIndex.by_insee` to the current
commune; the returned :attr:`Commune.insee` is always the current code.
Former names of merged communes are found by :meth:`CommuneIndex.search`,
after the matches on current names.

Loading only splits the file's columns; :class:`Commune` objects and the search
keys are made on first use, so that start-up stays fast.
"""

from __future__ import annotations

import bisect
import functools
import gzip
import heapq
import itertools
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.core.base.paths import resources_dir

DATA_FILE = "communes.tsv.gz"
FORMAT_TAG = "#guichet-communes v1"
COLUMNS = (
    "insee", "name", "postal_codes", "department", "region",
    "zone", "overseas", "population", "alias_codes", "alias_names",
)


@dataclass(frozen=True, slots=True)
class Commune:
    insee: str
    name: str
    postal_codes: tuple[str, ...]
    department: str
    region: str
    overseas: bool
    population: int = 0
    zone: str = "metro"  # "metro", "drom" (971-976) or "com" (975, 977, 978)

    def label(self, postal_code: str | None = None) -> str:
        """Short display: ``Lyon — 69001`` for one postal code, else ``Lyon (69001…69009)``."""
        if postal_code:
            return f"{self.name} — {postal_code}"
        codes = self.postal_codes
        if not codes:
            return f"{self.name} ({self.insee})"
        if len(codes) == 1:
            return f"{self.name} ({codes[0]})"
        if len(codes) == 2:
            return f"{self.name} ({codes[0]}, {codes[1]})"
        return f"{self.name} ({codes[0]}…{codes[-1]})"


# -- normalisation --------------------------------------------------------------------

_LIGATURES = (("œ", "oe"), ("Œ", "OE"), ("æ", "ae"), ("Æ", "AE"), ("ß", "ss"))
# Byte table: letters to lower case, digits and newlines kept, anything else -> space.
_ASCII_TABLE = bytes(
    code + 32 if 65 <= code <= 90 else code if 48 <= code <= 57 or 97 <= code <= 122 or code == 10 else 32
    for code in range(256)
)
_ABBREVIATIONS = (("st", "saint"), ("ste", "sainte"), ("sts", "saints"), ("stes", "saintes"))


def _normalise_lines(text: str, expand: bool = True) -> str:
    """:func:`normalise` applied to each line of ``text`` (lines are kept).

    Written with whole-string operations, so that the 35 000 commune names are
    normalised at once in a few tens of milliseconds.
    """
    for ligature, letters in _LIGATURES:
        text = text.replace(ligature, letters)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").translate(_ASCII_TABLE).decode("ascii")
    while "  " in text:
        text = text.replace("  ", " ")
    text = text.replace(" \n", "\n").replace("\n ", "\n").strip(" ")
    if expand:
        padded = " " + text.replace("\n", " \n ") + " "
        for short, full in _ABBREVIATIONS:
            while f" {short} " in padded:
                padded = padded.replace(f" {short} ", f" {full} ")
        text = padded[1:-1].replace(" \n ", "\n")
    return text


def normalise(text: str) -> str:
    """``"Ste-Marie-aux-Mines"`` -> ``"sainte marie aux mines"``; ``"L'Haÿ"`` -> ``"l hay"``.

    Lower case, no accents, every run of other characters than letters and
    digits -> one space, ``st``/``ste`` -> ``saint``/``sainte``.
    """
    return _normalise_lines(text.replace("\n", " "))


# -- search keys ----------------------------------------------------------------------


class _Keys:
    """Normalised names, one per line, in the order of ``owners`` (most populated
    commune first), so that regex matches come out best first. Two texts: the
    keys as they are (``spaced``) and without their spaces (``compact``)."""

    def __init__(self, names: Sequence[str], owners: Sequence[int]) -> None:
        spaced = _normalise_lines("\n".join(names)) if names else ""
        self.owners = owners
        self.texts = {"spaced": spaced, "compact": spaced.replace(" ", "")}
        # Offset of the first character of each line, in each text.
        self.starts = {
            name: [0, *itertools.accumulate(len(key) + 1 for key in text.split("\n")[:-1])]
            for name, text in self.texts.items()
        }

    def lines(self, text: str, pattern: re.Pattern[str]) -> Iterator[int]:
        """Numbers of the lines of ``texts[text]`` that match, in increasing order (may repeat)."""
        starts = self.starts[text]
        for match in pattern.finditer(self.texts[text]):
            yield bisect.bisect_right(starts, match.start()) - 1


def _patterns(compact: str) -> dict[str, re.Pattern[str]]:
    """Patterns for a query without spaces: the keys' spaces are ignored, so that
    "lhay" finds "l hay les roses" and "saintetienne" "saint etienne"."""
    literal = re.escape(compact)
    return {
        "exact": re.compile(rf"^{literal}$", re.MULTILINE),
        "prefix": re.compile(rf"^{literal}", re.MULTILINE),
        "word": re.compile(" " + " ?".join(map(re.escape, compact))),  # on the spaced keys
        "contains": re.compile(literal),
    }


# (keys, text, pattern) in the order of the results: exact name, exact former name,
# name prefix, word prefix, contains, former-name prefix, former-name word prefix.
_TIERS = (
    ("names", "compact", "exact"),
    ("aliases", "compact", "exact"),
    ("names", "compact", "prefix"),
    ("names", "spaced", "word"),
    ("names", "compact", "contains"),
    ("aliases", "compact", "prefix"),
    ("aliases", "spaced", "word"),
)

_INSEE_RE = re.compile(r"(?:\d{2}|2[AB])\d{3}")
_POSTAL_AND_NAME_RE = re.compile(r"^(\d{5})\s+(\D.*)$|^(\D.*?)\s+(\d{5})$")


# -- index ----------------------------------------------------------------------------


class CommuneIndex:
    """The commune table. Build it with :meth:`load` (or :func:`default_index`)."""

    def __init__(self, columns: dict[str, list[str]]) -> None:
        lengths = {len(values) for values in columns.values()}
        if set(columns) != set(COLUMNS) or len(lengths) != 1:
            raise ValueError("commune table: missing column or columns of unequal length")
        self._columns = columns
        self._size = lengths.pop()
        self._cache: list[Commune | None] = [None] * self._size
        self._number = {code: number for number, code in enumerate(columns["insee"])}
        self._aliases: dict[str, int] = {}
        for number, codes in enumerate(columns["alias_codes"]):
            if codes:
                for code in codes.split(","):
                    self._aliases.setdefault(code, number)
        self._lock = threading.Lock()
        self._postal: tuple[str, list[int]] | None = None
        self._keys: dict[str, _Keys] | None = None
        self._order: list[int] | None = None

    @classmethod
    def from_communes(cls, communes: Iterable[Commune], aliases: dict[str, str] | None = None,
                      former_names: dict[str, Sequence[str]] | None = None) -> CommuneIndex:
        """An index of given communes (tests, other data). ``aliases``: code -> current code."""
        communes = list(communes)
        alias_codes: dict[str, list[str]] = {}
        for code, target in (aliases or {}).items():
            alias_codes.setdefault(target, []).append(code)
        former = former_names or {}
        columns: dict[str, list[str]] = {
            "insee": [c.insee for c in communes],
            "name": [c.name for c in communes],
            "postal_codes": [",".join(c.postal_codes) for c in communes],
            "department": [c.department for c in communes],
            "region": [c.region for c in communes],
            "zone": [c.zone for c in communes],
            "overseas": ["1" if c.overseas else "0" for c in communes],
            "population": [str(c.population) for c in communes],
            "alias_codes": [",".join(alias_codes.get(c.insee, ())) for c in communes],
            "alias_names": ["|".join(former.get(c.insee, ())) for c in communes],
        }
        return cls(columns)

    @classmethod
    def load(cls, path: Path | None = None) -> CommuneIndex:
        if path is None:
            path = resources_dir() / DATA_FILE
        with gzip.open(path, "rt", encoding="utf-8", newline="\n") as handle:
            lines = handle.read().split("\n")
        if not lines or not lines[0].startswith(FORMAT_TAG + "\t"):
            raise ValueError(f"{path}: not a Guichet commune table ({FORMAT_TAG})")
        columns: dict[str, list[str]] = {}
        for line in lines[1:]:
            if line:
                name, *values = line.split("\t")
                columns[name] = values
        return cls(columns)

    # -- communes ----------------------------------------------------------------------

    def _commune(self, number: int) -> Commune:
        commune = self._cache[number]
        if commune is None:
            col = self._columns
            postal = col["postal_codes"][number]
            commune = Commune(
                insee=col["insee"][number],
                name=col["name"][number],
                postal_codes=tuple(postal.split(",")) if postal else (),
                department=col["department"][number],
                region=col["region"][number],
                overseas=col["overseas"][number] == "1",
                population=int(col["population"][number]),
                zone=col["zone"][number],
            )
            self._cache[number] = commune
        return commune

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Commune]:
        return (self._commune(number) for number in range(self._size))

    def by_insee(self, code: str) -> Commune | None:
        """The current commune of an INSEE code, also of a former or arrondissement code."""
        code = code.strip().upper()
        number = self._number.get(code)
        if number is None:
            number = self._aliases.get(code)
        return None if number is None else self._commune(number)

    def by_postal_code(self, code: str) -> tuple[Commune, ...]:
        """Every commune served by a postal code, most populated first."""
        code = code.replace(" ", "")
        if len(code) != 5:
            return ()
        return tuple(self._commune(number) for number in self._by_population(self._postal_numbers(code)))

    def former_names(self, commune: Commune) -> tuple[str, ...]:
        """Names of the delegated/associated communes merged into ``commune``."""
        number = self._number.get(commune.insee)
        names = self._columns["alias_names"][number] if number is not None else ""
        return tuple(names.split("|")) if names else ()

    # -- lazily built indexes ----------------------------------------------------------

    def _population_order(self) -> list[int]:
        """Commune numbers by decreasing population, ties in INSEE order."""
        with self._lock:
            if self._order is None:
                population = list(map(int, self._columns["population"]))
                self._order = sorted(range(self._size), key=population.__getitem__, reverse=True)  # stable
            return self._order

    def _by_population(self, numbers: Iterable[int]) -> list[int]:
        """Most populated first, ties in INSEE order (as :meth:`_population_order`)."""
        population = self._columns["population"]
        return sorted(numbers, key=lambda number: (-int(population[number]), number))

    def _postal_lines(self) -> tuple[str, list[int]]:
        """The postal code column as one text, one line per commune, and the line offsets.

        Looking a code up is a regex search in it: no index to build at start-up."""
        with self._lock:
            if self._postal is None:
                codes = self._columns["postal_codes"]
                self._postal = ("\n".join(codes), [0, *itertools.accumulate(len(value) + 1 for value in codes[:-1])])
            return self._postal

    def _postal_numbers(self, digits: str, prefix: bool = False) -> set[int]:
        """Numbers of the communes with a postal code equal to (or starting with) ``digits``."""
        if not digits.isascii() or not digits.isdigit():
            return set()
        text, starts = self._postal_lines()
        pattern = rf"(?<![0-9]){digits}" + ("" if prefix else "(?![0-9])")
        return {bisect.bisect_right(starts, match.start()) - 1 for match in re.finditer(pattern, text)}

    def _search_keys(self) -> dict[str, _Keys]:
        order = self._population_order()
        with self._lock:
            if self._keys is None:
                names = self._columns["name"]
                alias_owners: list[int] = []
                alias_names: list[str] = []
                for number in order:
                    former = self._columns["alias_names"][number]
                    if former:
                        for name in former.split("|"):
                            alias_owners.append(number)
                            alias_names.append(name)
                self._keys = {
                    "names": _Keys([names[number] for number in order], order),
                    "aliases": _Keys(alias_names, alias_owners),
                }
            return self._keys

    def warm_up(self) -> None:
        """Build the postal and search keys now (e.g. from a background thread)."""
        self._postal_lines()
        self._search_keys()

    # -- search ------------------------------------------------------------------------

    def search(self, text: str, limit: int = 20) -> tuple[Commune, ...]:
        """Communes for a postal code (or a prefix of 2+ digits), an INSEE code or a name.

        Five digits: the communes of that postal code, then the commune of that
        INSEE code (a former or arrondissement code only when nothing else matches).
        Names ignore case, accents, hyphens, apostrophes, spaces and ``St``/``Ste``.
        Best matches first: exact name, then exact former name, name prefix, word
        prefix, contains, former-name prefix; most populated first within each
        group. ``"69001 Lyon"`` or ``"Lyon 69001"`` looks for the name among the
        communes of that postal code.
        """
        text = text.strip()
        if not text or limit <= 0:
            return ()
        compact = text.replace(" ", "")
        if compact.isascii() and compact.isdigit():
            return self._search_code(compact, limit)
        if _INSEE_RE.fullmatch(compact.upper()):  # Corsica: 2A004
            found = self.by_insee(compact)
            return (found,) if found else ()
        both = _POSTAL_AND_NAME_RE.match(text)
        if both:
            postal = both.group(1) or both.group(4)
            candidates = self._postal_numbers(postal)
            if candidates:
                numbers = self._search_name(both.group(2) or both.group(3), limit, candidates)
                return tuple(self._commune(n) for n in (numbers or self._by_population(candidates)[:limit]))
        return tuple(self._commune(number) for number in self._search_name(text, limit))

    def _search_code(self, digits: str, limit: int) -> tuple[Commune, ...]:
        if not 2 <= len(digits) <= 5:
            return ()
        if len(digits) == 5:
            # Postal code first, then a current INSEE code; a former or arrondissement
            # code ("69381") only when nothing else matches (pre-1968 Seine codes such
            # as 75016, now Cachan's, would otherwise trail the Paris postal codes).
            found = list(self.by_postal_code(digits))
            number = self._number.get(digits)
            if number is not None and self._commune(number) not in found:
                found.append(self._commune(number))
            if not found and digits in self._aliases:
                found.append(self._commune(self._aliases[digits]))
            return tuple(found[:limit])
        numbers = self._by_population(self._postal_numbers(digits, prefix=True))
        return tuple(self._commune(number) for number in numbers[:limit])

    def _search_name(self, text: str, limit: int, within: set[int] | None = None) -> list[int]:
        # "st" may be "saint" or the start of "Strasbourg": try the name as typed too.
        variants = dict.fromkeys(
            _normalise_lines(text.replace("\n", " "), expand=expand).replace(" ", "") for expand in (True, False)
        )
        variants.pop("", None)
        if not variants:
            return []
        keys = self._search_keys()
        patterns = [_patterns(compact) for compact in variants]
        found: dict[int, None] = {}
        for keys_name, text_name, pattern_name in _TIERS:
            tier_keys = keys[keys_name]
            # Lines are in population order: merging the variants' lines keeps it.
            lines = heapq.merge(*(tier_keys.lines(text_name, pattern_set[pattern_name]) for pattern_set in patterns))
            for line in lines:
                number = tier_keys.owners[line]
                if within is not None and number not in within:
                    continue
                found.setdefault(number, None)
                if len(found) >= limit:
                    return list(found)
        return list(found)


@functools.lru_cache(maxsize=1)
def default_index() -> CommuneIndex:
    """The bundled table, loaded once."""
    return CommuneIndex.load()
