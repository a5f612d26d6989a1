"""Cluster benchmark (`make bench-scale`): batches on a Dask cluster of two workers on loopback
against the same batches on this machine alone, in the same run.

    python bench/scale.py [--runs N] [--bundles N] [--bundle-bytes N] [--urls N] [--tasks N] [--only-verify]

  (v) verify of one store of generated bundles: `archiver verify --cluster` (two worker processes,
      one thread each) against `archiver verify --workers 2`; throughput from the batch time (the
      report's duration), the whole command's time beside it, and the CPU-seconds a bundle costs
      each side (every process: client, scheduler, workers), which the machine's load hardly
      changes. Target: cluster >= 0.9x local.
  (c) capture of 20 URLs of a local page: `archiver capture --cluster` (two workers, one capture
      each, browsers kept across runs) against `archiver capture --workers 2`; seconds per URL.
      Target: cluster <= 1.1x local.
  (o) per-task overhead: 10,000 verify tasks of empty chunks through the scheduler; ms per task.
Runs alternate local and cluster after one untimed warm-up of each; figures are medians. The
machine may be shared with other work: compare ratios within one run, not across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from bundlegen import make_bundle  # noqa: E402

from archiver.keys import load_or_create  # noqa: E402

from capture import HOST, URL, realistic_page, unseal  # noqa: E402
from support.certs import make_pki  # noqa: E402
from support.dask_cluster import LocalCluster  # noqa: E402
from support.webserver import TestServer  # noqa: E402

ARCHIVER = str(Path(sys.executable).parent / "archiver")
TARGETS = {"verify": 0.9, "capture": 1.1}


def timed(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=3600)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])}... exited {done.returncode}: "
                         f"{(done.stderr + done.stdout)[-2000:]}")
    return seconds, done.stdout


def alternate(runs: int, commands: dict[str, list[str]], env: dict[str, str]) -> dict[str, list[float]]:
    seconds: dict[str, list[float]] = {name: [] for name in commands}
    for args in commands.values():  # warm-up: page cache, workers' browsers, imports
        timed(args, env)
    for _ in range(runs):
        for name, args in commands.items():
            seconds[name].append(timed(args, env)[0])
    return seconds


@dataclass
class VerifyFigures:
    """Medians over the runs of one side: seconds of the whole command and of the batch itself
    (the report's summary, from the first bundle handed out to the last report: what a nightly
    run of hours is made of), and CPU-seconds of every process of that side (client, and the
    scheduler and workers when on the cluster) for the whole store and for one bundle."""

    wall: float
    batch: float
    cpu: float
    cpu_one: float
    loads: list[float]

    def cpu_per_bundle_ms(self, bundles: int) -> float:
        """CPU of a bundle, start-up taken out: the load of the machine hardly changes it."""
        return (self.cpu - self.cpu_one) * 1000 / max(1, bundles - 1)


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU of these processes, and of the finished children of this one."""
    import psutil  # Dask's own dependency

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = children.ru_utime + children.ru_stime
    for pid in pids:
        times = psutil.Process(pid).cpu_times()
        total += times.user + times.system
    return total


def verify_runs(runs: int, store: Path, cluster: LocalCluster, env: dict[str, str], work: Path
                ) -> dict[str, VerifyFigures]:
    """Local and cluster runs of the whole store and of a one-bundle store, alternating."""
    one = work / "one-bundle"
    if not one.exists():
        one.mkdir()
        shutil.copytree(next(store.iterdir()), one / next(store.iterdir()).name)
    cluster_pids = [p.pid for p in [*cluster.workers, cluster.scheduler] if p is not None]
    commands = {"local": (["--workers", "2"], []), "cluster": (["--cluster", cluster.address], cluster_pids)}
    seen: dict[str, dict[str, list[float]]] = {name: {"wall": [], "batch": [], "cpu": [], "cpu_one": [], "load": []}
                                               for name in commands}
    for run in range(runs + 1):  # the first is a warm-up: page cache, imports
        for name, (options, pids) in commands.items():
            for target, figure in ((one, "cpu_one"), (store, "cpu")):
                report = work / f"verify-{name}-{run}-{figure}.jsonl"
                before = cpu_seconds(pids)
                wall = timed([ARCHIVER, "verify", str(target), *options, "--report", str(report)], env)[0]
                if not run:
                    continue
                seen[name][figure].append(cpu_seconds(pids) - before)
                if target == store:
                    seen[name]["wall"].append(wall)
                    seen[name]["batch"].append(json.loads(report.read_text().splitlines()[-1])["summary"]["duration_s"])
                    seen[name]["load"].append(os.getloadavg()[0])
    return {name: VerifyFigures(wall=statistics.median(figures["wall"]), batch=statistics.median(figures["batch"]),
                                cpu=statistics.median(figures["cpu"]), cpu_one=statistics.median(figures["cpu_one"]),
                                loads=figures["load"])
            for name, figures in seen.items()}


def drop_unverified(store: Path, env: dict[str, str]) -> int:
    """Remove the bundles bundlegen got wrong (a few in a hundred of those with a random-bytes
    response fail their WARC hash): both sides must verify the same all-OK store."""
    done = subprocess.run([ARCHIVER, "verify", str(store), "--json", "--workers", "2"], capture_output=True,
                          text=True, env=env, timeout=3600)
    bad = [json.loads(line) for line in done.stdout.splitlines()]
    bad = [entry for entry in bad if entry["result"] != "OK"]
    for entry in bad:
        unseal(Path(entry["location"]))
        shutil.rmtree(entry["location"])
    return len(bad)


