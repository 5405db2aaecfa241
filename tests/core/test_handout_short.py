"""The two-page handout (app/core/handout/short.py), its languages and long agents' texts.

Hand-made results (every amount chosen here) for the layout rules; the real engine on
every household of ``examples/`` for the page count (issue 15). PDFs read back with pypdf.
"""

from __future__ import annotations

import dataclasses
import io
import time
from pathlib import Path
from typing import Any

import pypdf
import pytest

from app.core.base import formats
from app.core.io.casefile import load_case
from app.core.benefits.catalogue import Catalogue, load_catalogue
from app.core.benefits.results import BenefitResult, SimulationResult, Status
from app.core.handout.citizen import HandoutOptions, ServicePoint
from app.core.handout.build import build_handout
from app.core.handout.examples import CREATED, MONTH, SERVICE_POINT, eight_persons, single_parent, single_person
from app.core.handout.short import papers, qr_groups
from app.core.base.i18n import LANGUAGES, t

from test_handout import norm, page_texts, text_runs, uris  # noqa: E402 - the same PDF readers

OPTIONS = HandoutOptions(created=CREATED)
EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.json"))


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def result_with(catalogue: Catalogue, warnings: tuple[str, ...] = (), **given: BenefitResult) -> SimulationResult:
    return SimulationResult(
        month=MONTH,
        benefits=tuple(given.get(b.id, BenefitResult(b.id, Status.NOT_ELIGIBLE, 0.0, b.amount_period)) for b in catalogue),
        assumptions=(), warnings=warnings, openfisca_france="176.1.8", legislation_until="2026-10-01",
        catalogue_version="2026.11", totals_ids=tuple(b.id for b in catalogue if b.counts_in_total),
    )


def family(catalogue: Catalogue, warnings: tuple[str, ...] = ()) -> SimulationResult:
    """Four CAF benefits to request, one paid automatically (chèque énergie), one received."""
    return result_with(
        catalogue, warnings,
        rsa=BenefitResult("rsa", Status.ELIGIBLE, 573.27, "month"),
        prime_activite=BenefitResult("prime_activite", Status.ELIGIBLE, 102.5, "month"),
        aide_logement=BenefitResult("aide_logement", Status.ELIGIBLE, 1234.5, "month"),
        asf=BenefitResult("asf", Status.ELIGIBLE, 199.19, "month"),
        aeeh=BenefitResult("aeeh", Status.ELIGIBLE, 153.01, "month"),
        # paid automatically as the engine says it (catalogue: apply.automatic)
        cheque_energie=BenefitResult("cheque_energie", Status.ELIGIBLE, 194.0, "year", paid_automatically=True),
        allocations_familiales=BenefitResult("allocations_familiales", Status.ELIGIBLE, 153.01, "month",
                                             already_received=True),
    )


def test_papers_asked_by_several_benefits_appear_once(catalogue: Catalogue) -> None:
    rows = [(catalogue.get(b), None) for b in ("rsa", "prime_activite", "aide_logement")]
    items = papers(rows)  # type: ignore[arg-type]
    texts = [p.text for p in items]
    assert len(texts) == len(set(texts))
    # « Pièce d'identité ou titre de séjour » is asked by the three (rules/benefits/*.yaml)
    identity = next(p for p in items if p.text == "Pièce d'identité ou titre de séjour")
    assert [b.id for b in identity.benefits] == ["rsa", "prime_activite", "aide_logement"]
    every = {d for b, _ in rows for d in b.documents}
    assert set(texts) == every  # nothing lost
    pdf = build_handout(eight_persons(), family(catalogue), catalogue, SERVICE_POINT, OPTIONS)
    text = " ".join(page_texts(pdf))
    assert text.count("Pièce d'identité ou titre de séjour") == 1 + text.count("Pièce d'identité ou titre de séjour du")


