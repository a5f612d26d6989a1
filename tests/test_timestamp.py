"""RFC 3161 trusted timestamps: asked of a real TSA on loopback, stored, checked by verify and OpenSSL."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import BinaryIO

import pytest

from archiver.problem import INCOMPLETE, OK, TAMPERED, Problem
from archiver.settings import CaptureSettings
from archiver.storage.local import local_bundle
from archiver.timestamp import (
    TimestampError,
    check_bundle_timestamp,
    public_url,
    request_token,
    tsa_urls_from_env,
)
from archiver.tstoken import CHAIN_OK, CHAIN_UNCHECKED, TOKEN, TokenError, check_token, load_certificates
from archiver.verify import verify_bundle

from conftest import copy_bundle
from support.tsa import TestTSA, start_tsa

ARCHIVER = str(Path(sys.executable).parent / "archiver")
PUBLIC = Path(__file__).parent / "fixtures" / "tsa"
ARTICLE = "https://example.org/article"

needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ARCHIVER, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def dead_url() -> str:
    """A loopback port nobody listens on: the TSA is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsa"


@pytest.fixture
def other_tsa(tmp_path: Path) -> TestTSA:
    server = start_tsa(tmp_path, cn="another TSA")
    yield server  # type: ignore[misc]
    server.stop()


