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
is sent to it, which also keeps a refused SSRF target out of reach). A navigation the page
starts while still loading (a script redirect) is stopped the same way, and said so.

How: a DevTools session of the page pauses document requests only (``Fetch.enable`` with
``resourceType: Document``), so subresources never wait for this process (measured: no
difference on a page of 31 subresources). Redirects pause again under their own request and
are let through: they end the navigation they belong to, so HTTP redirects are followed as
before. Same-document changes (``history.pushState``, fragments) are no navigation and go on.
Without DevTools (another browser) Playwright's routing does the same, at one round trip to
this process per request.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import CDPSession, Page, Route
from playwright.async_api import Error as PlaywrightError

from archiver.capture import Capture
from archiver.clock import utc_time

STOPPED = "stopped: not followed, never fetched"


class NavigationWatch:
    """Stops and records main-frame navigations after the first, for one capture's page."""

    def __init__(self, page: Page, capture: Capture) -> None:
        self.page = page
        self.capture = capture
        self.first_seen = False
        self.loaded = False
        self.main_frame_id: str | None = None
        self.session: CDPSession | None = None
        self.pending: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Call before ``page.goto``: its navigation is the first one, and it is let through."""
        self.page.on("load", self._on_load)
        try:
            self.session = await self.page.context.new_cdp_session(self.page)
            tree = await self.session.send("Page.getFrameTree")
            self.main_frame_id = tree["frameTree"]["frame"]["id"]
            self.session.on("Fetch.requestPaused", self._on_paused)
            await self.session.send("Fetch.enable", {"patterns": [
                {"urlPattern": "*", "resourceType": "Document", "requestStage": "Request"}]})
        except PlaywrightError:
            self.session = None  # not Chromium: Playwright's routing works everywhere
            await self.page.route("**/*", self._on_route)

    def _on_load(self, _page: Page) -> None:
        self.loaded = True

    def _is_next(self, main_navigation: bool) -> bool:
        """True for a main-frame navigation after the first: the one to stop."""
        if not main_navigation:
            return False
        if not self.first_seen:
            self.first_seen = True
            return False
        return True

    async def _on_paused(self, event: dict[str, Any]) -> None:
        # Only document requests pause here (see Fetch.enable), so subresources cost nothing.
        # A redirect pauses again under its own request: it belongs to the navigation it ends.
        assert self.session is not None
        request_id = event["requestId"]
        main_navigation = event.get("frameId") == self.main_frame_id and not event.get("redirectedRequestId")
        with contextlib.suppress(PlaywrightError):  # the page may close while a request waits
            if not self._is_next(main_navigation):
                await self.session.send("Fetch.continueRequest", {"requestId": request_id})
                return
            self._stopped(event["request"]["url"])
            # Aborted: the current document stays, and no error page replaces it.
            await self.session.send("Fetch.failRequest", {"requestId": request_id, "errorReason": "Aborted"})

    async def _on_route(self, route: Route) -> None:
        request = route.request
        with contextlib.suppress(PlaywrightError):
            if not self._is_next(request.is_navigation_request() and request.frame.parent_frame is None):
                await route.fallback()
                return
            self._stopped(request.url)
            await route.abort("aborted")

    def _stopped(self, url: str) -> None:
        entry: dict[str, Any] = {"url": url, "time": utc_time(), "after_load": self.loaded,
                                 "outcome": STOPPED, "guard": None}
        self.capture.traffic.navigations.append(entry)
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
        decision = await self.capture.traffic.guard.decide(parts.hostname, port)
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
