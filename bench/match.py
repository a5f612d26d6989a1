"""PDQ match benchmark (`make bench-match`): archiver's PDQ index against brute force.

    python bench/match.py [--size 10000000] [--peer-size 1000000] [--adds 200000]

On random 256-bit hashes (made from a seed in chunks, so every process makes the same ones and
a smaller size is a prefix of a larger), in one run:
  (a) archiver.pdqindex over --size hashes: build time (one add of them all); 1,000 queries with
      a planted neighbour, at every distance 0-31 in turn, and 1,000 with none, one query a
      call: median and p99 of wall-clock and of CPU time; recall against brute force at radius
      31 (target 100%) and results beyond 31 (target 0); then --adds more hashes in calls of
      1,000, as `archiver index` adds them (target >= 100k hashes/s), and the query times again
      over the segments that made; peak RSS of that process, which holds nothing else (target
      <= 1 GiB); then saved, dropped, loaded back (memory-mapped) and queried again, with the
      peak RSS of that phase split into the process's own memory and mapped file pages.
      Target p50 <= 2 ms at 10M.
  (b) the peer: faiss IndexBinaryFlat (exact brute force) over the first --peer-size of the same
      hashes, with 1 thread and with faiss's default (every core); and (a) at that size.
Ground truth: faiss IndexBinaryFlat range search over all --size hashes, in this process.
Every index runs in a process of its own, so each peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

RADIUS = 31
CHUNK = 1_000_000
PLANTED = NONE = 1_000
ADD_BATCH = 1_000


def hashes(count: int, seed: int) -> np.ndarray:
    words = np.empty((count, 4), np.uint64)  # filled in place: no second copy to inflate the peak RSS
    for number, start in enumerate(range(0, count, CHUNK)):
        rng = np.random.default_rng([seed, number])
        words[start:start + CHUNK] = rng.integers(0, 2**64 - 1, size=(min(CHUNK, count - start), 4),
                                                  dtype=np.uint64, endpoint=True)
    return words


def queries(words: np.ndarray, seed: int) -> np.ndarray:
    """PLANTED queries, each a stored hash with (i mod 32) bits flipped, then NONE random ones."""
    rng = np.random.default_rng([seed, 1])
    planted = words[rng.choice(len(words), PLANTED, replace=False)].copy()
    for number, query in enumerate(planted):
        for bit in rng.choice(256, number % (RADIUS + 1), replace=False):
            query[bit // 64] ^= np.uint64(1 << (63 - int(bit) % 64))
    return np.concatenate([planted, hashes(NONE, seed + 1)])


def peak_rss_mib() -> float:
    """Peak RSS of this process's own memory. Not getrusage: Linux carries ru_maxrss over fork and
    exec, so a child would report at least its parent's RSS at the fork."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # Linux: VmHWM starts again from VmRSS


