"""A batch of captures: how each URL is paced and retried, and what the batch tells as it goes."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from archiver.capture_types import CaptureRequest, CaptureResult
from archiver.models import Status

# Failures a later try can get past: the host or the network, not the request.
TRANSIENT_FAILURE = re.compile(
    r"Errno (111|104|110|113|101|-3)\b|Connect call failed|[Cc]onnection (refused|reset|closed)"
    r"|timed out|Temporary failure in name resolution|[Ss]erver disconnected"
    r"|net::ERR_(CONNECTION_\w+|TIMED_OUT|NETWORK_CHANGED|INTERNET_DISCONNECTED|EMPTY_RESPONSE"
    r"|ADDRESS_UNREACHABLE|NAME_NOT_RESOLVED)|^HTTP 5\d\d from the server")
RATE_LIMITED = "HTTP 429"
MAX_BACKOFF = 60.0


@dataclass(frozen=True)
class BatchPolicy:
    """``retries``: more tries of a URL whose capture failed transiently, after ``backoff``
    seconds, doubled at each try (at most a minute); ``delay``: seconds at least between the
    starts of two captures of one host."""

    retries: int = 0
    backoff: float = 2.0
    delay: float = 0.0

    def wait_before(self, attempt: int) -> float:
        """Seconds before try number ``attempt + 1``."""
        return float(min(self.backoff * 2 ** (attempt - 1), MAX_BACKOFF))


ONE_TRY = BatchPolicy()


def is_transient(result: CaptureResult) -> bool:
    """A failure another try may not have: unreachable, reset, timed out, HTTP 5xx or 429.
    A refused URL (no bundle), a certificate or a page's own answer is not retried."""
    reason = result.reason or ""
    if result.bundle_id is None:
        return False
    if result.status == Status.BLOCKED:
        return reason.startswith(RATE_LIMITED)
    return result.status == Status.FAILED and TRANSIENT_FAILURE.search(reason) is not None


class BatchWatcher(Protocol):
    """What a batch tells as it goes (called in the batch's event loop)."""

    def started(self, request: CaptureRequest, bundle_id: str, folder: Path) -> None:
        """A capture has its bundle folder and is loading its page."""

    def retrying(self, request: CaptureRequest, failed: CaptureResult, wait: float) -> None:
        """A try failed transiently; the next starts in ``wait`` seconds (its bundle is kept)."""

    def finished(self, request: CaptureRequest, result: CaptureResult) -> None:
        """The URL's last try is sealed and stored (or refused)."""

    def interrupted(self, request: CaptureRequest, bundle_id: str | None, folder: Path | None) -> None:
        """The batch was cancelled while this URL was loading (its bundle, if any, is unsealed)."""


class HostPacer:
    """Starts of captures of one host at least ``delay`` seconds apart."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self._last: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    @contextlib.asynccontextmanager
    async def turn(self, slot: contextlib.AbstractAsyncContextManager[object], url: str
                   ) -> AsyncIterator[None]:
        """Hold ``slot`` (a browser slot), waiting there for the host's turn: the wait is measured
        from the actual start of the previous capture, not from when it queued."""
        async with slot:
            if self.delay > 0:
                host = urlsplit(url).hostname or ""
                async with self._locks.setdefault(host, asyncio.Lock()):
                    loop = asyncio.get_running_loop()
                    # asyncio may wake a sleeper up to its clock resolution early: look again.
                    while (wait := self._last.get(host, -self.delay) + self.delay - loop.time()) > 0:
                        await asyncio.sleep(wait)
                    self._last[host] = loop.time()
            yield


Attempt = Callable[[contextlib.AbstractAsyncContextManager[object], Callable[[str, Path], None]],
                   Awaitable[CaptureResult]]


async def capture_with_retries(request: CaptureRequest, attempt: Attempt, slot: asyncio.Semaphore,
                               pacer: HostPacer, policy: BatchPolicy, watcher: BatchWatcher | None
                               ) -> CaptureResult:
    """Try ``request`` until it does not fail transiently or its tries are used up.

    ``attempt(browser_slot, on_start)`` is one capture; ``on_start(bundle_id, folder)`` names its
    bundle as soon as it has one, so a cancelled batch can say which bundle it left unsealed.
    """
    bundle: tuple[str, Path] | None = None

    def on_start(bundle_id: str, folder: Path) -> None:
        nonlocal bundle
        bundle = (bundle_id, folder)
        if watcher:
            watcher.started(request, bundle_id, folder)

    try:
        tries = 1
        while True:
            result = await attempt(pacer.turn(slot, request.url), on_start)
            bundle = None  # sealed
            if tries > policy.retries or not is_transient(result) or stopping():
                break
            wait = policy.wait_before(tries)
            if watcher:
                watcher.retrying(request, result, wait)
            await asyncio.sleep(wait)
            tries += 1
    except asyncio.CancelledError:
        if watcher:
            watcher.interrupted(request, *(bundle or (None, None)))
        raise
    if watcher:
        watcher.finished(request, result)
    return result


def stopping() -> bool:
    """Whether this task was cancelled while finishing a seal it would not leave half done."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
