"""Tampering with a real captured bundle is caught, with the file named."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from archiver.problem import INCOMPLETE, OK, TAMPERED, Problem
from archiver.storage.local import local_bundle
from archiver.verify import verify_bundle

from conftest import copy_bundle
from support.bundles import capture_into


@pytest.fixture(scope="module")
def original(engine, base_settings, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    return capture_into(engine, base_settings, tmp_path_factory.mktemp("verify-store"),
                        "https://example.org/article", "C", "Op")


@pytest.fixture
def bundle(original: Path, tmp_path: Path) -> Path:
    return copy_bundle(str(original), tmp_path)


def flip_byte(path: Path, offset: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    index = len(data) // 2 if offset is None else offset
    data[index] ^= 0x01
    path.write_bytes(bytes(data))


def problems(folder: Path) -> tuple[str, set[str], list[Problem]]:
    report = verify_bundle(local_bundle(folder))
    return report.result, {p.path for p in report.problems}, report.problems


def test_untouched_bundle_verifies(bundle: Path) -> None:
    result, paths, _ = problems(bundle)
    assert (result, paths) == (OK, set())


@pytest.mark.parametrize("relpath", ["screenshot.png", "dom.html", "metadata.json", "media/01.png"])
def test_flipped_byte_in_artifact_is_caught(bundle: Path, relpath: str) -> None:
    flip_byte(bundle / relpath)
    result, paths, found = problems(bundle)
    assert result == TAMPERED
    assert relpath in paths
    assert any(p.kind == "sha256" and p.path == relpath for p in found)


def test_flipped_byte_in_warc_is_caught(bundle: Path) -> None:
    flip_byte(bundle / "capture.warc.gz")
    result, paths, _ = problems(bundle)
    assert result == TAMPERED and "capture.warc.gz" in paths


def test_artifact_swapped_with_matching_manifest_edit_is_caught_by_warc_copy(bundle: Path) -> None:
    from archiver.hashing import hash_file

    (bundle / "dom.html").write_bytes(b"<html>forged</html>")
    manifest = json.loads((bundle / "manifest.json").read_text())
    entry = next(a for a in manifest["artifacts"] if a["path"] == "dom.html")
    entry["sha256"], entry["size"] = hash_file(bundle / "dom.html")
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    result, _paths, found = problems(bundle)
    assert result == TAMPERED
    assert any(p.kind == "warc-copy" and p.path == "dom.html" for p in found)


def test_deleted_artifact_is_caught(bundle: Path) -> None:
    (bundle / "screenshot.png").unlink()
    result, paths, found = problems(bundle)
    assert result == TAMPERED and paths == {"screenshot.png"}
    assert found[0].kind == "missing"


def test_added_file_is_caught(bundle: Path) -> None:
    (bundle / "media" / "extra.jpg").write_bytes(b"not evidence")
    result, paths, found = problems(bundle)
    assert result == TAMPERED and paths == {"media/extra.jpg"}
    assert found[0].kind == "unlisted"


def test_edited_manifest_field_is_caught(bundle: Path) -> None:
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["operator"] = "Someone Else"
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    result, paths, found = problems(bundle)
    assert result == TAMPERED and "manifest.json" in paths
    assert any("operator" in p.detail for p in found if p.path == "manifest.json")
    # the signature and the custody chain anchored on the manifest break too
    assert any(p.kind == "signature" for p in found)
    assert any(p.kind == "custody" and p.path.endswith("000001-captured.json") for p in found)


def test_corrupt_manifest_is_caught(bundle: Path) -> None:
    flip_byte(bundle / "manifest.json", offset=0)
    result, paths, _ = problems(bundle)
    assert result == TAMPERED and "manifest.json" in paths


def test_bundle_without_manifest_is_incomplete(bundle: Path) -> None:
    (bundle / "manifest.json").unlink()
    result, paths, _ = problems(bundle)
    assert result == INCOMPLETE and paths == {"manifest.json"}


def test_signature_files_and_custody_of_an_untouched_bundle(bundle: Path, signer) -> None:  # type: ignore[no-untyped-def]
    report = verify_bundle(local_bundle(bundle))
    assert report.signer == signer.fingerprint
    assert report.custody_events == 2
    assert sorted(p.name for p in (bundle / "custody").iterdir()) == [
        "000001-captured.json", "000002-signed.json"]


@pytest.mark.parametrize("relpath", ["manifest.sig", "manifest.jcs", "signer.pub.pem",
                                     "custody/000001-captured.json", "custody/000002-signed.json"])
def test_flipped_byte_in_signature_or_custody_file_is_caught(bundle: Path, relpath: str) -> None:
    target = bundle / relpath
    data = bytearray(target.read_bytes())
    # flip a byte inside the content that matters (PEM/JSON bodies have structure at the edges)
    data[len(data) // 2] ^= 0x04
    target.write_bytes(bytes(data))
    result, paths, found = problems(bundle)
    assert result == TAMPERED, found
    assert relpath in paths or (relpath != "custody/000002-signed.json" and "manifest.sig" in paths), found


def test_removed_or_reordered_custody_event_is_caught(bundle: Path) -> None:
    first = bundle / "custody" / "000001-captured.json"
    second = bundle / "custody" / "000002-signed.json"
    first_bytes, second_bytes = first.read_bytes(), second.read_bytes()
    first.unlink()
    result, _paths, found = problems(bundle)
    assert result == TAMPERED and any("missing" in p.detail for p in found if p.kind == "custody")
    first.write_bytes(second_bytes)
    second.write_bytes(first_bytes)
    result, _paths, found = problems(bundle)
    assert result == TAMPERED and any("chain broken" in p.detail for p in found)


def test_unsigned_bundle_is_reported(bundle: Path) -> None:
    (bundle / "manifest.sig").unlink()
    result, paths, _ = problems(bundle)
    assert result == INCOMPLETE and "manifest.sig" in paths


# --- every byte verify accepts is pinned: the key file, signatures' encoding, unusable keys ---

# An Ed25519 SubjectPublicKeyInfo whose key is 31 bytes: it parses as PEM, and OpenSSL fails
# inside (cryptography's InternalError) when asked to make a key of it.
BROKEN_KEY = (b"-----BEGIN PUBLIC KEY-----\n"
              + base64.b64encode(bytes.fromhex("3029300506032b6570032000") + b"\x01" * 31)
              + b"\n-----END PUBLIC KEY-----\n")


def result_of(bundle: Path) -> tuple[str, list[Problem]]:
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
    assert problems[0].path == "manifest.sig" and "unusable key in signer.pub.pem" in problems[0].detail


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
    found = [p for p in problems if p.kind == "custody" and p.path == "custody/000002-signed.json"]
    assert found and "no usable signature or key" in found[0].detail, problems
