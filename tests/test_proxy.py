"""The recording proxy's per-run certificate authority."""

from __future__ import annotations

import stat
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from mitmproxy import certs

from archiver.proxy import CA_BASENAME, create_certificate_authority


def test_ca_is_a_private_ec_key_that_mitmproxy_loads_and_signs_leaves_with(tmp_path: Path) -> None:
    confdir = tmp_path / "proxy"
    create_certificate_authority(confdir)
    key_file = confdir / f"{CA_BASENAME}-ca.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    first = key_file.read_bytes()
    create_certificate_authority(confdir)  # an existing CA is kept, not replaced
    assert key_file.read_bytes() == first

    store = certs.CertStore.from_store(confdir, CA_BASENAME, 2048)
    assert isinstance(store.default_privatekey, ec.EllipticCurvePrivateKey)
    ca = x509.load_pem_x509_certificate((confdir / f"{CA_BASENAME}-ca-cert.pem").read_bytes())
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    leaf = store.get_cert("example.org", [x509.DNSName("example.org")]).cert._cert
    assert leaf.issuer == ca.subject
    leaf.verify_directly_issued_by(ca)  # raises if the CA did not sign it
