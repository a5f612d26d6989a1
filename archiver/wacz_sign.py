"""The WACZ package signature: ``datapackage-digest.json`` with ``signedData`` in the shape of the
"anonymous signature" of WACZ Signing and Verification 0.1.0 (https://specs.webrecorder.net/wacz-auth/).

As the spec (and ReplayWeb.page) does, the signature is over the UTF-8 bytes of the ``hash``
string itself, ``sha256:<hex>`` of ``datapackage.json``. The spec's anonymous signature uses an
ECDSA key; this one is the operator's Ed25519 key, the one that signs the bundle's manifest, so
that one key vouches for both. ``publicKey`` is its DER SubjectPublicKeyInfo, whose algorithm
identifier (1.3.101.112, Ed25519) says so; ``signature`` is the raw 64-byte Ed25519 signature.
Both are standard base64 with padding. ECDSA-only verifiers (ReplayWeb.page) cannot import the
key, report the signature as not verified, and replay the package all the same.
"""

from __future__ import annotations

import base64
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from archiver.hashing import hash_bytes
from archiver.keys import Signer, fingerprint
from archiver.strictb64 import decode_strict

DATAPACKAGE = "datapackage.json"
DIGEST_FILE = "datapackage-digest.json"
# Every property the spec allows in an anonymous signedData ("MUST not contain any" other).
SIGNED_FIELDS = {"hash", "created", "software", "version", "signature", "publicKey"}


def _der(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)


def signed_digest(datapackage: bytes, created: str, software: str, signer: Signer) -> dict[str, Any]:
    """The ``datapackage-digest.json`` object; ``created`` must equal the datapackage's own
    (py-wacz's validator compares them)."""
    digest = hash_bytes(datapackage)
    return {"path": DATAPACKAGE, "hash": digest, "signedData": {
        "hash": digest, "created": created, "software": software,
        "signature": base64.b64encode(signer.sign(digest.encode("utf-8"))).decode("ascii"),
        "publicKey": base64.b64encode(_der(signer.public_key)).decode("ascii")}}


def check_signed_data(document: Any, datapackage_sha256: str) -> tuple[str | None, list[str]]:
    """(fingerprint of the key whose signature holds, or None; the problems found) for a parsed
    ``datapackage-digest.json`` against the SHA-256 of the ``datapackage.json`` read."""
    if not isinstance(document, dict):
        return None, ["not a JSON object"]
    problems = []
    if document.get("path") != DATAPACKAGE:
        problems.append(f"path is {document.get('path')!r}, not {DATAPACKAGE!r}")
    if document.get("hash") != datapackage_sha256:
        problems.append(f"hash {document.get('hash')} != {DATAPACKAGE} {datapackage_sha256}")
    signed = document.get("signedData")
    if not isinstance(signed, dict):
        return None, [*problems, "the package is not signed (no signedData)"]
    if extra := sorted(set(signed) - SIGNED_FIELDS):
        problems.append(f"signedData has properties the spec does not allow: {', '.join(extra)}")
    if signed.get("hash") != datapackage_sha256:
        problems.append(f"signedData.hash {signed.get('hash')} != {DATAPACKAGE} {datapackage_sha256}")
    try:
        key = serialization.load_der_public_key(decode_strict(str(signed.get("publicKey", ""))))
        signature = decode_strict(str(signed.get("signature", "")))
    except Exception as exc:  # noqa: BLE001 - cryptography raises several kinds for bad keys
        return None, [*problems, f"signedData has no usable publicKey or signature ({exc})"]
    if not isinstance(key, Ed25519PublicKey):
        return None, [*problems, f"signedData.publicKey is a {type(key).__name__}, not an Ed25519 key"]
    try:
        key.verify(signature, str(signed.get("hash", "")).encode("utf-8"))
    except InvalidSignature:
        return None, [*problems, "signedData.signature does not verify against signedData.publicKey"]
    return fingerprint(key), problems
