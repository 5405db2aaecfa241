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

from app.core.rules import pack_signing
from app.core.benefits import rules_pack
from app.core.rules import folder as rules_folder
from app.core.benefits.catalogue import load_catalogue
from app.core.base.paths import bundled_rules_dir
from app.core.rules.folder import (
    RulesPackError,
    active_rules_dir,
    active_rules_info,
    file_checksums,
    read_manifest,
)
from app.core.benefits.rules_pack import build_pack, import_pack, list_rules, rollback

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
    from app.core.compute.engine import Engine
    from app.core.model.household import Household, Housing, HousingStatus, Person, Resource, ResourceKind, Role

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
    assert len(national) == 37 and all(e.version == "2026.11.1" for e in national)
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


# --------------------------------------------------------------------------- signatures


MARKER_CODE = 'import pathlib\npathlib.Path({marker!r}).write_text("the pack\'s code ran")\n'


def marker_source(tmp_path: Path, version: str, loop: bool = False) -> tuple[Path, Path]:
    """A full rules folder whose extension's ``__init__.py`` creates a marker file when it
    runs (and then, with ``loop``, never returns)."""
    source = copy_rules(tmp_path / f"marker-{version}", version)
    marker = tmp_path / f"marker-{version}.txt"
    init = source / "local" / "extension" / "guichet_local" / "__init__.py"
    code = MARKER_CODE.format(marker=str(marker))
    if loop:
        code += "import time\nwhile True:\n    time.sleep(0.05)\n"
    init.write_text(code + init.read_text(encoding="utf-8"), encoding="utf-8")
    return source, marker


def _rezip(pack: Path, out: Path, change: dict[str, bytes] | None = None, drop: str | None = None,
           add: dict[str, bytes] | None = None) -> Path:
    """``pack`` copied member by member (its signature kept), with members changed, dropped or added."""
    with zipfile.ZipFile(pack) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            if item.filename != drop:
                target.writestr(item, (change or {}).get(item.filename, source.read(item)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out


def _init_changed(pack: Path, out: Path) -> Path:
    name = "local/extension/guichet_local/__init__.py"
    with zipfile.ZipFile(pack) as archive:
        content = archive.read(name)
    return _rezip(pack, out, change={name: content + b"\nimport os\n"})


def _manifest_changed(pack: Path, out: Path) -> Path:
    """The manifest edited after signing (a checksum recomputed for a changed file: the attack of issue 21)."""
    with zipfile.ZipFile(pack) as archive:
        manifest = archive.read("manifest.yaml").decode("utf-8")
        rsa = archive.read("benefits/rsa.yaml").replace(b"order: 10", b"order: 11")
    digest = hashlib.sha256(rsa).hexdigest()
    old = yaml.safe_load(manifest)["files"]["benefits/rsa.yaml"]
    return _rezip(pack, out, change={"manifest.yaml": manifest.replace(old, digest).encode("utf-8"),
                                     "benefits/rsa.yaml": rsa})


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda source, out: zip_folder(source, out, key=None), "n'est pas signé"),
        (lambda source, out: zip_folder(source, out, key=UNTRUSTED_KEY), "signé par une clé inconnue"),
        (lambda source, out: _manifest_changed(zip_folder(source, out.with_name("ok.zip")), out),
         f"La signature de {TEST_PUBLISHER} ne correspond pas au manifeste : le paquet a été modifié après sa signature"),
        (lambda source, out: _init_changed(zip_folder(source, out.with_name("ok.zip")), out),
         r"local/extension/guichet_local/__init__\.py : la somme de contrôle ne correspond pas"),
        (lambda source, out: _rezip(zip_folder(source, out.with_name("ok.zip")), out,
                                    add={"local/extension/guichet_local/variables/extra.py": b"import os\n"}),
         r"variables/extra\.py : fichier présent dans le paquet mais absent du manifeste"),
        (lambda source, out: _rezip(zip_folder(source, out.with_name("ok.zip")), out,
                                    drop="local/extension/guichet_local/variables/paris_solidarite_seniors.py"),
         r"paris_solidarite_seniors\.py : fichier annoncé par le manifeste mais absent"),
        (lambda source, out: _rezip(zip_folder(source, out.with_name("ok.zip")), out, drop="manifest.sig"),
         "n'est pas signé"),
        (lambda source, out: _rezip(zip_folder(source, out.with_name("ok.zip")), out,
                                    change={"manifest.sig": b"guichet-rules-signature: 1\nkey: x\n"}),
         "signature du paquet est illisible"),
    ],
    ids=["unsigned", "untrusted_key", "manifest_changed", "file_changed", "file_added", "file_removed",
         "signature_removed", "signature_garbage"],
)
def test_refused_signature_never_runs_the_pack_code(data: Path, tmp_path: Path, make: Any, words: str) -> None:
    source, marker = marker_source(tmp_path, "2027.06.0")
    before, info_before = snapshot(data), active_rules_info()
    bad = make(source, tmp_path / "bad.zip")
    with pytest.raises(RulesPackError, match=words):
        import_pack(bad)
    assert not marker.exists()  # the extension's __init__.py never ran
    assert snapshot(data) == before and active_rules_info() == info_before
    assert not (data / "rules").exists()


