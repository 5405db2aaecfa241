"""Ed25519 signatures of rules packs (app/core/rules/pack_signing.py): the signature file, the
trusted keys (shipped and local), the publisher's key pair; and the YAML loader that
refuses anchors and aliases (app/core/rules/safe_yaml.py)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.rules import pack_signing
from app.core.rules import safe_yaml
from app.core.benefits.benefit import CatalogueError
from app.core.benefits.catalogue import load_catalogue
from app.core.rules.pack_signing import SignatureError

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
MANIFEST = b"format: 1\nversion: '2027.1'\n"


def trusted(key: Ed25519PrivateKey = KEY, publisher: str = "Éditeur") -> pack_signing.TrustedKey:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return pack_signing.parse_public_key(pack_signing.public_key_text(publisher, raw), "local", "test.pub")


def test_sign_and_verify() -> None:
    signature = pack_signing.sign_manifest(MANIFEST, KEY)
    assert signature.startswith(b"guichet-rules-signature: 1\nkey: ")
    assert pack_signing.verify_manifest(MANIFEST, signature, [trusted()]).publisher == "Éditeur"
    with pytest.raises(SignatureError, match="modifié après sa signature"):
        pack_signing.verify_manifest(MANIFEST + b"\n", signature, [trusted()])
    with pytest.raises(SignatureError, match="clé inconnue"):
        pack_signing.verify_manifest(MANIFEST, signature, [])
    with pytest.raises(SignatureError, match="n'est pas signé"):
        pack_signing.verify_manifest(MANIFEST, None, [trusted()])


def test_signature_covers_the_prefix() -> None:
    """A signature of the bare manifest bytes (made for something else with the same key) is refused."""
    fields = dict(line.split(": ", 1) for line in pack_signing.sign_manifest(MANIFEST, KEY).decode().splitlines())
    fields["signature"] = base64.b64encode(KEY.sign(MANIFEST)).decode()
    forged = "".join(f"{k}: {v}\n" for k, v in fields.items()).encode()
    with pytest.raises(SignatureError, match="modifié après sa signature"):
        pack_signing.verify_manifest(MANIFEST, forged, [trusted()])


@pytest.mark.parametrize("content", [
    b"", b"\xff\xfe", b"guichet-rules-signature: 2\nkey: " + b"0" * 64 + b"\nsignature: AAAA\n",
    b"guichet-rules-signature: 1\nkey: " + b"0" * 64 + b"\nsignature: !!!\n",
    b"guichet-rules-signature: 1\nkey: " + b"0" * 64 + b"\nsignature: " + base64.b64encode(b"x" * 63) + b"\n",
    b"guichet-rules-signature: 1\nkey: " + b"0" * 64 + b"\nkey: " + b"0" * 64 + b"\n",
    b"guichet-rules-signature: 1\n" + b"#" * 5000,
])
def test_malformed_signature(content: bytes) -> None:
    with pytest.raises(SignatureError, match="manifest.sig : la signature du paquet est illisible"):
        pack_signing.verify_manifest(MANIFEST, content, [trusted()])


def test_trusted_keys_bundled_and_local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUICHET_DATA_DIR", str(tmp_path))
    bundled = [k for k in pack_signing.trusted_keys() if k.origin == "bundled"]
    assert [k.publisher for k in bundled] == ["Projet Guichet"]
    assert bundled[0].label.startswith("Projet Guichet (clé ") and "locale" not in bundled[0].label
    folder = pack_signing.local_keys_dir()
    assert folder == tmp_path / "trusted_keys"
    folder.mkdir()
    raw = KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    (folder / "ccas.pub").write_text(pack_signing.public_key_text("CCAS", raw), encoding="utf-8")
    (folder / "broken.pub").write_text("publisher: X\ned25519: pas une clé\n", encoding="utf-8")
    (folder / "notes.txt").write_text("ignored", encoding="utf-8")
    local = [k for k in pack_signing.trusted_keys() if k.origin == "local"]
    assert [(k.publisher, k.fingerprint) for k in local] == [("CCAS", pack_signing.fingerprint(raw))]
    assert "clé locale" in local[0].label


def test_generate_key_and_passphrase(tmp_path: Path) -> None:
    key = pack_signing.generate_key(tmp_path / "k.pem", tmp_path / "k.pub", "Éditeur", passphrase=b"secret")
    assert (tmp_path / "k.pem").stat().st_mode & 0o777 == 0o600
    assert pack_signing.private_key_is_encrypted(tmp_path / "k.pem")
    with pytest.raises(SignatureError, match="phrase de passe absente ou fausse"):
        pack_signing.load_private_key(tmp_path / "k.pem")
    private = pack_signing.load_private_key(tmp_path / "k.pem", b"secret")
    assert pack_signing.verify_manifest(MANIFEST, pack_signing.sign_manifest(MANIFEST, private), [key]) == key
    (tmp_path / "bad.pem").write_text("not a key", encoding="utf-8")
    with pytest.raises(SignatureError, match="clé privée illisible"):
        pack_signing.load_private_key(tmp_path / "bad.pem")
    with pytest.raises(SignatureError, match="une ligne"):
        pack_signing.generate_key(tmp_path / "x.pem", tmp_path / "x.pub", "deux\nlignes")


# --------------------------------------------------------------------------- YAML without anchors


def test_yaml_anchors_and_aliases_refused() -> None:
    assert safe_yaml.load("a: [1, 2]\nb: '&not an anchor *nor alias'\n") == {"a": [1, 2], "b": "&not an anchor *nor alias"}
    for text in ["a: &x 1\n", "a: 1\nb: *x\n", "- &x [1]\n- *x\n", "a: &x\n  b: 1\nc:\n  <<: *x\n"]:
        with pytest.raises(safe_yaml.AnchorNotAllowed, match="ancres et alias"):
            safe_yaml.load(text)
    with pytest.raises(yaml.YAMLError):
        safe_yaml.load("a: [1\n")


def test_catalogue_refuses_anchors(tmp_path: Path) -> None:
    """Every reader of rules YAML uses the same loader: here the national catalogue."""
    import shutil

    from app.core.base.paths import bundled_rules_dir

    shutil.copytree(bundled_rules_dir() / "schema", tmp_path / "schema")
    benefits = tmp_path / "benefits"
    benefits.mkdir()
    source = (bundled_rules_dir() / "benefits" / "rsa.yaml").read_text(encoding="utf-8")
    (benefits / "rsa.yaml").write_text(source.replace("order: 10", "order: &o 10"), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"rsa\.yaml : ligne \d+ : les ancres et alias"):
        load_catalogue(benefits)


def test_local_aids_refuse_anchors(tmp_path: Path) -> None:
    import shutil

    from app.core.benefits.local_aids import load_local_aids
    from app.core.base.paths import bundled_rules_dir

    shutil.copytree(bundled_rules_dir() / "schema", tmp_path / "schema")
    local = tmp_path / "local"
    local.mkdir()
    source = (bundled_rules_dir() / "local" / "paris_logement.yaml").read_text(encoding="utf-8")
    (local / "paris_logement.yaml").write_text(source + "\nx: &a [1]\ny: *a\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"paris_logement\.yaml : ligne \d+ : les ancres et alias"):
        load_local_aids(local, known_ids=load_catalogue().ids())


def test_deeply_nested_schema_is_a_french_error(tmp_path: Path) -> None:
    """A JSON schema nested deeper than Python's recursion limit (a 400 kB file) is refused, named, in French."""
    import shutil

    from app.core.base.paths import bundled_rules_dir

    shutil.copytree(bundled_rules_dir() / "schema", tmp_path / "schema")
    shutil.copytree(bundled_rules_dir() / "benefits", tmp_path / "benefits")
    (tmp_path / "schema" / "benefit.schema.json").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"benefit\.schema\.json : schéma illisible \(imbrication trop profonde\)"):
        load_catalogue(tmp_path / "benefits")
