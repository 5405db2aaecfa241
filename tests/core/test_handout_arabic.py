"""Arabic in the handout's PDF: the text read back is the letters typed, in logical
order (copy and paste, search, screen readers), and the glyphs drawn are joined.

The PDF draws each line in visual order, as every PDF does; its fonts' ToUnicode maps
give each shaped glyph the letters it stands for (``base/pdf_fonts._LogicalTextFont``),
and text extractors put right-to-left runs back in logical order. Checked with two
independent extractors: pypdf and poppler's pdftotext. The shaping is checked on a
render (pdftoppm) against a reference render looked at by a person.
"""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pypdf
import pytest
from PIL import Image, ImageChops, ImageStat
from reportlab.pdfgen.canvas import Canvas

from app.core.benefits.catalogue import Catalogue, load_catalogue
from app.core.handout.build import build_handout
from app.core.handout.examples import SERVICE_POINT, eight_persons
from app.core.base.pdf_fonts import logical_text
from app.core.handout.layout import building, para, styles
from app.core.base.i18n import language, t

from test_handout_short import OPTIONS, family  # noqa: E402 - the same hand-made result

REFERENCE = Path(__file__).resolve().parent / "handout_reference" / "arabic_phrase.png"
# A sentence of resources/i18n/ar/handout.yaml (handout.short.notice) with vowel marks
# (shadda, damma): « These amounts are an estimate, made from what you declared today ».
PHRASE_WITH_MARKS = "هذه المبالغ تقدير، أُعدّ على أساس ما صرّحتم به اليوم."
PRESENTATION_FORMS = ("\ufb50", "\ufeff")
LAM_ALEF = re.compile("\u0644[\u0622\u0623\u0625\u0627]")
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u200e\u200f"))


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def arabic_pdf(catalogue: Catalogue) -> bytes:
    return build_handout(eight_persons(), family(catalogue), catalogue, SERVICE_POINT,
                         dataclasses.replace(OPTIONS, language="ar"))


def test_the_sentence_is_one_of_the_handout() -> None:
    assert PHRASE_WITH_MARKS.rstrip(".") in t("handout.short.notice", lang="ar")


def test_presentation_forms_stand_for_their_letters() -> None:
    # Unicode's compatibility mappings (UnicodeData.txt): U+FEDF LAM INITIAL FORM is U+0644,
    # U+FEFB LAM WITH ALEF ISOLATED FORM is U+0644 U+0627, U+FE7C SHADDA ISOLATED FORM is U+0651.
    assert logical_text("\ufedf") == "\u0644"
    assert logical_text("\ufefb") == "\u0644\u0627"
    assert logical_text("\ufe7c") == "\u0651"
    assert logical_text("é") == "é" and logical_text("\u0644") == "\u0644"


def test_pypdf_reads_the_arabic_text_in_logical_order(arabic_pdf: bytes) -> None:
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(arabic_pdf)).pages)
    assert not any(PRESENTATION_FORMS[0] <= c <= PRESENTATION_FORMS[1] for c in text)  # the letters typed
    for key in ("handout.title", "handout.section.to_request", "handout.short.papers_title"):
        phrase = t(key, lang="ar")
        assert phrase in text, key
        assert phrase[::-1] not in text
    assert PHRASE_WITH_MARKS in text  # with its vowel marks, each after its letter
    assert "Aide au logement" in text  # the French names, left to right


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdftotext_reads_the_arabic_text_in_logical_order(arabic_pdf: bytes, tmp_path: Path) -> None:
    path = tmp_path / "ar.pdf"
    path.write_bytes(arabic_pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = text.translate(BIDI_CONTROLS)  # poppler marks the direction of each run
    assert not any(PRESENTATION_FORMS[0] <= c <= PRESENTATION_FORMS[1] for c in text)
    phrases = [t(key, lang="ar") for key in ("handout.title", "handout.section.to_request",
                                             "handout.summary.column_amount", "handout.section.automatic")]
    for phrase in phrases:
        assert phrase in text, phrase
    # Two limits of poppler (pypdf has neither, test above): it turns a line round letter
    # by letter, so the two letters of a lam-alef ligature (one glyph standing for « لأ »)
    # come out swapped: « الأوراق » reads « األوراق »; and in its layout mode a vowel mark
    # drawn before its letter (visual order) is set apart from it. Hence phrases without
    # either here:
    assert not any(LAM_ALEF.search(phrase) for phrase in phrases)
    assert "هذه المبالغ تقدير" in text


def _phrase_pdf(text: str) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(300, 40), invariant=1)
    with language("ar"), building():
        flowable = para(text, styles().body)
        flowable.wrapOn(canvas, 290, 40)
        flowable.drawOn(canvas, 5, 12)
    canvas.save()
    return buffer.getvalue()


def _render(pdf: bytes, folder: Path) -> Image.Image:
    path = folder / "phrase.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-gray", "-r", "150", "-singlefile", str(path), str(folder / "phrase")],
                   check=True)
    return Image.open(folder / "phrase.png").convert("L")


def _difference(first: Image.Image, second: Image.Image) -> float:
    """Mean absolute difference of two grey renders (0: same, 255: inverse)."""
    assert first.size == second.size
    return float(ImageStat.Stat(ImageChops.difference(first, second)).mean[0])


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_arabic_glyphs_are_joined_as_in_the_reference_render(tmp_path: Path) -> None:
    """The reference (handout_reference/arabic_phrase.png) was rendered by this test
    and looked at: joined letters, right to left, the marks above their letters.
    Anti-aliasing may differ a little between poppler versions, not the shapes."""
    shaped = _render(_phrase_pdf(PHRASE_WITH_MARKS), tmp_path)
    if not REFERENCE.exists():  # to make it again: delete it, run this test, look at it
        shaped.save(REFERENCE)
    reference = Image.open(REFERENCE).convert("L")
    same = _difference(shaped, reference)
    # The same letters kept from joining (a zero-width non-joiner after each) draw the
    # unjoined shapes: the render must be much farther from the reference than ours.
    unjoined = _render(_phrase_pdf(" ".join("\u200c".join(word) for word in PHRASE_WITH_MARKS.split(" "))), tmp_path)
    apart = _difference(unjoined, reference)
    assert same < 1.0, same
    assert apart > 5 * max(same, 0.5), (same, apart)


def test_the_reference_sentence_is_typed_letters() -> None:
    assert unicodedata.normalize("NFC", PHRASE_WITH_MARKS) == PHRASE_WITH_MARKS
    assert not any(PRESENTATION_FORMS[0] <= c <= PRESENTATION_FORMS[1] for c in PHRASE_WITH_MARKS)


def test_every_pdf_registers_the_fonts_in_one_place() -> None:
    """reportlab keeps the first font object registered for a TrueType face: the screening
    report once registered DejaVu Sans as a plain TTFont first, and the Arabic handout printed
    after it in the same process was copied as presentation forms. One module registers."""
    from app.core.base.paths import install_root

    writers = sorted(str(path.relative_to(install_root())) for path in (install_root() / "app").rglob("*.py")
                     if "registerFont(" in path.read_text(encoding="utf-8"))
    assert writers == ["app/core/base/pdf_fonts.py"]
