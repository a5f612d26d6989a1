"""A real RFC 3161 Time-Stamp Authority on loopback, for tests.

A throwaway CA and a TSA certificate (critical extendedKeyUsage timeStamping) made with
``cryptography``; the TSA answers ``application/timestamp-query`` POSTs over HTTP with a
DER ``TimeStampResp`` whose token is a CMS SignedData over a TSTInfo, built with
``asn1crypto`` (rfc3161-client only builds requests) and signed with ECDSA P-256. The
signed attributes carry content-type, message-digest and ESS signingCertificateV2, as
RFC 3161/5816 and ``openssl ts -verify`` require.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

POLICY = "1.3.6.1.4.1.99999.1.1"  # a private-arc test policy; real TSAs name their own
QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "archiver tests")])


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, key_cert_sign=cert_sign, crl_sign=cert_sign,
                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                         key_agreement=False, encipher_only=False, decipher_only=False)


def make_tsa_pki(cn: str = "archiver test TSA") -> tuple[x509.Certificate, x509.Certificate,
                                                           ec.EllipticCurvePrivateKey]:
    """A root CA and a TSA certificate it issued, plus the TSA's private key."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder().subject_name(_name(f"{cn} root CA")).issuer_name(_name(f"{cn} root CA"))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return ca, cert, key


@dataclass
class TestTSA:
    """The TSA: ``url`` to POST queries to, ``ca_file`` (PEM) to verify its tokens with.

    ``mode`` changes how it answers: ``"ok"``, ``"reject"`` (a PKIStatus rejection) or
    ``"http-error"`` (HTTP 503). ``queries`` keeps every request it was sent, parsed.
    """

    __test__ = False  # not a pytest test class

    ca: x509.Certificate
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    ca_file: Path
    mode: str = "ok"
    queries: list[tsp.TimeStampReq] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _serials: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        assert self._server is not None, "TSA not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}/tsa"

    def start(self) -> TestTSA:
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Type") != QUERY_TYPE:
                    return self._send(415, b"expected " + QUERY_TYPE.encode(), "text/plain")
                if tsa.mode == "http-error":
                    return self._send(503, b"TSA down for maintenance", "text/plain")
                self._send(200, tsa.respond(body), REPLY_TYPE)

            def _send(self, code: int, body: bytes, content_type: str) -> None:
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def respond(self, query: bytes) -> bytes:
        request = tsp.TimeStampReq.load(query)
        self.queries.append(request)
        if self.mode == "reject":
            # asn1crypto's TimeStampResp insists on a token, which a rejection has none of.
            status = tsp.PKIStatusInfo({"status": "rejection", "status_string": ["test TSA refuses this request"],
                                        "fail_info": tsp.PKIFailureInfo({"bad_alg"})}).dump()
            assert len(status) < 128  # short-form DER length
            return bytes([0x30, len(status)]) + status
        token = self.sign(request["message_imprint"], request["nonce"].native,
                          include_cert=bool(request["cert_req"].native))
        return tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token}).dump()

    def sign(self, imprint: tsp.MessageImprint, nonce: int | None, *, include_cert: bool = True,
             gen_time: datetime.datetime | None = None) -> cms.ContentInfo:
        """A TimeStampToken: CMS SignedData over a TSTInfo for ``imprint``."""
        cert_der = self.cert.public_bytes(serialization.Encoding.DER)
        cert = asn1_x509.Certificate.load(cert_der)
        info: dict[str, object] = {
            "version": "v1", "policy": POLICY, "message_imprint": imprint,
            "serial_number": next(self._serials),
            "gen_time": (gen_time or datetime.datetime.now(datetime.UTC)).replace(microsecond=0),
            "accuracy": {"seconds": 1},
            "tsa": asn1_x509.GeneralName(name="directory_name", value=cert.subject),
        }
        if nonce is not None:
            info["nonce"] = nonce
        tst_der = tsp.TSTInfo(info).dump()
        attrs = cms.CMSAttributes([
            {"type": "content_type", "values": ["tst_info"]},
            {"type": "message_digest", "values": [hashlib.sha256(tst_der).digest()]},
            {"type": "signing_certificate_v2",
             "values": [{"certs": [{"cert_hash": hashlib.sha256(cert_der).digest()}]}]},
        ])
        # CMS signs the DER SET OF the attributes (RFC 5652 5.4), not the [0]-tagged form.
        signature = self.key.sign(attrs.dump(), ec.ECDSA(hashes.SHA256()))
        signer = cms.SignerInfo({
            "version": "v1",
            "sid": cms.SignerIdentifier(name="issuer_and_serial_number", value={
                "issuer": cert.issuer, "serial_number": cert.serial_number}),
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": attrs,
            "signature_algorithm": {"algorithm": "sha256_ecdsa"},
            "signature": signature,
        })
        signed: dict[str, object] = {
            "version": "v3",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {"content_type": "tst_info",
                                   "content": cms.ParsableOctetString(tst_der)},
            "signer_infos": [signer],
        }
        if include_cert:
            signed["certificates"] = [cert]
        return cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData(signed)})


def start_tsa(folder: Path, cn: str = "archiver test TSA") -> TestTSA:
    ca, cert, key = make_tsa_pki(cn)
    folder.mkdir(parents=True, exist_ok=True)
    ca_file = folder / "tsa-ca.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return TestTSA(ca, cert, key, ca_file).start()
