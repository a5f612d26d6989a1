"""Name resolution in the recording proxy: off the event loop, once per host:port, each capture's own."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from archiver.capture_run import capture_one
from archiver.netguard import AddressGuard
from archiver.pins import Pins
from archiver.pipeline import CaptureRequest, CaptureResult
from archiver.storage.local import LocalStore

from support.pages import png

pytestmark = pytest.mark.browser

SLOW, FAST = "slow-dns.test", "fast-dns.test"
LONGEST_LOOKUP = 40.0  # seconds: the slow name's lookup never outlasts the test


@pytest.fixture(scope="module", autouse=True)
def named_sites(http_server: Any) -> None:
    for host in (SLOW, FAST):
        site = http_server.site(host)
        site.add("/", f"<!doctype html><title>{host}</title><p>page of {host}</p><img src='/pic.png'>")
        site.add("/pic.png", png(), "image/png")


class LoopbackDNS:
    """Answers every name with loopback; the slow name only once ``release`` is set."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, int]] = []
        self.slow_asked = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        if host == SLOW:
            self.slow_asked.set()
            await asyncio.wait_for(self.release.wait(), LONGEST_LOOKUP)
        return ["127.0.0.1"]


def test_a_slow_lookup_holds_up_only_its_own_capture(engine: Any, base_settings: Any, http_server: Any,
                                                     tmp_path: Path) -> None:
    settings = replace(base_settings, allow_private_networks=True)  # the names resolve to loopback
    env = engine.engine.environment(settings, LocalStore(tmp_path / "evidence"))

    async def slow_and_fast() -> tuple[CaptureResult, CaptureResult, float, bool]:
        dns = LoopbackDNS()
        env_with_dns = replace(env, guard=AddressGuard(settings.resolve, allow_private=True, lookup=dns))
        slow = asyncio.create_task(capture_one(CaptureRequest(f"http://{SLOW}:{http_server.port}/"),
                                               env_with_dns))
        await asyncio.wait_for(dns.slow_asked.wait(), 30)
        started = time.monotonic()
        fast = await asyncio.wait_for(
            capture_one(CaptureRequest(f"http://{FAST}:{http_server.port}/"), replace(env_with_dns)),
            LONGEST_LOOKUP / 2)
        took = time.monotonic() - started
        slow_still_waiting = not slow.done() and not dns.release.is_set()
        dns.release.set()
        fast_lookups = dns.asked.count((FAST, http_server.port))
        assert fast_lookups == 1, dns.asked  # once for the page and its picture, not twice a request
        return fast, await slow, took, slow_still_waiting

    fast, slow, took, slow_still_waiting = engine.call(slow_and_fast())
    assert fast.status == "complete", fast.reason
    assert slow_still_waiting, "the fast capture finished only after the slow name was answered"
    assert took < LONGEST_LOOKUP / 2
    assert slow.status == "complete", slow.reason


def test_a_batch_leaves_no_pinned_address_behind(engine: Any) -> None:
    recorder = engine.engine.proxy.recorder
    seen: list[Pins] = []

    async def batch_watching_pins() -> tuple[list[CaptureResult], int]:
        most = 0

        async def watch() -> None:
            nonlocal most
            while True:
                for traffic in list(recorder.sessions.values()):
                    if traffic.pins not in seen:
                        seen.append(traffic.pins)
                    most = max(most, len(traffic.pins))
                await asyncio.sleep(0.01)

        watcher = asyncio.create_task(watch())
        requests = [CaptureRequest("https://example.org/article", "CASE-T", "Tester") for _ in range(3)]
        try:
            results = await engine.engine.capture_many(requests, workers=2)
        finally:
            watcher.cancel()
        return results, most

    results, most = engine.call(batch_watching_pins())
    assert [r.status for r in results] == ["complete"] * 3, [r.reason for r in results]
    assert len(seen) == 3 and most >= 2  # each capture pinned its own hosts (the page's, its CDN's)
    assert [len(pins) for pins in seen] == [0, 0, 0]
    assert recorder.sessions == {}
