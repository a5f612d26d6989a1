"""Detached Ed25519 signatures over the manifest's canonical JSON (RFC 8785 JCS).

Files a signed bundle holds beside ``manifest.json``:
``manifest.jcs`` (the exact bytes signed), ``manifest.sig`` (the raw 64-byte signature) and
``signer.pub.pem`` (the public key), so that stock OpenSSL can check it:
``openssl pkeyutl -verify -pubin -inkey signer.pub.pem -rawin -in manifest.jcs -sigfile manifest.sig``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from archiver.atomic import write_new
from archiver.keys import Signer, fingerprint, public_pem

JCS = "manifest.jcs"
SIGNATURE = "manifest.sig"
PUBLIC_KEY = "signer.pub.pem"
SIGNATURE_FILES = (JCS, SIGNATURE, PUBLIC_KEY)


def canonical(data: Any) -> bytes:
    return rfc8785.dumps(data)


def sign_manifest(folder: Path, manifest: dict[str, Any], signer: Signer) -> dict[str, str]:
    """Write the detached signature files; return what the custody log records of them."""
    payload = canonical(manifest)
    # The signature last: until it exists the bundle reads as not yet signed (INCOMPLETE).
    for name, data in ((JCS, payload), (PUBLIC_KEY, public_pem(signer.public_key)),
                       (SIGNATURE, signer.sign(payload))):
        write_new(folder / name, data)
    return {"algorithm": "Ed25519", "canonicalization": "RFC 8785 (JCS)",
            "key_fingerprint": signer.fingerprint}


def load_pinned_public_key(pem: bytes) -> Ed25519PublicKey:
    """The Ed25519 key ``pem`` holds, accepted only in its one canonical PEM form.

    PEM parsers forgive extra lines, other line breaks and trailing bytes; accepting those would
    let a signed bundle's key file change while still verifying. Any key that does not load
    (not PEM, not Ed25519, not a point on the curve) is a ValueError, never a crash.
    """
    try:
        key = serialization.load_pem_public_key(pem)
    except Exception as exc:  # noqa: BLE001 - cryptography raises InternalError for some bad points
        raise ValueError(f"unusable key ({type(exc).__name__})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    if public_pem(key) != pem:
        raise ValueError("not the canonical PEM of its key (extra or changed bytes)")
    return key


def signature_problem(manifest: dict[str, Any], jcs: bytes, signature: bytes, pem: bytes) -> str | None:
    """None when the signature is good, else why not."""
    if canonical(manifest) != jcs:
        return f"{JCS} is not the canonical form of manifest.json"
    try:
        load_pinned_public_key(pem).verify(signature, jcs)
    except (ValueError, TypeError) as exc:
        return f"unusable key in {PUBLIC_KEY}: {exc}"
    except InvalidSignature:
        return "signature does not verify against the bundle's public key"
    return None


def key_fingerprint_of(pem: bytes) -> str:
    return fingerprint(load_pinned_public_key(pem))
