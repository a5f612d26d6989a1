"""``archiver capture --cluster``: one task per URL, results as they come, in the order asked."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from archiver.capture_jobs import CaptureJob, Logins, run_capture_job
from archiver.capture_types import CaptureRequest, CaptureResult, ClusterJob
from archiver.cluster import (
    ClusterOptions,
    check_capture_batch,
    connect,
    scheduler_watch,
    store_for_workers,
)
from archiver.models import Status
from archiver.pipeline import load_logins
from archiver.settings import CaptureSettings

RESUME_HINT = ("the bundles already stored are kept (archiver ls shows them); "
               "capture again with --skip-captured to capture only the URLs without a complete one")


def capture_on_cluster(cluster: ClusterOptions, requests: Sequence[CaptureRequest], *,
                       settings: CaptureSettings, store: str, store_options: dict[str, Any], key_name: str,
                       disabled_plugins: tuple[str, ...], on_done: Callable[[CaptureResult], None],
                       resume_hint: str = RESUME_HINT) -> list[CaptureResult]:
    """Capture ``requests`` on the cluster's workers; ``on_done`` sees each result here as it
    comes; a lost scheduler stops the batch with ``resume_hint``."""
    logins = Logins(load_logins(settings))  # read here: the files are on this machine, not the workers'
    check_capture_batch(cluster, store, logins.any())
    jobs = make_jobs(cluster, requests, settings=settings, store=store_for_workers(store, cluster),
                     store_options=store_options, key_name=key_name, disabled_plugins=disabled_plugins,
                     logins=logins)
    from distributed import as_completed

    client = connect(cluster.address)
    results: list[CaptureResult | None] = [None] * len(jobs)
    try:
        with scheduler_watch(cluster.address, resume_hint):
            # Opaque keys: the dashboard and the logs show the batch and index, never the URL.
            futures = {client.submit(run_capture_job, job, key=f"archiver-capture-{job.job_id}",
                                     resources={"capture": 1}, pure=False): index
                       for index, job in enumerate(jobs)}
            for future in as_completed(futures, loop=client.loop):
                index = futures[future]
                result = outcome(future, jobs[index])
                results[index] = result
                on_done(result)
    finally:
        client.close()
    return [result for result in results if result is not None]


def make_jobs(cluster: ClusterOptions, requests: Sequence[CaptureRequest], *, settings: CaptureSettings,
              store: str, store_options: dict[str, Any], key_name: str, disabled_plugins: tuple[str, ...],
              logins: Logins) -> list[CaptureJob]:
    batch = uuid.uuid4().hex
    started_ms = int(time.time() * 1000)
    return [
        CaptureJob(
            request=replace(request, job=ClusterJob(f"{batch}-{index}", cluster.address,
                                                    cluster.allow_plaintext)),
            settings=settings, store=store, store_options=dict(store_options), key_name=key_name,
            disabled_plugins=disabled_plugins, batch_started_ms=started_ms, logins=logins)
        for index, request in enumerate(requests)
    ]


def outcome(future: Any, job: CaptureJob) -> CaptureResult:
    """The task's result; a task that raised (or whose workers kept dying) is a failed capture."""
    from concurrent.futures import CancelledError

    try:
        result: CaptureResult = future.result()
        return result
    except CancelledError:
        raise  # the scheduler is gone: scheduler_watch says so
    except Exception as exc:
        reason = f"the capture task failed on the cluster: {type(exc).__name__}: {exc}"
        return CaptureResult(url=job.request.url, bundle_id=None, status=Status.FAILED, reason=reason[:500])
