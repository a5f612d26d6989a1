"""Sends webhook deliveries: signed POSTs, tried again with backoff, through the server's own
network-safety settings (the SSRF guard, ``--resolve``, ``--ca-bundle``): a webhook is an
outgoing request like a capture's, and no API user may aim one at the server's own network."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import ssl

import httpx

from archiver.netguard import AddressGuard
from archiver.service.webhooks import Attempt, Deliveries
from archiver.settings import CaptureSettings
from archiver.toolinfo import tool_info

log = logging.getLogger("archiver.service")
POLL = 0.5  # seconds between looks for due deliveries (other instances queue them too)
TIMEOUT = 10.0
SIGNATURE = "X-Archiver-Signature"


def signature(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the body under the webhook's secret, as GitHub signs."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookSender:
    def __init__(self, deliveries: Deliveries, settings: CaptureSettings) -> None:
        self.deliveries = deliveries
        self.guard = AddressGuard(settings.resolve, settings.allow_private_networks)
        self.verify: ssl.SSLContext | bool = (False if settings.insecure
                                              else ssl.create_default_context(cafile=settings.ca_bundle))
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        agent = f"evidence-archiver/{tool_info()['version']}"
        self._client = httpx.AsyncClient(verify=self.verify, timeout=TIMEOUT, follow_redirects=False,
                                         headers={"User-Agent": agent})
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._client is not None:
            await self._client.aclose()

    async def _loop(self) -> None:
        while True:
            try:
                due = await asyncio.to_thread(self.deliveries.claim_due)
                await asyncio.gather(*(self._send(attempt) for attempt in due))
            except Exception:  # the database away for a moment must not end deliveries for good
                log.exception("webhook deliveries")
            await asyncio.sleep(POLL)

    async def _send(self, attempt: Attempt) -> None:
        status, error, final = None, None, False
        try:
            status = await self.post(attempt)
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except Refused as exc:
            error, final = str(exc), True
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        await asyncio.to_thread(self.deliveries.record, attempt, status, error, final)

    async def post(self, attempt: Attempt) -> int:
        assert self._client is not None
        url = httpx.URL(attempt.url)
        port = url.port or (443 if url.scheme == "https" else 80)
        decision = await self.guard.decide(url.host, port)
        if decision.address is None:
            if decision.blocked:
                raise Refused(decision.reason or "refused by the SSRF guard")
            raise httpx.ConnectError(decision.reason or f"cannot resolve {url.host}")
        # Connect to the address the guard approved, not to whatever a second lookup returns.
        target = url.copy_with(host=decision.address, port=decision.port or port)
        headers = {"Host": url.netloc.decode("ascii"), "Content-Type": "application/json",
                   "X-Archiver-Event": attempt.event, "X-Archiver-Delivery": attempt.delivery_id,
                   SIGNATURE: signature(attempt.secret, attempt.body)}
        extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
        response = await self._client.post(target, content=attempt.body, headers=headers,
                                           extensions=extensions)
        return response.status_code


class Refused(Exception):
    """A delivery the SSRF guard refuses: trying again cannot help."""