@pytest.fixture(scope="module")
def stamped(engine, base_settings, tsa: TestTSA, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """A bundle captured with --tsa pointing at the loopback TSA."""
    from dataclasses import replace

    from archiver.pipeline import CaptureRequest
    from archiver.storage.local import LocalStore

    store = LocalStore(tmp_path_factory.mktemp("stamped"))
    settings = replace(base_settings, tsa_urls=(tsa.url,))
    result = engine.call(engine.engine.capture(CaptureRequest(ARTICLE, "C-TS", "Op"), settings, store))
    assert result.status == "complete", result.reason
    assert result.timestamp is not None and "error" not in result.timestamp, result.timestamp
    return Path(result.location)


class MemoryBundle:
    """A bundle held in memory, so a thousand tampered variants cost nothing to check."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.bundle_id = "memory"
        self.location = "memory"

    def list_files(self) -> dict[str, int]:
        return {path: len(data) for path, data in self.files.items()}

    def open(self, relpath: str) -> BinaryIO:
        return io.BytesIO(self.files[relpath])


# --- asking a TSA ---------------------------------------------------------------------------------

def test_request_sends_nonce_and_cert_req_and_gets_a_token_over_the_message(tsa: TestTSA) -> None:
    url, data, info = request_token(b"the signed manifest", [tsa.url])
    query = tsa.queries[-1]
    assert url == tsa.url
    assert query["cert_req"].native is True and query["nonce"].native is not None
    assert query["message_imprint"]["hashed_message"].native == hashlib.sha256(b"the signed manifest").digest()
    assert info.nonce == f"{query['nonce'].native:x}"
    assert info.tsa == "O=archiver tests,CN=archiver test TSA" and info.imprint_algorithm == "sha256"
    assert check_token(data, b"the signed manifest", [tsa.ca]) == info


def test_the_first_tsa_that_answers_wins(tsa: TestTSA, dead_url: str) -> None:
    url, _data, _info = request_token(b"m", [dead_url, tsa.url])
    assert url == tsa.url


def test_every_failing_tsa_is_named_with_its_reason(dead_url: str, tmp_path: Path) -> None:
    refusing, broken = start_tsa(tmp_path / "a"), start_tsa(tmp_path / "b")
    refusing.mode, broken.mode = "reject", "http-error"
    try:
        with pytest.raises(TimestampError) as caught:
            request_token(b"m", [dead_url, refusing.url, broken.url], timeout=5)
    finally:
        refusing.stop()
        broken.stop()
    message = str(caught.value)
    assert f"{dead_url}: cannot reach the TSA" in message
    assert f"{refusing.url}: unusable answer: the TSA refused (PKIStatus 2): test TSA refuses" in message
    assert f"{broken.url}: HTTP 503" in message


def test_tsa_urls_from_the_environment_and_passwords_never_recorded() -> None:
    assert tsa_urls_from_env({"ARCHIVER_TSA": " http://a/tsa, https://b/x  http://c "}) == (
        "http://a/tsa", "https://b/x", "http://c")
    assert tsa_urls_from_env({}) == ()
    assert public_url("https://user:s3cret@tsa.example:8443/ts?x=1") == "https://tsa.example:8443/ts?x=1"
    view = CaptureSettings(tsa_urls=("https://user:s3cret@tsa.example/ts",)).for_manifest()
    assert view["tsa_urls"] == ["https://tsa.example/ts"] and "s3cret" not in json.dumps(view)


# --- checking tokens ------------------------------------------------------------------------------

def test_a_token_from_another_tsa_fails_against_our_ca(other_tsa: TestTSA, tsa: TestTSA) -> None:
    _url, data, _info = request_token(b"m", [other_tsa.url])
    assert check_token(data, b"m").tsa.endswith("CN=another TSA")  # its own embedded certificate
    with pytest.raises(TokenError, match="does not verify against --tsa-ca"):
        check_token(data, b"m", [tsa.ca])
    with pytest.raises(TokenError, match="imprint does not match"):
        check_token(data, b"another message", [other_tsa.ca])


def test_real_identrust_token_from_a_package_sdist_verifies() -> None:
    """IdenTrust's public TSA, shipped in rfc3161-client's sdist (see fixtures/tsa/SOURCES.txt)."""
    data = (PUBLIC / "identrust-hello-sha512.tsr").read_bytes()
    root = load_certificates((PUBLIC / "identrust-commercial-root-ca-1.der").read_bytes())
    assert root[0].subject.rfc4514_string() == "CN=IdenTrust Commercial Root CA 1,O=IdenTrust,C=US"
    info = check_token(data, b"hello", root)  # chain checked at the token's time: the TSA cert expired since
    assert (info.gen_time, info.imprint_algorithm) == ("2025-03-11T08:52:08Z", "sha512")
    assert info.tsa == "CN=TrustID Timestamp Authority,O=IdenTrust,C=US"
    assert check_token(data, b"hello") == info
    with pytest.raises(TokenError, match="imprint"):
        check_token(data, b"hellO", root)


def test_real_sigstore_staging_token_verifies_and_a_flipped_signature_byte_is_caught() -> None:
    data = (PUBLIC / "sigstage-hello-sha256.tsr").read_bytes()
    chain = load_certificates((PUBLIC / "sigstage-ts-chain.pem").read_bytes())
    info = check_token(data, b"hello", chain)
    assert info.tsa == "CN=sigstore-tsa,O=sigstore.dev" and info.gen_time == "2025-05-09T11:58:55Z"
    flipped = bytearray(data)
    flipped[-10] ^= 0x01  # inside the signature value, the token's last field
    with pytest.raises(TokenError, match="signature does not verify"):
        check_token(bytes(flipped), b"hello", chain)


# --- bundles: capture, verify, OpenSSL ------------------------------------------------------------

def test_capture_with_tsa_stores_the_token_and_logs_it(stamped: Path, tsa: TestTSA) -> None:
    token = (stamped / TOKEN).read_bytes()
    event = json.loads((stamped / "custody" / "000003-timestamped.json").read_text())
    assert event["event"] == "timestamped" and event["actor"] == "Op"
    details = event["details"]
    assert details["tsa_url"] == tsa.url and details["token_sha256"] == "sha256:" + hashlib.sha256(token).hexdigest()
    info = check_token(token, (stamped / "manifest.jcs").read_bytes(), [tsa.ca])
    assert (details["gen_time"], details["serial"]) == (info.gen_time, info.serial)
    manifest = json.loads((stamped / "manifest.json").read_text())
    assert manifest["settings"]["tsa_urls"] == [tsa.url]


def test_verify_reports_the_timestamp_with_and_without_the_ca(stamped: Path, tsa: TestTSA) -> None:
    report = verify_bundle(local_bundle(stamped))
    assert report.result == OK, report.problems
    assert report.timestamp is not None and report.timestamp["status"] == OK
    assert report.timestamp["chain"] == CHAIN_UNCHECKED
    checked = verify_bundle(local_bundle(stamped), tsa_ca=[tsa.ca])
    assert checked.result == OK and checked.timestamp is not None and checked.timestamp["chain"] == CHAIN_OK
    assert set(checked.checks()) == {"hashes", "WARC digests", "signature", "timestamp", "custody", "ledger"}
    assert all(outcome.startswith("OK") for outcome in checked.checks().values()), checked.checks()


@needs_openssl
def test_openssl_ts_verify_accepts_our_token(stamped: Path, tsa: TestTSA) -> None:
    # The exact command the README gives, run in the bundle folder.
    done = subprocess.run(["openssl", "ts", "-verify", "-data", "manifest.jcs", "-in", "manifest.tsr",
                           "-CAfile", str(tsa.ca_file)], cwd=stamped, capture_output=True, text=True)
    assert done.returncode == 0 and "Verification: OK" in done.stdout, done.stdout + done.stderr


@needs_openssl
def test_openssl_ts_verify_refuses_a_changed_manifest(stamped: Path, tsa: TestTSA, tmp_path: Path) -> None:
    changed = tmp_path / "manifest.jcs"
    changed.write_bytes((stamped / "manifest.jcs").read_bytes().replace(b'"Op"', b'"Mallory"'))
    done = subprocess.run(["openssl", "ts", "-verify", "-data", str(changed), "-in", str(stamped / TOKEN),
                           "-CAfile", str(tsa.ca_file)], capture_output=True, text=True)
    assert done.returncode != 0 and "Verification: FAILED" in done.stdout


def test_a_flipped_token_byte_makes_the_bundle_tampered(stamped: Path, tmp_path: Path) -> None:
    bundle = copy_bundle(str(stamped), tmp_path)
    token = bytearray((bundle / TOKEN).read_bytes())
    token[len(token) // 2] ^= 0x01
    (bundle / TOKEN).write_bytes(bytes(token))
    report = verify_bundle(local_bundle(bundle))
    assert report.result == TAMPERED
    assert [(p.kind, p.path) for p in report.problems] == [("timestamp", TOKEN)]
    assert report.checks()["timestamp"].startswith("FAILED: manifest.tsr: ")
    assert report.checks()["hashes"].startswith("OK")


def test_every_single_flipped_bit_of_the_token_is_caught(stamped: Path) -> None:
    """Also in the parts no CMS signature covers (status, certificates): the custody log holds the token's hash."""
    files = {path: (stamped / path).read_bytes() for path in local_bundle(stamped).list_files()}
    summary, found = check_bundle_timestamp(MemoryBundle(files), {p: len(d) for p, d in files.items()})
    assert (summary["status"], found) == (OK, [])
    token = files[TOKEN]
    for index in range(len(token)):
        for bit in (0x01, 0x80):
            changed = bytearray(token)
            changed[index] ^= bit
            bundle = MemoryBundle({**files, TOKEN: bytes(changed)})
            summary, found = check_bundle_timestamp(bundle, bundle.list_files())
            assert summary["status"] == "FAILED" and found and found[0].path == TOKEN, (index, bit)


def test_a_token_from_an_untrusted_tsa_fails_with_its_ca(stamped: Path, other_tsa: TestTSA) -> None:
    report = verify_bundle(local_bundle(stamped), tsa_ca=[other_tsa.ca])
    assert report.result == TAMPERED
    assert "does not verify against --tsa-ca" in report.problems[0].detail


def test_a_removed_token_is_caught_by_its_custody_event(stamped: Path, tmp_path: Path) -> None:
    bundle = copy_bundle(str(stamped), tmp_path)
    (bundle / TOKEN).unlink()
    report = verify_bundle(local_bundle(bundle))
    assert report.result == TAMPERED
    assert report.problems[0].path == TOKEN and "missing" in report.problems[0].detail


def test_a_token_the_custody_log_never_recorded_is_flagged(stamped: Path, tmp_path: Path) -> None:
    bundle = copy_bundle(str(stamped), tmp_path)
    (bundle / "custody" / "000003-timestamped.json").unlink()
    report = verify_bundle(local_bundle(bundle))
    assert report.result == TAMPERED  # the store ledger still names the removed event
    assert {(p.kind, p.path) for p in report.problems} == {
        ("ledger", "custody/000003-timestamped.json"), ("timestamp", TOKEN)}
    assert "not recorded in the custody log" in next(p.detail for p in report.problems if p.path == TOKEN)


# --- the TSA is down: capture still completes, archiver timestamp adds the token later -------------

def test_tsa_down_then_archiver_timestamp(tmp_path: Path, tls_args: list[str], dead_url: str,
                                          tsa: TestTSA) -> None:
    store = tmp_path / "ev"
    done = run("capture", ARTICLE, "--store", str(store), "--tsa", dead_url, *tls_args)
    assert done.returncode == 0, done.stdout + done.stderr  # complete: the timestamp is optional
    note = re.search(r"no trusted timestamp: (.*); run: archiver timestamp (\S+) --tsa URL", done.stdout)
    assert note and f"{dead_url}: cannot reach the TSA" in note.group(1), done.stdout
    bundle = Path(note.group(2))
    assert not (bundle / TOKEN).exists()
    assert sorted(p.name for p in (bundle / "custody").iterdir()) == [
        "000001-captured.json", "000002-signed.json", "000003-timestamp-failed.json"]
    verified = run("verify", str(bundle))
    assert verified.returncode == 0, verified.stdout
    assert ", timestamp none (requested; no TSA answered: " in verified.stdout

    still_down = run("timestamp", str(bundle), "--tsa", dead_url)
    assert still_down.returncode == 3 and "cannot reach the TSA" in still_down.stdout  # try again later
    added = run("timestamp", str(bundle), "--tsa", tsa.url, "--operator", "Clerk")
    assert added.returncode == 0, added.stdout + added.stderr
    assert added.stdout.startswith(f"timestamped  {bundle.name}  timestamp: ")
    assert (bundle / "custody" / "000004-timestamped.json").exists()
    verified = run("verify", str(bundle), "--tsa-ca", str(tsa.ca_file))
    assert verified.returncode == 0, verified.stdout
    assert "timestamp OK (" in verified.stdout and f"; {CHAIN_OK})" in verified.stdout
    as_json = json.loads(run("verify", str(bundle), "--json").stdout)
    assert as_json["timestamp"]["status"] == OK and as_json["timestamp"]["chain"] == CHAIN_UNCHECKED

    token = (bundle / TOKEN).read_bytes()
    again = run("timestamp", str(store), "--tsa", tsa.url)  # a whole store: nothing left to do
    assert again.returncode == 0 and again.stdout.startswith("skipped") and "never replaced" in again.stdout
    assert (bundle / TOKEN).read_bytes() == token


def test_timestamp_refuses_a_bundle_whose_signature_fails(stamped: Path, tmp_path: Path, tsa: TestTSA) -> None:
    bundle = copy_bundle(str(stamped), tmp_path)
    (bundle / TOKEN).unlink()
    jcs = bundle / "manifest.jcs"
    jcs.write_bytes(jcs.read_bytes().replace(b'"Op"', b'"Mallory"'))
    done = run("timestamp", str(bundle), "--tsa", tsa.url, "--json")
    assert done.returncode == 1
    entry = json.loads(done.stdout)
    assert entry["result"] == "failed" and "not timestamped" in entry["detail"]
    assert not (bundle / TOKEN).exists()


def test_capture_takes_the_tsa_from_the_environment(tmp_path: Path, tls_args: list[str], dead_url: str,
                                                    tsa: TestTSA) -> None:
    import os

    env = {**os.environ, "ARCHIVER_TSA": f"{dead_url},{tsa.url}"}
    done = subprocess.run([ARCHIVER, "capture", ARTICLE, "--store", str(tmp_path / "ev"), "--json", *tls_args],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    line = json.loads(done.stdout)
    assert line["timestamp"]["tsa_url"] == tsa.url  # the dead one was tried first
    assert (Path(line["bundle"]) / TOKEN).exists()


@pytest.mark.parametrize("args", [
    ["capture", ARTICLE, "--tsa", "ftp://tsa.example/"],
    ["timestamp", "/nonexistent/bundle", "--tsa", "http://127.0.0.1:9/"],
])
def test_usage_errors(args: list[str], tmp_path: Path) -> None:
    done = run(*args, "--store", str(tmp_path / "ev")) if args[0] == "capture" else run(*args)
    assert done.returncode == 2 and done.stderr.startswith("archiver: error:"), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "ev").exists()


def test_timestamp_without_a_tsa_and_verify_with_a_bad_ca_file(stamped: Path, tmp_path: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k != "ARCHIVER_TSA"}
    done = subprocess.run([ARCHIVER, "timestamp", str(stamped)], capture_output=True, text=True, env=env)
    assert done.returncode == 2 and done.stderr == "archiver: error: no TSA given: pass --tsa URL or set $ARCHIVER_TSA\n"
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    done = run("verify", str(stamped), "--tsa-ca", str(bad))
    assert done.returncode == 2 and done.stderr.startswith("archiver: error: --tsa-ca")


def test_an_unsigned_bundle_cannot_check_a_token(stamped: Path, tmp_path: Path) -> None:
    bundle = copy_bundle(str(stamped), tmp_path)
    (bundle / "manifest.jcs").unlink()
    summary, found = check_bundle_timestamp(local_bundle(bundle), local_bundle(bundle).list_files())
    assert summary["status"] == "FAILED" and found == [Problem("timestamp", TOKEN, "cannot be checked without manifest.jcs", INCOMPLETE)]


