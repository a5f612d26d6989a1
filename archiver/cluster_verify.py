"""``archiver verify --cluster``: the client lists the bundles, workers verify them in chunks.

A chunk is one task (at most ``--chunk-size`` bundles): per-task scheduling costs a few
milliseconds, so a task per bundle would cost about as much as verifying a small bundle. Reports
stream back chunk by chunk into the same output and ``--report`` as a local run.

Chunks shrink as the batch goes on (guided self-scheduling): the big first ones keep the
per-task cost small, the small last ones keep a worker thread from idling while another
finishes a big one, which cost equal chunks about half a chunk per thread at the end.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archiver.batchverify import ERROR, Tally, verify_one
from archiver.cluster import ClusterOptions, connect, scheduler_watch, store_for_workers
from archiver.problem import Problem
from archiver.verify import BundleReport

if TYPE_CHECKING:
    from archiver.storage.base import BundleReader

DEFAULT_CHUNK = 1000
# Each chunk takes this share of what is left, per worker thread: 1/2 is "factoring", which
# stays ahead of uneven bundles and uneven threads.
GUIDED_SHARE = 2
# The smallest chunk: a few ms of scheduling against about 10 ms a bundle.
MIN_CHUNK = 8
RESUME_HINT = "run the same command again; with --report FILE, --resume skips what it already holds"


@dataclass(frozen=True)
class VerifyChunk:
    store: str
    bundle_ids: tuple[str, ...]
    store_options: dict[str, Any] = field(default_factory=dict)
    disabled_plugins: tuple[str, ...] = ()
    deep: bool = False
    tsa_ca: bytes = b""  # the --tsa-ca file's bytes: the file is on the client
    ledger_file: Path | None = None


def verify_chunk(chunk: VerifyChunk) -> list[tuple[BundleReport, float]]:
    """The task: every bundle of the chunk, one after another (chunks run side by side)."""
    from archiver.commands.common import open_store
    from archiver.worker import plugin_manager

    store = open_store(plugin_manager(chunk.disabled_plugins), chunk.store, chunk.store_options)
    roots: list[Any] = []
    if chunk.tsa_ca:
        from archiver.tstoken import load_certificates

        roots = list(load_certificates(chunk.tsa_ca))
    reports = []
    for bundle_id in chunk.bundle_ids:
        try:
            reader = store.reader(bundle_id)
        except Exception as exc:  # a bundle removed since the listing: reported, the chunk goes on
            reports.append((error_report(chunk.store, bundle_id, exc), 0.0))
            continue
        reports.append(verify_one(reader, tsa_ca=roots, deep=chunk.deep, ledger_file=chunk.ledger_file))
    return reports


def error_report(store: str, bundle_id: str, exc: BaseException) -> BundleReport:
    return BundleReport(bundle_id, f"{store}/{bundle_id}", result=ERROR,
                        problems=[Problem("store", "", f"{type(exc).__name__}: {exc}", ERROR)])


def verify_on_cluster(cluster: ClusterOptions, bundles: Sequence[BundleReader], *,
                      on_report: Callable[[BundleReport, float], None], chunk_size: int = DEFAULT_CHUNK,
                      store_options: dict[str, Any] | None = None, disabled_plugins: tuple[str, ...] = (),
                      deep: bool = False, tsa_ca: bytes = b"", ledger_file: Path | None = None
                      ) -> dict[str, Any]:
    """Verify ``bundles`` on the cluster's workers; ``on_report`` sees each report here, as the
    chunks finish; return the summary, as ``batchverify.verify_many`` does."""
    readers = {(store_of(b), b.bundle_id): b for b in bundles}
    by_store: dict[str, list[str]] = {}
    for store, bundle_id in readers:
        by_store.setdefault(store, []).append(bundle_id)
    stores = {store: store_for_workers(store, cluster) for store in by_store}
    client = connect(cluster.address)
    tally = Tally()
    try:
        threads = sum(client.nthreads().values())
        batch = uuid.uuid4().hex
        chunks = [VerifyChunk(stores[store], tuple(part), dict(store_options or {}), disabled_plugins, deep,
                              tsa_ca, ledger_file)
                  for store, ids in by_store.items() for part in guided_chunks(ids, threads, chunk_size)]
        stores_back = {worker_side: store for store, worker_side in stores.items()}
        from distributed import as_completed

        with scheduler_watch(cluster.address, RESUME_HINT):
            futures = {client.submit(verify_chunk, chunk, key=f"archiver-verify-{batch}-{index}",
                                     pure=False): chunk for index, chunk in enumerate(chunks)}
            for future in as_completed(futures, loop=client.loop):
                chunk = futures[future]
                for report, seconds in reports_of(future, chunk):
                    # Named as this machine names it, as a local run would (and --record finds it).
                    reader = readers.get((stores_back[chunk.store], report.bundle_id))
                    if reader is not None:
                        report.location = reader.location
                    tally.add(report)
                    on_report(report, seconds)
    finally:
        client.close()
    return tally.summary()


def reports_of(future: Any, chunk: VerifyChunk) -> list[tuple[BundleReport, float]]:
    """The chunk's reports; a chunk whose task failed reports each of its bundles as ERROR
    (not a verdict: --resume verifies them again)."""
    try:
        reports: list[tuple[BundleReport, float]] = future.result()
        return reports
    except CancelledError:
        raise  # the scheduler is gone: scheduler_watch says so
    except Exception as exc:
        return [(error_report(chunk.store, bundle_id, exc), 0.0) for bundle_id in chunk.bundle_ids]


def store_of(reader: BundleReader) -> str:
    """The store a bundle was listed from: its location less the bundle folder."""
    location = reader.location.rstrip("/")
    suffix = "/" + reader.bundle_id
    return location[: -len(suffix)] if location.endswith(suffix) else str(Path(location).parent)


def guided_chunks(items: Sequence[str], threads: int, most: int) -> Iterator[Sequence[str]]:
    """``items`` in chunks of at most ``most``, each a share of what is left, down to MIN_CHUNK
    (or ``most`` when smaller); submitted in this order, so the small ones run last."""
    start = 0
    while start < len(items):
        share = math.ceil((len(items) - start) / (max(1, threads) * GUIDED_SHARE))
        size = min(most, max(MIN_CHUNK, share))
        yield items[start:start + size]
        start += size
