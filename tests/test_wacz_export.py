"""WACZ export of a real captured bundle: valid for py-wacz, replayable by pywb, hashes that hold."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_der_public_key

from archiver.keys import Signer, public_pem
from archiver.problem import Problem

from conftest import copy_bundle
from support.bundles import capture_into
from support.replay import payload_of, wayback

BIN = Path(sys.executable).parent
ARCHIVER = str(BIN / "archiver")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ARCHIVER, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def original(engine, base_settings, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    return capture_into(engine, base_settings, tmp_path_factory.mktemp("wacz-store"),
                        "https://example.org/article", "CASE-W", "W. Op")


@pytest.fixture
def bundle(original: Path, tmp_path: Path) -> Path:
    return copy_bundle(str(original), tmp_path / "store")


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_export_is_valid_wacz_with_the_evidence_inside(bundle: Path, tmp_path: Path) -> None:
    out = tmp_path / "case.wacz"
    done = run("export", str(bundle), "--wacz", str(out), "--operator", "Clerk K.")
    assert done.returncode == 0, done.stderr
    validated = subprocess.run([BIN / "wacz", "validate", "-f", str(out)], capture_output=True, text=True,
                               timeout=300)
    assert validated.returncode == 0 and "the passed WACZ is valid" in validated.stdout, validated.stdout

    manifest = json.loads((bundle / "manifest.json").read_text())
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        entries = {name: archive.read(name) for name in names}
        infos = {info.filename: info for info in archive.infolist()}
    assert {"archive/capture.warc.gz", "indexes/index.cdx.gz", "indexes/index.idx", "pages/pages.jsonl",
            "datapackage.json", "datapackage-digest.json", "evidence/manifest.json", "evidence/manifest.jcs",
            "evidence/manifest.sig", "evidence/signer.pub.pem", "custody/000001-captured.json"} <= names
    # the WARC is the bundle's own, byte for byte, and stored uncompressed for random access
    assert entries["archive/capture.warc.gz"] == (bundle / "capture.warc.gz").read_bytes()
    warc_entry = next(a for a in manifest["artifacts"] if a["path"] == "capture.warc.gz")
    assert sha256(entries["archive/capture.warc.gz"]) == warc_entry["sha256"]
    assert infos["archive/capture.warc.gz"].compress_type == zipfile.ZIP_STORED
    assert infos["indexes/index.cdx.gz"].compress_type == zipfile.ZIP_STORED
    for name in ("manifest.json", "manifest.jcs", "manifest.sig", "signer.pub.pem"):
        assert entries[f"evidence/{name}"] == (bundle / name).read_bytes()

    package = json.loads(entries["datapackage.json"])
    assert package["profile"] == "data-package" and package["wacz_version"] == "1.1.1"
    listed = {resource["path"]: resource for resource in package["resources"]}
    assert set(listed) == names - {"datapackage.json", "datapackage-digest.json"}
    for path, resource in listed.items():
        assert resource["hash"] == sha256(entries[path]) and resource["bytes"] == len(entries[path]), path
    digest = json.loads(entries["datapackage-digest.json"])
    signed = digest.pop("signedData")
    assert digest == {"path": "datapackage.json", "hash": sha256(entries["datapackage.json"])}
    # WACZ signing's anonymous signature, by the key that signed the bundle's manifest
    assert set(signed) == {"hash", "created", "software", "signature", "publicKey"}
    assert signed["hash"] == digest["hash"] and signed["created"] == package["created"]
    public_key = load_der_public_key(base64.b64decode(signed["publicKey"]))
    assert isinstance(public_key, Ed25519PublicKey)
    public_key.verify(base64.b64decode(signed["signature"]), signed["hash"].encode())
    assert public_pem(public_key) == entries["evidence/signer.pub.pem"]
    header, page = (json.loads(line) for line in entries["pages/pages.jsonl"].decode().splitlines())
    assert header["format"] == "json-pages-1.0"
    assert page["url"] == "https://example.org/article" == package["mainPageURL"]
    assert page["ts"].endswith("Z") and page["title"] == "A demo post"

    event = json.loads(sorted((bundle / "custody").iterdir())[-1].read_text())
    assert event["event"] == "exported" and event["actor"] == "Clerk K."
    assert event["details"]["sha256"] == sha256(out.read_bytes()) and event["details"]["format"] == "wacz"
    assert run("verify", str(bundle)).returncode == 0  # the chain holds with the new event


def zip_headers(path: Path) -> tuple[list[Problem], dict[str, dict[str, Any]]]:
    """What differs between local headers and central directory, and the central records by name."""
    from archiver.zipheaders import central_records, disagreements

    with zipfile.ZipFile(path) as archive, path.open("rb") as raw:
        count = len(archive.infolist())
        records = [r for r in central_records(raw, archive.start_dir, count) if not isinstance(r, str)]
        return (disagreements(raw, archive.start_dir, count),
                {bytes(record["name"]).decode(): record for record, _offset in records})


def test_local_headers_agree_with_the_central_directory(bundle: Path, tmp_path: Path) -> None:
    out = tmp_path / "headers.wacz"
    assert run("export", str(bundle), "--wacz", str(out)).returncode == 0
    differ, headers = zip_headers(out)
    assert differ == []
    warc = headers["archive/capture.warc.gz"]
    assert warc["size"] == (bundle / "capture.warc.gz").stat().st_size and not warc["ZIP64 sizes"]


def test_an_entry_past_the_zip64_limit_has_zip64_sizes_in_both_headers(bundle: Path, tmp_path: Path, signer: Signer,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from archiver.wacz_export import export_wacz

    # zipfile reads its limit at call time: a lower one stands in for a WARC of more than 2 GiB.
    warc_size = (bundle / "capture.warc.gz").stat().st_size
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", warc_size - 1)
    out = tmp_path / "zip64.wacz"
    export_wacz(bundle, out, signer)
    monkeypatch.undo()
    differ, headers = zip_headers(out)
    assert differ == []
    assert headers["archive/capture.warc.gz"]["ZIP64 sizes"] and headers["archive/capture.warc.gz"]["size"] == warc_size
    with zipfile.ZipFile(out) as archive:
        assert archive.read("archive/capture.warc.gz") == (bundle / "capture.warc.gz").read_bytes()


def test_the_timestamp_travels_and_verifies_with_stock_openssl(bundle: Path, tmp_path: Path) -> None:
    from support.tsa import start_tsa

    tsa = start_tsa(tmp_path / "tsa")
    try:
        assert run("timestamp", str(bundle), "--tsa", tsa.url).returncode == 0
    finally:
        tsa.stop()
    out = tmp_path / "stamped.wacz"
    assert run("export", str(bundle), "--wacz", str(out)).returncode == 0
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(out) as archive:
        archive.extractall(unpacked)
        assert "custody/000003-timestamped.json" in archive.namelist()
    evidence = unpacked / "evidence"
    assert (evidence / "manifest.tsr").read_bytes() == (bundle / "manifest.tsr").read_bytes()
    checked = subprocess.run(["openssl", "ts", "-verify", "-data", "manifest.jcs", "-in", "manifest.tsr",
                              "-CAfile", str(tsa.ca_file)], cwd=evidence, capture_output=True, text=True)
    assert checked.returncode == 0 and "Verification: OK" in checked.stdout, checked.stdout + checked.stderr
    signed = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "signer.pub.pem", "-rawin",
                             "-in", "manifest.jcs", "-sigfile", "manifest.sig"], cwd=evidence,
                            capture_output=True, text=True)
    assert signed.returncode == 0 and "Signature Verified Successfully" in signed.stdout


def test_pywb_replays_the_exported_wacz_from_its_own_index(bundle: Path, tmp_path: Path) -> None:
    out = tmp_path / "replay.wacz"
    assert run("export", str(bundle), "--wacz", str(out)).returncode == 0
    work = tmp_path / "pywb"
    work.mkdir()
    with wayback(work, "c", out, unpack_wacz=True) as base:
        for url in ("https://example.org/article", "https://cdn.example.org/picture.png"):
            with urllib.request.urlopen(f"{base}/2id_/{url}", timeout=30) as reply:
                assert reply.read() == payload_of(bundle / "capture.warc.gz", url)


def test_export_never_overwrites_and_refuses_a_tampered_bundle(bundle: Path, tmp_path: Path) -> None:
    events = sorted((bundle / "custody").iterdir())
    existing = tmp_path / "taken.wacz"
    existing.write_bytes(b"keep me")
    done = run("export", str(bundle), "--wacz", str(existing))
    assert done.returncode == 2 and done.stderr.startswith("archiver: error:") and "already exists" in done.stderr
    assert existing.read_bytes() == b"keep me"
    assert run("export", str(bundle), "--wacz", str(bundle / "x.wacz")).returncode == 2
    assert run("export", str(bundle), "--wacz", str(tmp_path / "x.zip")).returncode == 2
    assert run("export", str(bundle), "--wacz", str(tmp_path / "no-such-dir" / "x.wacz")).returncode == 2

    screenshot = bundle / "screenshot.png"
    data = bytearray(screenshot.read_bytes())
    data[len(data) // 2] ^= 0x01
    screenshot.write_bytes(bytes(data))
    refused = run("export", str(bundle), "--wacz", str(tmp_path / "tampered.wacz"))
    assert refused.returncode == 1 and "TAMPERED" in refused.stderr and "screenshot.png" in refused.stderr
    assert not (tmp_path / "tampered.wacz").exists()
    assert sorted((bundle / "custody").iterdir()) == events  # nothing exported, nothing recorded
    assert not list(tmp_path.glob(".*.tmp"))
