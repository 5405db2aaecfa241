"""The benefit detail says when a parameter it used is older than its yearly revaluation, and
what is paid after the CRDS."""

from __future__ import annotations

from typing import Any

from app.core.benefits.results import BenefitResult, Status
from app.core.openfisca.staleness import StaleParameter
from app.gui.views.results_panel import detail_html


def test_detail_shows_the_stale_ceiling_and_the_amount_paid(catalogue: Any) -> None:
    css = BenefitResult(
        "css_participation", Status.ELIGIBLE, 30.0, "month",
        stale_parameters=(StaleParameter("p.plafond_base", "plafond annuel de ressources de la CSS", "2024-04-01"),),
    )
    html = detail_html(catalogue.get("css_participation"), css)
    assert "Barèmes anciens" in html
    assert "plafond annuel de ressources de la CSS du 01/04/2024 : le montant peut différer" in html
    af = BenefitResult("allocations_familiales", Status.ELIGIBLE, 153.01, "month", amount_paid=152.24)
    html = detail_html(catalogue.get("allocations_familiales"), af)
    assert "avant CRDS ; versé : 152,24" in html and "Barèmes anciens" not in html
