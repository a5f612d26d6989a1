"""Verify benchmark (`make bench`): `archiver verify` against openssl and raw boto3 on the same bytes.

Builds BENCH_BIG bundles whose WARC holds BENCH_WARC_BYTES (default 1 GiB) of random bytes
and BENCH_SMALL ordinary small ones, then measures in one run, on the same machine:
  (a) `openssl dgst -sha256` over every file of every bundle (one process: the baseline);
  (b) `archiver verify STORE`, one stream, and (c) with `--workers 2`;
  (d) raw boto3 from a local SeaweedFS: get_object of the same objects, streamed through
      SHA-256, one stream, boto3's default configuration (which also checks the stored
      checksum); and the same with that check off;
  (e) `archiver verify s3://...`, one stream, and with `--workers 2`.
Medians of BENCH_RUNS runs; peak RSS of each process (wait4). Targets: (b) >= 0.95x (a),
(c) >= 1.8x (a), (e) >= 0.8x (d), every archiver process <= 150 MB whatever the sizes.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from bundlegen import make_bundle  # noqa: E402

from support.seaweed import SeaweedServer  # noqa: E402

GiB = 1024 ** 3
BIG = int(os.environ.get("BENCH_BIG", "4"))
SMALL = int(os.environ.get("BENCH_SMALL", "20"))
WARC_BYTES = int(os.environ.get("BENCH_WARC_BYTES", str(GiB)))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
BIN = Path(sys.executable).parent
RAW = """
import hashlib, sys, boto3
from botocore.config import Config
endpoint, bucket, prefix, validation = sys.argv[1:5]
client = boto3.client("s3", endpoint_url=endpoint, config=Config(response_checksum_validation=validation))
total = 0
for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
    for item in page.get("Contents", []):
        digest = hashlib.sha256()
        for chunk in client.get_object(Bucket=bucket, Key=item["Key"])["Body"].iter_chunks(1024 * 1024):
            digest.update(chunk)
            total += len(chunk)
print(total)
"""


def measure(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one process, which must succeed."""
    start = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])}... failed ({process.returncode}): "
                         f"{process.stderr.read().decode() if process.stderr else ''}")
    return seconds, usage.ru_maxrss / 1024


def median_of(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    results = [measure(args, env) for _ in range(RUNS)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def build(store: Path, env: dict[str, str]) -> list[Path]:
    os.environ.update(env)
    from archiver.keys import load_or_create

    signer, _ = load_or_create()
    count = BIG + SMALL
    big = {index * count // BIG for index in range(BIG)}  # spread out, as captures come
    return [make_bundle(store, signer, WARC_BYTES if index in big else 0, scratch=store.parent)
            for index in range(count)]


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="archiver-bench-verify-", dir=os.environ.get("BENCH_DIR")))
    need = 2 * BIG * WARC_BYTES + 2 * GiB
    if shutil.disk_usage(workdir).free < need:
        shutil.rmtree(workdir)
        raise SystemExit(f"need {need / GiB:.1f} GiB free in {workdir.parent}; set BENCH_WARC_BYTES lower")
    env = {**os.environ, "ARCHIVER_CONFIG_DIR": str(workdir / "config")}
    server: SeaweedServer | None = None
    try:
        started = time.perf_counter()
        store = workdir / "store"
        folders = build(store, env)
        files = sorted(str(p) for p in store.rglob("*") if p.is_file())
        total = sum(Path(f).stat().st_size for f in files)
        print(f"built {len(folders)} bundles ({BIG} with a {WARC_BYTES / GiB:.2f} GiB WARC of random bytes), "
              f"{total / GiB:.2f} GiB in {len(files)} files, in {time.perf_counter() - started:.0f} s; "
              f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
        measure(["openssl", "dgst", "-sha256", *files], env)  # warm the page cache
        rows = [("openssl dgst -sha256 (local files)", *median_of(["openssl", "dgst", "-sha256", *files], env))]
        verify = [str(BIN / "archiver"), "verify"]
        rows.append(("archiver verify (local, 1 stream)", *median_of([*verify, str(store)], env)))
        rows.append(("archiver verify --workers 2 (local)", *median_of([*verify, str(store), "--workers", "2"], env)))

        server = SeaweedServer(workdir / "seaweed", volume_size_mb=1024,
                               max_volumes=16 + 2 * total // GiB).start()
        s3env = {**server.env(), "ARCHIVER_CONFIG_DIR": env["ARCHIVER_CONFIG_DIR"]}
        push(server, folders)
        raw = [sys.executable, "-c", RAW, server.endpoint, "bench", "store/"]
        rows.append(("raw boto3 get+sha256 (boto3 defaults)", *median_of([*raw, "when_supported"], s3env)))
        rows.append(("raw boto3 get+sha256 (no botocore check)", *median_of([*raw, "when_required"], s3env)))
        rows.append(("archiver verify s3:// (1 stream)", *median_of([*verify, "s3://bench/store"], s3env)))
        rows.append(("archiver verify s3:// --workers 2",
                     *median_of([*verify, "s3://bench/store", "--workers", "2"], s3env)))
        report(rows, total)
    finally:
        if server is not None:
            server.stop()
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(workdir, ignore_errors=True)


def push(server: SeaweedServer, folders: list[Path]) -> None:
    from archiver.storage.s3 import S3Store

    started = time.perf_counter()
    client = server.client()
    client.create_bucket(Bucket="bench")
    store = S3Store("s3://bench/store", endpoint_url=server.endpoint, client=client, spool=Path("/nonexistent"))
    for folder in folders:
        store.commit(folder.name, folder)
    print(f"pushed to SeaweedFS in {time.perf_counter() - started:.0f} s")


def report(rows: list[tuple[str, float, float]], total: int) -> None:
    times = {name: seconds for name, seconds, _ in rows}
    openssl = times["openssl dgst -sha256 (local files)"]
    raw = times["raw boto3 get+sha256 (boto3 defaults)"]
    targets = {"archiver verify (local, 1 stream)": (openssl, 0.95, "openssl"),
               "archiver verify --workers 2 (local)": (openssl, 1.8, "openssl"),
               "archiver verify s3:// (1 stream)": (raw, 0.8, "raw boto3")}
    print(f"\n{'':42} {'seconds':>8} {'GiB/s':>7} {'peak RSS':>9}   ratio (target)")
    for name, seconds, rss in rows:
        line = f"{name:42} {seconds:8.2f} {total / GiB / seconds:7.2f} {rss:7.0f} MB"
        if name in targets:
            base, goal, against = targets[name]
            ratio = base / seconds
            line += f"   {ratio:.2f}x {against} (>= {goal}x: {'met' if ratio >= goal else 'MISSED'})"
        print(line)
    worst = max(rss for name, _, rss in rows if name.startswith("archiver"))
    print(f"\npeak RSS of archiver: {worst:.0f} MB (target <= 150 MB: {'met' if worst <= 150 else 'MISSED'}); "
          f"load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
