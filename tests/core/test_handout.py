"""The citizen's handout and the agent's copy (app/core/handout/citizen.py, issue 4).

The PDFs are read back with pypdf: text, positions and sizes of the text, link
annotations, fonts and metadata. Two kinds of results feed them:

* hand-made ``SimulationResult``s (fast tests): every amount below is chosen here,
  so the expected French texts are derived from these literals, not from the code
  under test (e.g. 1234.5 € per month must print as "1 234,50 € par mois", with
  U+202F as thousands separator);
* results of the real engine for the one-person and eight-person households of
  ``app/core/handout/examples.py`` (slow tests): the amounts expected in the PDF are
  the engine's, formatted with ``formats.euros``.

pypdf reports the no-break space U+00A0 (before "€" and ":") as a plain space; the
narrow no-break space U+202F comes back as itself. ``norm`` applies the same
mapping to the expected strings and joins wrapped lines.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pypdf
import pytest
from reportlab import rl_config
from reportlab.pdfbase.pdfmetrics import stringWidth

from app.core.base import formats
from app.core.benefits.catalogue import Catalogue, load_catalogue
from app.core.benefits.results import BenefitResult, SimulationResult, Status
from app.core.handout.citizen import (
    HandoutOptions,
    ServicePoint,
    already_received_monthly,
    qr_matrix,
    qr_target,
)
from app.core.handout.build import build_agent_copy, build_handout
from app.core.handout.examples import CREATED, MONTH, SERVICE_POINT, eight_persons, single_person
from app.core.base.pdf_fonts import FONT, FONT_BOLD, FONT_ITALIC
from app.core.handout.layout import (
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PAGE_HEIGHT,
    PAGE_WIDTH,
)
from app.core.base.i18n import t

OPTIONS = HandoutOptions(created=CREATED, detailed=True)  # the « version détaillée »: everything the handout had


# --------------------------------------------------------------------------- reading PDFs


def norm(text: str) -> str:
    """Whitespace as pypdf gives it back: U+00A0 -> space, runs of spaces/newlines -> one space."""
    return re.sub(r"[ \n\t\u00a0]+", " ", text).strip()


def reader(pdf: bytes) -> pypdf.PdfReader:
    assert pdf.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [norm(page.extract_text()) for page in reader(pdf).pages]


def full_text(pdf: bytes) -> str:
    return " ".join(page_texts(pdf))


def uris(pdf: bytes) -> list[tuple[int, str, tuple[float, float, float, float]]]:
    """(page index, address, rectangle) of every link annotation."""
    out = []
    for index, page in enumerate(reader(pdf).pages):
        for annotation in page.get("/Annots") or []:
            item = annotation.get_object()
            action = item.get("/A")
            if action is not None and "/URI" in action:
                rect = tuple(float(v) for v in item["/Rect"])
                out.append((index, str(action["/URI"]), rect))  # type: ignore[arg-type]
    return out


_FONTS = {"DejaVuSans": FONT, "DejaVuSans-Bold": FONT_BOLD, "DejaVuSans-Oblique": FONT_ITALIC}


@dataclasses.dataclass
class Run:
    page: int
    text: str
    x0: float
    x1: float  # right end at the font's natural width
    y: float
    size: float
    shrink: float  # how much reportlab may have narrowed the line with word spacing (Tw)


def inside_margins(run: Run) -> bool:
    """The text starts and ends between the side margins. reportlab fits a line by
    narrowing its spaces by up to ``rl_config.spaceShrinkage`` (5 %) with the PDF's
    word spacing, which pypdf does not report: that much is allowed."""
    return MARGIN_X - 0.5 <= run.x0 and run.x1 - run.shrink <= PAGE_WIDTH - MARGIN_X + 0.5


def text_runs(pdf: bytes) -> list[Run]:
    """Every piece of text drawn, with its position (points, origin bottom left),
    its width (measured with the same font) and its size."""
    runs: list[Run] = []
    for index, page in enumerate(reader(pdf).pages):

        def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float, index: int = index) -> None:
            if not text.strip() or font is None:
                return
            scale = tm[0] * cm[0]
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            name = _FONTS[str(font["/BaseFont"]).split("+", 1)[1]]
            shown = text.rstrip("\n")
            points = size * scale
            shrink = rl_config.spaceShrinkage * stringWidth(" ", name, points) * shown.count(" ")
            runs.append(Run(index, shown, x, x + stringWidth(shown, name, points), y, points, shrink))

        page.extract_text(visitor_text=visit)
    return runs


# --------------------------------------------------------------------------- hand-made results


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def make_result(catalogue: Catalogue, **overrides: BenefitResult) -> SimulationResult:
    """Every catalogue benefit not eligible, except those given (by id)."""
    benefits = tuple(
        overrides.get(b.id, BenefitResult(b.id, Status.NOT_ELIGIBLE, 0.0, b.amount_period)) for b in catalogue
    )
    return SimulationResult(
        month=MONTH,
        benefits=benefits,
        assumptions=("n1_income_derived",),
        warnings=(),
        openfisca_france="176.1.8",
        legislation_until="2026-10-01",
        catalogue_version="2026.11",
        totals_ids=tuple(b.id for b in catalogue if b.counts_in_total),
    )


def family_result(catalogue: Catalogue) -> SimulationResult:
    """For eight_persons(): amounts chosen to exercise the formats."""
    return make_result(
        catalogue,
        rsa=BenefitResult("rsa", Status.ELIGIBLE, 573.27, "month"),
        aide_logement=BenefitResult("aide_logement", Status.ELIGIBLE, 1234.5, "month", detail="apl"),
        allocations_familiales=BenefitResult(
            "allocations_familiales", Status.ELIGIBLE, 153.01, "month", already_received=True
        ),
        ass=BenefitResult("ass", Status.TO_CHECK, 0.0, "month"),
        aeeh=BenefitResult("aeeh", Status.ELIGIBLE, 153.01, "month", beneficiaries=("p5",)),
        allocation_rentree_scolaire=BenefitResult("allocation_rentree_scolaire", Status.ELIGIBLE, 2247.4, "year"),
        css_participation=BenefitResult("css_participation", Status.ELIGIBLE, 76.0, "month"),
        prime_activite=BenefitResult("prime_activite", Status.ERROR, 0.0, "month", error="échec"),
    )


# Independently derived: the monthly amounts counted in the total are the eligible
# rsa, aide_logement, allocations_familiales and aeeh (the CSS participation is a
# payment, not counted; ass is "to check"): 573.27 + 1234.50 + 153.01 + 153.01.
FAMILY_TOTAL = 2113.79
FAMILY_YEARLY = 2247.40  # allocation de rentrée scolaire


@pytest.fixture(scope="module")
def family_pdf(catalogue: Catalogue) -> bytes:
    return build_handout(eight_persons(), family_result(catalogue), catalogue, SERVICE_POINT, OPTIONS)


def test_total_and_amounts_in_french_format(catalogue: Catalogue, family_pdf: bytes) -> None:
    result = family_result(catalogue)
    assert result.total_monthly() == pytest.approx(FAMILY_TOTAL)  # the fixture matches the derivation above
    text = full_text(family_pdf)
    assert norm(t("handout.summary.total_monthly", amount="2\u202f113,79\u00a0€")) in text
    assert norm(t("handout.summary.total_yearly", amount="2\u202f247,40\u00a0€")) in text
    assert "1\u202f234,50 € par mois" in text  # U+202F kept, no line break inside the amount
    assert "2\u202f247,40 € par an" in text
    assert "573,27 € par mois" in text
    # the family allowances are already received: said as part of the total
    assert already_received_monthly(result) == pytest.approx(153.01)
    assert norm(t("handout.summary.already_part", amount=formats.euros(153.01))) in text


def test_css_participation_is_a_payment_not_money_received(catalogue: Catalogue, family_pdf: bytes) -> None:
    text = full_text(family_pdf)
    assert "participation de 76,00 € par mois" in text
    assert norm(t("handout.block.contribution_note")) in text
    assert "76,00 € par mois" not in text.replace("participation de 76,00 € par mois", "")


def test_benefit_blocks_and_sections(catalogue: Catalogue, family_pdf: bytes) -> None:
    text = full_text(family_pdf)
    for benefit_id in ("rsa", "aide_logement", "ass", "aeeh", "allocation_rentree_scolaire", "css_participation"):
        benefit = catalogue.get(benefit_id)
        assert norm(benefit.label) in text
        assert norm(benefit.paying_body.name) in text
        for item in (*benefit.documents, *benefit.conditions_to_check):
            assert norm(item) in text, item
        if benefit.apply.paper and benefit.apply.paper.cerfa:
            assert norm(t("handout.block.cerfa", number=benefit.apply.paper.cerfa)) in text
    assert norm(t("handout.block.detail", name=t("handout.detail.apl"))) in text
    assert "Pour : Sofia" in text  # the AEEH's beneficiary, by first name
    assert text.count(norm(t("handout.amount.to_check"))) >= 2  # ASS: in the summary and its block
    # already received: apart, in its own section
    received = text.index(norm(t("handout.section.already")))
    assert text.index("Allocations familiales", received) > received
    # the failed computation is said, not hidden
    assert norm(t("handout.section.errors")) in text and "Prime d'activité" in text
    # not eligible benefits are left out by default
    assert norm(t("handout.section.not_eligible")) not in text
    assert "Allocation de solidarité aux personnes âgées" not in text


def test_not_eligible_listed_at_the_end_on_request(catalogue: Catalogue) -> None:
    pdf = build_handout(
        eight_persons(), family_result(catalogue), catalogue, SERVICE_POINT,
        dataclasses.replace(OPTIONS, include_not_eligible=True),
    )
    text = full_text(pdf)
    start = text.index(norm(t("handout.section.not_eligible")))
    assert start > text.index(norm(t("handout.section.situation")))
    for benefit_id in ("aspa", "asf", "bourse_lycee"):
        assert norm(catalogue.get(benefit_id).label) in text[start:]


def test_header_notice_and_page_numbers(catalogue: Catalogue, family_pdf: bytes) -> None:
    pages = page_texts(family_pdf)
    first = pages[0]
    for field in (SERVICE_POINT.name, SERVICE_POINT.address, SERVICE_POINT.phone, SERVICE_POINT.opening_hours):
        assert norm(field) in first
    assert "Date : 03/11/2026" in first
    assert "novembre 2026" in first
    assert "OpenFisca-France 176.1.8" in first and "2026.11" in first
    assert norm(t("handout.notice.title")) in first  # the notice is on the first page
    assert norm(t("handout.notice.body")) in first
    total = len(pages)
    assert 2 <= total <= 15
    for number, text in enumerate(pages, start=1):
        assert text.endswith(f"Page {number} sur {total}") or f"Page {number} sur {total}" in text


def test_metadata_hold_no_personal_data(catalogue: Catalogue, family_pdf: bytes) -> None:
    info = reader(family_pdf).metadata
    assert info is not None
    assert info.title == t("handout.meta.title")
    assert info.author == SERVICE_POINT.name
    assert "novembre 2026" in (info.subject or "")
    assert info["/CreationDate"].startswith("D:20261103")
    values = " ".join(str(v) for v in info.values())
    household = eight_persons()
    for private in [p.first_name for p in household.persons] + [household.reference, "Marseille", "13015"]:
        assert private not in values.replace(SERVICE_POINT.name, "").replace(SERVICE_POINT.address, "")


def test_fonts_embedded_and_at_least_11_points(family_pdf: bytes) -> None:
    for page in reader(family_pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert "DejaVuSans" in str(font["/BaseFont"])  # no Helvetica or other unembedded font
            assert "/FontFile2" in font["/FontDescriptor"].get_object()
    sizes = {round(run.size, 1) for run in text_runs(family_pdf)}
    assert min(sizes) >= 10


def test_no_text_outside_the_page_margins(family_pdf: bytes) -> None:
    runs = text_runs(family_pdf)
    assert runs
    for run in runs:
        assert inside_margins(run), run
        assert MARGIN_BOTTOM - 12 * 2.835 <= run.y <= PAGE_HEIGHT - MARGIN_TOP + 10 * 2.835, run


def unexplained_acronyms(text: str) -> set[str]:
    """Words of 2+ capitals never given with their meaning, as "X (meaning)" or "meaning (X)"."""
    words = set(re.findall(r"\b[A-ZÀ-Ý]{2,}\b", text))
    return {w for w in words if f"({w})" not in text and f"{w} (" not in text}


def test_no_acronym_without_its_meaning(family_pdf: bytes) -> None:
    text = full_text(family_pdf).replace(eight_persons().reference, "")
    assert re.search(r"\b(CAF|CSS|RSA|APL)\b", text)  # the check has something to check
    assert unexplained_acronyms(text) == set()


def test_qr_code_targets(catalogue: Catalogue, family_pdf: bytes) -> None:
    # online address first, else the paper form's page
    assert qr_target(catalogue.get("rsa")) == catalogue.get("rsa").apply.online.url  # type: ignore[union-attr]
    asi = catalogue.get("asi")
    assert asi.apply.online is None and qr_target(asi) == asi.apply.paper.url  # type: ignore[union-attr]
    links = uris(family_pdf)
    squares = {uri for _page, uri, (x0, y0, x1, y1) in links if abs((x1 - x0) - (y1 - y0)) < 0.5 and x1 - x0 > 80}
    expected = {
        qr_target(catalogue.get(b))
        for b in ("rsa", "aide_logement", "ass", "aeeh", "allocation_rentree_scolaire", "css_participation")
    }
    assert squares == expected  # one square QR code link per benefit block, to its target


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("zbarimg") is None,
    reason="needs pdftoppm and zbarimg (apt-get install poppler-utils zbar-tools)",
)
def test_qr_codes_decode_to_their_targets(catalogue: Catalogue, family_pdf: bytes, tmp_path: Path) -> None:
    (tmp_path / "handout.pdf").write_bytes(family_pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "100", str(tmp_path / "handout.pdf"), str(tmp_path / "page")], check=True)
    decoded = subprocess.run(
        ["zbarimg", "-q", "--raw", *sorted(str(p) for p in tmp_path.glob("page*.png"))],
        capture_output=True, text=True,
    ).stdout.split()
    expected = [
        qr_target(catalogue.get(b))
        for b in ("rsa", "aide_logement", "ass", "aeeh", "allocation_rentree_scolaire", "css_participation")
    ]
    assert sorted(decoded) == sorted(expected)


def test_qr_matrix_is_a_qr_code_of_the_address() -> None:
    matrix = qr_matrix("https://www.caf.fr")
    size = len(matrix)
    assert (size - 17) % 4 == 0 and all(len(row) == size for row in matrix)  # versions are 17 + 4 v modules wide

    def finder(row: int, col: int) -> bool:  # the 7x7 position pattern: dark ring, light ring, dark 3x3
        for r in range(7):
            for c in range(7):
                ring = max(abs(r - 3), abs(c - 3))
                if matrix[row + r][col + c] != (ring != 2):
                    return False
        return True

    assert finder(0, 0) and finder(0, size - 7) and finder(size - 7, 0)
    assert qr_matrix("https://www.ameli.fr") != matrix
    longer = qr_matrix("https://www.service-public.fr/particuliers/vosdroits/F12006")
    assert len(longer) >= size


def test_identical_input_identical_bytes(catalogue: Catalogue, family_pdf: bytes) -> None:
    again = build_handout(eight_persons(), family_result(catalogue), catalogue, SERVICE_POINT, OPTIONS)
    assert again == family_pdf
    # another document built in between changes nothing
    build_agent_copy(single_person(), make_result(catalogue), catalogue, SERVICE_POINT, OPTIONS)
    assert build_handout(eight_persons(), family_result(catalogue), catalogue, SERVICE_POINT, OPTIONS) == family_pdf
    other_day = build_handout(
        eight_persons(), family_result(catalogue), catalogue, SERVICE_POINT,
        dataclasses.replace(OPTIONS, created=dt.date(2026, 11, 4)),
    )
    assert other_day != family_pdf and "04/11/2026" in full_text(other_day)


def test_first_names_or_no_names(catalogue: Catalogue, family_pdf: bytes) -> None:
    household = eight_persons()
    names = [p.first_name for p in household.persons]
    with_names = full_text(family_pdf)
    assert all(name in with_names for name in names)
    options = dataclasses.replace(OPTIONS, names="none")
    for pdf in (
        build_handout(household, family_result(catalogue), catalogue, SERVICE_POINT,
                      dataclasses.replace(options, agent_copy="appendix")),
        build_agent_copy(household, family_result(catalogue), catalogue, SERVICE_POINT, options),
    ):
        text = full_text(pdf)
        for name in names:
            assert re.search(rf"\b{name}\b", text) is None, name
        assert "Personne 5" in text  # Sofia, as the AEEH's beneficiary and in the recap


def test_boolean_and_to_check_benefits(catalogue: Catalogue) -> None:
    result = make_result(
        catalogue,
        css_gratuite=BenefitResult("css_gratuite", Status.ELIGIBLE, 0.0, "month"),
        aspa=BenefitResult("aspa", Status.TO_CHECK, 0.0, "month"),
    )
    pdf = build_handout(single_person(), result, catalogue, SERVICE_POINT, OPTIONS)
    text = full_text(pdf)
    assert norm(t("handout.amount.css_gratuite")) in text
    assert norm(t("handout.block.to_check")) in text
    # nothing counted in the total: the free CSS has no amount, the ASPA is to check
    assert norm(t("handout.summary.total_monthly", amount=formats.euros(0))) in text
    assert norm(t("handout.summary.to_check_not_counted")) in text


def test_local_aid_known_only_by_its_maximum(catalogue: Catalogue) -> None:
    local = [a for a in getattr(catalogue, "local_aids", ()) if a.value == "amount" and a.amount_period == "month"]
    if not local:
        pytest.skip("no local aid with a monthly amount in rules/local")
    aid = local[0]
    base = family_result(catalogue)
    result = dataclasses.replace(
        base, benefits=base.benefits + (BenefitResult(aid.id, Status.TO_CHECK, 84.0, "month", detail="montant_maximum"),)
    )
    pdf = build_handout(eight_persons(), result, catalogue, SERVICE_POINT, OPTIONS)
    text = full_text(pdf)
    assert norm(aid.label) in text
    assert "jusqu'à 84,00 € par mois" in text
    # after the national benefits, in the catalogue's display order
    assert text.rindex(norm(aid.label)) > text.rindex(norm(catalogue.get("css_participation").label))
    assert norm(t("handout.summary.total_monthly", amount=formats.euros(FAMILY_TOTAL))) in text  # not counted
    agent = full_text(build_agent_copy(eight_persons(), result, catalogue, SERVICE_POINT, OPTIONS))
    assert "jusqu'à 84,00 € par mois" in agent


def test_local_aids_of_other_territories_are_left_out(catalogue: Catalogue) -> None:
    from app.core.benefits.local_aids import DETAIL_OUTSIDE_TERRITORY

    local = list(getattr(catalogue, "local_aids", ()))
    if not local:
        pytest.skip("no local aid in rules/local")
    base = family_result(catalogue)
    outside = tuple(
        BenefitResult(a.id, Status.NOT_ELIGIBLE, 0.0, a.amount_period, detail=DETAIL_OUTSIDE_TERRITORY) for a in local
    )
    result = dataclasses.replace(base, benefits=base.benefits + outside)
    options = dataclasses.replace(OPTIONS, include_not_eligible=True, agent_copy="appendix")
    text = full_text(build_handout(eight_persons(), result, catalogue, SERVICE_POINT, options))
    for aid in local:
        assert norm(aid.label) not in text


def test_nothing_to_request(catalogue: Catalogue) -> None:
    pdf = build_handout(single_person(), make_result(catalogue), catalogue, SERVICE_POINT, OPTIONS)
    text = full_text(pdf)
    assert norm(t("handout.summary.nothing")) in text
    assert len(page_texts(pdf)) <= 2


def test_warnings_are_in_the_notice(catalogue: Catalogue) -> None:
    result = dataclasses.replace(make_result(catalogue), warnings=("Attention : mois après la législation connue.",))
    text = page_texts(build_handout(single_person(), result, catalogue, SERVICE_POINT, OPTIONS))[0]
    assert "Mois après la législation connue." in text and "Attention : Attention" not in text


def test_logo_and_broken_logo(catalogue: Catalogue, tmp_path: Path) -> None:
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 40), (31, 58, 95)).save(logo)
    point = dataclasses.replace(SERVICE_POINT, logo_path=logo)
    pdf = build_handout(single_person(), family_result(catalogue), catalogue, point, OPTIONS)
    xobjects = reader(pdf).pages[0]["/Resources"].get("/XObject") or {}
    assert any(x.get_object()["/Subtype"] == "/Image" for x in xobjects.values())
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    pdf = build_handout(single_person(), family_result(catalogue), catalogue,
                        dataclasses.replace(SERVICE_POINT, logo_path=broken), OPTIONS)
    assert SERVICE_POINT.name in full_text(pdf)


def test_long_texts_wrap_inside_the_page(catalogue: Catalogue) -> None:
    point = ServicePoint(
        name="Centre communal d'action sociale de Saint-Rémy-en-Bouzemont-Saint-Genest-et-Isson " * 2,
        address="Bâtiment B, escalier 4, 1234 avenue du Général-de-Gaulle-et-de-la-Libération " * 3,
        phone="03 26 00 00 00 / 06 00 00 00 00",
        opening_hours="Lundi, mardi, jeudi de 8 h 30 à 12 h et de 13 h 30 à 17 h ; mercredi matin ; " * 3,
    )
    pdf = build_handout(eight_persons(), family_result(catalogue), catalogue, point,
                        dataclasses.replace(OPTIONS, include_not_eligible=True, agent_copy="appendix"))
    for run in text_runs(pdf):
        assert inside_margins(run), run


def test_agent_copy_as_appendix_is_numbered_apart(catalogue: Catalogue, family_pdf: bytes) -> None:
    citizen_pages = len(page_texts(family_pdf))
    pdf = build_handout(eight_persons(), family_result(catalogue), catalogue, SERVICE_POINT,
                        dataclasses.replace(OPTIONS, agent_copy="appendix"))
    pages = page_texts(pdf)
    assert pages[:citizen_pages] == page_texts(family_pdf)  # the citizen's pages are unchanged
    appendix = pages[citizen_pages:]
    assert appendix and norm(t("agent_copy.appendix_title")) in appendix[0]
    for number, text in enumerate(appendix, start=1):
        assert f"Page {number} sur {len(appendix)}" in text
        assert norm(t("agent_copy.footer")) in text


def test_agent_copy_holds_every_input_and_the_details(catalogue: Catalogue) -> None:
    household = eight_persons()
    result = family_result(catalogue)
    pdf = build_agent_copy(household, result, catalogue, SERVICE_POINT, OPTIONS)
    text = full_text(pdf)
    assert norm(t("agent_copy.title")) in text
    for person in household.persons:
        assert formats.date(person.birth_date) in text
        assert person.first_name in text
        assert person.id in text
    assert "1\u202f250,00 € par mois" in text  # Samira's stable salary
    # Mehdi's 12 monthly unemployment amounts, oldest (M-12 = November 2025) first
    assert "novembre 2025 : 900,00 € ; décembre 2025 : 900,00 €" in text
    assert "octobre 2026 : 750,00 €" in text
    assert "890,00 €" in text and "120,00 €" in text  # rent and charges
    assert "DOSSIER-2026-0042" in text
    assert "Marseille" in text
    for benefit in catalogue:
        assert f"Variable OpenFisca : {benefit.variable} " in text
    assert "(variable apl)" in text
    assert "176.1.8" in text and "01/10/2026" in text and "2026.11" in text
    assert norm(t("assumption.n1_income_derived")) in text
    assert norm(t("status.to_check")) in text and norm(t("status.error")) in text
    assert "échec" in text
    info = reader(pdf).metadata
    assert info is not None and "Samira" not in " ".join(str(v) for v in info.values())


def test_invalid_options() -> None:
    with pytest.raises(ValueError):
        HandoutOptions(names="full")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        HandoutOptions(agent_copy="both")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- real results


@pytest.fixture(scope="module")
def real_results(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Any, SimulationResult]]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GUICHET_DATA_DIR", str(tmp_path_factory.mktemp("guichet-data")))
        from app.core.compute.engine import Engine

        engine = Engine()
        yield {
            name: (household, engine.compute(household, MONTH))
            for name, household in (("one", single_person()), ("eight", eight_persons()))
        }


@pytest.mark.slow
# eight, every benefit shown (the not eligible ones too): 15 pages since the one-off aids say
# « versés une fois », 16 since the explanations and conditions to check of the rights reached
# in issue 14's second part (prime à la naissance, pass Sport) grew by a few lines
@pytest.mark.parametrize("name, max_pages", [("one", 8), ("eight", 16)])
def test_real_households_lay_out_cleanly(
    real_results: dict[str, tuple[Any, SimulationResult]], catalogue: Catalogue, name: str, max_pages: int
) -> None:
    household, result = real_results[name]
    to_request = [b for b in result.benefits if b.not_claimed]
    assert to_request  # both examples have benefits to request
    options = dataclasses.replace(OPTIONS, include_not_eligible=True)
    pdf = build_handout(household, result, catalogue, SERVICE_POINT, options)  # LayoutError would fail here
    pages = page_texts(pdf)
    assert 2 <= len(pages) <= max_pages
    assert all(f"Page {i} sur {len(pages)}" in text for i, text in enumerate(pages, start=1))
    text = " ".join(pages)
    assert norm(t("handout.summary.total_monthly", amount=formats.euros(result.total_monthly()))) in text
    for item in to_request:
        benefit = catalogue.get(item.benefit_id)
        assert norm(benefit.label) in text
        if benefit.value == "contribution":
            assert f"participation de {norm(formats.euros(item.amount))}" in text
        elif benefit.value == "amount" and item.amount > 0:
            assert norm(formats.euros(item.amount)) in text
        for line in (*benefit.documents, *benefit.conditions_to_check):  # nothing cut
            assert norm(line) in text
    assert unexplained_acronyms(text.replace(household.reference, "") if household.reference else text) == set()
    for run in text_runs(pdf):
        assert inside_margins(run), run
    agent = build_agent_copy(household, result, catalogue, SERVICE_POINT, options)
    assert len(page_texts(agent)) <= 8
