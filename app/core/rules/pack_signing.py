"""Ed25519 signatures of rules packs (issue 21): who published a pack, and that it is intact.

A signed pack holds, next to ``manifest.yaml`` (which lists the SHA-256 of every other file
of the pack), a detached signature ``manifest.sig``::

    guichet-rules-signature: 1
    key: <SHA-256 of the publisher's raw 32-byte Ed25519 public key, 64 hex digits>
    signature: <base64 of the 64-byte Ed25519 signature>

The signed message is ``SIGNED_PREFIX`` followed by the exact bytes of ``manifest.yaml``
(the prefix keeps a signature of a pack from being valid for anything else the key signs).
The signature file is read as plain lines (never as YAML), and ``manifest.yaml`` is parsed
only once the signature checks; every other file is then checked against its SHA-256 in
the manifest before anything reads it.

Trusted public keys are ``*.pub`` files::

    # any comment line
    publisher: Projet Guichet
    ed25519: <base64 of the raw 32-byte public key>

shipped with the application in ``resources/keys/`` and, for a key an administrator trusts
on one machine, in ``<user data>/trusted_keys/`` (:func:`local_keys_dir`). The publisher's
private key is a PKCS#8 PEM file (:func:`generate_key`, optionally encrypted), never shipped.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.core.base import paths
from app.core.base.i18n import t

SIGNATURE_FILE = "manifest.sig"
SIGNATURE_FORMAT = "1"
SIGNED_PREFIX = b"guichet-rules-pack-signature-v1\n"
MAX_SIGNATURE_BYTES = 4096
MAX_KEY_BYTES = 4096
LOCAL_KEYS_FOLDER = "trusted_keys"
_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")

log = logging.getLogger(__name__)


class SignatureError(Exception):
    """A signature or key that cannot be used; the message is French."""


@dataclass(frozen=True)
class TrustedKey:
    publisher: str
    fingerprint: str  # SHA-256 of the raw public key, 64 lowercase hex digits
    origin: str  # "bundled" (resources/keys) | "local" (the administrator's trusted_keys folder)
    file: str  # where it was read, for the key list
    public_bytes: bytes

    @property
    def short_fingerprint(self) -> str:
        return short_fingerprint(self.fingerprint)

    @property
    def label(self) -> str:
        """« Projet Guichet (clé 1A2B 3C4D 5E6F 7A8B) », « … clé locale … » for a local key."""
        return t(f"rules.signature.signer_{self.origin}", publisher=self.publisher,
                 fingerprint=self.short_fingerprint)


def fingerprint(public_bytes: bytes) -> str:
    return hashlib.sha256(public_bytes).hexdigest()


def short_fingerprint(value: str) -> str:
    """The first 16 hex digits, in groups of 4, upper case: what screens show."""
    head = value[:16].upper()
    return " ".join(head[i:i + 4] for i in range(0, 16, 4))


# --------------------------------------------------------------------------- keys


def bundled_keys_dir() -> Path:
    return paths.resources_dir() / "keys"


def local_keys_dir() -> Path:
    """``<user data>/trusted_keys``: keys an administrator trusts on this machine (not created)."""
    return paths.user_data_dir() / LOCAL_KEYS_FOLDER


def _fields(text: str, allowed: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or key not in allowed or key in out:
            raise ValueError(key)
        out[key] = value.strip()
    return out


def parse_public_key(text: str, origin: str, file: str) -> TrustedKey:
    """A ``*.pub`` file's content; :class:`SignatureError` naming ``file`` when invalid."""
    try:
        fields = _fields(text, {"publisher", "ed25519"})
        raw = base64.b64decode(fields["ed25519"], validate=True)
        Ed25519PublicKey.from_public_bytes(raw)
        publisher = fields["publisher"]
        if not publisher or len(publisher) > 120:
            raise ValueError("publisher")
    except (KeyError, ValueError, binascii.Error) as error:
        raise SignatureError(t("rules.signature.bad_key_file", file=file)) from error
    return TrustedKey(publisher, fingerprint(raw), origin, file, raw)


def _keys_in(folder: Path, origin: str) -> list[TrustedKey]:
    out: list[TrustedKey] = []
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.pub")):
        try:
            if not path.is_file() or path.stat().st_size > MAX_KEY_BYTES:
                raise SignatureError(t("rules.signature.bad_key_file", file=path.name))
            out.append(parse_public_key(path.read_text(encoding="utf-8"), origin, str(path)))
        except (SignatureError, OSError, UnicodeDecodeError):
            log.warning("trusted key file %s unreadable: ignored", path.name)  # it trusts nothing
            continue
    return out


