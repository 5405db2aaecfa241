"""The one translation mechanism with languages (app/core/base/i18n.py): every key of the
handout exists in every language, and the catalogue's names and papers are translated."""

from __future__ import annotations

import re

import pytest

from app.core.benefits.catalogue import load_catalogue
from app.core.handout.short import paper_key
from app.core.base.i18n import LANGUAGES, file_messages, language, own_messages, t

AGENT_ONLY = ("handout.service_point.", "handout.logo.")  # the agent's error messages stay French
OTHERS = [code for code in LANGUAGES if code != "fr"]


def citizen_keys() -> set[str]:
    return {k for k in file_messages("fr", "handout.yaml") if k.startswith("handout.") and not k.startswith(AGENT_ONLY)}


@pytest.mark.parametrize("lang", OTHERS)
def test_every_handout_key_exists_in_every_language(lang: str) -> None:
    translated = file_messages(lang, "handout.yaml")
    assert set(translated) == citizen_keys()
    for key, text in translated.items():  # the same placeholders as the French text
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", t(key, lang="fr"))), key
        assert text.strip(), key


@pytest.mark.parametrize("lang", OTHERS)
def test_catalogue_names_and_papers_translated(lang: str) -> None:
    catalogue = load_catalogue()
    own = own_messages(lang)
    for benefit in catalogue.entries():
        assert f"catalogue.{benefit.id}.label" in own, benefit.id
        for paper in benefit.documents:
            assert paper_key(paper) in own, paper
    assert set(file_messages(lang, "catalogue.yaml")) <= {
        *(f"catalogue.{b.id}.label" for b in catalogue.entries()),
        *(paper_key(p) for b in catalogue.entries() for p in b.documents)}


def test_language_parameter_and_context() -> None:
    assert t("handout.title") == "Vos aides possibles"
    assert t("handout.title", lang="en") == "Your possible benefits"
    with language("es"):
        assert t("handout.title") == "Sus posibles ayudas"
        assert t("handout.title", lang="fr") == "Vos aides possibles"
        assert t("cli.description") == t("cli.description", lang="fr")  # not translated: French
    assert t("handout.title") == "Vos aides possibles"
    with pytest.raises(ValueError):
        with language("xx"):
            pass
