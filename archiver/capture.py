"""The state of one capture in progress, private to the core (platforms see a PageContext)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archiver.models import PlatformMatch

if TYPE_CHECKING:
    from playwright.async_api import Page

    from archiver.platforms import PlatformSteps
    from archiver.recorder import CaptureTraffic
    from archiver.settings import CaptureSettings


@dataclass
class Capture:
    url: str
    match: PlatformMatch
    steps: PlatformSteps  # the claiming platform's page functions, then the fallback's
    settings: CaptureSettings
    bundle_id: str
    traffic: CaptureTraffic
    logged_in: bool = False
    secrets: list[str] = field(default_factory=list)  # values to keep out of every output
    started_monotonic: float = field(default_factory=time.monotonic)
    notes: list[str] = field(default_factory=list)
    limits_hit: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    # Pages loaded for PlatformMatch.extra_urls, open while plugins extract.
    extra_pages: dict[str, Page] = field(default_factory=dict)
    # Work that goes on beside the page (image hashing); awaited before the bundle is sealed.
    background: list[asyncio.Task[Any]] = field(default_factory=list)

    @property
    def platform(self) -> str:
        return self.match.platform

    def remaining(self, limit: float | None = None) -> float:
        """Seconds left before the whole-capture deadline, capped by ``limit``."""
        left = self.settings.capture_timeout - (time.monotonic() - self.started_monotonic)
        left = max(0.0, left)
        return min(left, limit) if limit is not None else left

    def response_facts(self, url: str) -> dict[str, Any] | None:
        """Network facts (status, content type, server IP, TLS) the proxy recorded for ``url``."""
        return self.traffic.responses.get(url)
