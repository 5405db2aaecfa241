"""Regenerate the example handout renders of this folder (issue 4).

Computes three invented households of ``app/core/handout/examples.py`` with the real
engine, builds their handouts and renders two pages of each to PNG at 60 dpi with
pdftoppm (poppler-utils): the first page and one page chosen to show a feature.
The PDFs themselves are not kept (they go to a temporary folder).

    /work/venv/bin/python docs/handouts/render.py [--keep-pdf DIR]
"""

from __future__ import annotations

import argparse

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLES_DIR = HERE.parents[1] / "examples"
sys.path.insert(0, str(HERE.parents[1]))
os.environ.setdefault("GUICHET_DATA_DIR", tempfile.mkdtemp(prefix="guichet-render-"))

from app.core.io.casefile import load_case  # noqa: E402
from app.core.compute.engine import Engine  # noqa: E402
from app.core.handout.citizen import HandoutOptions  # noqa: E402
from app.core.handout.build import build_handout  # noqa: E402
from app.core.handout.examples import (  # noqa: E402
    CREATED,
    MONTH,
    SERVICE_POINT,
    single_parent,
    single_person,
)

# (file prefix, household, options): pages 1 and 2 of each, at 80 dpi
EXAMPLES = (
    ("1-parent-isole-fr", single_parent, HandoutOptions(created=CREATED)),
    # examples/06: eight benefits to request (the eight-person household has eleven with
    # the 2026.11 catalogue, more than the ten: its handout takes three pages)
    ("2-mere-enfant-handicape-fr", lambda: load_case(EXAMPLES_DIR / "06-mere-enfant-handicape-la-reunion.json")[0],
     HandoutOptions(created=CREATED)),
    ("3-parent-isole-ar", single_parent, HandoutOptions(created=CREATED, language="ar")),
    ("4-personne-seule-en", single_person, HandoutOptions(created=CREATED, language="en")),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep-pdf", type=Path, help="also write the PDFs in this folder")
    args = parser.parse_args()
    if shutil.which("pdftoppm") is None:
        sys.exit("pdftoppm is missing: apt-get install -y poppler-utils")
    engine = Engine()
    with tempfile.TemporaryDirectory() as tmp:
        for old in HERE.glob("*.png"):
            old.unlink()
        for prefix, make, options in EXAMPLES:
            household = make()
            result = engine.compute(household, MONTH)
            pdf = build_handout(household, result, engine.catalogue, SERVICE_POINT, options)
            path = Path(tmp) / f"{prefix}.pdf"
            path.write_bytes(pdf)
            if args.keep_pdf:
                args.keep_pdf.mkdir(parents=True, exist_ok=True)
                (args.keep_pdf / path.name).write_bytes(pdf)
            for number in (1, 2):
                out = HERE / f"{prefix}-page{number}"
                subprocess.run(
                    ["pdftoppm", "-png", "-r", "80", "-f", str(number), "-l", str(number), "-singlefile",
                     str(path), str(out)],
                    check=True,
                )
                print(f"{out.with_suffix('.png').relative_to(HERE.parents[1])}")


if __name__ == "__main__":
    main()