@pytest.mark.slow
def test_extension_that_never_returns_is_stopped(data: Path, tmp_path: Path) -> None:
    """Signed by a trusted key, the extension runs (in a child process: the marker appears),
    never returns, and is stopped at the time limit; nothing is installed."""
    import time

    source, marker = marker_source(tmp_path, "2027.07.0", loop=True)
    pack = zip_folder(source, tmp_path / "loop.zip")
    started = time.monotonic()
    with pytest.raises(RulesPackError, match=r"n'a pas fini ses vérifications en 25 secondes"):
        import_pack(pack, timeout=25)  # the child loads OpenFisca-France first (about 5 s)
    assert time.monotonic() - started < 25 + 20
    assert marker.exists()  # the same code does run once the signature checks: the marker tests above mean something
    assert snapshot(data) == {} and active_rules_info().source == "bundled"


def test_signer_label_and_local_key(data: Path, light_pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fingerprint = pack_signing.short_fingerprint(pack_signing.fingerprint(
        TEST_KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)))
    assert active_rules_info().signer == "" and "règles livrées avec l'application" in active_rules_info().signed_label
    info = import_pack(light_pack)
    assert info.signer == f"{TEST_PUBLISHER} (clé locale {fingerprint}, ajoutée par l'administrateur)"
    assert rules_folder.version_label("2027.01.0") == f"2027.01.0, signé par {info.signer}"  # the handout's label
    assert rules_folder.version_label("2026.11.1") == "2026.11.1"  # not the active pack's: nothing added
    from types import SimpleNamespace

    from app.core.handout.citizen import Context as _Context

    context = SimpleNamespace(result=SimpleNamespace(openfisca_france="176.1.8", catalogue_version="2027.01.0"),
                              catalogue=None, options=SimpleNamespace(rules_version=""))
    assert _Context.rules_version(context) == (  # type: ignore[arg-type]  # the handout's rules line
        f"OpenFisca-France 176.1.8, catalogue des aides 2027.01.0, signé par {info.signer}")
    assert _cli(["rules", "info"]) == 0
    assert f"Signature : signé par {TEST_PUBLISHER} (clé locale {fingerprint}" in capsys.readouterr().out

    # The administrator removes the key: the installed pack no longer verifies and is not used.
    (data / "trusted_keys" / "test.pub").unlink()
    info = active_rules_info()
    assert info.source == "bundled" and active_rules_dir() == RULES
    assert "ne se vérifie plus" in info.problem
    with pytest.raises(RulesPackError, match="clé inconnue"):
        import_pack(light_pack)