def task_overhead(address: str, tasks: int) -> float:
    """Milliseconds per task for ``tasks`` verify tasks of empty chunks, submit to last result."""
    from distributed import Client

    from archiver.cluster_verify import VerifyChunk, verify_chunk

    empty = VerifyChunk(store=str(Path(tempfile.gettempdir())), bundle_ids=())
    with Client(address, set_as_default=False) as client:
        client.gather(client.map(verify_chunk, [empty] * 100, pure=False))  # warm-up
        start = time.perf_counter()
        client.gather(client.map(verify_chunk, [empty] * tasks, pure=False))
        return (time.perf_counter() - start) * 1000 / tasks


def verdict(ratio: float, target: float, higher_is_better: bool) -> str:
    met = ratio >= target if higher_is_better else ratio <= target
    return f"{'meets' if met else 'MISSES'} target {'>=' if higher_is_better else '<='} {target}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")))
    parser.add_argument("--bundles", type=int, default=int(os.environ.get("BENCH_BUNDLES", "1500")))
    parser.add_argument("--bundle-bytes", type=int, default=int(os.environ.get("BENCH_BUNDLE_BYTES", str(1 << 20))),
                        help="random bytes of one response per bundle, standing for a video")
    parser.add_argument("--urls", type=int, default=20)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--only-verify", action="store_true", help="the verify part (v) alone")
    options = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    work = Path(tempfile.mkdtemp(prefix="archiver-bench-scale-"))
    env = {**os.environ, "ARCHIVER_CONFIG_DIR": str(work / "config")}  # a throwaway signing key
    os.environ["ARCHIVER_CONFIG_DIR"] = env["ARCHIVER_CONFIG_DIR"]
    pki = make_pki(work, [HOST])
    server = TestServer(pki.server_cert, pki.server_key).start()
    realistic_page(server)
    cluster = LocalCluster(work / "cluster").start()
    try:
        for _ in range(2):
            cluster.add_worker(captures=1, nthreads=1)
        cluster.wait_for_capture_workers(2)
        store = work / "store"
        signer = load_or_create()[0]
        started = time.perf_counter()
        for _ in range(options.bundles):
            make_bundle(store, signer, big_bytes=options.bundle_bytes, scratch=work)
        dropped = drop_unverified(store, env)
        total = sum(p.stat().st_size for p in store.rglob("*") if p.is_file())
        bundles = options.bundles - dropped
        print(f"store: {bundles} bundles, {total / 2**20:.0f} MiB, made in "
              f"{time.perf_counter() - started:.0f}s; {options.runs} runs of each, alternating")

        verify = verify_runs(options.runs, store, cluster, env, work)
        local, on_cluster = verify["local"], verify["cluster"]
        ratio_v = local.batch / on_cluster.batch
        loads = [round(load, 1) for side in verify.values() for load in side.loads]
        print(f"(v) verify, batch time: local --workers 2 {local.batch:.2f}s ({total / 2**20 / local.batch:.0f} MiB/s, "
              f"{bundles / local.batch:.0f} bundles/s); cluster of 2 {on_cluster.batch:.2f}s "
              f"({total / 2**20 / on_cluster.batch:.0f} MiB/s, {bundles / on_cluster.batch:.0f} bundles/s); "
              f"cluster/local throughput {ratio_v:.2f}x ({verdict(ratio_v, TARGETS['verify'], True)}); "
              f"load average {min(loads)} to {max(loads)}")
        print(f"    whole command (with start-up, listing, connecting): local {local.wall:.2f}s, "
              f"cluster {on_cluster.wall:.2f}s ({local.wall / on_cluster.wall:.2f}x)")
        print(f"    CPU per bundle, every process of the side, start-up taken out: local "
              f"{local.cpu_per_bundle_ms(bundles):.1f} ms, cluster {on_cluster.cpu_per_bundle_ms(bundles):.1f} ms; "
              f"CPU of the whole command: local {local.cpu:.1f}s, cluster {on_cluster.cpu:.1f}s")
        if options.only_verify:
            print(json.dumps({"verify": {name: asdict(side) for name, side in verify.items()},
                              "bundles": bundles, "store_bytes": total}))
            return

        tls = ["--resolve", f"{HOST}:443:127.0.0.1:{server.port}", "--ca-bundle", str(pki.ca_cert), "--json"]
        urls = [URL] * options.urls
        capture = alternate(max(1, options.runs - 1), {
            "local": [ARCHIVER, "capture", *urls, "--store", str(work / "captures-local"), "--workers", "2", *tls],
            "cluster": [ARCHIVER, "capture", *urls, "--store", str(work / "captures-cluster"),
                        "--cluster", cluster.address, *tls],
        }, env)
        local_c, cluster_c = (statistics.median(capture[k]) / options.urls for k in ("local", "cluster"))
        ratio_c = cluster_c / local_c
        print(f"(c) capture of {options.urls} URLs: local --workers 2 {local_c:.2f}s per URL; cluster of 2 "
              f"{cluster_c:.2f}s per URL; cluster/local {ratio_c:.2f}x ({verdict(ratio_c, TARGETS['capture'], False)})")

        overhead = task_overhead(cluster.address, options.tasks)
        print(f"(o) scheduling: {overhead:.2f} ms per task ({options.tasks} empty verify tasks, 2 workers)")
        print(json.dumps({"verify": {name: asdict(side) for name, side in verify.items()}, "capture_s": capture, "task_overhead_ms": round(overhead, 3),
                          "bundles": bundles, "store_bytes": total, "urls": options.urls}))
    finally:
        cluster.stop()
        server.stop()
        unseal(work)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
