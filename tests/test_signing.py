"""Signed manifests: checked by archiver verify and by stock OpenSSL."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from archiver.keys import fingerprint
from archiver.signing import signature_problem

from conftest import copy_bundle

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")


@pytest.fixture(scope="module")
def signed_bundle(engine, base_settings, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    from archiver.pipeline import CaptureRequest
    from archiver.storage.local import LocalStore

    store = LocalStore(tmp_path_factory.mktemp("signed"))
    result = engine.call(engine.engine.capture(CaptureRequest("https://example.org/article", "C-9", "Op"),
                                               base_settings, store))
    return Path(result.location)


def openssl_verify(folder: Path) -> subprocess.CompletedProcess[str]:
    # The exact command the README gives.
    return subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "signer.pub.pem", "-rawin",
                           "-in", "manifest.jcs", "-sigfile", "manifest.sig"],
                          cwd=folder, capture_output=True, text=True)


def test_openssl_accepts_the_signature(signed_bundle: Path, signer) -> None:  # type: ignore[no-untyped-def]
    done = openssl_verify(signed_bundle)
    assert done.returncode == 0 and "Signature Verified Successfully" in done.stdout
    pem = (signed_bundle / "signer.pub.pem").read_bytes()
    from archiver.signing import load_pinned_public_key

    assert fingerprint(load_pinned_public_key(pem)) == signer.fingerprint


def test_openssl_rejects_a_forged_manifest(signed_bundle: Path, tmp_path: Path) -> None:
    forged = copy_bundle(str(signed_bundle), tmp_path)
    jcs = (forged / "manifest.jcs").read_bytes().replace(b'"operator":"Op"', b'"operator":"Mallory"')
    (forged / "manifest.jcs").write_bytes(jcs)
    assert openssl_verify(forged).returncode != 0


def test_jcs_is_the_canonical_form_of_the_manifest(signed_bundle: Path) -> None:
    import json

    manifest = json.loads((signed_bundle / "manifest.json").read_bytes())
    reason = signature_problem(manifest, (signed_bundle / "manifest.jcs").read_bytes(),
                             (signed_bundle / "manifest.sig").read_bytes(),
                             (signed_bundle / "signer.pub.pem").read_bytes())
    assert reason is None
    manifest["status"] = "complete-ish"
    assert "canonical" in (signature_problem(manifest, (signed_bundle / "manifest.jcs").read_bytes(),
                                           (signed_bundle / "manifest.sig").read_bytes(),
                                           (signed_bundle / "signer.pub.pem").read_bytes()) or "")
