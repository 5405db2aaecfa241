"""Regenerate the example handout renders of this folder (issue 4).

Computes three invented households of ``app/core/handout_examples.py`` with the real
engine, builds their handouts and renders two pages of each to PNG at 60 dpi with
pdftoppm (poppler-utils): the first page and one page chosen to show a feature.
The PDFs themselves are not kept (they go to a temporary folder).

    /work/venv/bin/python docs/handouts/render.py [--keep-pdf DIR]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
os.environ.setdefault("GUICHET_DATA_DIR", tempfile.mkdtemp(prefix="guichet-render-"))

from app.core.engine import Engine  # noqa: E402
from app.core.handout import HandoutOptions, build_handout  # noqa: E402
from app.core.handout_examples import (  # noqa: E402
    CREATED,
    MONTH,
    SERVICE_POINT,
    eight_persons,
    single_parent,
    single_person,
)

# (file prefix, household, options, text found on the second page to render)
EXAMPLES = (
    ("1-personne-seule", single_person, HandoutOptions(created=CREATED), "Revenu de solidarité active (RSA)"),
    ("2-parent-isole", single_parent, HandoutOptions(created=CREATED), "Votre situation"),
    (
        "3-famille-8-personnes",
        eight_persons,
        HandoutOptions(created=CREATED, include_not_eligible=True),
        "participation de",
    ),
)


def page_with(pdf: bytes, text: str) -> int:
    """1-based number of the first page after the first that shows ``text``."""
    import pypdf

    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    for number, page in enumerate(pages, start=1):
        if number > 1 and text in page.extract_text().replace("\u00a0", " "):
            return number
    return min(2, len(pages))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep-pdf", type=Path, help="also write the PDFs in this folder")
    args = parser.parse_args()
    if shutil.which("pdftoppm") is None:
        sys.exit("pdftoppm is missing: apt-get install -y poppler-utils")
    engine = Engine()
    with tempfile.TemporaryDirectory() as tmp:
        for prefix, make, options, second in EXAMPLES:
            household = make()
            result = engine.compute(household, MONTH)
            pdf = build_handout(household, result, engine.catalogue, SERVICE_POINT, options)
            path = Path(tmp) / f"{prefix}.pdf"
            path.write_bytes(pdf)
            if args.keep_pdf:
                args.keep_pdf.mkdir(parents=True, exist_ok=True)
                (args.keep_pdf / path.name).write_bytes(pdf)
            for old in HERE.glob(f"{prefix}-page*.png"):
                old.unlink()
            for number in (1, page_with(pdf, second)):
                out = HERE / f"{prefix}-page{number}"
                subprocess.run(
                    ["pdftoppm", "-png", "-r", "60", "-f", str(number), "-l", str(number), "-singlefile",
                     str(path), str(out)],
                    check=True,
                )
                print(f"{out.with_suffix('.png').relative_to(HERE.parents[1])}")


if __name__ == "__main__":
    main()
