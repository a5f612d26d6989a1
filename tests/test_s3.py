"""The S3 store against a real SeaweedFS server: push, list, verify, tampering, resume, errors."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archiver.bundle import MANIFEST
from archiver.storage.base import StoreError
from archiver.storage.s3 import META_BUNDLE, META_SHA256, S3Store
from archiver.verify import INCOMPLETE, OK, TAMPERED, verify_bundle

from support.seaweed import SeaweedServer, SeaweedUnavailable, free_ports, weed_binary

pytestmark = pytest.mark.s3
ARCHIVER = str(Path(sys.executable).parent / "archiver")


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedServer]:
    try:
        weed_binary()
    except SeaweedUnavailable as exc:
        pytest.skip(str(exc))
    server = SeaweedServer(tmp_path_factory.mktemp("seaweed")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def original(engine, base_settings, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    from archiver.pipeline import CaptureRequest
    from archiver.storage.local import LocalStore

    store = LocalStore(tmp_path_factory.mktemp("s3-source"))
    result = engine.call(engine.engine.capture(CaptureRequest("https://example.org/article", "C", "Op"),
                                               base_settings, store))
    assert result.status == "complete", result.reason
    return Path(result.location)


@pytest.fixture(scope="session")
def bucket(seaweed: SeaweedServer) -> str:
    """One bucket (each SeaweedFS bucket reserves volumes of its own); every test its own prefix."""
    seaweed.client().create_bucket(Bucket="evidence-tests")
    return "evidence-tests"


@pytest.fixture
def prefix() -> str:
    return f"case-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def store(seaweed: SeaweedServer, bucket: str, prefix: str, tmp_path: Path) -> S3Store:
    return S3Store(f"s3://{bucket}/{prefix}", endpoint_url=seaweed.endpoint, spool=tmp_path / "spool",
                   client=seaweed.client())


def run(seaweed: SeaweedServer, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ARCHIVER, *args], capture_output=True, text=True, timeout=120,
                          env=seaweed.env(**env))


def pushed(store: S3Store, original: Path) -> str:
    store.commit(original.name, original)
    return original.name


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("archiver: error: "), result.stderr
    return lines[0]


def objects(seaweed: SeaweedServer, bucket: str, prefix: str) -> dict[str, Any]:
    listing = seaweed.client().list_objects_v2(Bucket=bucket, Prefix=prefix)
    return {item["Key"]: (item["Size"], item["ETag"], item["LastModified"])
            for item in listing.get("Contents", [])}


def test_pushed_bundle_verifies_and_is_listed(seaweed: SeaweedServer, store: S3Store, bucket: str, prefix: str,
                                             original: Path) -> None:
    location = store.commit(original.name, original)
    assert location == f"s3://{bucket}/{prefix}/{original.name}"
    report = verify_bundle(store.reader(original.name))
    assert (report.result, report.problems) == (OK, [])
    assert report.checked_files == len(json.loads((original / MANIFEST).read_text())["artifacts"])
    manifest = json.loads((original / MANIFEST).read_text())
    shot = next(a for a in manifest["artifacts"] if a["path"] == "screenshot.png")
    head = seaweed.client().head_object(Bucket=bucket, Key=f"{prefix}/{original.name}/screenshot.png")
    assert head["Metadata"] == {META_BUNDLE: original.name, META_SHA256: shot["sha256"]}
    assert list(store.bundle_ids()) == [original.name]

    listed = run(seaweed, "ls", f"s3://{bucket}/{prefix}", "--json")
    assert listed.returncode == 0, listed.stderr
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["bundle_id"] == original.name and row["complete"] is True
    assert row["status"] == manifest["status"] and row["platform"] == manifest["platform"]
    assert row["time"].startswith(manifest["started_at"][:10])
    text = run(seaweed, "ls", f"s3://{bucket}/{prefix}")
    assert text.returncode == 0 and original.name in text.stdout and "complete" in text.stdout

    checked = run(seaweed, "verify", f"s3://{bucket}/{prefix}")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith(f"OK  {original.name}")


def test_pushing_again_is_refused_and_overwrites_nothing(seaweed: SeaweedServer, bucket: str, prefix: str,
                                                         original: Path) -> None:
    first = run(seaweed, "push", str(original), "--store", f"s3://{bucket}/{prefix}")
    assert first.returncode == 0, first.stderr
    assert f"s3://{bucket}/{prefix}/{original.name}" in first.stdout
    before = objects(seaweed, bucket, prefix)
    again = run(seaweed, "push", str(original), "--store", f"s3://{bucket}/{prefix}")
    assert "already committed" in one_line_error(again)
    assert objects(seaweed, bucket, prefix) == before


def test_manifest_put_is_conditional(store: S3Store, original: Path) -> None:
    bundle_id = pushed(store, original)
    with pytest.raises(StoreError, match="nothing was overwritten"):
        store.put_manifest(bundle_id, store.key(bundle_id, MANIFEST), b"{}")


def test_flipped_byte_in_stored_object_is_tampered(seaweed: SeaweedServer, store: S3Store, bucket: str, prefix: str,
                                                   original: Path) -> None:
    bundle_id = pushed(store, original)
    data = bytearray((original / "screenshot.png").read_bytes())
    data[len(data) // 2] ^= 0x01
    seaweed.client().put_object(Bucket=bucket, Key=f"{prefix}/{bundle_id}/screenshot.png", Body=bytes(data))
    report = verify_bundle(store.reader(bundle_id))
    assert report.result == TAMPERED
    assert any(p["kind"] == "sha256" and p["path"] == "screenshot.png" for p in report.problems)


def test_deleted_and_extra_objects_are_reported(seaweed: SeaweedServer, store: S3Store, bucket: str, prefix: str,
                                                original: Path) -> None:
    bundle_id = pushed(store, original)
    client = seaweed.client()
    client.delete_object(Bucket=bucket, Key=f"{prefix}/{bundle_id}/dom.html")
    client.put_object(Bucket=bucket, Key=f"{prefix}/{bundle_id}/extra.txt", Body=b"slipped in")
    report = verify_bundle(store.reader(bundle_id))
    assert report.result == TAMPERED
    kinds = {(p["kind"], p["path"]) for p in report.problems}
    assert ("missing", "dom.html") in kinds
    assert ("unlisted", "extra.txt") in kinds


def test_crashed_upload_is_incomplete_and_push_completes_it(seaweed: SeaweedServer, bucket: str, prefix: str,
                                                            original: Path) -> None:
    client = seaweed.client()
    for path in sorted(original.rglob("*")):  # a crash before the manifest: artifacts only
        if path.is_file() and path.name != MANIFEST:
            client.upload_file(str(path), bucket, f"{prefix}/{original.name}/{path.relative_to(original)}")
    store = S3Store(f"s3://{bucket}/{prefix}", client=client)
    assert list(store.bundle_ids()) == [original.name]
    assert verify_bundle(store.reader(original.name)).result == INCOMPLETE
    listed = run(seaweed, "ls", f"s3://{bucket}/{prefix}")
    assert listed.returncode == 0 and "INCOMPLETE" in listed.stdout
    checked = run(seaweed, "verify", f"s3://{bucket}/{prefix}")
    assert checked.returncode == 1 and checked.stdout.startswith("INCOMPLETE")

    done = run(seaweed, "push", str(original), "--store", f"s3://{bucket}/{prefix}")
    assert done.returncode == 0, done.stderr
    assert verify_bundle(store.reader(original.name)).result == OK
    assert run(seaweed, "verify", f"s3://{bucket}/{prefix}").returncode == 0


def test_resumed_push_skips_objects_already_uploaded(store: S3Store, original: Path) -> None:
    manifest = original / MANIFEST
    files = [p for p in original.rglob("*") if p.is_file() and p != manifest]
    relpath = "dom.html"
    first = original / relpath
    entry = next(a for a in json.loads(manifest.read_text())["artifacts"] if a["path"] == relpath)
    store.upload_file(original.name, first, store.key(original.name, relpath), entry["sha256"], entry["size"])
    store.commit(original.name, original)
    assert store.last_commit == {"uploaded": len(files), "skipped": 1}
    assert verify_bundle(store.reader(original.name)).result == OK


def test_capture_straight_into_s3(engine, base_settings, store: S3Store) -> None:  # type: ignore[no-untyped-def]
    from archiver.pipeline import CaptureRequest

    result = engine.call(engine.engine.capture(CaptureRequest("https://example.org/article", "C", "Op"),
                                               base_settings, store))
    assert result.status == "complete", result.reason
    assert result.location == store.bundle_location(result.bundle_id)
    assert (store.spool / result.bundle_id / MANIFEST).is_file()  # the spool copy stays
    assert verify_bundle(store.reader(result.bundle_id)).result == OK


def test_local_store_listing(seaweed: SeaweedServer, original: Path) -> None:
    listed = run(seaweed, "ls", str(original.parent), "--json")
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["bundle_id"] for r in rows] == [original.name] and rows[0]["complete"] is True


def test_bad_secret_is_a_one_line_error_without_the_secret(seaweed: SeaweedServer, bucket: str, prefix: str) -> None:
    secret = "not-the-right-secret-5up3r"
    result = run(seaweed, "ls", f"s3://{bucket}/{prefix}", AWS_SECRET_ACCESS_KEY=secret)
    line = one_line_error(result)
    assert "SignatureDoesNotMatch" in line
    assert secret not in result.stderr + result.stdout
    assert seaweed.secret_key not in result.stderr + result.stdout


def test_unknown_access_key_is_a_one_line_error(seaweed: SeaweedServer, bucket: str, prefix: str) -> None:
    result = run(seaweed, "ls", f"s3://{bucket}/{prefix}", AWS_ACCESS_KEY_ID="AKIANOBODY")
    assert "InvalidAccessKeyId" in one_line_error(result)


def test_missing_bucket_is_a_one_line_error(seaweed: SeaweedServer) -> None:
    result = run(seaweed, "ls", "s3://no-such-bucket-here/evidence")
    assert "no such bucket: no-such-bucket-here" in one_line_error(result)


def test_missing_credentials_and_unreachable_endpoint(seaweed: SeaweedServer, bucket: str, prefix: str) -> None:
    env = seaweed.env()
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    result = subprocess.run([ARCHIVER, "ls", f"s3://{bucket}/{prefix}"], capture_output=True, text=True,
                            timeout=120, env={**env, "AWS_EC2_METADATA_DISABLED": "true"})
    assert "no S3 credentials" in one_line_error(result)
    (port,) = free_ports(1)
    result = run(seaweed, "ls", f"s3://{bucket}/{prefix}", "--endpoint-url", f"http://127.0.0.1:{port}")
    assert "cannot reach" in one_line_error(result)


def test_push_of_a_folder_without_manifest_is_refused(seaweed: SeaweedServer, bucket: str, prefix: str,
                                                      tmp_path: Path) -> None:
    result = run(seaweed, "push", str(tmp_path), "--store", f"s3://{bucket}/{prefix}")
    assert "no manifest.json" in one_line_error(result)
