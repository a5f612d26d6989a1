"""What a platform sees of a capture in progress: the page, the claim, a time budget, a notebook.

Everything else about the capture (its WARC, its proxy traffic, its login secrets, the
work running beside it) stays with the core, so a plugin cannot write evidence around
the recorder or read what it must not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.async_api import Page

    from archiver.capture import Capture
    from archiver.models import PlatformMatch

LOAD_MEDIA_JS = """async (items) => Promise.all(items.map(([u, kind]) => kind === 'image'
     ? new Promise(done => { const i = new Image(); i.onload = i.onerror = () => done(u); i.src = u; })
     : fetch(u, {mode: 'no-cors', credentials: 'include'}).then(r => r.arrayBuffer()).catch(() => null)))"""


@dataclass(frozen=True)
class PageSettings:
    """The capture settings a platform may read."""

    settle_timeout: float
    navigation_timeout: float
    viewport_width: int
    viewport_height: int
    locale: str
    timezone: str


class PageContext:
    def __init__(self, page: Page, capture: Capture) -> None:
        self.page = page
        self._capture = capture
        settings = capture.settings
        self.settings = PageSettings(
            settle_timeout=settings.settle_timeout, navigation_timeout=settings.navigation_timeout,
            viewport_width=settings.viewport_width, viewport_height=settings.viewport_height,
            locale=settings.locale, timezone=settings.timezone)

    @property
    def url(self) -> str:
        """The URL asked for (the page may have been redirected since: see ``page.url``)."""
        return self._capture.url

    @property
    def match(self) -> PlatformMatch:
        """What the platform's ``match_url`` answered for this URL."""
        return self._capture.match

    @property
    def logged_in(self) -> bool:
        """Whether the capture runs with the user's cookies or storage state for this platform."""
        return self._capture.logged_in

    def remaining(self, limit: float | None = None) -> float:
        """Seconds left before the whole capture's deadline, capped by ``limit``."""
        return self._capture.remaining(limit)

    def note(self, message: str) -> None:
        """Record something done to the page (a banner dismissed...) in the manifest's notes."""
        self._capture.notes.append(message)

    def fall_short(self, reason: str) -> None:
        """Say what the capture is missing: the capture becomes ``partial`` with this reason."""
        self._capture.limits_hit.append(reason)

    def response_facts(self, url: str) -> Mapping[str, Any] | None:
        """What the recorder saw for ``url`` (status, content type, server IP, TLS), or None."""
        return self._capture.response_facts(url)

    async def recorded_json(self, url_pattern: str, *, limit: int = 50) -> list[tuple[str, Any]]:
        """(URL, parsed body) of the 2xx JSON responses recorded so far whose URL matches.

        ``url_pattern`` is a regular expression searched in each URL. The bodies are read
        back from the capture's WARC, so what a platform extracts from the page's own API
        calls is what the evidence holds, byte for byte. Oldest first, at most ``limit``.
        """
        import re

        from archiver.recorded import json_responses

        # The proxy's own list of answers says, without decompressing the WARC, whether
        # there is anything to read: most captures of most platforms have nothing.
        wanted = re.compile(url_pattern)
        if not any(wanted.search(url) for url in list(self._capture.traffic.responses)):
            return []
        warc = self._capture.traffic.warc
        size = await asyncio.to_thread(warc.readable_size)
        return await asyncio.to_thread(json_responses, warc.path, size, url_pattern, limit)

    def extra_page(self, url: str) -> Page | None:
        """The open page of one of ``match.extra_urls``, loaded into the same bundle."""
        return self._capture.extra_pages.get(url)

    async def load_media(self, items: list[tuple[str, str]], wait: float = 10) -> list[str]:
        """Have the browser load media the page names (meta tags, JSON) but does not display.

        The requests go through the recorder like any other, so the bytes land in the WARC
        and the bundle's ``media/``; nothing is added to the DOM. ``items`` are (url, kind)
        pairs; images load as ``Image()``, anything else by ``fetch()``. Returns the URLs
        asked for; media still loading when ``wait`` runs out make the capture partial.
        """
        from playwright.async_api import Error as PlaywrightError  # `import archiver` stays light

        missing = [[url, kind] for url, kind in items if self.response_facts(url) is None]
        if not missing:
            return []
        try:
            await asyncio.wait_for(self.page.evaluate(LOAD_MEDIA_JS, missing),
                                   timeout=max(self.remaining(wait), 1))
        except (TimeoutError, PlaywrightError):
            self.fall_short(f"{self.match.platform}: media named by the page did not finish loading")
        return [url for url, _kind in missing]
