"""Rules packs: build, import (good, corrupt, tampered, failing tests, schema error — each
refused one changing nothing), signatures (unsigned, untrusted, changed after signing: the
pack's code never runs), what a pack may contain, size limits and YAML anchors, versions
(no older pack without an explicit rollback), rollback, active rules information, CLI.

Packs are signed with test keys made here (fixed seeds), trusted through the
administrator's ``<user data>/trusted_keys`` folder like a locally added key."""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core import pack_signing, rules_pack
from app.core.catalogue import load_catalogue
from app.core.paths import bundled_rules_dir
from app.core.rules_pack import (
    RulesPackError,
    active_rules_dir,
    active_rules_info,
    build_pack,
    file_checksums,
    import_pack,
    list_rules,
    read_manifest,
    rollback,
)

RULES = bundled_rules_dir()
# The test publisher (trusted by the ``data`` fixture) and a key nobody trusts.
TEST_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
UNTRUSTED_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
TEST_PUBLISHER = "Éditeur de test"


def public_text(key: Ed25519PrivateKey, publisher: str = TEST_PUBLISHER) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return pack_signing.public_key_text(publisher, raw)


def write_private(key: Ed25519PrivateKey, path: Path) -> Path:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return path


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> Path:
    """A user data folder of this test only, trusting TEST_KEY as an administrator's local
    key; OpenFisca's parameter cache is the session's."""
    folder = tmp_path / "data"
    folder.mkdir()
    (data_dir / "cache").mkdir(exist_ok=True)
    (folder / "cache").symlink_to(data_dir / "cache", target_is_directory=True)
    (folder / "trusted_keys").mkdir()
    (folder / "trusted_keys" / "test.pub").write_text(public_text(TEST_KEY), encoding="utf-8")
    monkeypatch.setenv("GUICHET_DATA_DIR", str(folder))
    return folder


