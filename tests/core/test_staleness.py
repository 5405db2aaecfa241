"""Stale parameters: what each benefit read, and which values predate their yearly revaluation."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

from app.core.io.casefile import load_case
from app.core.io.results_json import benefit_from_dict, benefit_to_dict, result_from_dict, result_to_dict
from app.core.openfisca.staleness import StalenessChecker, StalenessRules, load_rules, note_text

ROOT = Path(__file__).parents[2]
CSS_EXAMPLE = ROOT / "examples" / "03-retraitee-seule-toulouse.json"
CSS_CEILING = "prestations_sociales.solidarite_insertion.minima_sociaux.cs.cmu.plafond_base"
RSA_BASE = "prestations_sociales.solidarite_insertion.minima_sociaux.rsa.rsa_m.montant_de_base_du_rsa"


def _last_value_date(engine: Any, path: str) -> str:
    node = engine.tbs.parameters
    for part in path.split("."):
        node = node.children[part]
    return max(v.instant_str for v in node.values_list if v.value is not None)


def test_rules_are_data() -> None:
    rules = load_rules()
    assert rules.max_age_months == 12 and rules.min_years_with_change == 4 and rules.window_years == 6
    assert rules.considers(CSS_CEILING)
    assert not rules.considers("impot_revenu.bareme_ir_depuis_1945.bareme")
    assert not rules.considers("prestations_sociales.aides_logement.allocations_logement.accession.formule.x")


def test_a_yearly_ceiling_older_than_12_months_is_stale_and_a_recent_one_is_not(engine: Any) -> None:
    checker = StalenessChecker(engine.tbs.parameters, StalenessRules(prefixes=("prestations_sociales.",)))
    # The CSS ceiling's last value in OpenFisca-France 176.1.8 is of 1 April 2024 (revalued every April
    # before: 2019, 2021, 2022, 2023, 2024).
    assert _last_value_date(engine, CSS_CEILING) == "2024-04-01"
    [stale] = checker.verdict(CSS_CEILING, "2026-11-01")
    assert (stale.path, stale.since) == (CSS_CEILING, "2024-04-01")
    assert note_text(stale) == (
        "plafond annuel de ressources pour une personne seule de la couverture maladie universelle (CMU) "
        "du 01/04/2024 : le montant peut différer"
    )
    assert checker.verdict(CSS_CEILING, "2025-04-01") == ()  # 12 months old: not yet
    assert checker.verdict(CSS_CEILING, "2025-05-01") != ()  # 13 months
    # The RSA base amount was revalued on 1 April 2026: never stale in November 2026.
    assert _last_value_date(engine, RSA_BASE) == "2026-04-01"
    assert checker.verdict(RSA_BASE, "2026-11-01") == ()
    # A rate fixed by law (no yearly history) is never reported, however old.
    assert checker.verdict("prestations_sociales.solidarite_insertion.minima_sociaux.rsa.rsa_fl.forfait_logement.taux_1_personne",
                           "2026-11-01") == ()


def test_css_shows_its_ceiling_of_april_2024_and_rsa_does_not(engine: Any) -> None:
    household, month = load_case(CSS_EXAMPLE, today=dt.date(2026, 11, 29))
    result = engine.compute(household, month)
    css = result.get("css_participation")
    assert css.amount == 30.0
    assert [(p.path, p.since) for p in css.stale_parameters] == [(CSS_CEILING, "2024-04-01")]
    assert all(p.path != CSS_CEILING for p in result.get("rsa").stale_parameters)
    assert result.get("aspa").stale_parameters == ()  # ASPA ceilings revalued on 1 January 2026


def test_stored_results_keep_the_notes_and_older_ones_still_read(engine: Any) -> None:
    household, month = load_case(CSS_EXAMPLE, today=dt.date(2026, 11, 29))
    result = engine.compute(household, month)
    assert result_from_dict(json.loads(json.dumps(result_to_dict(result)))) == result
    old = benefit_to_dict(result.get("css_participation"))
    del old["stale_parameters"]  # a result stored before the notes existed
    assert benefit_from_dict(old) == dataclasses.replace(result.get("css_participation"), stale_parameters=())


def test_handout_block_says_the_old_ceiling_and_the_amount_paid(engine: Any) -> None:
    """The handout's benefit block (a line for the agent's detailed reading, the layout is the
    handout's): the CSS ceiling of 01/04/2024 and, for the AF of example 01, what is paid."""
    import io

    import pypdf

    from app.core.handout.citizen import HandoutOptions, ServicePoint
    from app.core.handout.build import build_handout

    detailed = HandoutOptions(detailed=True)  # the benefit blocks are in the detailed version (issue 15)

    def text(pdf: bytes) -> str:
        return " ".join(" ".join((page.extract_text() or "").split()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)

    household, month = load_case(CSS_EXAMPLE, today=dt.date(2026, 11, 29))
    pdf = build_handout(household, engine.compute(household, month), engine.catalogue, ServicePoint("Point d'accueil"),
                        detailed)
    assert "couverture maladie universelle (CMU) du 01/04/2024 : le montant peut différer." in text(pdf)
    household, month = load_case(ROOT / "examples" / "11-mere-separee-recemment-nantes.json", today=dt.date(2026, 11, 29))
    result = engine.compute(household, month)
    asf = result.get("asf")
    assert asf.amount == 201.78 and asf.amount_paid == 200.77  # 201.7835 x 0.995 = 200.7746
    pdf = build_handout(household, result, engine.catalogue, ServicePoint("Point d'accueil"), detailed)
    assert "dette sociale (CRDS), retenue par l'organisme : 200,77 € versés." in text(pdf).replace("\u202f", " ").replace("\xa0", " ")
