"""Capturing URLs: one browser and one recording proxy per process, a fresh context per URL."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy
from playwright.async_api import Browser, Playwright, async_playwright

from archiver.batch import ONE_TRY, BatchPolicy, BatchWatcher, HostPacer, capture_with_retries
from archiver.browser import desktop_user_agent, find_browser, launch
from archiver.capture_types import CaptureRequest, CaptureResult, Environment
from archiver.contexts import ContextPool
from archiver.keys import Signer
from archiver.netguard import AddressGuard
from archiver.platforms import Platforms
from archiver.secrets import LoginMaterial, load_login_material
from archiver.settings import CaptureSettings, SettingsError
from archiver.storage.base import Store

if TYPE_CHECKING:
    from archiver.proxy import RecordingProxy

__all__ = ["CaptureEngine", "CaptureRequest", "CaptureResult", "capture_all"]


class CaptureEngine:
    """A running browser and recording proxy that captures URLs, each in a fresh context.

    Upstream TLS policy (``insecure``, ``ca_bundle``) belongs to the proxy and so to
    the engine; every other setting may change from one capture to the next.
    """

    def __init__(self, pm: pluggy.PluginManager, store: Store | None, settings: CaptureSettings,
                 browser_path: Path | None = None, signer: Signer | None = None) -> None:
        self.signer = signer
        self.pm = pm
        self.platforms = Platforms.from_plugins(pm)
        self.store = store
        self.settings = settings
        self.browser_path = browser_path
        self._confdir = Path(tempfile.mkdtemp(prefix="archiver-proxy-"))
        self._proxy: RecordingProxy | None = None
        self._playwright_cm: Any = None
        self._playwright: Playwright | None = None
        self.browser: Browser | None = None
        self.browser_info: dict[str, Any] = {}
        self._contexts: ContextPool | None = None

    @property
    def proxy(self) -> RecordingProxy:
        assert self._proxy is not None, "engine not started"
        return self._proxy

    async def start(self) -> CaptureEngine:
        # Playwright's driver and Chromium start in their own processes; meanwhile a thread
        # imports the recording proxy (mitmproxy: about half a second) and makes its CA, so a
        # one-URL run does not pay for them in turn. Image hashing warms up later, during the
        # first page load (see capture_run), when this process has nothing else to do.
        preparing = asyncio.create_task(asyncio.to_thread(prepare_proxy, self._confdir))
        try:
            self._playwright_cm = async_playwright()
            self._playwright = await self._playwright_cm.__aenter__()
            executable = find_browser(self._playwright, self.browser_path)
            launching = asyncio.create_task(launch(self._playwright, executable))
            try:
                await preparing
                from archiver.proxy import RecordingProxy

                self._proxy = RecordingProxy(self.settings, self._confdir)
                await self._proxy.start()
            finally:
                self.browser = await launching
        except BaseException:
            if not preparing.done():
                await asyncio.gather(preparing, return_exceptions=True)
            await self.close()
            raise
        self._contexts = ContextPool(self.browser)
        self.browser_info = {"name": "chromium", "version": self.browser.version,
                             "executable": str(executable)}
        return self

    async def close(self) -> None:
        if self._contexts is not None:
            await self._contexts.close()
            self._contexts = None
        if self.browser is not None:
            await self.browser.close()
            self.browser = None
        if self._playwright_cm is not None:
            await self._playwright_cm.__aexit__(None, None, None)
            self._playwright_cm = None
        if self._proxy is not None:
            await self._proxy.stop()
        shutil.rmtree(self._confdir, ignore_errors=True)

    async def __aenter__(self) -> CaptureEngine:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def environment(self, settings: CaptureSettings | None = None, store: Store | None = None,
                    logins: dict[str, LoginMaterial] | None = None) -> Environment:
        """``logins``: login material already loaded (a cluster worker gets it from the client,
        not from files of its own); otherwise read from the settings' files."""
        settings = settings or self.settings
        if (settings.insecure, settings.ca_bundle) != (self.settings.insecure, self.settings.ca_bundle):
            raise SettingsError("--insecure/--ca-bundle are fixed for a capture engine")
        assert self.browser is not None and self._contexts is not None, "engine not started"
        store = store or self.store
        assert store is not None, "no store for this capture"
        return Environment(
            pm=self.pm, platforms=self.platforms, store=store, settings=settings,
            logins=load_logins(settings) if logins is None else logins,
            guard=AddressGuard(settings.resolve, allow_private=settings.allow_private_networks),
            proxy=self.proxy, browser=self.browser, browser_info=self.browser_info,
            user_agent=settings.user_agent or desktop_user_agent(self.browser.version),
            contexts=self._contexts,
            signer=self.signer,
        )

    async def capture(self, request: CaptureRequest, settings: CaptureSettings | None = None,
                      store: Store | None = None, logins: dict[str, LoginMaterial] | None = None
                      ) -> CaptureResult:
        from archiver.capture_run import capture_one

        return await capture_one(request, self.environment(settings, store, logins))

    async def capture_many(self, requests: Sequence[CaptureRequest], workers: int = 1,
                           watcher: BatchWatcher | None = None, policy: BatchPolicy = ONE_TRY
                           ) -> list[CaptureResult]:
        # At most ``workers`` contexts at once; a capture leaves its slot when the browser is done
        # with it, before hashing and sealing its bundle. ``sealing`` bounds the captures past it.
        browser_slots = asyncio.Semaphore(max(1, workers))
        sealing = asyncio.Semaphore(max(1, workers))
        pacer = HostPacer(policy.delay)
        env = self.environment()
        env.contexts.expect(len(requests))

        async def run(request: CaptureRequest) -> CaptureResult:
            from archiver.capture_run import capture_one

            def attempt(slot: AbstractAsyncContextManager[object], on_start: Callable[[str, Path], None]
                        ) -> Awaitable[CaptureResult]:
                return capture_one(request, replace(env), slot, sealing, on_start)

            return await capture_with_retries(request, attempt, browser_slots, pacer, policy, watcher)

        return list(await asyncio.gather(*(run(r) for r in requests)))


async def capture_all(requests: Sequence[CaptureRequest], *, pm: pluggy.PluginManager, store: Store,
                      settings: CaptureSettings, browser_path: Path | None = None, workers: int = 1,
                      watcher: BatchWatcher | None = None, policy: BatchPolicy = ONE_TRY,
                      signer: Signer | None = None) -> list[CaptureResult]:
    async with CaptureEngine(pm, store, settings, browser_path, signer) as engine:
        return await engine.capture_many(requests, workers, watcher, policy)


def load_logins(settings: CaptureSettings) -> dict[str, LoginMaterial]:
    logins = {"*": load_login_material(settings.cookies_file, settings.storage_state_file)}
    for platform, kind, path in settings.platform_logins:
        cookies, state = (path, None) if kind == "cookies" else (None, path)
        material = load_login_material(cookies, state)
        if platform in logins:
            logins[platform].cookies += material.cookies
            logins[platform].storage_state = material.storage_state or logins[platform].storage_state
        else:
            logins[platform] = material
    return logins


def prepare_proxy(confdir: Path) -> None:
    """Import what the first capture needs but the browser launch does not; make the proxy's CA."""
    import archiver.capture_run  # noqa: F401
    from archiver.proxy import create_certificate_authority

    create_certificate_authority(confdir)
