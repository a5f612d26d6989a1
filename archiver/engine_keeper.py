"""One capture engine (browser + recording proxy) kept alive across the tasks of a worker process.

The engine runs on an event loop of its own thread: Dask runs tasks in worker threads, and the
worker's own event loop must stay free for heartbeats while a page loads or a bundle is hashed.
Tasks hand their capture to that loop and wait. The engine is started when a capture first needs
it and retired (closed once its captures in flight are done, a new one started for the next)
after ``recycle_after`` captures, after a capture that raised (a crashed browser), or when a
capture asks for what an engine fixes at start: the upstream TLS policy, the signing key, the
plugins.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from archiver.keys import load_or_create
from archiver.pipeline import CaptureEngine
from archiver.plugin_manager import get_plugin_manager

if TYPE_CHECKING:
    from archiver.capture_types import CaptureRequest, CaptureResult
    from archiver.secrets import LoginMaterial
    from archiver.settings import CaptureSettings
    from archiver.storage.base import Store

log = logging.getLogger(__name__)
CLOSE_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class EngineSpec:
    """What an engine is started with and cannot change while it runs."""

    insecure: bool
    ca_bundle: Path | None
    key_name: str
    disabled_plugins: tuple[str, ...]


class EngineKeeper:
    def __init__(self, recycle_after: int, browser_path: Path | None = None) -> None:
        self.recycle_after = max(1, recycle_after)
        self.browser_path = browser_path
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="archiver-engine", daemon=True)
        self._thread.start()
        self._engine: CaptureEngine | None = None
        self._spec: EngineSpec | None = None
        self._busy = 0
        self._captured = 0
        self._retiring = False
        self.started_engines = 0  # how many engines this worker has started (for its log)
        self._changed: asyncio.Condition | None = None

    def capture(self, spec: EngineSpec, request: CaptureRequest, settings: CaptureSettings, store: Store,
                logins: dict[str, LoginMaterial]) -> CaptureResult:
        """Run one capture on the kept engine; called from a task's thread."""
        future: Future[CaptureResult] = asyncio.run_coroutine_threadsafe(
            self._capture(spec, request, settings, store, logins), self.loop)
        return future.result()

    def close(self) -> None:
        try:
            asyncio.run_coroutine_threadsafe(self._close_engine(), self.loop).result(CLOSE_TIMEOUT_S)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(CLOSE_TIMEOUT_S)

    async def _capture(self, spec: EngineSpec, request: CaptureRequest, settings: CaptureSettings,
                       store: Store, logins: dict[str, LoginMaterial]) -> CaptureResult:
        engine = await self._acquire(spec, settings)
        crashed = True
        try:
            result = await engine.capture(request, settings, store, logins)
            crashed = False
            return result
        finally:
            await self._release(crashed)

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:  # made on the engine's loop, where it is used
            self._changed = asyncio.Condition()
        return self._changed

    async def _acquire(self, spec: EngineSpec, settings: CaptureSettings) -> CaptureEngine:
        async with self._condition():
            while self._engine is not None and (self._retiring or self._spec != spec):
                self._retiring = True
                if self._busy:
                    await self._condition().wait()
                else:
                    await self._close_engine()
            if self._engine is None:
                self._engine = await self._start(spec, settings)
            self._busy += 1
            return self._engine

    async def _release(self, crashed: bool) -> None:
        async with self._condition():
            self._busy -= 1
            self._captured += 1
            if crashed or self._captured >= self.recycle_after:
                self._retiring = True
            if self._retiring and not self._busy:
                await self._close_engine()
            self._condition().notify_all()

    async def _start(self, spec: EngineSpec, settings: CaptureSettings) -> CaptureEngine:
        signer, created = load_or_create(spec.key_name)
        if created:
            log.warning("archiver: created signing key %r (%s) on this worker; back it up",
                        spec.key_name, signer.fingerprint)
        engine = CaptureEngine(get_plugin_manager(spec.disabled_plugins), None, settings,
                               self.browser_path, signer)
        await engine.start()
        self._spec, self._captured, self._retiring = spec, 0, False
        self.started_engines += 1
        log.info("archiver: capture engine %d started (%s)", self.started_engines,
                 engine.browser_info.get("version"))
        return engine

    async def _close_engine(self) -> None:
        engine, self._engine, self._spec = self._engine, None, None
        self._retiring = False
        if engine is not None:
            try:
                await engine.close()
            except Exception as exc:  # a crashed browser may not close cleanly; a new one starts anyway
                log.warning("archiver: closing the capture engine: %s", exc)
