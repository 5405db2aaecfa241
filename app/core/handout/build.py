"""The handout's entry points: the citizen's PDF (short by default, or detailed) with the
agent's appendix when asked, and the agent's copy alone.

Pure Python (reportlab, qrcode): the GUI previews and prints the bytes, the CLI writes them
to a file. What the pages say: ``short.py`` (two pages, by default), ``citizen.py`` (the
detailed handout, and what every document shares), ``agent.py`` (the agent's copy).
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.platypus import Flowable

from app.core.base import formats
from app.core.base.i18n import language, t
from app.core.benefits.catalogue import Catalogue
from app.core.benefits.results import SimulationResult
from app.core.handout.agent import agent_section, agent_story
from app.core.handout.citizen import Context, HandoutOptions, ServicePoint, citizen_story
from app.core.handout.layout import Section, building, render
from app.core.handout.short import short_story
from app.core.model.household import Household


def build_handout(
    household: Household,
    result: SimulationResult,
    catalogue: Catalogue,
    service_point: ServicePoint,
    options: HandoutOptions = HandoutOptions(),
) -> bytes:
    """The citizen's PDF; with the agent's pages after it when ``agent_copy == "appendix"``."""
    context = Context(household, result, catalogue, service_point, options)
    with language(options.language), building():
        if options.detailed:
            story = citizen_story(context)
        else:
            story = short_story(context)
        parts: list[tuple[Section, Sequence[Flowable]]] = [(context.citizen_section(), story)]
        if options.agent_copy == "appendix":
            with language("fr"):
                parts.append((agent_section(context, appendix=True), agent_story(context, appendix=True)))
        return render(parts, context.metadata(), context.day)


def build_agent_copy(
    household: Household,
    result: SimulationResult,
    catalogue: Catalogue,
    service_point: ServicePoint,
    options: HandoutOptions = HandoutOptions(),
) -> bytes:
    """The agent's copy alone: every input and the computation details per benefit."""
    context = Context(household, result, catalogue, service_point, options)
    metadata = context.metadata(subject=t("agent_copy.meta_subject", month=formats.month(result.month)))
    with language("fr"), building():
        story = agent_story(context, appendix=False)
        return render([(agent_section(context, appendix=False), story)], metadata, context.day)
