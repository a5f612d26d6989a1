"""Fresh browser contexts for captures, made one capture ahead when more captures are queued.

Every capture gets a context no other capture used. Making a context and its first page
costs about 0.4 s (a new renderer process); in a batch the next one is made while the
current page loads, so that time leaves each capture's critical path. A context made
ahead has loaded nothing: it has only ``about:blank``, and its proxy token is unknown to
the recording proxy (which refuses it) until its capture opens a session for it.

Only contexts without a login are made ahead: a storage state belongs to one platform.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from dataclasses import dataclass
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page
from playwright.async_api import Error as PlaywrightError


@dataclass(frozen=True)
class ContextSpec:
    """Everything a context is made with, except its proxy token and login."""

    proxy_port: int
    viewport_width: int
    viewport_height: int
    user_agent: str
    locale: str
    timezone: str


@dataclass
class FreshContext:
    context: BrowserContext
    page: Page
    token: str  # the proxy user name that ties this context's traffic to its capture


def new_token() -> str:
    return secrets.token_hex(16)


class ContextPool:
    def __init__(self, browser: Browser) -> None:
        self._browser = browser
        self._ahead: list[tuple[ContextSpec, asyncio.Task[FreshContext]]] = []
        self._queued = 0  # captures announced but not yet started

    def expect(self, captures: int) -> None:
        """Announce captures to come; contexts are made ahead only for announced ones."""
        self._queued += captures

    async def take(self, spec: ContextSpec, storage_state: dict[str, Any] | None) -> FreshContext:
        """A context for a capture starting now: the one made ahead for it, or a new one."""
        self._queued = max(0, self._queued - 1)
        fresh = None
        if storage_state is None:
            fresh = await self._take_ahead(spec)
        if fresh is None:
            fresh = await self._make(spec, storage_state)
        if self._queued > len(self._ahead) and storage_state is None:
            self._ahead.append((spec, asyncio.create_task(self._make(spec, None))))
        return fresh

    async def _take_ahead(self, spec: ContextSpec) -> FreshContext | None:
        for index, (made_for, task) in enumerate(self._ahead):
            if made_for != spec:
                continue
            del self._ahead[index]
            try:
                fresh = await task
            except PlaywrightError:
                return None
            if fresh.page.is_closed():
                await close_quietly(fresh.context)
                return None
            return fresh
        return None

    async def _make(self, spec: ContextSpec, storage_state: dict[str, Any] | None) -> FreshContext:
        token = new_token()
        context = await self._browser.new_context(
            proxy={"server": f"http://127.0.0.1:{spec.proxy_port}", "username": token,
                   "password": "x", "bypass": "<-loopback>"},
            viewport={"width": spec.viewport_width, "height": spec.viewport_height},
            user_agent=spec.user_agent,
            locale=spec.locale,
            timezone_id=spec.timezone,
            # The proxy checks upstream certificates (unless --insecure); the browser sees the proxy's own.
            ignore_https_errors=True,
            service_workers="block",
            storage_state=storage_state,  # type: ignore[arg-type]
        )
        try:
            page = await context.new_page()
        except BaseException:
            await close_quietly(context)
            raise
        return FreshContext(context=context, page=page, token=token)

    async def close(self) -> None:
        """Close the contexts made ahead that no capture took."""
        ahead, self._ahead = self._ahead, []
        for _spec, task in ahead:
            with contextlib.suppress(PlaywrightError, asyncio.CancelledError):
                await close_quietly((await task).context)


async def close_quietly(context: BrowserContext) -> None:
    with contextlib.suppress(PlaywrightError):
        await context.close()
