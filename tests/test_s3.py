"""The S3 store against a real SeaweedFS server: push, list, verify, tampering, Object Lock, resume, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from archiver.bundle import MANIFEST
from archiver.errors import EXIT_ENVIRONMENT, EXIT_OK, EXIT_PROBLEM, EXIT_USAGE
from archiver.hashing import hash_file
from archiver.problem import INCOMPLETE, OK, TAMPERED, UNPROTECTED
from archiver.storage.base import StoreError, UploadCounts
from archiver.storage.lock import LockPolicy
from archiver.storage.s3 import META_BUNDLE, META_SHA256, S3Store
from archiver.storage.s3_bucket import init_bucket
from archiver.storage.s3_upload import composite_of, put_new, upload_file
from archiver.verify import verify_bundle

from conftest import copy_bundle
from support.bundles import capture_into
from support.seaweed import SeaweedServer, free_ports

pytestmark = pytest.mark.s3
ARCHIVER = str(Path(sys.executable).parent / "archiver")
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def original(engine, base_settings, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    return capture_into(engine, base_settings, tmp_path_factory.mktemp("s3-source"),
                        "https://example.org/article", "C", "Op")


@pytest.fixture
def bundle(original: Path, tmp_path: Path) -> Path:
    """A private copy: `archiver push` adds its 'stored' custody event to the folder it pushed."""
    return copy_bundle(str(original), tmp_path / "local")


@pytest.fixture(scope="session")
def bucket(seaweed: SeaweedServer) -> str:
    """One versioned bucket, as `store init` makes (each SeaweedFS bucket reserves volumes of its
    own); every test its own prefix."""
    store = S3Store("s3://evidence-tests", endpoint_url=seaweed.endpoint, client=seaweed.client())
    assert "versioning on" in init_bucket(store, object_lock=False)
    return "evidence-tests"


@pytest.fixture(scope="session")
def locked_bucket(seaweed: SeaweedServer) -> str:
    store = S3Store("s3://evidence-locked", endpoint_url=seaweed.endpoint, client=seaweed.client())
    assert "Object Lock enabled" in init_bucket(store, object_lock=True)
    return "evidence-locked"


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


def one_line_error(result: subprocess.CompletedProcess[str], code: int = EXIT_USAGE) -> str:
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("archiver: error: "), result.stderr
    return lines[0]


def objects(seaweed: SeaweedServer, bucket: str, prefix: str) -> dict[str, Any]:
    listing = seaweed.client().list_objects_v2(Bucket=bucket, Prefix=prefix)
    return {item["Key"]: (item["Size"], item["ETag"], item["LastModified"])
            for item in listing.get("Contents", [])}


def artifact(folder: Path, relpath: str) -> dict[str, Any]:
    return next(a for a in json.loads((folder / MANIFEST).read_text())["artifacts"] if a["path"] == relpath)


def kinds(report: Any) -> set[tuple[str, str]]:
    return {(p.kind, p.path) for p in report.problems}


def flipped(path: Path) -> bytes:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    return bytes(data)


# -- push, list, verify ---------------------------------------------------------------------------

def test_pushed_bundle_verifies_and_is_listed(seaweed: SeaweedServer, store: S3Store, bucket: str, prefix: str,
                                             original: Path) -> None:
    location = store.commit(original.name, original)
    assert location == f"s3://{bucket}/{prefix}/{original.name}"
    report = verify_bundle(store.reader(original.name))
    assert (report.result, report.problems) == (OK, [])
    manifest = json.loads((original / MANIFEST).read_text())
    assert report.checked_files == len(manifest["artifacts"])
    # every artifact and the manifest: the server's own SHA-256 equals the manifest's
    stored = len(objects(seaweed, bucket, prefix))
    assert report.storage == {"checksums_compared": len(manifest["artifacts"]) + 1, "object_lock": None,
                              "objects_locked_as_asked": None,
                              "versions": {"objects": stored, "unversioned": 0, "changed": 0}}
    shot = artifact(original, "screenshot.png")
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

    for where in (f"s3://{bucket}/{prefix}", location):  # the store, or the one bundle push named
        checked = run(seaweed, "verify", where)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.startswith(f"OK  {original.name}")


def test_pushing_again_is_refused_and_overwrites_nothing(seaweed: SeaweedServer, bucket: str, prefix: str,
                                                         bundle: Path) -> None:
    first = run(seaweed, "push", str(bundle), "--store", f"s3://{bucket}/{prefix}")
    assert first.returncode == 0, first.stderr
    assert f"s3://{bucket}/{prefix}/{bundle.name}" in first.stdout
    before = objects(seaweed, bucket, prefix)
    again = run(seaweed, "push", str(bundle), "--store", f"s3://{bucket}/{prefix}")
    assert "already committed" in one_line_error(again)
    assert objects(seaweed, bucket, prefix) == before


def test_manifest_put_is_conditional(store: S3Store, original: Path) -> None:
    bundle_id = pushed(store, original)
    with pytest.raises(StoreError, match="nothing was overwritten"):
        put_new(store, bundle_id, store.key(bundle_id, MANIFEST), b"{}", None,
                committed_error=StoreError("already there: nothing was overwritten"))


def test_flipped_byte_in_stored_object_is_tampered(seaweed: SeaweedServer, store: S3Store, bucket: str, prefix: str,
                                                   original: Path) -> None:
    bundle_id = pushed(store, original)
    seaweed.client().put_object(Bucket=bucket, Key=f"{prefix}/{bundle_id}/screenshot.png",
                                Body=flipped(original / "screenshot.png"))
    report = verify_bundle(store.reader(bundle_id))
    assert report.result == TAMPERED
    assert ("sha256", "screenshot.png") in kinds(report)
    # written without our SHA-256 checksum: the stored object says so too
    assert ("s3-checksum", "screenshot.png") in kinds(report)


def test_replaced_object_with_its_own_checksum_differs_from_the_manifest(
        seaweed: SeaweedServer, store: S3Store, bucket: str, prefix: str, original: Path) -> None:
    bundle_id = pushed(store, original)
    forged = flipped(original / "dom.html")
    seaweed.client().put_object(Bucket=bucket, Key=f"{prefix}/{bundle_id}/dom.html", Body=forged,
                                ChecksumAlgorithm="SHA256")
    report = verify_bundle(store.reader(bundle_id))
    assert report.result == TAMPERED
    detail = next(p.detail for p in report.problems if p.kind == "s3-checksum")
    assert artifact(original, "dom.html")["sha256"] in detail


def test_deleted_and_extra_objects_are_reported(seaweed: SeaweedServer, store: S3Store, bucket: str, prefix: str,
                                                original: Path) -> None:
    bundle_id = pushed(store, original)
    client = seaweed.client()
    client.delete_object(Bucket=bucket, Key=f"{prefix}/{bundle_id}/dom.html")
    client.put_object(Bucket=bucket, Key=f"{prefix}/{bundle_id}/extra.txt", Body=b"slipped in")
    report = verify_bundle(store.reader(bundle_id))
    assert report.result == TAMPERED
    assert {("missing", "dom.html"), ("unlisted", "extra.txt")} <= kinds(report)


def test_crashed_upload_is_incomplete_and_push_completes_it(seaweed: SeaweedServer, bucket: str, prefix: str,
                                                            bundle: Path) -> None:
    client = seaweed.client()
    store = S3Store(f"s3://{bucket}/{prefix}", client=client)
    for path in sorted(bundle.rglob("*")):  # a crash before the manifest: artifacts only
        if path.is_file() and path.name != MANIFEST:
            digest, size = hash_file(path)
            upload_file(store, bundle.name, path, store.key(bundle.name, path.relative_to(bundle).as_posix()),
                        digest, size, None)
    assert list(store.bundle_ids()) == [bundle.name]
    assert verify_bundle(store.reader(bundle.name)).result == INCOMPLETE
    listed = run(seaweed, "ls", f"s3://{bucket}/{prefix}")
    assert listed.returncode == 0 and "interrupted" in listed.stdout
    checked = run(seaweed, "verify", f"s3://{bucket}/{prefix}")
    assert checked.returncode == 1 and checked.stdout.startswith("INCOMPLETE")

    done = run(seaweed, "push", str(bundle), "--store", f"s3://{bucket}/{prefix}")
    assert done.returncode == 0, done.stderr
    assert "already there" in done.stdout  # nothing written twice: one version of every object
    assert verify_bundle(store.reader(bundle.name)).result == OK
    assert run(seaweed, "verify", f"s3://{bucket}/{prefix}").returncode == 0


def test_resumed_push_skips_objects_already_uploaded(store: S3Store, original: Path) -> None:
    files = [p for p in original.rglob("*") if p.is_file() and p.name != MANIFEST]
    entry = artifact(original, "dom.html")
    upload_file(store, original.name, original / "dom.html", store.key(original.name, "dom.html"),
                entry["sha256"], entry["size"], None)
    store.commit(original.name, original)
    assert store.last_upload == UploadCounts(uploaded=len(files), skipped=1)
    assert verify_bundle(store.reader(original.name)).result == OK


def test_large_file_goes_up_in_parts_checked_by_the_server(store: S3Store, tmp_path: Path) -> None:
    store.single_put_max = store.part_size = 5 * MiB  # S3's smallest part
    path = tmp_path / "video.bin"
    path.write_bytes(os.urandom(11 * MiB))
    digest, size = hash_file(path)
    key = store.key("01900000-0000-7000-8000-000000000000", "media/01.bin")
    upload_file(store, "01900000-0000-7000-8000-000000000000", path, key, digest, size, None)
    head = store.head(key)
    assert head is not None and head["ContentLength"] == size
    assert head["ChecksumSHA256"] == composite_of(path, 5 * MiB) and head["ChecksumSHA256"].endswith("-3")


def test_capture_straight_into_s3_cleans_the_spool(engine, base_settings, store: S3Store) -> None:  # type: ignore[no-untyped-def]
    from archiver.pipeline import CaptureRequest

    result = engine.call(engine.engine.capture(CaptureRequest("https://example.org/article", "C", "Op"),
                                               base_settings, store))
    assert result.status == "complete", result.reason
    assert result.location == store.bundle_location(result.bundle_id)
    assert not (store.spool / result.bundle_id).exists()  # committed and checked: the spool copy is gone
    assert verify_bundle(store.reader(result.bundle_id)).result == OK


def test_local_store_listing(seaweed: SeaweedServer, original: Path) -> None:
    listed = run(seaweed, "ls", str(original.parent), "--json")
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["bundle_id"] for r in rows] == [original.name] and rows[0]["complete"] is True


# -- custody events added after upload ------------------------------------------------------------

def test_verify_record_adds_events_as_new_objects(seaweed: SeaweedServer, store: S3Store, bucket: str,
                                                  prefix: str, original: Path, signer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bundle_id = pushed(store, original)
    events = len(list((original / "custody").iterdir()))
    before = objects(seaweed, bucket, prefix)
    report_path = tmp_path / "report.jsonl"
    done = run(seaweed, "verify", f"s3://{bucket}/{prefix}", "--record", "--report", str(report_path))
    assert done.returncode == 0, done.stdout + done.stderr
    after = objects(seaweed, bucket, prefix)
    assert {k: after[k] for k in before} == before  # nothing rewritten
    seq = f"{events + 1:06d}"
    assert sorted(k.rsplit("/", 1)[1] for k in set(after) - set(before)) == [f"{seq}-verified.json",
                                                                             f"{seq}.reserved"]
    *lines, last = report_path.read_text().splitlines()
    assert json.loads(lines[0])["storage"]["checksums_compared"] == len(json.loads(
        (original / MANIFEST).read_text())["artifacts"]) + 1
    summary = json.loads(last)["summary"]
    assert (summary["ok"], summary["unprotected"], summary["errors"]) == (1, 0, 0)

    def add(event: str) -> str:  # two writers at once, each with its own reader
        return str(store.reader(bundle_id).append_event(event=event, actor="T", details={}, signer=signer))

    with ThreadPoolExecutor(2) as pool:
        added = list(pool.map(add, ["transferred", "reported"]))
    assert sorted(path[:14] for path in added) == [f"custody/{events + 2:06d}", f"custody/{events + 3:06d}"]
    final = verify_bundle(store.reader(bundle_id))
    assert (final.result, final.custody_events) == (OK, events + 3)


# -- Object Lock ----------------------------------------------------------------------------------

def test_store_init_creates_a_locked_bucket_and_changes_no_existing_one(seaweed: SeaweedServer, bucket: str) -> None:
    created = run(seaweed, "store", "init", "s3://evidence-init/cases", "--object-lock")
    assert created.returncode == 0, created.stderr
    assert "created s3://evidence-init (versioning on, Object Lock enabled)" in created.stdout
    client = seaweed.client()
    assert client.get_object_lock_configuration(Bucket="evidence-init")["ObjectLockConfiguration"][
        "ObjectLockEnabled"] == "Enabled"
    assert client.get_bucket_versioning(Bucket="evidence-init")["Status"] == "Enabled"
    again = run(seaweed, "store", "init", "s3://evidence-init", "--object-lock", "--json")
    assert again.returncode == 0, again.stderr
    answer = json.loads(again.stdout)
    assert (answer["bucket"], answer["versioning"], answer["object_lock"]) == ("s3://evidence-init", True, True)
    assert "already exists (versioning on, Object Lock enabled)" in answer["message"]
    refused = run(seaweed, "store", "init", f"s3://{bucket}", "--object-lock")
    assert "already exists without Object Lock; nothing was changed" in one_line_error(refused)
    with pytest.raises(ClientError):
        client.get_object_lock_configuration(Bucket=bucket)


def test_push_with_compliance_lock_the_server_refuses_deletion(seaweed: SeaweedServer, locked_bucket: str,
                                                               prefix: str, bundle: Path) -> None:
    client = seaweed.client()
    store = S3Store(f"s3://{locked_bucket}/{prefix}", client=client)
    entry = artifact(bundle, "dom.html")  # an earlier, unlocked try left this one behind
    upload_file(store, bundle.name, bundle / "dom.html", store.key(bundle.name, "dom.html"),
                entry["sha256"], entry["size"], None)
    done = run(seaweed, "push", str(bundle), "--store", f"s3://{locked_bucket}/{prefix}",
               "--retain-days", "1", "--lock-mode", "compliance", "--operator", "J. Doe")
    assert done.returncode == 0, done.stderr
    assert "compliance retention for 1 days" in done.stdout and "-stored.json" in done.stdout
    keys = objects(seaweed, locked_bucket, prefix)
    for key in keys:  # the skipped object included: push brought it up to the lock
        head = client.head_object(Bucket=locked_bucket, Key=key)
        assert head["ObjectLockMode"] == "COMPLIANCE", key
        assert head["ObjectLockRetainUntilDate"] >= head["LastModified"] + timedelta(hours=23), key
    stored_key = next(k for k in keys if k.endswith("-stored.json"))
    event = client.get_object(Bucket=locked_bucket, Key=stored_key)["Body"].read()
    assert json.loads(event)["details"]["object_lock"] == {"mode": "compliance", "retain_days": 1,
                                                           "legal_hold": False}
    assert json.loads(event)["actor"] == "J. Doe"
    assert (bundle / "custody" / stored_key.rsplit("/", 1)[1]).read_bytes() == event  # same chain locally

    checked = run(seaweed, "verify", f"s3://{locked_bucket}/{prefix}", "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    report = json.loads(checked.stdout)
    assert report["storage"]["objects_locked_as_asked"] == len(keys)

    shot = f"{prefix}/{bundle.name}/screenshot.png"
    version = client.head_object(Bucket=locked_bucket, Key=shot)["VersionId"]
    for bypass in (False, True):  # compliance: not even with the governance bypass
        with pytest.raises(ClientError) as refused:
            client.delete_object(Bucket=locked_bucket, Key=shot, VersionId=version,
                                 BypassGovernanceRetention=bypass)
        assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert client.head_object(Bucket=locked_bucket, Key=shot, VersionId=version)["ContentLength"] == \
        artifact(bundle, "screenshot.png")["size"]


def test_capture_with_governance_lock_and_legal_hold(engine, base_settings, seaweed: SeaweedServer,  # type: ignore[no-untyped-def]
                                                     locked_bucket: str, prefix: str, tmp_path: Path) -> None:
    from archiver.pipeline import CaptureRequest

    client = seaweed.client()
    store = S3Store(f"s3://{locked_bucket}/{prefix}", spool=tmp_path / "spool", client=client)
    lock = LockPolicy("governance", 1, legal_hold=True)
    result = engine.call(engine.engine.capture(CaptureRequest("https://example.org/article", "C", "Op"),
                                               replace(base_settings, object_lock=lock.for_manifest()), store))
    assert result.status == "complete", result.reason
    base = f"{prefix}/{result.bundle_id}"
    manifest = json.loads(client.get_object(Bucket=locked_bucket, Key=f"{base}/{MANIFEST}")["Body"].read())
    assert manifest["settings"]["object_lock"] == {"mode": "governance", "retain_days": 1, "legal_hold": True}
    keys = objects(seaweed, locked_bucket, prefix)
    assert all(client.head_object(Bucket=locked_bucket, Key=k)["ObjectLockLegalHoldStatus"] == "ON" for k in keys)
    report = verify_bundle(store.reader(result.bundle_id))
    assert (report.result, report.problems) == (OK, [])

    # Lifting a legal hold is allowed, and verify says the object is no longer protected as asked.
    client.put_object_legal_hold(Bucket=locked_bucket, Key=f"{base}/dom.html", LegalHold={"Status": "OFF"})
    report = verify_bundle(store.reader(result.bundle_id))
    assert report.result == UNPROTECTED
    assert [(p.kind, p.path, p.detail) for p in report.problems] == [
        ("object-lock", "dom.html", "no legal hold (expected ON)")]

    # The locked version cannot be deleted without the governance bypass...
    version = client.head_object(Bucket=locked_bucket, Key=f"{base}/screenshot.png")["VersionId"]
    with pytest.raises(ClientError) as refused:
        client.delete_object(Bucket=locked_bucket, Key=f"{base}/screenshot.png", VersionId=version)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    # ...but a new version can hide it, and a delete marker can hide another object: both are caught.
    spool_copy = tmp_path / "screenshot.png"
    spool_copy.write_bytes(client.get_object(Bucket=locked_bucket, Key=f"{base}/screenshot.png")["Body"].read())
    client.put_object(Bucket=locked_bucket, Key=f"{base}/screenshot.png", Body=flipped(spool_copy))
    client.delete_object(Bucket=locked_bucket, Key=f"{base}/metadata.json")
    report = verify_bundle(store.reader(result.bundle_id))
    assert report.result == TAMPERED
    assert {("sha256", "screenshot.png"), ("object-lock", "screenshot.png"), ("missing", "metadata.json")} <= \
        kinds(report)


def test_server_stopped_mid_upload_keeps_the_spool_and_push_resumes(original: Path, tmp_path: Path) -> None:
    server = SeaweedServer(tmp_path / "weed").start()
    try:
        client = server.client()
        client.create_bucket(Bucket="outage")
        client.put_bucket_versioning(Bucket="outage", VersioningConfiguration={"Status": "Enabled"})
        spool = tmp_path / "spool"
        folder = copy_bundle(str(original), spool)  # what a capture leaves in the spool
        files = sorted(p.relative_to(folder) for p in folder.rglob("*"))
        store = S3Store("s3://outage/case", endpoint_url=server.endpoint, spool=spool, client=client)
        puts: list[int] = []

        def stop_after_two(**_: Any) -> None:
            puts.append(1)
            if len(puts) == 2:
                server.kill()

        client.meta.events.register("after-call.s3.PutObject", stop_after_two)
        with pytest.raises(StoreError) as failed:
            store.commit(folder.name, folder)
        message = str(failed.value)  # while uploading an object, or checking it back
        assert message.startswith(f"cannot reach {server.endpoint} while ") and f"case/{folder.name}/" in message
        assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == files  # the spool is intact

        server.restart()
        resumed = subprocess.run([ARCHIVER, "push", str(folder), "--store", "s3://outage/case"],
                                 capture_output=True, text=True, timeout=120,
                                 env=server.env(ARCHIVER_SPOOL=str(spool)))
        assert resumed.returncode == 0, resumed.stderr
        assert "2 already there" in resumed.stdout
        assert not folder.exists()  # committed and checked: the spool copy is gone
        assert verify_bundle(S3Store("s3://outage/case", client=server.client()).reader(original.name)).result == OK
    finally:
        server.stop()


# -- errors ---------------------------------------------------------------------------------------

def test_bad_secret_is_a_one_line_error_without_the_secret(seaweed: SeaweedServer, bucket: str, prefix: str,
                                                          bundle: Path) -> None:
    secret = "not-the-right-secret-5up3r"
    for args in (("ls", f"s3://{bucket}/{prefix}"), ("push", str(bundle), "--store", f"s3://{bucket}/{prefix}"),
                 ("verify", f"s3://{bucket}/{prefix}")):
        result = run(seaweed, *args, AWS_SECRET_ACCESS_KEY=secret)
        assert "SignatureDoesNotMatch" in one_line_error(result, EXIT_ENVIRONMENT), args
        assert secret not in result.stderr + result.stdout
        assert seaweed.secret_key not in result.stderr + result.stdout


def test_unknown_access_key_is_a_one_line_error(seaweed: SeaweedServer, bucket: str, prefix: str) -> None:
    result = run(seaweed, "ls", f"s3://{bucket}/{prefix}", AWS_ACCESS_KEY_ID="AKIANOBODY")
    assert "InvalidAccessKeyId" in one_line_error(result, EXIT_ENVIRONMENT)


def test_missing_bucket_is_a_one_line_error(seaweed: SeaweedServer, bundle: Path) -> None:
    for args in (("ls", "s3://no-such-bucket-here/evidence"), ("verify", "s3://no-such-bucket-here/evidence"),
                 ("push", str(bundle), "--store", "s3://no-such-bucket-here/evidence")):
        assert "no such bucket: no-such-bucket-here" in one_line_error(run(seaweed, *args), EXIT_ENVIRONMENT), args


def test_lock_options_need_a_store_that_can_lock(seaweed: SeaweedServer, bucket: str, prefix: str,
                                                 bundle: Path, tmp_path: Path) -> None:
    plain = run(seaweed, "push", str(bundle), "--store", f"s3://{bucket}/{prefix}", "--retain-days", "1")
    assert f"bucket {bucket} does not have Object Lock enabled" in one_line_error(plain, EXIT_ENVIRONMENT)
    assert objects(seaweed, bucket, prefix) == {}
    captured = run(seaweed, "capture", "https://example.org/", "--store", f"s3://{bucket}/{prefix}",
                   "--legal-hold")
    assert "does not have Object Lock enabled" in one_line_error(captured, EXIT_ENVIRONMENT)  # no browser started
    local = run(seaweed, "capture", "https://example.org/", "--store", str(tmp_path / "ev"), "--retain-days", "1")
    assert "need an s3:// store" in one_line_error(local)
    assert "--lock-mode needs --retain-days" in one_line_error(
        run(seaweed, "push", str(bundle), "--store", f"s3://{bucket}/{prefix}", "--lock-mode", "compliance"))
    assert not (tmp_path / "ev").exists()


def test_missing_credentials_and_unreachable_endpoint(seaweed: SeaweedServer, bucket: str, prefix: str) -> None:
    env = seaweed.env()
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    result = subprocess.run([ARCHIVER, "ls", f"s3://{bucket}/{prefix}"], capture_output=True, text=True,
                            timeout=120, env={**env, "AWS_EC2_METADATA_DISABLED": "true"})
    assert "no S3 credentials" in one_line_error(result, EXIT_ENVIRONMENT)
    (port,) = free_ports(1)
    for command in ("ls", "verify"):
        result = run(seaweed, command, f"s3://{bucket}/{prefix}", "--endpoint-url", f"http://127.0.0.1:{port}")
        assert "cannot reach" in one_line_error(result, EXIT_ENVIRONMENT)


def test_push_of_a_folder_without_manifest_is_refused(seaweed: SeaweedServer, bucket: str, prefix: str,
                                                      tmp_path: Path) -> None:
    result = run(seaweed, "push", str(tmp_path), "--store", f"s3://{bucket}/{prefix}")
    assert "no manifest.json" in one_line_error(result)


# -- version history: deleted, replaced or removed objects -----------------------------------------

@pytest.fixture(scope="module")
def stamped_original(engine, base_settings, tsa, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """A bundle with a trusted timestamp (manifest.tsr and a 'timestamped' custody event)."""
    bundle = capture_into(engine, replace(base_settings, tsa_urls=(tsa.url,)),
                          tmp_path_factory.mktemp("s3-stamped"), "https://example.org/article", "C", "Op")
    assert (bundle / "manifest.tsr").is_file()
    return bundle


def locked_push(seaweed: SeaweedServer, bucket: str, prefix: str, folder: Path, signer: Any) -> S3Store:
    """What `push --retain-days 1 --legal-hold` does: every object locked, the lock in a signed 'stored' event."""
    lock = LockPolicy("governance", 1, legal_hold=True)
    store = S3Store(f"s3://{bucket}/{prefix}", client=seaweed.client(), lock=lock)
    where = store.commit(folder.name, folder)
    store.reader(folder.name).append_event(event="stored", actor="T", signer=signer, lock=lock,
                                           details={"location": where, "object_lock": lock.for_manifest()})
    return store


def custody_keys(seaweed: SeaweedServer, bucket: str, prefix: str) -> list[str]:
    return sorted(k for k in objects(seaweed, bucket, prefix) if k.endswith(".json") and "/custody/" in k)


@pytest.mark.parametrize("stamped", [False, True], ids=["no-token", "token"])
@pytest.mark.parametrize("removed", [1, 2, 3])
def test_truncated_custody_log_is_tampered(seaweed: SeaweedServer, locked_bucket: str, prefix: str,
                                           original: Path, stamped_original: Path, signer: Any,
                                           stamped: bool, removed: int) -> None:
    folder = stamped_original if stamped else original
    store = locked_push(seaweed, locked_bucket, prefix, folder, signer)
    client = seaweed.client()
    events = custody_keys(seaweed, locked_bucket, prefix)
    assert [k.rsplit("-", 1)[1] for k in events] == (
        ["captured.json", "signed.json", "timestamped.json", "stored.json"] if stamped
        else ["captured.json", "signed.json", "stored.json"])
    for key in events:  # custody events are locked like every other object of the bundle
        head = client.head_object(Bucket=locked_bucket, Key=key)
        assert (head["ObjectLockMode"], head["ObjectLockLegalHoldStatus"]) == ("GOVERNANCE", "ON"), key
    before = verify_bundle(store.reader(folder.name))
    assert (before.result, before.problems) == (OK, [])
    assert before.storage is not None and before.storage["versions"] == {
        "objects": len(objects(seaweed, locked_bucket, prefix)), "unversioned": 0, "changed": 0}

    gone = events[-removed:]
    if any(key.endswith("-timestamped.json") for key in gone):  # hide the token with its event
        gone.append(f"{prefix}/{folder.name}/manifest.tsr")
    for key in gone:  # a plain DeleteObject, as any writer may do under Object Lock
        client.delete_object(Bucket=locked_bucket, Key=key)
    report = verify_bundle(store.reader(folder.name))
    assert report.result == TAMPERED
    base = f"{prefix}/{folder.name}/"
    history = {p.path: p.detail for p in report.problems if p.kind == "s3-versions"}
    assert set(history) == {key[len(base):] for key in gone}
    assert all(detail.startswith("deleted (delete marker ") for detail in history.values())


def test_truncation_is_named_by_the_cli(seaweed: SeaweedServer, locked_bucket: str, prefix: str,
                                        original: Path, signer: Any) -> None:
    locked_push(seaweed, locked_bucket, prefix, original, signer)
    last = custody_keys(seaweed, locked_bucket, prefix)[-1]
    seaweed.client().delete_object(Bucket=locked_bucket, Key=last)
    checked = run(seaweed, "verify", f"s3://{locked_bucket}/{prefix}")
    assert checked.returncode == EXIT_PROBLEM, checked.stderr
    assert checked.stdout.startswith(f"TAMPERED  {original.name}")
    assert f"storage FAILED: {last.rsplit('/', 2)[1]}/{last.rsplit('/', 1)[1]}: deleted (delete marker " \
        in checked.stdout


def test_a_new_version_is_reported_even_with_the_same_bytes(seaweed: SeaweedServer, store: S3Store,
                                                            bucket: str, prefix: str, original: Path) -> None:
    bundle_id = pushed(store, original)
    entry = artifact(original, "dom.html")  # the same bytes, checksum and metadata: only the history shows it
    upload_file(store, bundle_id, original / "dom.html", store.key(bundle_id, "dom.html"), entry["sha256"],
                entry["size"], None)
    report = verify_bundle(store.reader(bundle_id))
    assert report.result == TAMPERED
    assert [(p.kind, p.path) for p in report.problems] == [("s3-versions", "dom.html")]
    assert report.problems[0].detail.startswith("replaced: 2 versions, the current one written ")


def test_a_removed_version_under_its_delete_marker_is_reported(seaweed: SeaweedServer, store: S3Store,
                                                               bucket: str, prefix: str, original: Path) -> None:
    bundle_id = pushed(store, original)
    client, key = seaweed.client(), store.key(bundle_id, "custody/000002-signed.json")
    version = client.head_object(Bucket=bucket, Key=key)["VersionId"]
    client.delete_object(Bucket=bucket, Key=key)
    client.delete_object(Bucket=bucket, Key=key, VersionId=version)  # unlocked: the version can go
    report = verify_bundle(store.reader(bundle_id))
    assert report.result == TAMPERED
    detail = next(p.detail for p in report.problems if p.path == "custody/000002-signed.json")
    assert "no version of it is left" in detail


def test_a_bucket_without_versioning_cannot_show_truncation(seaweed: SeaweedServer, prefix: str,
                                                            original: Path) -> None:
    client = seaweed.client()
    client.create_bucket(Bucket="evidence-unversioned")
    store = S3Store(f"s3://evidence-unversioned/{prefix}", client=client)
    bundle_id = pushed(store, original)
    last = custody_keys(seaweed, "evidence-unversioned", prefix)[-1]
    client.delete_object(Bucket="evidence-unversioned", Key=last)  # gone without a trace
    report = verify_bundle(store.reader(bundle_id))
    assert report.result == UNPROTECTED  # every byte checks out, but nothing could show a deletion
    (problem,) = report.problems
    assert (problem.kind, problem.path) == ("s3-versions", f"s3://evidence-unversioned/{prefix}/{bundle_id}/")
    assert "stored without versioning" in problem.detail and "truncation cannot be detected" in problem.detail


# -- before a capture starts: the store is checked ------------------------------------------------

def test_capture_checks_the_store_before_the_browser_starts(seaweed: SeaweedServer, bucket: str, prefix: str,
                                                            tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    (closed,) = free_ports(1)
    secret = "wrong-secret-for-capture-9x9"
    cases = [
        ({"AWS_SECRET_ACCESS_KEY": secret}, f"s3://{bucket}/{prefix}", "SignatureDoesNotMatch"),
        ({}, "s3://no-such-bucket-for-capture/evidence", "no such bucket: no-such-bucket-for-capture"),
        ({"AWS_ENDPOINT_URL": f"http://127.0.0.1:{closed}"}, f"s3://{bucket}/{prefix}",
         f"cannot reach http://127.0.0.1:{closed}"),
    ]
    for env, location, expected in cases:
        result = run(seaweed, "capture", "https://example.org/", "--store", location, "--json",
                     ARCHIVER_SPOOL=str(spool), **env)
        assert expected in one_line_error(result, EXIT_ENVIRONMENT), location
        assert result.stdout == ""  # no capture ran: no bundle id, no status line
        assert not spool.exists()  # nothing was prepared, so nothing is left behind
        assert secret not in result.stdout + result.stderr and seaweed.secret_key not in result.stderr
    assert objects(seaweed, bucket, prefix) == {}
    blocker = tmp_path / "a-file"  # a local store is checked too: it must be a folder that can be written
    blocker.write_text("not a folder")
    local = run(seaweed, "capture", "https://example.org/", "--store", str(blocker / "evidence"))
    assert "is not a folder" in one_line_error(local, EXIT_ENVIRONMENT) and local.stdout == ""


def test_a_location_without_bucket_is_a_usage_error(seaweed: SeaweedServer, bundle: Path, tmp_path: Path) -> None:
    for args in (("ls", "s3://"), ("verify", "s3://"), ("capture", "https://example.org/", "--store", "s3://"),
                 ("push", str(bundle), "--store", "s3:///prefix")):
        assert "no bucket in" in one_line_error(run(seaweed, *args, ARCHIVER_SPOOL=str(tmp_path / "s")), EXIT_USAGE)


def test_exit_codes_follow_one_table(seaweed: SeaweedServer, bucket: str, prefix: str, bundle: Path) -> None:
    location = f"s3://{bucket}/{prefix}"
    assert run(seaweed, "push", str(bundle), "--store", location).returncode == EXIT_OK
    assert run(seaweed, "verify", location).returncode == EXIT_OK
    # 2: the user's input (an output that already exists, a malformed location)
    assert "already committed" in one_line_error(run(seaweed, "push", str(bundle), "--store", location), EXIT_USAGE)
    assert "no bucket" in one_line_error(run(seaweed, "ls", "s3://"), EXIT_USAGE)
    # 3: the store refuses or cannot be reached; retrying later may help
    assert "no such bucket" in one_line_error(run(seaweed, "ls", "s3://no-such-bucket-x/p"), EXIT_ENVIRONMENT)
    # 1: an evidence problem
    seaweed.client().delete_object(Bucket=bucket, Key=f"{prefix}/{bundle.name}/dom.html")
    assert run(seaweed, "verify", location).returncode == EXIT_PROBLEM