def trusted_keys() -> list[TrustedKey]:
    """The keys shipped with the application, then the administrator's local ones."""
    return _keys_in(bundled_keys_dir(), "bundled") + _keys_in(local_keys_dir(), "local")


# --------------------------------------------------------------------------- signing


def generate_key(private_path: Path, public_path: Path, publisher: str, passphrase: bytes | None = None) -> TrustedKey:
    """A new publisher key pair: the private key as PKCS#8 PEM (mode 0600, encrypted when a
    passphrase is given), the public key as a ``*.pub`` file."""
    if not publisher.strip() or "\n" in publisher or len(publisher) > 120:
        raise SignatureError(t("rules.signature.bad_publisher"))
    for path in (private_path, public_path):
        if path.exists():
            raise SignatureError(t("rules.signature.key_exists", file=path))
    key = Ed25519PrivateKey.generate()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    private_path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    public_path.parent.mkdir(parents=True, exist_ok=True)
    public_path.write_text(public_key_text(publisher.strip(), raw), encoding="utf-8")
    return parse_public_key(public_path.read_text(encoding="utf-8"), "local", str(public_path))


def public_key_text(publisher: str, raw: bytes) -> str:
    return (
        "# Clé publique d'éditeur de paquets de règles Guichet (Ed25519)\n"
        f"# Empreinte SHA-256 : {fingerprint(raw)}\n"
        f"publisher: {publisher}\n"
        f"ed25519: {base64.b64encode(raw).decode('ascii')}\n"
    )


def load_private_key(path: Path, passphrase: bytes | None = None) -> Ed25519PrivateKey:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SignatureError(t("rules.signature.private_unreadable", file=path)) from error
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except TypeError as error:  # encrypted and no passphrase, or a passphrase for a plain key
        raise SignatureError(t("rules.signature.private_passphrase", file=path)) from error
    except ValueError as error:
        raise SignatureError(t("rules.signature.private_unreadable", file=path)) from error
    if not isinstance(key, Ed25519PrivateKey):
        raise SignatureError(t("rules.signature.private_unreadable", file=path))
    return key


def private_key_is_encrypted(path: Path) -> bool:
    try:
        return b"ENCRYPTED" in path.read_bytes()[:64]
    except OSError:
        return False


def sign_manifest(manifest_bytes: bytes, key: Ed25519PrivateKey) -> bytes:
    """The content of ``manifest.sig`` for these exact manifest bytes."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    signature = key.sign(SIGNED_PREFIX + manifest_bytes)
    return (
        f"guichet-rules-signature: {SIGNATURE_FORMAT}\n"
        f"key: {fingerprint(raw)}\n"
        f"signature: {base64.b64encode(signature).decode('ascii')}\n"
    ).encode("ascii")


# --------------------------------------------------------------------------- verification


def verify_manifest(manifest_bytes: bytes, signature_bytes: bytes | None,
                    keys: list[TrustedKey] | None = None) -> TrustedKey:
    """The trusted key that signed these manifest bytes; :class:`SignatureError` (French)
    when there is no signature, it is malformed, its key is not trusted, or it does not
    match the bytes."""
    if signature_bytes is None:
        raise SignatureError(t("rules.signature.unsigned"))
    try:
        if len(signature_bytes) > MAX_SIGNATURE_BYTES:
            raise ValueError("size")
        fields = _fields(signature_bytes.decode("ascii"), {"guichet-rules-signature", "key", "signature"})
        if fields["guichet-rules-signature"] != SIGNATURE_FORMAT or not _FINGERPRINT.match(fields["key"]):
            raise ValueError("format")
        signature = base64.b64decode(fields["signature"], validate=True)
        if len(signature) != 64:
            raise ValueError("length")
    except (KeyError, ValueError, UnicodeDecodeError, binascii.Error) as error:
        raise SignatureError(t("rules.signature.malformed")) from error
    candidates = [k for k in (trusted_keys() if keys is None else keys) if k.fingerprint == fields["key"]]
    if not candidates:
        raise SignatureError(t("rules.signature.untrusted", fingerprint=short_fingerprint(fields["key"])))
    key = candidates[0]
    try:
        Ed25519PublicKey.from_public_bytes(key.public_bytes).verify(signature, SIGNED_PREFIX + manifest_bytes)
    except InvalidSignature:
        raise SignatureError(t("rules.signature.invalid", publisher=key.publisher)) from None
    return key
