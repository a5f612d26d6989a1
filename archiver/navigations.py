"""Navigations a page starts away from the requested document: stopped, recorded, and named in the status.

A page can replace itself once loaded: ``<meta http-equiv=refresh content="0;url=...">`` or a
script's ``location = ...``. Left alone, the screenshot and DOM would show whatever came next
(or the recording proxy's refusal text when the SSRF guard refused the target) under a
``complete`` status.

Why the navigation is stopped rather than the first document shot before it goes: a zero-delay
refresh or an ``onload`` handler starts the next navigation within milliseconds of "load",
before a screenshot could be taken, so that would be a race the page usually wins. Stopping
every main-frame navigation after the one ``page.goto`` started is deterministic: the
requested document stays on screen and in the DOM, and the target is never fetched (nothing
is sent to it, which also keeps a refused SSRF target out of reach). HTTP redirects are part
of the first navigation (Playwright routes only a redirect chain's first request), so they are
followed as before; same-document changes (``history.pushState``, fragments) are no navigation
and go on as before.

Routing every request costs one round trip to this process per request (about a millisecond,
overlapping for parallel requests); Playwright offers no narrower hook that can stop a
navigation before it commits.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Route

from archiver.capture import Capture

STOPPED = "stopped: not followed, never fetched"


class NavigationWatch:
    """Stops and records main-frame navigations after the first, for one capture's page."""

    def __init__(self, page: Page, capture: Capture) -> None:
        self.page = page
        self.capture = capture
        self.first_seen = False
        self.loaded = False
        self.pending: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Call before ``page.goto``: its navigation is the first one, and it is let through."""
        self.page.on("load", self._on_load)
        await self.page.route("**/*", self._on_route)

    def _on_load(self, _page: Page) -> None:
        self.loaded = True

    async def _on_route(self, route: Route) -> None:
        request = route.request
        with contextlib.suppress(PlaywrightError):  # the page may close while a request waits
            main_navigation = request.is_navigation_request() and request.frame.parent_frame is None
            if not main_navigation or not self.first_seen:
                self.first_seen = self.first_seen or main_navigation
                await route.fallback()
                return
            entry: dict[str, Any] = {"url": request.url, "time": utc_now(),
                                     "after_load": self.loaded, "outcome": STOPPED, "guard": None}
            self.capture.traffic.navigations.append(entry)
            await route.abort("aborted")  # ERR_ABORTED: the current document stays, no error page
            self.pending.append(asyncio.create_task(self._guard_verdict(entry)))

    async def _guard_verdict(self, entry: dict[str, Any]) -> None:
        """What the SSRF guard says of the target, so the reason can say it was refused too."""
        parts = urlsplit(entry["url"])
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return
        # The guard may ask DNS, which blocks: not on the event loop.
        decision = await asyncio.to_thread(self.capture.traffic.guard.decide, parts.hostname, port)
        if decision.blocked:
            entry["guard"] = decision.reason

    async def finish(self) -> None:
        """After the page is closed: name the stopped navigations in the capture's reasons."""
        await asyncio.gather(*self.pending, return_exceptions=True)
        stopped = self.capture.traffic.navigations
        if not stopped:
            return
        targets = list(dict.fromkeys(entry["url"] for entry in stopped))
        refused = list(dict.fromkeys(entry["url"] for entry in stopped if entry["guard"]))
        when = "after loading" if all(entry["after_load"] for entry in stopped) else "while loading"
        guard = ""
        if refused:
            guard = "; the SSRF guard would also refuse " + (
                "it" if refused == targets else ", ".join(refused))
        self.capture.limits_hit.append(
            f"the page started a navigation to {', '.join(targets)} {when} (stopped, not followed{guard}); "
            "the screenshot and DOM are of the first document")


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
