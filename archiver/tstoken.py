"""RFC 3161 timestamp tokens over a bundle's ``manifest.jcs``: reading and checking them.

``manifest.tsr`` holds the TSA's whole ``TimeStampResp`` (DER), as received, because that is
what ``openssl ts -verify -in`` reads by default. rfc3161-client parses it and checks it against
a trusted CA (``--tsa-ca``). Without a CA, the token's CMS signature is still checked against
the certificate it embeds; rfc3161-client cannot do that (its OpenSSL store needs a trusted
root), so that part reads the SignedData with asn1crypto and verifies with ``cryptography``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from asn1crypto import cms, tsp  # noqa: F401  (tsp registers the TSTInfo content type)
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from rfc3161_client import (
    PKIStatus,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from archiver.errors import EvidenceError

TOKEN = "manifest.tsr"
CHAIN_UNCHECKED = "chain not checked (no --tsa-ca)"
CHAIN_OK = "chain OK (--tsa-ca)"

# Imprint algorithms by OID: ours is SHA-256; other TSAs' tokens may use the others.
IMPRINT_HASHES: dict[str, Callable[[bytes], Any]] = {
    "2.16.840.1.101.3.4.2.1": hashlib.sha256,
    "2.16.840.1.101.3.4.2.2": hashlib.sha384,
    "2.16.840.1.101.3.4.2.3": hashlib.sha512,
}
SIGNING_HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512(), "sha1": hashes.SHA1(),
}


class TokenError(EvidenceError):
    """The token is unreadable, refused, or does not verify; the message says which."""


@dataclass(frozen=True)
class TokenInfo:
    gen_time: str  # ISO 8601 UTC, as the TSA signed it
    serial: str  # hex
    tsa: str  # subject of the signing certificate
    policy: str
    imprint_algorithm: str
    nonce: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_response(data: bytes) -> TimeStampResponse:
    try:
        response = decode_timestamp_response(data)
    except ValueError as exc:
        raise TokenError(f"not an RFC 3161 TimeStampResp: {str(exc)[:120]}") from None
    if response.status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        said = "; ".join(response.status_string) or "no reason given"
        raise TokenError(f"the TSA refused (PKIStatus {response.status}): {said}")
    return response


def check_token(data: bytes, message: bytes, ca_certs: Sequence[x509.Certificate] = ()) -> TokenInfo:
    """Check a TimeStampResp over ``message``; return what it says, or raise TokenError.

    The imprint must equal the hash of ``message`` and the signature must verify against the
    signer's certificate (embedded, or found in ``ca_certs``), which must be a TSA certificate
    (critical extendedKeyUsage timeStamping) named by the token's ESS signingCertificate. With
    ``ca_certs``, the signer's chain must also lead to one of them, valid at the token's time.
    """
    try:
        return _check_token(data, message, ca_certs)
    except TokenError:
        raise
    except Exception as exc:  # both parsers parse lazily and raise assorted errors on bad input
        raise TokenError(f"malformed token: {type(exc).__name__}: {str(exc)[:120]}") from None


def _check_token(data: bytes, message: bytes, ca_certs: Sequence[x509.Certificate]) -> TokenInfo:
    response = read_response(data)
    tst = response.tst_info
    algorithm = tst.message_imprint.hash_algorithm.dotted_string
    if algorithm not in IMPRINT_HASHES:
        raise TokenError(f"unsupported imprint hash algorithm {algorithm}")
    if tst.message_imprint.message != IMPRINT_HASHES[algorithm](message).digest():
        raise TokenError("imprint does not match the hash of manifest.jcs")
    signer = check_token_signature(response.time_stamp_token(), ca_certs)
    if ca_certs:
        check_tsa_chain(response, message, ca_certs, signer)
    return TokenInfo(
        gen_time=tst.gen_time.strftime("%Y-%m-%dT%H:%M:%SZ"), serial=f"{tst.serial_number:x}",
        tsa=signer.subject.rfc4514_string(), policy=tst.policy.dotted_string,
        imprint_algorithm=IMPRINT_HASHES[algorithm].__name__.removeprefix("openssl_"),
        nonce=f"{tst.nonce:x}" if tst.nonce is not None else None,
    )


def check_tsa_chain(response: TimeStampResponse, message: bytes, ca_certs: Sequence[x509.Certificate],
                    signer: x509.Certificate) -> None:
    builder = VerifierBuilder()
    if not response.signed_data.certificates:
        builder = builder.tsa_certificate(signer)  # the token did not embed it; --tsa-ca had it
    for cert in ca_certs:
        builder = (builder.add_root_certificate(cert) if cert.issuer == cert.subject
                   else builder.add_intermediate_certificate(cert))
    try:
        builder.build().verify_message(response, message)
    except (VerificationError, ValueError) as exc:
        detail = str(exc).split("ErrorStack")[0].rstrip(": ")
        raise TokenError(f"does not verify against --tsa-ca: {detail}") from None


def check_token_signature(token: bytes, extra_certs: Sequence[x509.Certificate] = ()) -> x509.Certificate:
    """Verify the token's CMS signature with its signer's certificate; return that certificate."""
    try:
        signed = cms.ContentInfo.load(token)["content"]
        (signer_info,) = signed["signer_infos"]
        econtent = signed["encap_content_info"]["content"].contents
        attrs = {a["type"].native: a["values"][0] for a in signer_info["signed_attrs"]}
        embedded = [x509.load_der_x509_certificate(c.chosen.dump()) for c in signed["certificates"] or ()
                    if c.name == "certificate"]
        digest_name = signer_info["digest_algorithm"]["algorithm"].native
    except (ValueError, TypeError, KeyError) as exc:
        raise TokenError(f"malformed token: {str(exc)[:120]}") from None
    cert = _signer_certificate(signer_info["sid"], [*embedded, *extra_certs])
    if attrs.get("content_type") is None or attrs["content_type"].native != "tst_info":
        raise TokenError("signed content is not a TSTInfo")
    digest = hashlib.new(digest_name, econtent).digest() if digest_name in SIGNING_HASHES else None
    if digest is None or attrs.get("message_digest") is None or attrs["message_digest"].native != digest:
        raise TokenError("the signed message digest does not match the TSTInfo")
    _check_ess(attrs, cert)
    _check_eku(cert)
    # The signature covers the DER SET OF the signed attributes (RFC 5652 5.4), not the [0] form.
    signed_bytes = b"\x31" + signer_info["signed_attrs"].dump()[1:]
    _verify(cert, signer_info, signed_bytes, SIGNING_HASHES[digest_name])
    return cert


def _signer_certificate(sid: cms.SignerIdentifier, certs: Sequence[x509.Certificate]) -> x509.Certificate:
    for cert in certs:
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            if (cert.serial_number == wanted["serial_number"].native
                    and cert.issuer.public_bytes() == wanted["issuer"].dump()):
                return cert
        else:
            try:
                ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
            except x509.ExtensionNotFound:
                continue
            if ski == sid.native:
                return cert
    raise TokenError("the signer's certificate is neither embedded in the token nor in --tsa-ca")


def _check_ess(attrs: dict[str, Any], cert: x509.Certificate) -> None:
    """ESS signingCertificate(V2) binds the signature to this certificate (RFC 3161 2.4.1, RFC 5816)."""
    der = cert.public_bytes(serialization.Encoding.DER)
    if "signing_certificate_v2" in attrs:
        first = attrs["signing_certificate_v2"]["certs"][0]
        name = first["hash_algorithm"]["algorithm"].native
        expected = hashlib.new(name, der).digest() if name in SIGNING_HASHES else None
    elif "signing_certificate" in attrs:
        first = attrs["signing_certificate"]["certs"][0]
        expected = hashlib.sha1(der).digest()
    else:
        raise TokenError("the token does not name its signing certificate (no ESS signingCertificate)")
    if first["cert_hash"].native != expected:
        raise TokenError("the ESS signingCertificate hash does not match the signer's certificate")


def _check_eku(cert: x509.Certificate) -> None:
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        raise TokenError("the signer's certificate has no extendedKeyUsage (timeStamping)") from None
    if not eku.critical or x509.oid.ExtendedKeyUsageOID.TIME_STAMPING not in eku.value:
        raise TokenError("the signer's certificate is not a TSA certificate (critical EKU timeStamping)")


def _verify(cert: x509.Certificate, signer_info: cms.SignerInfo, data: bytes,
            digest: hashes.HashAlgorithm) -> None:
    key = cert.public_key()
    algorithm = signer_info["signature_algorithm"]
    signature = signer_info["signature"].native
    try:
        if isinstance(key, rsa.RSAPublicKey) and algorithm.signature_algo == "rsassa_pss":
            params = algorithm["parameters"]
            pss_hash = SIGNING_HASHES[params["hash_algorithm"]["algorithm"].native]
            key.verify(signature, data, padding.PSS(padding.MGF1(pss_hash), params["salt_length"].native),
                       pss_hash)
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), digest)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(digest))
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        else:
            raise TokenError(f"unsupported TSA key type {type(key).__name__}")
    except InvalidSignature:
        raise TokenError("the token's signature does not verify") from None
    except (ValueError, KeyError) as exc:
        raise TokenError(f"unusable signature: {str(exc)[:120]}") from None


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Certificates from a PEM bundle or one DER certificate."""
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]
