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
    for name, data in ((JCS, payload), (SIGNATURE, signer.sign(payload)),
                       (PUBLIC_KEY, public_pem(signer.public_key))):
        with (folder / name).open("xb") as out:
            out.write(data)
    return {"algorithm": "Ed25519", "canonicalization": "RFC 8785 (JCS)",
            "key_fingerprint": signer.fingerprint}


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def check_signature(manifest: dict[str, Any], jcs: bytes, signature: bytes, pem: bytes) -> str | None:
    """None when the signature is good, else why not."""
    if canonical(manifest) != jcs:
        return f"{JCS} is not the canonical form of manifest.json"
    try:
        load_public_key(pem).verify(signature, jcs)
    except (ValueError, TypeError) as exc:
        return f"unusable {PUBLIC_KEY}: {exc}"
    except InvalidSignature:
        return "signature does not verify against the bundle's public key"
    return None


def key_fingerprint_of(pem: bytes) -> str:
    return fingerprint(load_public_key(pem))
