#!/usr/bin/env python3
"""Build the offline commune table ``resources/communes.tsv.gz``.

Source: the npm package ``@etalab/decoupage-administratif`` (pinned below),
fetched with ``npm pack`` into a temporary folder. Only the build needs the npm
registry; the application reads the generated file and never goes online.

What is kept (from ``package/data/communes.json``):

* every ``commune-actuelle`` of metropolitan France, of the five DROM (971-976)
  and of the three COM that OpenFisca-France knows by their INSEE prefix
  (975 Saint-Pierre-et-Miquelon, 977 Saint-Barthélemy, 978 Saint-Martin);
  the other COM and the TAAF (98x) are left out: OpenFisca-France does not
  model them and their social protection is not the CAF's;
* the postal codes of the ``arrondissement-municipal`` entries (Paris, Lyon,
  Marseille) are merged into their parent commune, whose commune-level INSEE
  code (75056, 69123, 13055) is the one used by OpenFisca-France (``depcom``);
* former or secondary codes that lead to one current commune only (the
  arrondissement codes such as 69381, the ``anciensCodes`` of a commune, the
  codes of its ``commune-deleguee``/``commune-associee``) as aliases;
* the names of the delegated/associated communes as alias names, so that a
  search for a former commune name finds the commune it now belongs to.

Output: a gzipped UTF-8 text file, written with gzip mtime=0 so that rebuilding
from the same package gives identical bytes. It is a *transposed* TSV, one line
per column, so that the application loads it with a handful of ``str.split``
calls (fast start-up) and gzip compresses it well. Line 1 is the format tag and
the source; then each line is a column name followed by one tab-separated value
per commune, the communes sorted by INSEE code, in this order::

    insee  name  postal_codes  department  region  zone  overseas  population  alias_codes  alias_names

``postal_codes`` and ``alias_codes`` are comma-separated, ``alias_names`` are
separated by ``|``; ``zone`` is ``metro``, ``drom`` or ``com``; ``overseas`` is
``1`` for the DROM (departments 971-976), else ``0``.

Rebuild::

    python packaging/build_communes.py            # npm pack, then build
    python packaging/build_communes.py --tarball etalab-decoupage-administratif-6.0.0.tgz

The second form builds from an already downloaded tarball (its sha512 must
match the pinned one). ``resources/communes.SOURCE.md`` is written alongside.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import gzip
import hashlib
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

PACKAGE = "@etalab/decoupage-administratif"
VERSION = "6.0.0"
# ``npm view @etalab/decoupage-administratif@6.0.0 dist.integrity``
INTEGRITY = "sha512-XavYsFlbcM/prKr8hNHPKER94IHw/dsxNM4nxjWMYk6PLFACpEedvn/7wK8Baozm0dCYhWWcf+7bcWpA5pmCaQ=="
# ``npm view @etalab/decoupage-administratif time`` for this version (documentation only)
PUBLISHED = "2026-04-09"
NPM_PAGE = f"https://www.npmjs.com/package/{PACKAGE}/v/{VERSION}"
TARBALL_URL = f"https://registry.npmjs.org/{PACKAGE}/-/decoupage-administratif-{VERSION}.tgz"

ROOT = Path(__file__).resolve().parents[1]
OUT_DATA = ROOT / "resources" / "communes.tsv.gz"
OUT_SOURCE = ROOT / "resources" / "communes.SOURCE.md"

FORMAT_TAG = "#guichet-communes v1"
COLUMNS = (
    "insee", "name", "postal_codes", "department", "region",
    "zone", "overseas", "population", "alias_codes", "alias_names",
)
DROM = ("971", "972", "973", "974", "976")  # 975 is a COM (Saint-Pierre-et-Miquelon)
KEPT_COM_DEPARTMENTS = ("975", "977", "978")


def fetch_tarball(workdir: Path) -> Path:
    spec = f"{PACKAGE}@{VERSION}"
    print(f"npm pack {spec}", file=sys.stderr)
    result = subprocess.run(
        ["npm", "pack", spec, "--json", "--silent"],
        cwd=workdir, check=True, capture_output=True, text=True,
    )
    info = json.loads(result.stdout)
    return workdir / str(info[0]["filename"])


def check_integrity(tarball: Path) -> None:
    algo, _, expected = INTEGRITY.partition("-")
    digest = base64.b64encode(hashlib.new(algo, tarball.read_bytes()).digest()).decode()
    if digest != expected:
        raise SystemExit(f"{tarball}: {algo} {digest} does not match the pinned {INTEGRITY}")


def read_member(archive: tarfile.TarFile, name: str) -> tuple[bytes, dt.date]:
    member = archive.getmember(name)
    handle = archive.extractfile(member)
    if handle is None:
        raise SystemExit(f"{name} is not a file in the package")
    return handle.read(), dt.datetime.fromtimestamp(member.mtime, dt.timezone.utc).date()


def _clean(text: str) -> str:
    if "\t" in text or "\n" in text or "|" in text:
        raise SystemExit(f"unexpected separator in {text!r}")
    return text


def build_rows(entries: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    current: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if entry["type"] != "commune-actuelle":
            continue
        zone = entry["zone"]
        if zone == "com" and entry["departement"] not in KEPT_COM_DEPARTMENTS:
            continue
        if zone not in ("metro", "drom", "com"):
            raise SystemExit(f"unknown zone {zone!r} for {entry['code']}")
        current[entry["code"]] = entry

    postal: dict[str, set[str]] = {code: set(e.get("codesPostaux", ())) for code, e in current.items()}
    alias_owners: dict[str, set[str]] = {}
    alias_names: dict[str, set[str]] = {code: set() for code in current}

    def add_alias_code(alias: str, owner: str) -> None:
        if alias != owner:
            alias_owners.setdefault(alias, set()).add(owner)

    for code, entry in current.items():
        for old in entry.get("anciensCodes", ()):
            add_alias_code(old, code)
    for entry in entries:
        kind = entry["type"]
        if kind == "arrondissement-municipal":
            parent = entry["commune"]
            if parent in current:
                postal[parent].update(entry.get("codesPostaux", ()))
                add_alias_code(entry["code"], parent)
        elif kind in ("commune-deleguee", "commune-associee"):
            parent = entry.get("chefLieu", "")
            if parent in current:
                add_alias_code(entry["code"], parent)
                if entry["nom"] != current[parent]["nom"]:
                    alias_names[parent].add(entry["nom"])

    alias_codes: dict[str, set[str]] = {code: set() for code in current}
    for alias, owners in alias_owners.items():
        # A code that is still current, or that now belongs to several communes, is no alias.
        if alias not in current and len(owners) == 1:
            alias_codes[next(iter(owners))].add(alias)

    rows: list[tuple[str, ...]] = []
    for code in sorted(current):
        entry = current[code]
        department = entry["departement"]
        rows.append((
            _clean(code),
            _clean(entry["nom"]),
            ",".join(sorted(postal[code])),
            _clean(department),
            _clean(entry["region"]),
            entry["zone"],
            "1" if department in DROM else "0",
            str(int(entry.get("population", 0))),
            ",".join(sorted(alias_codes[code])),
            "|".join(_clean(name) for name in sorted(alias_names[code])),
        ))
    return rows


def write_data(rows: list[tuple[str, ...]], path: Path) -> bytes:
    text = io.StringIO()
    text.write(f"{FORMAT_TAG}\t{PACKAGE}@{VERSION}\n")
    for number, column in enumerate(COLUMNS):
        text.write("\t".join([column, *(row[number] for row in rows)]) + "\n")
    buffer = io.BytesIO()
    # No file name and mtime=0 in the gzip header: the bytes depend on the data only.
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(text.getvalue().encode("utf-8"))
    data = buffer.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def millesime(readme: str) -> str:
    match = re.search(rf"^\|\s*(\d{{4}})\s*\|\s*{re.escape(VERSION)}\s*\|", readme, re.MULTILINE)
    return match.group(1) if match else "inconnu"


def write_source(path: Path, *, copyright_line: str, license_text: str, repository: str, year: str,
                 data_date: dt.date, rows: list[tuple[str, ...]], data: bytes) -> None:
    counts = {zone: sum(1 for row in rows if row[5] == zone) for zone in ("metro", "drom", "com")}
    sha256 = hashlib.sha256(data).hexdigest()
    path.write_text(f"""\