def test_two_pages_with_table_qr_per_paying_body_and_page_two(catalogue: Catalogue) -> None:
    result = family(catalogue)
    pdf = build_handout(eight_persons(), result, catalogue, SERVICE_POINT, OPTIONS)
    pages = page_texts(pdf)
    assert len(pages) == 2
    first, second = pages
    assert norm(t("handout.summary.total_monthly", amount=formats.euros(result.total_monthly()))) in first
    for benefit_id, amount in (("rsa", "573,27 € par mois"), ("aide_logement", "1\u202f234,50 € par mois"),
                               ("asf", "199,19 € par mois"), ("prime_activite", "102,50 € par mois")):
        assert norm(catalogue.get(benefit_id).label) in first and amount in first
    # one QR code for the CAF's claims (four benefits), one for the MDPH's site (AEEH)
    squares = {uri for _p, uri, (x0, y0, x1, y1) in uris(pdf) if abs((x1 - x0) - (y1 - y0)) < 0.5 and x1 - x0 > 60}
    assert squares == {catalogue.get("rsa").paying_body.url, catalogue.get("aeeh").apply.online.url}  # type: ignore[union-attr]
    assert "www.caf.fr" not in squares and "https://www.caf.fr" not in squares  # not the home page
    # the automatic benefit is not to request, but is said
    assert "Chèque énergie" not in first and "Chèque énergie" in second
    assert norm(t("handout.short.automatic_line")) in second
    assert norm(t("handout.section.already")) in second and "Allocations familiales" in second
    assert SERVICE_POINT.phone in second and "03/11/2026" in second
    assert min(run.size for run in text_runs(pdf)) >= 10


def test_one_plain_estimate_notice_and_no_attention_twice(catalogue: Catalogue) -> None:
    warning = t("engine.beyond_legislation", month="novembre 2026", until="01/10/2026")
    assert "peuvent être faux" in warning  # the engine's own warning, for the agent
    for options in (OPTIONS, dataclasses.replace(OPTIONS, detailed=True)):
        text = " ".join(page_texts(build_handout(single_person(), family(catalogue, (warning,)), catalogue,
                                                 SERVICE_POINT, options)))
        assert "peuvent être faux" not in text
        assert "Attention : Attention" not in text
        assert norm(t("handout.notice.rules_date", until="01/10/2026")) in text
    first = page_texts(build_handout(single_person(), family(catalogue), catalogue, SERVICE_POINT, OPTIONS))[0]
    assert first.lower().count("estimation") == 1


