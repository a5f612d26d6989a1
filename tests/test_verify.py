"""Tampering with a real captured bundle is caught, with the file named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archiver.storage.local import local_bundle
from archiver.verify import INCOMPLETE, OK, TAMPERED, verify_bundle

from conftest import copy_bundle


@pytest.fixture(scope="module")
def original(engine, base_settings, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    from archiver.pipeline import CaptureRequest
    from archiver.storage.local import LocalStore

    store = LocalStore(tmp_path_factory.mktemp("verify-store"))
    result = engine.call(engine.engine.capture(CaptureRequest("https://example.org/article", "C", "Op"),
                                               base_settings, store))
    assert result.status == "complete", result.reason
    return Path(result.location)


@pytest.fixture
def bundle(original: Path, tmp_path: Path) -> Path:
    return copy_bundle(str(original), tmp_path)


def flip_byte(path: Path, offset: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    index = len(data) // 2 if offset is None else offset
    data[index] ^= 0x01
    path.write_bytes(bytes(data))


def problems(folder: Path) -> tuple[str, set[str], list[dict[str, str]]]:
    report = verify_bundle(local_bundle(folder))
    return report.result, {p["path"] for p in report.problems}, report.problems


def test_untouched_bundle_verifies(bundle: Path) -> None:
    result, paths, _ = problems(bundle)
    assert (result, paths) == (OK, set())


@pytest.mark.parametrize("relpath", ["screenshot.png", "dom.html", "metadata.json", "media/01.png"])
def test_flipped_byte_in_artifact_is_caught(bundle: Path, relpath: str) -> None:
    flip_byte(bundle / relpath)
    result, paths, found = problems(bundle)
    assert result == TAMPERED
    assert relpath in paths
    assert any(p["kind"] == "sha256" and p["path"] == relpath for p in found)


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
    assert any(p["kind"] == "warc-copy" and p["path"] == "dom.html" for p in found)


def test_deleted_artifact_is_caught(bundle: Path) -> None:
    (bundle / "screenshot.png").unlink()
    result, paths, found = problems(bundle)
    assert result == TAMPERED and paths == {"screenshot.png"}
    assert found[0]["kind"] == "missing"


def test_added_file_is_caught(bundle: Path) -> None:
    (bundle / "media" / "extra.jpg").write_bytes(b"not evidence")
    result, paths, found = problems(bundle)
    assert result == TAMPERED and paths == {"media/extra.jpg"}
    assert found[0]["kind"] == "unlisted"


def test_edited_manifest_field_is_caught(bundle: Path) -> None:
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["operator"] = "Someone Else"
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    result, paths, found = problems(bundle)
    assert result == TAMPERED and paths == {"manifest.json"}
    assert "operator" in found[0]["detail"]


def test_corrupt_manifest_is_caught(bundle: Path) -> None:
    flip_byte(bundle / "manifest.json", offset=0)
    result, paths, _ = problems(bundle)
    assert result == TAMPERED and paths == {"manifest.json"}


def test_bundle_without_manifest_is_incomplete(bundle: Path) -> None:
    (bundle / "manifest.json").unlink()
    result, paths, _ = problems(bundle)
    assert result == INCOMPLETE and paths == {"manifest.json"}