# communes.tsv.gz — source

`resources/communes.tsv.gz` is generated by `packaging/build_communes.py`; do not edit it by hand.

- Source package: [`{PACKAGE}`]({NPM_PAGE}) version **{VERSION}** (npm registry,
  tarball {TARBALL_URL}, integrity `{INTEGRITY}`); code repository {repository}.
- Licence of the package: **MIT** — "{copyright_line}" (full text below, from the package's `LICENSE`).
  The package README states that its data are under the Licence Ouverte (Etalab) and names its
  sources: INSEE Code officiel géographique and populations légales, La Poste's base officielle des
  codes postaux (now Licence Ouverte).
- Date of the data: Code officiel géographique, millésime **{year}** (package README table);
  `data/communes.json` dated {data_date.isoformat()} in the package; version published on npm on {PUBLISHED}.
- Content: {len(rows)} current communes ({counts['metro']} metropolitan, {counts['drom']} in the DROM
  971–976, {counts['com']} in the COM 975/977/978); other COM and TAAF (98x) are left out.
  Paris, Lyon and Marseille appear once, with their commune-level INSEE code (75056, 69123, 13055)
  and the postal codes of all their arrondissements.
- File: gzipped UTF-8 transposed TSV (one line per column, communes sorted by INSEE code),
  gzip mtime 0; sha256 `{sha256}`.

Rebuild (needs `npm` and the npm registry; the application itself never goes online):

```sh
python packaging/build_communes.py
```

## Licence of the source package

```text
{license_text.strip()}
```
""", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tarball", type=Path, help="use this already downloaded package tarball")
    parser.add_argument("--output", type=Path, default=OUT_DATA)
    parser.add_argument("--source-output", type=Path, default=OUT_SOURCE)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="guichet-communes-") as tmp:
        tarball = args.tarball or fetch_tarball(Path(tmp))
        check_integrity(tarball)
        with tarfile.open(tarball, "r:gz") as archive:
            communes_raw, data_date = read_member(archive, "package/data/communes.json")
            license_raw, _ = read_member(archive, "package/LICENSE")
            readme_raw, _ = read_member(archive, "package/README.md")
            package_json = json.loads(read_member(archive, "package/package.json")[0])

    if package_json["version"] != VERSION or package_json["license"] != "MIT":
        raise SystemExit(f"unexpected package.json: {package_json['version']} {package_json['license']}")
    copyright_line = next(
        (line.strip() for line in license_raw.decode("utf-8").splitlines() if line.startswith("Copyright")),
        "",
    )
    if not copyright_line:
        raise SystemExit("no copyright line in the package's LICENSE")

    rows = build_rows(json.loads(communes_raw))
    data = write_data(rows, args.output)
    write_source(
        args.source_output, copyright_line=copyright_line, license_text=license_raw.decode("utf-8"),
        repository=str(package_json.get("repository", "")), year=millesime(readme_raw.decode("utf-8")),
        data_date=data_date, rows=rows, data=data,
    )
    print(f"{args.output}: {len(rows)} communes, {len(data)} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