def test_detailed_version_keeps_the_blocks_and_the_situation(catalogue: Catalogue) -> None:
    short = " ".join(page_texts(build_handout(eight_persons(), family(catalogue), catalogue, SERVICE_POINT, OPTIONS)))
    detailed = " ".join(page_texts(build_handout(eight_persons(), family(catalogue), catalogue, SERVICE_POINT,
                                                 dataclasses.replace(OPTIONS, detailed=True))))
    assert norm(t("handout.section.situation")) in detailed and norm(t("handout.section.situation")) not in short
    for benefit_id in ("rsa", "aide_logement", "asf", "aeeh", "cheque_energie"):
        for line in (*catalogue.get(benefit_id).documents, *catalogue.get(benefit_id).conditions_to_check):
            assert norm(line) in detailed, line


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != "fr"])
def test_languages_metadata_and_french_names(catalogue: Catalogue, lang: str) -> None:
    pdf = build_handout(eight_persons(), family(catalogue), catalogue, SERVICE_POINT,
                        dataclasses.replace(OPTIONS, language=lang))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) <= 2
    text = norm(" ".join(page.extract_text() for page in reader.pages))
    assert "Aide au logement" in text  # the French name stays
    assert norm(t("catalogue.aide_logement.label", lang=lang)) in text  # Arabic too: logical order (test_handout_arabic)
    assert norm(t("handout.short.papers_title", lang=lang)) in text
    if lang != "ar":  # an Arabic line puts the amount's « € » on its other side
        assert "1\u202f234,50" in text  # French amounts in every language
    # The detailed version too (its lists inside tables were a LayoutError in Arabic).
    detailed = build_handout(eight_persons(), family(catalogue), catalogue, SERVICE_POINT, dataclasses.replace(
        OPTIONS, language=lang, detailed=True, include_not_eligible=True, agent_copy="appendix"))
    assert norm(t("handout.section.situation", lang=lang)) in norm(
        " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(detailed)).pages))


# The PDF's /Lang (BCP 47, as screen readers choose their voice by it): written here,
# independently of handout_layout.PDF_LANGUAGES.
EXPECTED_PDF_LANG = {"fr": "fr-FR", "en": "en", "es": "es", "pt": "pt", "ar": "ar"}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("detailed", [False, True], ids=["two-pages", "detailed"])
def test_pdf_title_and_language_in_the_metadata(catalogue: Catalogue, lang: str, detailed: bool) -> None:
    pdf = build_handout(single_person(), family(catalogue), catalogue, SERVICE_POINT,
                        dataclasses.replace(OPTIONS, language=lang, detailed=detailed))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert str(root["/Lang"]) == EXPECTED_PDF_LANG[lang]
    assert reader.metadata is not None and reader.metadata.title == t("handout.meta.title", lang=lang)
    assert reader.metadata.title  # not empty, and shown as the window's title:
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True


def test_french_outside_a_handout_build(catalogue: Catalogue) -> None:
    build_handout(single_person(), family(catalogue), catalogue, SERVICE_POINT, dataclasses.replace(OPTIONS, language="en"))
    assert t("handout.title") == "Vos aides possibles"
    with pytest.raises(ValueError):
        HandoutOptions(language="de")


@pytest.mark.parametrize("size", [2_000, 100_000])
def test_long_unbroken_texts_do_not_stall_the_build(catalogue: Catalogue, size: int) -> None:
    """Issue 19: a pasted huge word as service point name, first name or reference."""
    word = "Ab" * (size // 2)
    point = ServicePoint(name=word, address=word, phone=word, opening_hours=word)
    household = eight_persons()
    household = dataclasses.replace(household, reference=word, persons=(
        dataclasses.replace(household.persons[0], first_name=word), *household.persons[1:]))
    for options in (OPTIONS, dataclasses.replace(OPTIONS, detailed=True, agent_copy="appendix"),
                    dataclasses.replace(OPTIONS, language="ar")):
        started = time.perf_counter()
        pdf = build_handout(household, family(catalogue), catalogue, point, options)
        assert time.perf_counter() - started < 5  # was: LayoutError, or 14 s for a 100,000-character name
        assert pdf.startswith(b"%PDF")
    first = page_texts(build_handout(household, family(catalogue), catalogue, point, OPTIONS))[0]
    total = family(catalogue).total_monthly()
    assert norm(t("handout.summary.total_monthly", amount=formats.euros(total))) in first  # the page is still read
    assert word[:200] not in first  # the name is cut into short pieces


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GUICHET_DATA_DIR", str(tmp_path_factory.mktemp("guichet-data")))
        from app.core.compute.engine import Engine

        yield Engine()


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_fits_two_pages_with_every_benefit_to_request(engine: Any, path: Path) -> None:
    household, _month = load_case(path)
    result = engine.compute(household, MONTH)
    pdf = build_handout(household, result, engine.catalogue, SERVICE_POINT, OPTIONS)
    pages = page_texts(pdf)
    assert len(pages) <= 2
    text = " ".join(pages)
    to_request = [(engine.catalogue.get(b.benefit_id), b) for b in result.benefits if b.not_claimed]
    assert len(to_request) <= 10
    for benefit, item in to_request:
        assert norm(benefit.label) in text
        if benefit.value != "boolean" and item.amount > 0:
            assert norm(formats.euros(item.amount)) in text
    # the benefits paid without a claim are said too (issue 22: outside the list to request)
    for item in result.benefits:
        if item.claim.value == "automatic":
            assert norm(engine.catalogue.get(item.benefit_id).label) in text, item.benefit_id
    groups = qr_groups(to_request)  # type: ignore[arg-type]
    assert len({g.body for g in groups}) == len(groups)  # one QR code per paying body
    for lang in LANGUAGES[1:]:  # and in every language
        translated = build_handout(household, result, engine.catalogue, SERVICE_POINT,
                                   dataclasses.replace(OPTIONS, language=lang))
        assert len(pypdf.PdfReader(io.BytesIO(translated)).pages) <= 2, lang


@pytest.mark.slow
@pytest.mark.parametrize("make", [single_parent, single_person, eight_persons], ids=lambda f: f.__name__)
def test_reference_households_fit_two_pages_in_every_language(engine: Any, make: Any) -> None:
    """The households of the docs' renders and of bench/handout.py (issue 15: up to ten
    benefits to request on two pages, in every language, text of 10 pt or more)."""
    household = make()
    result = engine.compute(household, MONTH)
    to_request = [b for b in result.benefits if b.not_claimed]
    if len(to_request) > 10:
        pytest.skip(f"{len(to_request)} benefits to request: more than the issue's ten")
    for lang in LANGUAGES:
        pdf = build_handout(household, result, engine.catalogue, SERVICE_POINT, dataclasses.replace(OPTIONS, language=lang))
        assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) <= 2, lang
        assert min(run.size for run in text_runs(pdf)) >= 10, lang