def copy_rules(target: Path, version: str, extension: bool = True) -> Path:
    shutil.copytree(RULES, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    manifest = target / "manifest.yaml"
    text = manifest.read_text(encoding="utf-8").replace('version: "2026.11.1"', f'version: "{version}"')
    if not extension:
        text = text.replace("extension: guichet_local\n", "")
        shutil.rmtree(target / "local" / "extension")
        (target / "local" / "paris_solidarite_seniors.yaml").unlink()
    manifest.write_text(text, encoding="utf-8")
    return target


def zip_folder(folder: Path, out: Path, manifest_files: dict[str, str] | None = None,
               extra: dict[str, bytes] | None = None, key: Ed25519PrivateKey | None = TEST_KEY) -> Path:
    """A pack written by hand: the folder's files, the manifest listing ``manifest_files``
    (default: the true checksums), plus ``extra`` members, signed with ``key`` (None: unsigned)."""
    manifest = yaml.safe_load((folder / "manifest.yaml").read_text(encoding="utf-8"))
    files = file_checksums(folder)
    manifest["files"] = files if manifest_files is None else manifest_files
    manifest_bytes = yaml.safe_dump(manifest, allow_unicode=True).encode("utf-8")
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("manifest.yaml", manifest_bytes)
        if key is not None:
            archive.writestr("manifest.sig", pack_signing.sign_manifest(manifest_bytes, key))
        for name in files:
            archive.write(folder / name, name)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return out


def snapshot(folder: Path) -> dict[str, str]:
    """Every file of the user data folder but OpenFisca's cache and the logs, with its SHA-256."""
    out = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if relative.parts[0] in ("cache", "logs", "trusted_keys") or not path.is_file():
            continue
        out[relative.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def light_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled rules without the extension (no OpenFisca needed to validate), version 2027.01.0."""
    return copy_rules(tmp_path_factory.mktemp("light") / "rules", "2027.01.0", extension=False)


@pytest.fixture(scope="module")
def light_pack(light_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return zip_folder(light_source, tmp_path_factory.mktemp("packs") / "light.zip")


# --------------------------------------------------------------------------- manifest and build


def test_bundled_manifest() -> None:
    manifest = read_manifest(RULES)
    assert manifest.version == "2026.11.1" == load_catalogue().version
    assert (manifest.legislation_from.isoformat(), manifest.legislation_until.isoformat()) == ("2024-02-01", "2026-10-01")
    assert manifest.extension == "guichet_local"
    assert (RULES / "local" / "extension" / "guichet_local" / "__init__.py").is_file()
    assert manifest.files == {}  # checksums are added when a pack is built


@pytest.mark.slow
def test_manifest_coverage_matches_openfisca(engine: Any) -> None:
    assert read_manifest(RULES).legislation_until == engine.legislation_until
    assert read_manifest(RULES).openfisca_france == engine.versions.openfisca_france


def test_build_pack_lists_every_file(light_source: Path, tmp_path: Path) -> None:
    (light_source / "benefits" / "__pycache__").mkdir(exist_ok=True)
    (light_source / "benefits" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    out = tmp_path / "pack.zip"
    manifest = build_pack(light_source, out)
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist()) - {"manifest.yaml"}
        assert names == set(manifest.files)
        assert "benefits/rsa.yaml" in names and "local/paris_logement.yaml" in names
        assert "schema/local_aid.schema.json" in names
        assert not [n for n in names if "__pycache__" in n]
        for name, digest in manifest.files.items():
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest
            assert hashlib.sha256((light_source / name).read_bytes()).hexdigest() == digest
    assert manifest.version == "2027.01.0" and manifest.created


def test_build_refuses_an_invalid_folder(light_source: Path, tmp_path: Path) -> None:
    broken = copy_rules(tmp_path / "rules", "2027.02.0", extension=False)
    path = broken / "local" / "paris_logement.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("periodicity: mensuelle", "periodicity: parfois"),
                    encoding="utf-8")
    with pytest.raises(RulesPackError, match=r"paris_logement\.yaml, champ « periodicity », ligne \d+"):
        build_pack(broken, tmp_path / "out.zip")
    assert not (tmp_path / "out.zip").exists()


# --------------------------------------------------------------------------- import and rollback


def test_nothing_imported(data: Path) -> None:
    info = active_rules_info()
    assert (info.source, info.version, info.previous_version) == ("bundled", "2026.11.1", None)
    assert active_rules_dir() == RULES
    with pytest.raises(RulesPackError, match="rien à annuler"):
        rollback()
    assert snapshot(data) == {}


def test_import_and_rollback(data: Path, light_pack: Path) -> None:
    info = import_pack(light_pack)
    assert (info.source, info.version, info.previous_version) == ("imported", "2027.01.0", "2026.11.1")
    assert (info.legislation_from, info.legislation_until) == ("2024-02-01", "2026-10-01")
    assert info.imported_at
    assert active_rules_dir().is_relative_to(data)
    catalogue = load_catalogue()
    assert catalogue.version == "2027.01.0"
    assert "paris_solidarite_seniors" not in catalogue.all_ids() and "paris_logement" in catalogue.all_ids()
    assert {e.id: e.version for e in list_rules()}["paris_logement"] == "2026-11-29"

    info = rollback()
    assert (info.source, info.version, info.previous_version) == ("bundled", "2026.11.1", "2027.01.0")
    assert active_rules_dir() == RULES and load_catalogue().version == "2026.11.1"
    info = rollback()  # the rollback itself can be undone
    assert (info.source, info.version) == ("imported", "2027.01.0")

    # importing the same pack again changes nothing
    before = snapshot(data)
    assert import_pack(light_pack).version == "2027.01.0"
    assert snapshot(data) == before


def _truncated(pack: Path, out: Path) -> Path:
    out.write_bytes(pack.read_bytes()[: pack.stat().st_size // 2])
    return out


def _tampered(pack: Path, out: Path) -> Path:
    with zipfile.ZipFile(pack) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "benefits/rsa.yaml":
                content = content.replace(b"order: 10", b"order: 11")
            target.writestr(item, content)
    return out


def _with_member(pack: Path, out: Path, name: str, content: bytes, drop: str | None = None) -> Path:
    with zipfile.ZipFile(pack) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            if item.filename != drop:
                target.writestr(item, source.read(item))
        if name:
            target.writestr(name, content)
    return out


def _schema_error(source: Path, out: Path) -> Path:
    broken = copy_rules(out.parent / "broken", "2027.03.0", extension=False)
    path = broken / "local" / "revenu_solidarite_jeunes.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("age_max: 24", "age_max: vingt-quatre"), encoding="utf-8")
    return zip_folder(broken, out)  # true checksums: only the schema refuses it


def _bad_manifest(source: Path, out: Path) -> Path:
    folder = copy_rules(out.parent / "dates", "2027.04.0", extension=False)
    manifest = folder / "manifest.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('from: "2024-02-01"', 'from: "2030-01-01"'),
                        encoding="utf-8")
    return zip_folder(folder, out)


def _missing_extension(source: Path, out: Path) -> Path:
    folder = copy_rules(out.parent / "noext", "2027.05.0", extension=True)
    shutil.rmtree(folder / "local" / "extension")
    return zip_folder(folder, out)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda pack, out: (out.write_bytes(os.urandom(3000)), out)[1], "pas une archive zip"),
        (_truncated, "pas une archive zip"),
        (_tampered, r"benefits/rsa\.yaml : la somme de contrôle ne correspond pas"),
        (lambda pack, out: _with_member(pack, out, "local/cheque_ville.yaml", b"id: x\n"),
         r"local/cheque_ville\.yaml : fichier présent dans le paquet mais absent du manifeste"),
        (lambda pack, out: _with_member(pack, out, "", b"", drop="benefits/aah.yaml"),
         r"benefits/aah\.yaml : fichier annoncé par le manifeste mais absent"),
        (lambda pack, out: _with_member(pack, out, "", b"", drop="manifest.yaml"), "pas de fichier manifest.yaml"),
        (lambda pack, out: _with_member(pack, out, "../../evil.yaml", b"x"), "chemin non autorisé"),
        (lambda pack, out: _with_member(pack, out, "local\\..\\..\\evil.yaml", b"x"), "chemin non autorisé"),
        (lambda pack, out: _with_member(pack, out, "local/__pycache__/x.pyc", b"x"), "fichier non autorisé"),
        (lambda pack, out: _schema_error(pack, out),
         r"se charge pas : local/revenu_solidarite_jeunes\.yaml, champ « criteria\.person\.age_max », ligne \d+ : "
         r"il faut un nombre entier"),
        (lambda pack, out: _bad_manifest(pack, out), r"manifest\.yaml, champ « legislation »"),
        (lambda pack, out: _missing_extension(pack, out), r"local/extension/guichet_local/__init__\.py"),
    ],
    ids=["random_bytes", "truncated", "tampered", "unlisted_file", "missing_file", "no_manifest", "unsafe_path",
         "backslash_path", "bytecode", "schema_error", "manifest_dates", "missing_extension"],
)
def test_refused_pack_changes_nothing(data: Path, light_pack: Path, tmp_path: Path, make: Any, words: str) -> None:
    import_pack(light_pack)  # an active pack, a state file: all must stay as they are
    before, info_before, catalogue_before = snapshot(data), active_rules_info(), load_catalogue()
    bad = make(light_pack, tmp_path / "bad.zip")
    with pytest.raises(RulesPackError, match=words):
        import_pack(bad)
    assert snapshot(data) == before
    assert active_rules_info() == info_before
    assert load_catalogue() == catalogue_before
    assert not (tmp_path / "escaped.yaml").exists() and not (data.parent / "evil.yaml").exists()


def test_pack_missing_file(data: Path) -> None:
    with pytest.raises(RulesPackError, match="introuvable"):
        import_pack(data / "absent.zip")
    assert snapshot(data) == {}


@pytest.mark.slow
def test_full_pack_runs_extension_tests_and_engine_uses_it(data: Path, tmp_path: Path, light_pack: Path) -> None:
    from app.core.engine import Engine
    from app.core.household import Household, Housing, HousingStatus, Person, Resource, ResourceKind, Role

    source = copy_rules(tmp_path / "full", "2026.12.0")
    pack = build_pack(source, tmp_path / "full.zip", run_tests=False, key=write_private(TEST_KEY, tmp_path / "k.pem"))
    assert pack.extension == "guichet_local"
    info = import_pack(tmp_path / "full.zip")  # runs the extension's YAML tests
    assert (info.version, info.extension, info.previous_version) == ("2026.12.0", "guichet_local", "2026.11.1")
    kinds = {e.id: e.kind for e in list_rules()}
    assert kinds["paris_solidarite_seniors"] == "local_openfisca" and kinds["rsa"] == "national"

    engine = Engine(warm_up=False)  # reads the active pack: its catalogue and its extension
    assert engine.catalogue.version == "2026.12.0"
    assert "paris_solidarite_seniors" in engine.tbs.variables
    household = Household(
        (Person("p1", Role.DEMANDEUR, __import__("datetime").date(1990, 1, 1),
                resources=(Resource(ResourceKind.SALAIRE_NET, stable=1200.0),)),),
        housing=Housing(HousingStatus.LOCATAIRE_VIDE, rent=600.0, commune_insee="75056"),
    )
    assert engine.compute(household, "2026-11").catalogue_version == "2026.12.0"  # printed on the handout

    assert import_pack(light_pack).previous_version == "2026.12.0"
    assert rollback().version == "2026.12.0"


@pytest.mark.slow
def test_failing_extension_tests_refuse_the_pack(data: Path, tmp_path: Path, light_pack: Path) -> None:
    import_pack(light_pack)
    before, info_before = snapshot(data), active_rules_info()
    source = copy_rules(tmp_path / "wrong", "2027.02.1")  # newer than light_pack
    tests = source / "local" / "extension" / "guichet_local" / "tests" / "paris_solidarite_seniors.yaml"
    tests.write_text(tests.read_text(encoding="utf-8").replace("paris_solidarite_seniors: 286",
                                                               "paris_solidarite_seniors: 290"), encoding="utf-8")
    build_pack(source, tmp_path / "wrong.zip", run_tests=False, key=write_private(TEST_KEY, tmp_path / "k.pem"))
    with pytest.raises(RulesPackError) as info:
        import_pack(tmp_path / "wrong.zip")
    message = str(info.value)
    assert "1 test(s) de l'extension sur 7 en échec" in message
    assert "Un couple parisien de 68 et 66 ans" in message
    assert snapshot(data) == before and active_rules_info() == info_before


# --------------------------------------------------------------------------- screen and CLI


def test_list_rules_bundled(data: Path) -> None:
    entries = list_rules()
    national = [e for e in entries if e.kind == "national"]
    local = [e for e in entries if e.kind != "national"]
    assert len(national) == 18 and all(e.version == "2026.11.1" for e in national)
    assert {e.id for e in local} == {"paris_solidarite_seniors", "paris_logement_familles", "paris_logement",
                                     "revenu_solidarite_jeunes", "tcl_solidaire_gratuit"}
    assert all(e.version == "2026-11-29" and e.territory and e.source_url.startswith("https://") for e in local)


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="guichet")
    rules_pack.add_rules_arguments(parser.add_subparsers(dest="command"))
    return rules_pack.run_rules(parser.parse_args(argv))


def test_cli(data: Path, light_source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(["rules", "info", "--list"]) == 0
    out = capsys.readouterr().out
    assert "Règles actives" in out and "2026.11.1" in out and "règles intégrées" in out
    assert "du 01/02/2024 au 01/10/2026" in out and "Paris Logement Familles" in out

    assert _cli(["rules", "rollback"]) == 2
    assert "rien à annuler" in capsys.readouterr().err

    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    assert _cli(["rules", "import", str(tmp_path / "bad.zip")]) == 2
    assert "Paquet refusé, rien n'a changé" in capsys.readouterr().err

    key = write_private(TEST_KEY, tmp_path / "k.pem")
    assert _cli(["rules", "build", str(light_source), str(tmp_path / "p.zip"), "--no-tests", "--key", str(key)]) == 0
    assert "version 2027.01.0" in capsys.readouterr().out
    assert _cli(["rules", "import", str(tmp_path / "p.zip")]) == 0
    out = capsys.readouterr().out
    assert "Paquet de règles 2027.01.0 vérifié et activé" in out and "paquet de règles importé" in out
    assert _cli(["rules", "rollback"]) == 0
    assert "Retour aux règles 2026.11.1" in capsys.readouterr().out
    assert _cli(["rules"]) == 2
