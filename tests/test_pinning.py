"""Every byte verify accepts is pinned: the key file, the signatures' encoding, unusable keys."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from archiver.storage.local import local_bundle
from archiver.verify import OK, TAMPERED, verify_bundle

from conftest import copy_bundle
from support.bundles import capture_into

# An Ed25519 SubjectPublicKeyInfo whose key is 31 bytes: it parses as PEM, and OpenSSL fails
# inside (cryptography's InternalError) when asked to make a key of it.
BROKEN_KEY = (b"-----BEGIN PUBLIC KEY-----\n"
              + base64.b64encode(bytes.fromhex("3029300506032b6570032000") + b"\x01" * 31)
              + b"\n-----END PUBLIC KEY-----\n")


@pytest.fixture(scope="module")
def original(engine, base_settings, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    return capture_into(engine, base_settings, tmp_path_factory.mktemp("pin-store"),
                        "https://example.org/article", "C", "Op")


@pytest.fixture
def bundle(original: Path, tmp_path: Path) -> Path:
    return copy_bundle(str(original), tmp_path)


def result_of(bundle: Path) -> tuple[str, list[dict[str, str]]]:
    report = verify_bundle(local_bundle(bundle))
    return report.result, report.problems


def test_the_untouched_copy_verifies(bundle: Path) -> None:
    assert result_of(bundle) == (OK, [])


@pytest.mark.parametrize("change", ["trailing-line", "crlf", "no-final-newline", "broken-key"])
def test_the_key_file_is_pinned_to_its_canonical_bytes(bundle: Path, change: str) -> None:
    key = bundle / "signer.pub.pem"
    pem = key.read_bytes()
    key.write_bytes({"trailing-line": pem + b"garbage\n", "crlf": pem.replace(b"\n", b"\r\n"),
                     "no-final-newline": pem.rstrip(b"\n"), "broken-key": BROKEN_KEY}[change])
    result, problems = result_of(bundle)
    assert result == TAMPERED
    assert problems[0]["path"] == "manifest.sig" and "unusable key in signer.pub.pem" in problems[0]["detail"]


def edit_event(bundle: Path, change: str) -> None:
    path = bundle / "custody" / "000002-signed.json"
    event = json.loads(path.read_text())
    if change == "padding-bits":
        # 64 bytes encode to 86 characters and "=="; the last character carries 4 unused bits.
        signature = event["signature"]
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        last = signature[-3]
        event["signature"] = signature[:-3] + alphabet[alphabet.index(last) ^ 1] + "=="
        assert base64.b64decode(event["signature"]) == base64.b64decode(signature)
    elif change == "whitespace":
        event["signature"] = event["signature"][:10] + "\n" + event["signature"][10:]
    elif change == "key-trailing-line":
        event["signer_public_key"] += "junk\n"
    elif change == "broken-key":
        event["signer_public_key"] = BROKEN_KEY.decode()
    path.write_text(json.dumps(event, indent=2, sort_keys=True))


@pytest.mark.parametrize("change", ["padding-bits", "whitespace", "key-trailing-line", "broken-key"])
def test_custody_events_accept_one_encoding_and_usable_keys_only(bundle: Path, change: str) -> None:
    edit_event(bundle, change)
    result, problems = result_of(bundle)
    assert result == TAMPERED
    found = [p for p in problems if p["kind"] == "custody" and p["path"] == "custody/000002-signed.json"]
    assert found and "no usable signature or key" in found[0]["detail"], problems