def test_installed_pack_changed_on_disk_is_not_used(data: Path, light_pack: Path) -> None:
    import_pack(light_pack)
    folder = active_rules_dir()
    assert folder.is_relative_to(data)
    rsa = folder / "benefits" / "rsa.yaml"
    original = rsa.read_bytes()
    rsa.write_bytes(original.replace(b"order: 10", b"order: 11"))
    assert active_rules_dir() == RULES and "ne se vérifie plus" in active_rules_info().problem
    rsa.write_bytes(original)
    assert active_rules_dir() == folder
    (folder / "benefits" / "__pycache__").mkdir()
    (folder / "benefits" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")  # code the signature does not cover
    assert active_rules_dir() == RULES


def test_bundled_keys_listed_in_the_docs() -> None:
    keys = [k for k in pack_signing.trusted_keys() if k.origin == "bundled"]
    assert keys, "resources/keys/*.pub: the project's publisher key ships with the application"
    docs = (RULES.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    for key in keys:
        assert key.fingerprint in docs and key.publisher in docs


# --------------------------------------------------------------------------- versions


def test_older_pack_needs_an_explicit_rollback(data: Path, light_pack: Path, light_source: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    import_pack(light_pack)  # 2027.01.0
    older = copy_rules(tmp_path / "older", "2026.12.5", extension=False)
    pack = zip_folder(older, tmp_path / "older.zip")
    before = snapshot(data)
    with pytest.raises(rules_pack.OlderPackError,
                       match=r"version 2026\.12\.5\) est plus ancien que les règles actives \(version 2027\.01\.0\)"):
        import_pack(pack)
    assert snapshot(data) == before
    assert _cli(["rules", "import", str(pack)]) == 2
    assert "plus ancien" in capsys.readouterr().err and snapshot(data) == before
    assert _cli(["rules", "import", str(pack), "--older"]) == 0
    assert active_rules_info().version == "2026.12.5"
    assert rules_folder.version_key("2026.11") == rules_folder.version_key("2026.11.0") < rules_folder.version_key("2026.11.1")
    assert rules_folder.version_key("2026.9.0") < rules_folder.version_key("2026.10.0")  # numbers, not text


# --------------------------------------------------------------------------- what a pack may contain, limits


def _with_files(light_source: Path, out: Path, files: dict[str, bytes]) -> Path:
    """The light rules plus ``files``, listed in the manifest and signed by the trusted key:
    only the rules on contents can refuse it."""
    folder = out.parent / (out.stem + "-src")
    shutil.copytree(light_source, folder)
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    return zip_folder(folder, out)


def _zip_with(light_pack: Path, out: Path, member: zipfile.ZipInfo, content: bytes) -> Path:
    import warnings

    with warnings.catch_warnings():  # zipfile warns on a duplicate name: that is the point
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(light_pack) as source, zipfile.ZipFile(out, "w") as target:
            for item in source.infolist():
                target.writestr(item, source.read(item))
            target.writestr(member, content)
    return out


def _symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (0o120777 << 16)
    return info


def _patched(pack: Path, out: Path, member: str, local: tuple[int, str, int] | None,
             central: tuple[int, str, int]) -> Path:
    """``pack`` with a field of ``member``'s local header and central directory entry
    overwritten: (offset, struct format, value)."""
    import struct

    name = member.encode()
    data = bytearray(pack.read_bytes())
    with zipfile.ZipFile(pack) as archive:
        header = archive.getinfo(member).header_offset
    if local is not None:
        struct.pack_into(local[1], data, header + local[0], local[2])
    entry = data.find(b"PK\x01\x02", header)
    while data[entry + 46:entry + 46 + len(name)] != name:
        entry = data.find(b"PK\x01\x02", entry + 4)
    struct.pack_into(central[1], data, entry + central[0], central[2])
    out.write_bytes(bytes(data))
    return out


def _lying_size(light_pack: Path, out: Path) -> Path:
    """A member that inflates to more than its declared size (both headers say 100 bytes)."""
    return _patched(light_pack, out, "benefits/rsa.yaml", (22, "<I", 100), (24, "<I", 100))


def _encrypted(light_pack: Path, out: Path) -> Path:
    """A member flagged as encrypted (general purpose flag bit 0)."""
    return _patched(light_pack, out, "benefits/rsa.yaml", (6, "<H", 1), (8, "<H", 1))


BOMB = b'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n'


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda src, pack, out: _with_files(src, out, {"benefits/evil.py": b"import os\n"}),
         r"benefits/evil\.py : fichier non autorisé dans un paquet de règles"),
        (lambda src, pack, out: _with_files(src, out, {"local/extension/autre/__init__.py": b"import os\n"}),
         r"local/extension/autre/__init__\.py : fichier non autorisé"),  # an extension the manifest does not declare
        (lambda src, pack, out: _with_files(src, out, {"trusted_keys/evil.pub": public_text(UNTRUSTED_KEY).encode()}),
         r"trusted_keys/evil\.pub : fichier non autorisé"),  # a pack never adds a trusted key
        (lambda src, pack, out: _with_files(src, out, {"README.md": b"hello"}), r"README\.md : fichier non autorisé"),
        (lambda src, pack, out: _with_files(src, out, {"local/sitecustomize.pth": b"import os"}),
         r"local/sitecustomize\.pth : fichier non autorisé"),
        (lambda src, pack, out: _with_files(src, out, {"explain/bomb.yaml": BOMB}),
         r"explain/bomb\.yaml, ligne 1 : les ancres et alias YAML"),
        (lambda src, pack, out: _with_files(src, out, {"benefits/big.yaml": b"#" * (1024 * 1024 + 1)}),
         r"benefits/big\.yaml : fichier trop gros pour un paquet de règles \(au plus 1.024 Kio\)"),
        (lambda src, pack, out: _zip_with(pack, out, zipfile.ZipInfo("benefits/big.yaml"), b"#" * (1024 * 1024 + 1)),
         r"benefits/big\.yaml : fichier trop gros"),  # refused before the signature is even read
        (lambda src, pack, out: _zip_with(pack, out, _symlink("local/link.yaml"), b"/etc/passwd"),
         r"local/link\.yaml : chemin non autorisé"),
        (lambda src, pack, out: _zip_with(pack, out, zipfile.ZipInfo("/tmp/evil.yaml"), b"x"), "chemin non autorisé"),
        (lambda src, pack, out: _zip_with(pack, out, zipfile.ZipInfo("benefits/./rsa.yaml"), b"x"),
         "chemin non autorisé"),
        (lambda src, pack, out: _zip_with(pack, out, zipfile.ZipInfo("manifest.yaml"), b"format: 1\n"),
         r"manifest\.yaml : ce nom figure deux fois"),
        (lambda src, pack, out: _zip_with(pack, out, zipfile.ZipInfo("Benefits/RSA.yaml"), b"x"),
         r"Benefits/RSA\.yaml : ce nom figure deux fois"),
        (lambda src, pack, out: _encrypted(pack, out), r"benefits/rsa\.yaml : fichier chiffré"),
        (lambda src, pack, out: _lying_size(pack, out), r"benefits/rsa\.yaml : fichier (abîmé|trop gros)"),
    ],
    ids=["python_outside_extension", "undeclared_extension", "trusted_key_file", "readme", "pth", "yaml_anchors",
         "file_too_big", "declared_too_big", "symlink", "absolute_path", "dot_path", "duplicate_manifest",
         "duplicate_case", "encrypted", "lying_size"],
)
def test_pack_contents_and_limits(data: Path, light_source: Path, light_pack: Path, tmp_path: Path, make: Any,
                                  words: str) -> None:
    before = snapshot(data)
    with pytest.raises(RulesPackError, match=words):
        import_pack(make(light_source, light_pack, tmp_path / "bad.zip"))
    assert snapshot(data) == before and not (data / "rules").exists()


