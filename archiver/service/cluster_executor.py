"""The service's captures on the Dask cluster of ``archiver serve --cluster``: each job is one task
of ``archiver.capture_jobs``, the code ``archiver capture --cluster`` runs, with the service's job
id as the task's job id. A rerun of the task (its worker died), or of the job (this server was
killed and the job taken over while the scheduler kept the attempt count), returns the bundle an
earlier attempt sealed instead of capturing again.

Matching and indexing run here, after the task, as ``archiver capture --cluster`` does them on
its client: the index is one set of files of the store, written by one writer at a time.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from archiver.capture_jobs import CaptureJob, Logins, run_capture_job
from archiver.capture_types import ClusterJob
from archiver.cluster import ClusterOptions, check_secrets_transport, connect, store_for_workers
from archiver.pipeline import load_logins
from archiver.service.executor import CaptureCall, Captured, matches_of
from archiver.worker import CAPTURE_RESOURCE

if TYPE_CHECKING:
    from distributed import Client, Future

    from archiver.capture_types import CaptureResult
    from archiver.keys import Signer
    from archiver.storage.base import Store


class ClusterExecutor:
    def __init__(self, cluster: ClusterOptions, *, store: Store, location: str, store_options: dict[str, Any],
                 key_name: str, disabled_plugins: tuple[str, ...], signer: Signer) -> None:
        self.cluster = cluster
        self.store = store
        self.location = store_for_workers(location, cluster)  # refused here when workers cannot reach it
        self.store_options = store_options
        self.key_name = key_name
        self.disabled_plugins = disabled_plugins
        self.signer = signer
        self._client: Client | None = None

    async def start(self) -> None:
        self._client = await asyncio.to_thread(connect, self.cluster.address)

    async def stop(self) -> None:
        if self._client is not None:
            await asyncio.to_thread(self._client.close)
            self._client = None

    async def capture(self, call: CaptureCall) -> Captured:
        assert self._client is not None, "the executor has not started"
        # Read here, as the CLI's client does: the workers have no files of this machine.
        logins = Logins(load_logins(call.settings) if call.logins is None else call.logins)
        check_secrets_transport(self.cluster.address, logins.any(), self.cluster.allow_plaintext)
        job = CaptureJob(
            request=replace(call.request, job=ClusterJob(call.job_id, self.cluster.address,
                                                         self.cluster.allow_plaintext)),
            settings=call.settings, store=self.location, store_options=dict(self.store_options),
            key_name=self.key_name, disabled_plugins=self.disabled_plugins,
            batch_started_ms=int(call.submitted_at * 1000), logins=logins)
        # The key names the job only: the dashboard and Dask's logs never show a URL.
        future = self._client.submit(run_capture_job, job, key=f"archiver-capture-{call.job_id}",
                                     resources={CAPTURE_RESOURCE: 1}, pure=False)
        result = await settled(future)
        matches = await asyncio.to_thread(matches_of, self.store, result, self.signer, call.request.operator)
        return Captured(result, matches)


async def settled(future: Future[CaptureResult]) -> CaptureResult:
    """The task's result, awaited on this loop (Dask's client runs on a loop of its own)."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[CaptureResult] = loop.create_future()

    def hand_over(finished: Future[CaptureResult]) -> None:
        try:
            value: CaptureResult = finished.result()
        except BaseException as exc:  # the task's error, or its cancellation (the scheduler went)
            loop.call_soon_threadsafe(fail, exc)
        else:
            loop.call_soon_threadsafe(succeed, value)

    def fail(exc: BaseException) -> None:
        if not done.done():
            done.set_exception(exc)

    def succeed(value: CaptureResult) -> None:
        if not done.done():
            done.set_result(value)

    future.add_done_callback(hand_over)
    return await done
