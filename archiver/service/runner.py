"""The service's workers: they claim jobs from the database, hand captures to the executor (a
child process of this machine, or the Dask cluster of ``--cluster``), and record how each ended."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pluggy

from archiver.capture_types import CaptureRequest
from archiver.keys import Signer
from archiver.problem import OK
from archiver.service.bundle_index import RESCAN_SECONDS, BundleIndex
from archiver.service.capture_options import CaptureOptions
from archiver.service.executor import CaptureCall, CaptureExecutor
from archiver.service.job_logins import open_job_logins
from archiver.service.jobs import CAPTURE, COMPLETED, FAILED, JobQueue
from archiver.service.tables import Job
from archiver.settings import CaptureSettings
from archiver.storage.base import Store, StoreError
from archiver.verify import verify_bundle

log = logging.getLogger("archiver.service")
IDLE_POLL = 1.0  # seconds between looks at the queue when nothing woke a worker (other instances)


@dataclass
class RunnerConfig:
    pm: pluggy.PluginManager
    store: Store
    settings: CaptureSettings  # the server's: network safety, TSA, defaults
    signer: Signer
    browser_path: Path | None = None
    workers: int = 2
    lease: float = 30.0


class JobRunner:
    def __init__(self, config: RunnerConfig, queue: JobQueue, index: BundleIndex,
                 executor: CaptureExecutor) -> None:
        self.config = config
        self.queue = queue
        self.index = index
        self.executor = executor
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        await asyncio.to_thread(self._take_over)
        await self.executor.start()
        self._tasks = [asyncio.create_task(self._work()) for _ in range(self.config.workers)]
        self._tasks += [asyncio.create_task(self._watch()), asyncio.create_task(self._rescan())]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.executor.stop()

    def wake(self) -> None:
        """Called from request threads when jobs were submitted."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def _take_over(self) -> None:
        taken = self.queue.take_over(self.config.lease, self._sealed_bundle)
        if taken:
            log.info("took over %d interrupted jobs", len(taken))

    def _sealed_bundle(self, job: Job) -> tuple[str, str] | None:
        since = job.started_at or job.created_at
        row = self.index.find_capture(job.url or "", job.case_id, job.operator, since)
        return (row.bundle_id, row.status or "") if row else None

    async def _rescan(self) -> None:
        """Bundles written to the store by others (the CLI, another instance) are listed within
        RESCAN_SECONDS: looked for here, not by a listing request, which would wait for it."""
        while True:
            await asyncio.sleep(RESCAN_SECONDS)
            try:
                await asyncio.to_thread(self.index.rescan, force=True)
            except (StoreError, OSError) as exc:
                log.warning("could not look for new bundles in the store: %s", exc)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.config.lease / 3)
            await asyncio.to_thread(self._take_over)
            self._wake.set()

    async def _work(self) -> None:
        while True:
            job = await asyncio.to_thread(self.queue.claim)
            if job is None:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), IDLE_POLL)
                continue
            beating = asyncio.create_task(self._beat(job.id))
            try:
                await self._run(job)
            except Exception as exc:  # a job's failure must not stop its worker
                log.exception("job %s failed", job.id)
                why = f"{type(exc).__name__}: {exc}"
                await asyncio.to_thread(self.queue.finish, job.id, FAILED, reason=why)
            finally:
                beating.cancel()

    async def _beat(self, job_id: str) -> None:
        while True:
            await asyncio.sleep(self.config.lease / 3)
            await asyncio.to_thread(self.queue.progress, job_id)

    async def _run(self, job: Job) -> None:
        if job.kind == CAPTURE:
            await self._capture(job)
        else:
            result = await asyncio.to_thread(self._verify, job)
            await asyncio.to_thread(self.queue.finish, job.id, COMPLETED, result=result)

    async def _capture(self, job: Job) -> None:
        settings = CaptureOptions(**json.loads(job.request)).apply(self.config.settings)
        logins = await asyncio.to_thread(open_job_logins, self.queue, self.config.signer, job.id)
        await asyncio.to_thread(self.queue.progress, job.id, "capturing")
        call = CaptureCall(job.id, CaptureRequest(job.url or "", job.case_id, job.operator), settings,
                           submitted_at=job.created_at, logins=logins)
        captured = await self.executor.capture(call)
        result = captured.result
        if result.bundle_id is None:
            await asyncio.to_thread(self.queue.finish, job.id, FAILED, capture_status=result.status,
                                    reason=result.reason)
            return
        await asyncio.to_thread(self.index.add, result.bundle_id)
        await asyncio.to_thread(self.queue.finish, job.id, COMPLETED, bundle_id=result.bundle_id,
                                capture_status=result.status, reason=result.reason, result=captured.matches)

    def _verify(self, job: Job) -> dict[str, Any]:
        request = json.loads(job.request)
        bundle_ids: list[str] = request["bundles"]
        reports = []
        for done, bundle_id in enumerate(bundle_ids):
            self.queue.progress(job.id, f"verifying {done + 1}/{len(bundle_ids)}")
            reader = self.config.store.reader(bundle_id)
            report = verify_bundle(reader)
            entry = report.to_dict()
            if request.get("record"):
                try:
                    entry["custody_event"] = reader.append_event(
                        event="verified", actor=job.operator, signer=self.config.signer,
                        details={"result": report.result, "problems": len(report.problems), "job": job.id})
                except StoreError as exc:
                    entry["custody_event_error"] = str(exc)
            self.index.record_verification(bundle_id, report.result)
            reports.append(entry)
        ok = sum(report["result"] == OK for report in reports)
        return {"bundles": reports,
                "summary": {"bundles": len(reports), "ok": ok, "not_ok": len(reports) - ok}}
