"""Batches on a real Dask cluster on loopback: a scheduler and ``archiver worker`` processes.

Captures go through the workers' kept browsers into a store they share: S3 (a real SeaweedFS,
whose credentials each worker has in its own environment: the client sends none, and neither
the secret nor a URL shows in Dask's logs) or a folder declared with --shared-store. A verify is
split into chunks across the workers; a worker killed mid-batch (SIGKILL, by the fault points)
still leaves exactly one complete bundle per URL; a lost scheduler stops a batch in one line
that says how to go on.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from archiver.bundle import MANIFEST
from archiver.keys import Signer
from archiver.manifest import Manifest
from archiver.storage.s3 import S3Store
from archiver.storage.s3_bucket import init_bucket

from support.dask_cluster import ARCHIVER, LocalCluster, cluster_certificates
from support.seaweed import SeaweedServer

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
from bundlegen import make_bundle  # noqa: E402

pytestmark = [pytest.mark.cluster, pytest.mark.browser, pytest.mark.s3]
PAGES = [f"https://example.org/article?n={n}" for n in range(6)]
BUCKET = "evidence-cluster"
# Fewer than the few hundred: on this shared 2-CPU machine SeaweedFS takes about 0.16 s to
# take in a bundle and 0.1 s to serve one to verify, so 300 would cost this module 100 s.
GENERATED = 120


@pytest.fixture(scope="module")
def cluster(seaweed: SeaweedServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    """Two workers with the S3 credentials in their environment; the scheduler without."""
    init_bucket(S3Store(f"s3://{BUCKET}", client=seaweed.client()), object_lock=False)
    running = LocalCluster(tmp_path_factory.mktemp("cluster")).start()
    try:
        running.add_worker(**seaweed.env())
        running.add_worker(**seaweed.env())
        running.wait_for_capture_workers(2)
        yield running
    finally:
        running.stop()


def archiver(*args: str, timeout: float = 300, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ARCHIVER, *args], capture_output=True, text=True, timeout=timeout, env=env)


def cluster_logs(cluster: LocalCluster) -> str:
    return "".join(path.read_text(errors="replace") for path in cluster.logs.glob("*.log"))


def capture_batch(store: Path, address: str, tls_args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    urls = tmp_path / "urls.txt"
    urls.write_text("\n".join(PAGES) + "\n")
    return archiver("capture", "--from", str(urls), "--store", str(store), "--cluster", address, "--shared-store",
                    "--json", *tls_args)


def manifests(store: Path) -> list[Manifest]:
    return [Manifest.load(path) for path in sorted(store.glob("*/manifest.json"))]


def test_a_batch_is_captured_into_s3_by_the_workers_one_bundle_per_url(
        seaweed: SeaweedServer, cluster: LocalCluster, tls_args: list[str], tmp_path: Path) -> None:
    pages = [f"https://example.org/article?n={n}" for n in range(10)]
    prefix = f"case-{uuid.uuid4().hex[:8]}"
    store = f"s3://{BUCKET}/{prefix}"
    urls = tmp_path / "urls.txt"
    urls.write_text("\n".join(pages) + "\n")
    done = archiver("capture", "--from", str(urls), "--store", store, "--cluster", cluster.address, "--json",
                    *tls_args, env=seaweed.env())
    assert done.returncode == 0, done.stderr
    assert f"archiver: cluster {cluster.address} (2 workers)" in done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert sorted(line["url"] for line in lines) == sorted(pages)  # each printed as it is done
    assert {line["status"] for line in lines} == {"complete"}
    assert all(line["bundle"] == f"{store}/{line['bundle_id']}" for line in lines)
    listed = [json.loads(row) for row in archiver("ls", store, "--json", env=seaweed.env()).stdout.splitlines()]
    assert sorted(row["bundle_id"] for row in listed) == sorted(line["bundle_id"] for line in lines)
    assert {row["state"] for row in listed} == {"complete"}  # one complete bundle per URL, nothing else
    s3 = S3Store(store, client=seaweed.client())
    stored = [Manifest.from_bytes(s3.reader(row["bundle_id"]).open(MANIFEST).read()) for row in listed]
    jobs = [m.extra["job"] for m in stored]
    assert len({job["id"] for job in jobs}) == len(pages)
    assert {(job["cluster"], job["plaintext_cluster_allowed"]) for job in jobs} == {(cluster.address, False)}
    verified = archiver("verify", store, "--cluster", cluster.address, "--json", env=seaweed.env())
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert len(verified.stdout.splitlines()) == len(pages)
    seen = cluster_logs(cluster) + done.stderr + verified.stderr
    assert seaweed.secret_key not in seen
    assert [url for url in pages if url in seen] == []


def test_an_s3_store_is_verified_in_chunks_the_tampered_found_and_resumed(
        seaweed: SeaweedServer, cluster: LocalCluster, signer: Signer, tmp_path: Path) -> None:
    prefix = f"nightly-{uuid.uuid4().hex[:8]}"
    folders = [make_bundle(tmp_path / "made", signer) for _ in range(GENERATED)]
    s3 = S3Store(f"s3://{BUCKET}/{prefix}", client=seaweed.client(), spool=tmp_path / "spool")
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda folder: s3.commit(folder.name, folder), folders))
    tampered = {folders[17].name, folders[100].name}
    for bundle_id in tampered:
        page = (tmp_path / "made" / bundle_id / "dom.html").read_bytes()
        seaweed.client().put_object(Bucket=BUCKET, Key=f"{prefix}/{bundle_id}/dom.html",
                                    Body=page.replace(b"benchmark post", b"benchmark p0st"))
    report = tmp_path / "nightly.jsonl"
    verify = ["verify", f"s3://{BUCKET}/{prefix}", "--cluster", cluster.address, "--chunk-size", "20", "--json",
              "--report", str(report)]
    first = archiver(*verify, env=seaweed.env())
    assert first.returncode == 1, first.stderr
    results = {entry["bundle_id"]: entry["result"] for entry in map(json.loads, first.stdout.splitlines())}
    assert len(results) == GENERATED
    assert {b for b, result in results.items() if result == "TAMPERED"} == tampered
    assert Counter(results.values()) == {"OK": GENERATED - 2, "TAMPERED": 2}
    lines = report.read_text().splitlines()
    assert json.loads(lines[-1])["summary"]["tampered"] == 2
    # Interrupted after 90 reports: --resume verifies only the other 30.
    report.write_text("\n".join(lines[:90]) + "\n")
    resumed = archiver(*verify, "--resume", env=seaweed.env())
    again = [json.loads(line)["bundle_id"] for line in resumed.stdout.splitlines()]
    assert sorted(again) == sorted(json.loads(line)["bundle_id"] for line in lines[90:GENERATED])
    assert json.loads(report.read_text().splitlines()[-1])["summary"]["skipped_already_reported"] == 90
    assert seaweed.secret_key not in cluster_logs(cluster) + first.stderr + resumed.stderr


def test_workers_killed_mid_batch_leave_one_complete_bundle_per_url(tls_args: list[str],
                                                                    tmp_path: Path) -> None:
    store = tmp_path / "evidence"
    running = LocalCluster(tmp_path / "cluster").start()
    try:
        # Killed while sealing its first bundle, and killed after storing one but before its result
        # reached the client: the scheduler reruns both tasks on the one worker left.
        mid_capture = running.add_worker(ARCHIVER_FAULT_AT="seal")
        after_store = running.add_worker(ARCHIVER_FAULT_AT="cluster result")
        running.add_worker()
        running.wait_for_capture_workers(3)
        done = capture_batch(store, running.address, tls_args, tmp_path)
        assert done.returncode == 0, done.stderr
        assert mid_capture.wait(5) == after_store.wait(5) == -signal.SIGKILL
    finally:
        running.stop()
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert sorted(line["url"] for line in lines) == sorted(PAGES)
    stored = manifests(store)
    assert sorted(m.requested_url for m in stored) == sorted(PAGES)  # one bundle per URL
    assert {m.bundle_id for m in stored} == {line["bundle_id"] for line in lines}
    listed = [json.loads(line) for line in archiver("ls", str(store), "--json").stdout.splitlines()]
    assert Counter(row["state"] for row in listed) == {"complete": 6, "interrupted": 1}


def test_a_lost_scheduler_stops_the_batch_in_one_line_and_resume_finishes_it(
        cluster: LocalCluster, signer: Signer, tmp_path: Path) -> None:
    store = tmp_path / "store"
    for _ in range(120):
        make_bundle(store, signer)
    report = tmp_path / "nightly.jsonl"
    first = LocalCluster(tmp_path / "first").start()
    try:
        first.add_worker(nthreads=1)
        first.wait_for_capture_workers(1)
        batch = subprocess.Popen([ARCHIVER, "verify", str(store), "--cluster", first.address, "--chunk-size", "2",
                                  "--report", str(report)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 text=True)
        while len(report.read_text().splitlines() if report.exists() else []) < 4:
            assert batch.poll() is None, batch.stderr.read() if batch.stderr else ""
        assert first.scheduler is not None
        first.scheduler.kill()
        _, errors = batch.communicate(timeout=120)
    finally:
        first.stop()
    assert batch.returncode == 3
    assert errors.splitlines()[0].startswith(f"archiver: cluster {first.address} (1 workers)")
    assert errors.splitlines()[1:] == [f"archiver: error: lost the cluster scheduler {first.address} "
                                       "(FutureCancelledError); run the same command again; with --report FILE, "
                                       "--resume skips what it already holds"]
    # A chunk in flight when the scheduler died is reported ERROR, which is no verdict: --resume
    # verifies those bundles again, and only those.
    first_run = [json.loads(line) for line in report.read_text().splitlines()]
    done = {e["bundle_id"] for e in first_run if "bundle_id" in e and e.get("result") != "ERROR"}
    assert 4 <= len(done) < 120
    resumed = archiver("verify", str(store), "--cluster", cluster.address, "--report", str(report), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    entries = [json.loads(line) for line in report.read_text().splitlines()]
    verdicts = {e["bundle_id"]: e["result"] for e in entries if "bundle_id" in e}  # the last one wins
    assert sorted(verdicts) == sorted(p.name for p in store.iterdir())
    assert set(verdicts.values()) == {"OK"}
    reverified = [e["bundle_id"] for e in entries[len(first_run):] if "bundle_id" in e]
    assert not done & set(reverified) and len(reverified) == len(set(reverified)) == 120 - len(done)
    assert entries[-1]["summary"]["skipped_already_reported"] == len(done)


def test_a_capture_batch_whose_scheduler_is_lost_goes_on_with_the_command_it_prints(
        cluster: LocalCluster, tls_args: list[str], tmp_path: Path) -> None:
    store = tmp_path / "evidence"
    urls = tmp_path / "urls.txt"
    urls.write_text("\n".join(PAGES) + "\n")
    lost = LocalCluster(tmp_path / "lost").start()
    try:
        lost.add_worker(nthreads=1)
        lost.wait_for_capture_workers(1)
        batch = subprocess.Popen([ARCHIVER, "capture", "--from", str(urls), "--store", str(store), "--cluster",
                                  lost.address, "--json", *tls_args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
        assert batch.stdout is not None
        first_results = [json.loads(batch.stdout.readline()) for _ in range(2)]
        assert lost.scheduler is not None
        lost.scheduler.kill()
        rest, errors = batch.communicate(timeout=120)
    finally:
        lost.stop()  # the worker too: a capture it still had is left unsealed, as after a crash
    assert batch.returncode == 3, errors
    done = first_results + [json.loads(line) for line in rest.splitlines()]
    assert {line["status"] for line in done} == {"complete"} and len(done) < len(PAGES)
    stop = errors.splitlines()[-1]
    assert stop.startswith(f"archiver: error: lost the cluster scheduler {lost.address} ")
    go_on = shlex.split(stop.split("; to capture what is left: ", 1)[1])
    assert go_on[-1] == "--skip-captured" and "--json" in go_on
    # The scheduler comes back (here: elsewhere); the printed command captures only what is left.
    go_on[go_on.index(lost.address)] = cluster.address
    resumed = archiver(*go_on[1:])
    assert resumed.returncode == 0, resumed.stderr
    again = [json.loads(line) for line in resumed.stdout.splitlines()]
    assert sorted(line["url"] for line in again if line["status"] == "skipped") == \
        sorted(line["url"] for line in done)
    assert {line["status"] for line in again} == {"skipped", "complete"}
    complete = [m.requested_url for m in manifests(store) if m.status == "complete"]
    assert sorted(complete) == sorted(PAGES)  # one complete bundle per URL, none captured twice


def test_a_tls_cluster_is_reached_with_dasks_tls_settings_and_refused_without(signer: Signer,
                                                                             tmp_path: Path) -> None:
    store = tmp_path / "store"
    for _ in range(4):
        make_bundle(store, signer)
    running = LocalCluster(tmp_path / "tls", tls=cluster_certificates(tmp_path)).start()
    try:
        running.add_worker(nthreads=1)
        running.wait_for_capture_workers(1)
        plain_env = {name: value for name, value in os.environ.items() if not name.startswith("DASK_")}
        refused = archiver("verify", str(store), "--cluster", running.address, env=plain_env, timeout=60)
        assert refused.returncode == 2 and refused.stderr.count("\n") == 1, refused.stderr
        assert "DASK_DISTRIBUTED__COMM__TLS__CA_FILE" in refused.stderr
        done = archiver("verify", str(store), "--cluster", running.address, "--json",
                        env={**plain_env, **running.client_env()})
    finally:
        running.stop()
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(f"archiver: cluster {running.address} (1 workers)")
    assert [json.loads(line)["result"] for line in done.stdout.splitlines()] == ["OK"] * 4


def test_login_material_is_not_sent_to_a_remote_scheduler_in_plaintext(tmp_path: Path) -> None:
    cookies = tmp_path / "cookies.txt"
    cookies.write_text("example.org\tFALSE\t/\tTRUE\t0\tsession\tsecret-value-123\n")
    refused = archiver("capture", "https://example.org/article", "--store", "s3://bucket/case",
                       "--endpoint-url", "http://127.0.0.1:9", "--cookies", str(cookies),
                       "--cluster", "tcp://192.0.2.10:8786", timeout=60)
    assert refused.returncode == 2
    assert refused.stderr.startswith("archiver: error: --cookies/--storage-state would travel unencrypted")
    assert "secret-value-123" not in refused.stderr + refused.stdout


def test_a_folder_of_this_machine_is_refused_for_a_remote_scheduler(tmp_path: Path) -> None:
    refused = archiver("capture", "https://example.org/article", "--store", str(tmp_path / "evidence"),
                       "--cluster", "tcp://192.0.2.10:8786", timeout=60)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "--shared-store" in refused.stderr
    assert not (tmp_path / "evidence").exists() or not any((tmp_path / "evidence").iterdir())


def test_the_workers_own_options_are_refused_with_a_cluster(tmp_path: Path) -> None:
    refused = archiver("capture", "https://example.org/article", "--store", str(tmp_path / "e"), "--workers", "2",
                       "--cluster", "tcp://127.0.0.1:9", timeout=60)
    assert refused.returncode == 2 and "--captures" in refused.stderr


def test_no_cluster_leaves_dask_unloaded() -> None:
    probe = "import sys, archiver.commands.capture_cmd, archiver.commands.verify_cmd; print('distributed' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env={**os.environ})
    assert shown.stdout.strip() == "False"
