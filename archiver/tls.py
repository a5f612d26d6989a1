"""Facts about a server's TLS certificate, as a court report states them."""

from __future__ import annotations

import copy
import functools
import hashlib
from typing import Any

from cryptography import x509


def certificate_facts(der_chain: list[bytes], tls_version: str | None = None) -> dict[str, Any] | None:
    if not der_chain:
        return None
    # Every response on a connection carries the same chain: parse it once.
    return copy.deepcopy(_chain_facts(tuple(der_chain), tls_version))


@functools.lru_cache(maxsize=256)
def _chain_facts(der_chain: tuple[bytes, ...], tls_version: str | None) -> dict[str, Any]:
    leaf = x509.load_der_x509_certificate(der_chain[0])
    try:
        san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        names = san.value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        names = []
    return {
        "subject": leaf.subject.rfc4514_string(),
        "issuer": leaf.issuer.rfc4514_string(),
        "serial_number": format(leaf.serial_number, "x"),
        "not_before": leaf.not_valid_before_utc.isoformat(),
        "not_after": leaf.not_valid_after_utc.isoformat(),
        "subject_alt_names": names,
        "sha256_fingerprint": "sha256:" + hashlib.sha256(der_chain[0]).hexdigest(),
        "chain_sha256": ["sha256:" + hashlib.sha256(der).hexdigest() for der in der_chain[1:]],
        "tls_version": tls_version,
    }