def test_zip_bomb_and_file_count(data: Path, light_pack: Path, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index in range(21):  # 21 × 1 Mio of zeros: a few kilobytes compressed, 21 Mio declared
            archive.writestr(f"explain/f{index}.yaml", b"\0" * (1024 * 1024))
    with pytest.raises(RulesPackError, match=r"trop grosse pour un paquet de règles \(au plus 20.480 Kio\)"):
        import_pack(bomb)
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as archive:
        for index in range(rules_pack.MAX_FILES + 1):
            archive.writestr(f"explain/f{index}.yaml", b"")
    with pytest.raises(RulesPackError, match=r"trop de fichiers pour un paquet de règles \(au plus 1000\)"):
        import_pack(many)
    assert snapshot(data) == {}


def test_manifest_version_syntax(data: Path, tmp_path: Path) -> None:
    folder = copy_rules(tmp_path / "v", "2027-01", extension=False)
    with pytest.raises(RulesPackError, match=r"manifest\.yaml, champ « version » : il faut des nombres"):
        import_pack(zip_folder(folder, tmp_path / "v.zip"))


def test_allowed_paths() -> None:
    allowed = rules_pack.allowed_path
    assert allowed("benefits/rsa.yaml", None) and allowed("schema/benefit.schema.json", None)
    assert allowed("local/extension/guichet_local/variables/paris.py", "guichet_local")
    assert allowed("local/extension/guichet_local/parameters/guichet_local/paris/index.yaml", "guichet_local")
    assert not allowed("local/extension/guichet_local/variables/paris.py", None)
    assert not allowed("local/extension/guichet_local/my-module.py", "guichet_local")  # not importable by name
    assert not allowed("local/extension/guichet_local/data.json", "guichet_local")
    assert not allowed("benefits/sub/rsa.yaml", None) and not allowed("benefits/.hidden.yaml", None)
    assert not allowed("benefits/.yaml", None) and not allowed("explain/x.json", None)
    for name in [p.relative_to(RULES).as_posix() for p in RULES.rglob("*")
                 if p.is_file() and "__pycache__" not in p.parts and p.name != "manifest.yaml"]:
        assert allowed(name, "guichet_local"), name  # everything the bundled rules hold may be in a pack


# --------------------------------------------------------------------------- the publisher's tools


def test_keygen_sign_keys_cli(data: Path, light_source: Path, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    private, public = tmp_path / "pub" / "editeur.pem", tmp_path / "pub" / "editeur.pub"
    assert _cli(["rules", "keygen", str(private), str(public), "--publisher", "CCAS de Test"]) == 0
    assert "Empreinte SHA-256" in capsys.readouterr().out
    assert private.stat().st_mode & 0o777 == 0o600
    assert _cli(["rules", "keygen", str(private), str(public), "--publisher", "CCAS de Test"]) == 2
    assert "existe déjà" in capsys.readouterr().err

    assert _cli(["rules", "build", str(light_source), str(tmp_path / "p.zip"), "--no-tests"]) == 0
    assert "NON signé" in capsys.readouterr().out
    assert _cli(["rules", "sign", str(tmp_path / "p.zip"), "--key", str(private)]) == 0
    assert "pas (encore) de confiance" in capsys.readouterr().out
    assert _cli(["rules", "import", str(tmp_path / "p.zip")]) == 2
    assert "clé inconnue" in capsys.readouterr().err

    shutil.copy(public, data / "trusted_keys" / "ccas.pub")  # the administrator trusts it
    assert _cli(["rules", "keys"]) == 0
    out = capsys.readouterr().out
    assert "CCAS de Test (clé locale" in out and str(data / "trusted_keys") in out and "Projet Guichet" in out
    assert _cli(["rules", "sign", str(tmp_path / "p.zip"), "--key", str(private)]) == 0  # signing again replaces
    assert "Il se vérifie sur ce poste : CCAS de Test" in capsys.readouterr().out
    with zipfile.ZipFile(tmp_path / "p.zip") as archive:
        assert archive.namelist().count("manifest.sig") == 1
    assert _cli(["rules", "import", str(tmp_path / "p.zip")]) == 0
    assert active_rules_info().signer.startswith("CCAS de Test (clé locale")