def rss_split_mib() -> dict[str, float]:
    """Memory of this process's own (anonymous) and mapped from files (the page cache, which the
    kernel can take back without writing anything)."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return {"rss_anon_mib": int(fields["RssAnon"].split()[0]) / 1024,
            "rss_file_mib": int(fields["RssFile"].split()[0]) / 1024}


def each_timed(asked: np.ndarray, query: Callable[[np.ndarray], Any]) -> tuple[list[Any], dict[str, float]]:
    """Answers to one query a call, and the median and p99 of their wall-clock and CPU times (on a
    shared machine the CPU time says what the query costs; the wall clock adds waiting for a core)."""
    answers, wall, cpu = [], [], []
    for one in asked:
        started, started_cpu = time.perf_counter(), time.process_time()
        answers.append(query(one[None]))
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return answers, {"p50_ms": statistics.median(wall) * 1000, "p99_ms": float(np.percentile(wall, 99)) * 1000,
                     "cpu_p50_ms": statistics.median(cpu) * 1000, "cpu_p99_ms": float(np.percentile(cpu, 99)) * 1000}


def run_pdqindex(size: int, seed: int, adds: int, queries_file: Path, results_file: Path) -> dict[str, Any]:
    from archiver.pdqindex import PdqIndex

    words = hashes(size, seed)
    asked = np.load(queries_file)
    started, started_cpu = time.perf_counter(), time.process_time()
    index = PdqIndex()
    index.add(words)
    built, built_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    answers, timings = each_timed(asked, index.query_batch)
    found: list[list[tuple[int, int]]] = [hits for hits, in answers]
    started = time.perf_counter()
    assert index.query_batch(asked) == found
    batched = (time.perf_counter() - started) / len(asked)
    np.savez(results_file, query=np.array([n for n, hits in enumerate(found) for _ in hits], np.int64),
             id=np.array([i for hits in found for i, _ in hits], np.int64),
             distance=np.array([d for hits in found for _, d in hits], np.int64))
    result: dict[str, Any] = {"build_s": built, "build_cpu_s": built_cpu, **timings, "batch_ms": batched * 1000,
                              "rss_queried_mib": peak_rss_mib()}
    if adds:
        more = hashes(adds, seed + 2)
        started, started_cpu = time.perf_counter(), time.process_time()
        for first in range(0, adds, ADD_BATCH):
            index.add(more[first:first + ADD_BATCH])
        result["adds_per_s"] = adds / (time.perf_counter() - started)
        result["adds_per_cpu_s"] = adds / (time.process_time() - started_cpu)
        result["segments_after_adds"] = [part.segment.rows for part in index._parts]
        result["after_adds"] = each_timed(asked, index.query_batch)[1]
    result["peak_rss_mib"] = peak_rss_mib()
    with tempfile.TemporaryDirectory(prefix="pdqindex-", dir=queries_file.parent) as folder:
        started = time.perf_counter()
        index.save(Path(folder))
        result["save_s"] = time.perf_counter() - started
        result["disk_mib"] = sum(path.stat().st_size for path in Path(folder).iterdir()) / 2**20
        del index, words
        reset_peak_rss()
        started = time.perf_counter()
        loaded = PdqIndex.load(Path(folder))
        loaded.query_batch(asked[:1])
        result["load_s"] = time.perf_counter() - started
        result["loaded"] = {**each_timed(asked, loaded.query_batch)[1], "peak_rss_mib": peak_rss_mib(),
                            **rss_split_mib()}
    return result


def run_faiss(size: int, seed: int, threads: int, queries_file: Path, results_file: Path) -> dict[str, Any]:
    import faiss

    if threads:
        faiss.omp_set_num_threads(threads)
    codes = hashes(size, seed).view(np.uint8)  # distances do not depend on the order of the bytes
    asked = np.load(queries_file).view(np.uint8)
    started = time.perf_counter()
    index = faiss.IndexBinaryFlat(256)
    index.add(codes)
    built = time.perf_counter() - started
    answers, timings = each_timed(asked, lambda query: index.range_search(query, RADIUS + 1))  # distance < 32
    found = [(ids, distance) for _, distance, ids in answers]
    np.savez(results_file, query=np.concatenate([np.full(len(ids), n, np.int64) for n, (ids, _) in enumerate(found)]),
             id=np.concatenate([ids for ids, _ in found]), distance=np.concatenate([d for _, d in found]))
    return {"build_s": built, **timings, "threads": faiss.omp_get_max_threads(),
            "peak_rss_mib": peak_rss_mib()}


def brute_force(size: int, seed: int, asked: np.ndarray) -> set[tuple[int, int, int]]:
    import faiss

    index = faiss.IndexBinaryFlat(256)
    index.add(hashes(size, seed).view(np.uint8))
    limits, distance, ids = index.range_search(asked.view(np.uint8), RADIUS + 1)
    query = np.repeat(np.arange(len(asked)), np.diff(limits).astype(np.int64))
    return set(zip(query.tolist(), ids.tolist(), distance.astype(np.int64).tolist(), strict=True))


def child(kind: str, size: int, seed: int, extra: int, workdir: Path, tag: str) -> tuple[dict[str, Any], set[Any]]:
    results_file = workdir / f"{tag}.npz"
    done = subprocess.run([sys.executable, __file__, "--child", kind, "--size", str(size), "--seed", str(seed),
                           "--extra", str(extra), "--workdir", str(workdir)],
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{tag} failed: {done.stderr}")
    found = np.load(results_file)
    return json.loads(done.stdout), set(zip(found["query"].tolist(), found["id"].tolist(),
                                            found["distance"].astype(np.int64).tolist(), strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000_000)
    parser.add_argument("--peer-size", type=int, default=1_000_000)
    parser.add_argument("--adds", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--child", choices=["pdqindex", "faiss"])
    parser.add_argument("--extra", type=int, default=0)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    if args.child:
        tag = f"{args.child}-{args.size}-{args.extra}"
        queries_file, results_file = args.workdir / f"queries-{args.size}.npy", args.workdir / f"{tag}.npz"
        run = run_pdqindex if args.child == "pdqindex" else run_faiss
        print(json.dumps(run(args.size, args.seed, args.extra, queries_file, results_file)))
        return

    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f} at start; numpy {np.__version__}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-match-") as folder:
        workdir = Path(folder)
        for size in sorted({args.size, args.peer_size}, reverse=True):
            asked = queries(hashes(size, args.seed), args.seed)
            np.save(workdir / f"queries-{size}.npy", asked)
            started = time.perf_counter()
            truth = brute_force(size, args.seed, asked)
            print(f"brute force over {size:,}: {len(truth)} results for {len(asked)} queries "
                  f"in {time.perf_counter() - started:.0f} s", flush=True)
            runs = [("archiver.pdqindex", "pdqindex", args.adds if size == args.size else 0)]
            if size == args.peer_size:
                runs += [("faiss IndexBinaryFlat, 1 thread", "faiss", 1),
                         ("faiss IndexBinaryFlat, default threads", "faiss", 0)]
            for name, kind, extra in runs:
                measured, found = child(kind, size, args.seed, extra, workdir, f"{kind}-{size}-{extra}")
                measured["recall"] = len(found & truth) / len(truth)
                measured["beyond_radius"] = sum(1 for _, _, distance in found if distance > RADIUS)
                measured["not_in_truth"] = len(found - truth)
                print(f"{name} over {size:,}: {json.dumps(measured)}", flush=True)
                rows.append((name, size, measured))
    report(rows)
    print(f"load {os.getloadavg()[0]:.1f} at end")


def report(rows: list[tuple[str, int, dict[str, Any]]]) -> None:
    print("\n| index | hashes | build s | p50 ms | p99 ms | CPU p50 ms | CPU p99 ms | recall | beyond 31 "
          "| peak RSS MiB | adds/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, size, m in rows:
        adds = f"{m['adds_per_s']:,.0f} ({m['adds_per_cpu_s']:,.0f} a CPU-s)" if "adds_per_s" in m else "-"
        print(f"| {name} | {size:,} | {m['build_s']:.1f} | {m['p50_ms']:.2f} | {m['p99_ms']:.2f} | "
              f"{m['cpu_p50_ms']:.2f} | {m['cpu_p99_ms']:.2f} | {m['recall']:.2%} | {m['beyond_radius']} | "
              f"{m['peak_rss_mib']:.0f} | {adds} |")


if __name__ == "__main__":
    main()
