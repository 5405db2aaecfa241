"""Offline commune table (resources/communes.tsv.gz) and its lookups.

The facts checked here come from the bundled source, @etalab/decoupage-administratif
6.0.0 (Code officiel géographique 2026).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from app.core.model.communes import (
    DATA_FILE,
    Commune,
    CommuneIndex,
    _normalise_lines,
    default_index,
    normalise,
)
from app.core.base.paths import resources_dir


@pytest.fixture(scope="module")
def index() -> CommuneIndex:
    return default_index()


def insees(communes: tuple[Commune, ...]) -> list[str]:
    return [commune.insee for commune in communes]


# -- the bundled file ---------------------------------------------------------------


def test_bundled_file_and_its_source_notice_exist() -> None:
    data = resources_dir() / DATA_FILE
    assert data.is_file()
    assert data.stat().st_size < 600_000
    source = (resources_dir() / "communes.SOURCE.md").read_text(encoding="utf-8")
    assert "@etalab/decoupage-administratif" in source
    assert "6.0.0" in source
    assert "MIT" in source and "Copyright (c) 2018-2019 Etalab" in source
    assert "build_communes.py" in source


def test_count_of_current_communes_is_plausible(index: CommuneIndex) -> None:
    assert 34_000 <= len(index) <= 36_000


def test_every_commune_is_consistent(index: CommuneIndex) -> None:
    seen: set[str] = set()
    for commune in index:
        assert commune.insee not in seen
        seen.add(commune.insee)
        assert len(commune.insee) == 5
        assert commune.insee.startswith(commune.department), commune
        assert commune.name
        assert commune.postal_codes, commune
        assert all(len(code) == 5 and code.isdigit() for code in commune.postal_codes), commune
        assert list(commune.postal_codes) == sorted(commune.postal_codes)
        assert commune.overseas == (commune.department in {"971", "972", "973", "974", "976"})
        assert commune.zone in {"metro", "drom", "com"}
        assert commune.population >= 0


def test_no_arrondissement_municipal_is_a_commune(index: CommuneIndex) -> None:
    # Paris, Lyon and Marseille appear once, with their commune-level code.
    names = [commune.name for commune in index]
    assert not [name for name in names if "Arrondissement" in name]
    assert names.count("Lyon") == 1


# -- by_insee ------------------------------------------------------------------------


def test_lyon(index: CommuneIndex) -> None:
    lyon = index.by_insee("69123")
    assert lyon is not None
    assert lyon.name == "Lyon"
    assert lyon.department == "69"
    assert lyon.region == "84"
    assert not lyon.overseas
    assert lyon.postal_codes == tuple(f"6900{n}" for n in range(1, 10))


def test_paris_and_marseille(index: CommuneIndex) -> None:
    paris = index.by_insee("75056")
    assert paris is not None and paris.name == "Paris"
    assert paris.department == "75" and paris.region == "11"
    assert {"75001", "75016", "75116", "75020"} <= set(paris.postal_codes)
    marseille = index.by_insee("13055")
    assert marseille is not None and marseille.name == "Marseille"
    assert len(marseille.postal_codes) == 16


def test_saint_denis_de_la_reunion_is_overseas(index: CommuneIndex) -> None:
    commune = index.by_insee("97411")
    assert commune is not None
    assert commune.name == "Saint-Denis"
    assert commune.department == "974"
    assert commune.overseas
    assert commune.zone == "drom"
    seine_saint_denis = index.by_insee("93066")
    assert seine_saint_denis is not None and seine_saint_denis.name == "Saint-Denis"
    assert not seine_saint_denis.overseas


def test_mayotte_is_overseas_but_saint_pierre_et_miquelon_is_not_a_drom(index: CommuneIndex) -> None:
    mamoudzou = index.by_insee("97611")
    assert mamoudzou is not None and mamoudzou.overseas
    saint_pierre = index.by_insee("97502")
    assert saint_pierre is not None
    assert saint_pierre.zone == "com" and not saint_pierre.overseas


def test_corsica_codes(index: CommuneIndex) -> None:
    ajaccio = index.by_insee("2A004")
    assert ajaccio is not None and ajaccio.name == "Ajaccio" and ajaccio.department == "2A"
    assert index.by_insee("2a004") == ajaccio
    bastia = index.by_insee("2B033")
    assert bastia is not None and bastia.name == "Bastia"


def test_arrondissement_and_former_codes_lead_to_the_current_commune(index: CommuneIndex) -> None:
    for code, current in [
        ("69381", "69123"),  # Lyon 1er arrondissement
        ("75116", "75056"),  # Paris 16e arrondissement
        ("13208", "13055"),  # Marseille 8e arrondissement
        ("74011", "74010"),  # Annecy-le-Vieux, delegated commune of Annecy
        ("91182", "91228"),  # Courcouronnes, merged into Évry-Courcouronnes
    ]:
        commune = index.by_insee(code)
        assert commune is not None, code
        assert commune.insee == current, code


def test_unknown_codes(index: CommuneIndex) -> None:
    assert index.by_insee("00000") is None
    assert index.by_insee("") is None
    assert index.by_insee("lyon") is None
    assert index.by_postal_code("00000") == ()
    assert index.by_postal_code("") == ()
    assert index.search("00000") == ()


# -- by_postal_code ------------------------------------------------------------------


def test_postal_code_of_an_arrondissement_maps_to_the_commune(index: CommuneIndex) -> None:
    assert insees(index.by_postal_code("69001")) == ["69123"]
    assert insees(index.by_postal_code("69009")) == ["69123"]
    assert insees(index.by_postal_code("75116")) == ["75056"]
    assert insees(index.by_postal_code("13008")) == ["13055"]


def test_shared_postal_code_returns_every_commune(index: CommuneIndex) -> None:
    found = index.by_postal_code("01400")
    assert sorted(insees(found)) == [
        "01001", "01084", "01093", "01113", "01146", "01272", "01328", "01356", "01393", "01412",
    ]
    # Most populated first: Châtillon-sur-Chalaronne is the town of the area.
    assert found[0].name == "Châtillon-sur-Chalaronne"
    populations = [commune.population for commune in found]
    assert populations == sorted(populations, reverse=True)


def test_postal_code_with_a_space(index: CommuneIndex) -> None:
    assert insees(index.by_postal_code("69 001")) == ["69123"]


# -- search --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["saint etienne", "Saint-Étienne", "SAINT-ÉTIENNE", "st etienne", "St-Etienne", "st-étienne", "saintetienne"]
)
def test_saint_etienne_variants(index: CommuneIndex, text: str) -> None:
    assert insees(index.search(text))[0] == "42218"


def test_search_is_accent_and_case_insensitive(index: CommuneIndex) -> None:
    assert index.search("evry") == index.search("ÉVRY") == index.search("Évry")
    assert index.search("lhay les roses") == index.search("L'HAŸ-LES-ROSES")
    assert insees(index.search("l'hay-les-roses")) == ["94038"]


def test_evry_finds_the_essonne_prefecture(index: CommuneIndex) -> None:
    found = index.search("Évry")
    assert "91228" in insees(found)
    assert any(commune.department == "91" for commune in found)
    # The commune named exactly Évry comes first.
    assert found[0].name == "Évry"


def test_exact_name_then_prefix_then_contains(index: CommuneIndex) -> None:
    found = index.search("lyon", limit=50)
    assert found[0].insee == "69123"
    names = [commune.name for commune in found]
    prefix = names.index("Lyons-la-Forêt")
    contains = names.index("Sainte-Foy-lès-Lyon")
    assert 0 < prefix < contains


def test_larger_population_first_among_equal_matches(index: CommuneIndex) -> None:
    found = index.search("Saint-Denis", limit=4)
    assert [commune.name for commune in found] == ["Saint-Denis"] * 4
    populations = [commune.population for commune in found]
    assert populations == sorted(populations, reverse=True)
    assert found[0].insee == "97411"  # 155 634 inhabitants, more than 93066


def test_st_may_also_be_the_start_of_a_name(index: CommuneIndex) -> None:
    found = insees(index.search("st"))
    assert "67482" in found  # Strasbourg
    assert "42218" in found  # Saint-Étienne


def test_search_by_postal_code_and_prefix(index: CommuneIndex) -> None:
    assert insees(index.search("69001")) == ["69123", "69001"]  # postal code of Lyon, INSEE code of Affoux
    assert insees(index.search("75 016")) == ["75056"]
    by_prefix = index.search("69", limit=5)
    assert by_prefix[0].insee == "69123"
    assert all(any(code.startswith("69") for code in c.postal_codes) for c in by_prefix)
    assert len(index.search("0140", limit=50)) >= 10
    assert index.search("6") == ()
    assert index.search("690011") == ()


def test_search_by_insee_code(index: CommuneIndex) -> None:
    assert insees(index.search("42218")) == ["42218"]
    assert insees(index.search("2A004")) == ["2A004"]
    assert insees(index.search("69381")) == ["69123"]


def test_search_by_postal_code_and_name(index: CommuneIndex) -> None:
    assert insees(index.search("93200 Saint-Denis")) == ["93066"]
    assert insees(index.search("Saint-Denis 97400")) == ["97411"]
    assert insees(index.search("01400 romans")) == ["01328"]


def test_search_finds_former_commune_names_after_current_ones(index: CommuneIndex) -> None:
    found = index.search("Annecy-le-Vieux")
    assert insees(found) == ["74010"]
    assert "Annecy-le-Vieux" in index.former_names(found[0])


def test_search_limit_and_nonsense(index: CommuneIndex) -> None:
    assert len(index.search("a", limit=7)) == 7
    assert index.search("saint", limit=0) == ()
    assert index.search("") == ()
    assert index.search("   ") == ()
    assert index.search("-'") == ()
    assert index.search("zzqxw") == ()


# -- normalise and label -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saint-Étienne", "saint etienne"),
        ("St-Étienne", "saint etienne"),
        ("ST ETIENNE", "saint etienne"),
        ("Ste-Marie-aux-Mines", "sainte marie aux mines"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("Œuilly", "oeuilly"),
        ("  Évry -- Courcouronnes  ", "evry courcouronnes"),
        ("Stenay", "stenay"),
        ("st st", "saint saint"),
        ("", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_bulk_normalisation_matches_normalise(index: CommuneIndex) -> None:
    names = [commune.name for commune in index]
    assert _normalise_lines("\n".join(names)).split("\n") == [normalise(name) for name in names]


def test_label(index: CommuneIndex) -> None:
    lyon = index.by_insee("69123")
    assert lyon is not None
    assert lyon.label() == "Lyon (69001…69009)"
    assert lyon.label("69003") == "Lyon — 69003"
    single = index.by_insee("01001")
    assert single is not None and single.label() == "L'Abergement-Clémenciat (01400)"


# -- loading -------------------------------------------------------------------------


def test_default_index_is_cached() -> None:
    assert default_index() is default_index()


def test_load_from_a_path_and_warm_up() -> None:
    loaded = CommuneIndex.load(resources_dir() / DATA_FILE)
    loaded.warm_up()
    assert len(loaded) == len(default_index())


def test_load_rejects_another_file(tmp_path: Path) -> None:
    path = tmp_path / "other.tsv.gz"
    path.write_bytes(gzip.compress(b"insee\tname\n69123\tLyon\n"))
    with pytest.raises(ValueError):
        CommuneIndex.load(path)


def test_index_of_given_communes() -> None:
    small = CommuneIndex.from_communes(
        [
            Commune("01001", "Une", ("01000",), "01", "84", False, 10),
            Commune("01002", "Deux-Une", ("01000", "01100"), "01", "84", False, 20),
        ],
        aliases={"01999": "01001"},
        former_names={"01002": ("Ancienne",)},
    )
    assert len(small) == 2
    assert insees(small.by_postal_code("01000")) == ["01002", "01001"]
    assert insees(small.search("une")) == ["01001", "01002"]
    assert insees(small.search("ancienne")) == ["01002"]
    found = small.by_insee("01999")
    assert found is not None and found.insee == "01001"
