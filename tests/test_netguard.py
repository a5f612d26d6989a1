from __future__ import annotations

import asyncio
import socket

import pytest

from archiver.netguard import AddressGuard, BadURLError, Decision, is_public_address, validate_url
from archiver.pins import Pins
from archiver.settings import ResolveRule


@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(1)", "data:text/html,hi",
                                 "chrome://settings", "not a url", "https://", "ftp://example.org/x",
                                 "https://example.org:99999/"])
def test_unfetchable_urls_are_refused(url: str) -> None:
    with pytest.raises(BadURLError):
        validate_url(url)


def test_http_and_https_pass() -> None:
    assert validate_url(" https://example.org/a?b=1 ") == "https://example.org/a?b=1"


@pytest.mark.parametrize(("address", "public"), [
    ("127.0.0.1", False), ("10.1.2.3", False), ("192.168.1.1", False), ("172.16.0.1", False),
    ("169.254.169.254", False), ("224.0.0.1", False), ("0.0.0.0", False), ("::1", False),
    ("fe80::1", False), ("::ffff:127.0.0.1", False), ("100.64.0.1", False),
    ("93.184.216.34", True), ("2606:4700::1111", True),
])
def test_address_classes(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def decide(guard: AddressGuard, host: str, port: int) -> Decision:
    return asyncio.run(guard.decide(host, port))


def test_guard_blocks_private_literals_but_trusts_resolve_rules() -> None:
    guard = AddressGuard([ResolveRule.parse("x.com:443:127.0.0.1:8443")])
    assert decide(guard, "x.com", 443).address == "127.0.0.1"
    assert decide(guard, "x.com", 443).port == 8443
    blocked = decide(guard, "169.254.169.254", 80)
    assert blocked.blocked and "169.254.169.254" in (blocked.reason or "")
    assert decide(guard, "localhost", 80).blocked
    assert not decide(AddressGuard(allow_private=True), "127.0.0.1", 80).blocked


def test_unresolvable_is_not_a_block() -> None:
    decision = decide(AddressGuard(), "no-such-host.invalid", 443)
    assert decision.address is None and not decision.blocked and "cannot resolve" in (decision.reason or "")


class CountingDNS:
    """A resolver that answers every name with ``address`` after ``delay``, counting questions."""

    def __init__(self, address: str, delay: float = 0.05, fail: bool = False) -> None:
        self.address, self.delay, self.fail = address, delay, fail
        self.asked: list[tuple[str, int]] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        await asyncio.sleep(self.delay)
        if self.fail:
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return [self.address]


def test_the_guard_judges_what_an_injected_resolver_answers() -> None:
    assert decide(AddressGuard(lookup=CountingDNS("10.0.0.7")), "intranet.example", 80).blocked
    assert decide(AddressGuard(lookup=CountingDNS("93.184.216.34")), "example.org", 80).address == "93.184.216.34"


def test_a_capture_resolves_each_host_and_port_once_even_when_asked_at_once() -> None:
    dns = CountingDNS("93.184.216.34")
    pins = Pins(AddressGuard(lookup=dns))

    async def ask() -> list[Decision]:
        together = [pins.decide("Example.org", 443) for _ in range(6)]
        return list(await asyncio.gather(*together, pins.decide("example.org", 80)))

    decisions = asyncio.run(ask())
    assert {d.address for d in decisions} == {"93.184.216.34"}
    assert sorted(dns.asked) == [("example.org", 80), ("example.org", 443)]
    assert len(pins) == 2
    pins.clear()
    assert len(pins) == 0


def test_another_capture_asks_again() -> None:
    dns = CountingDNS("93.184.216.34")
    guard = AddressGuard(lookup=dns)
    for pins in (Pins(guard), Pins(guard)):
        asyncio.run(pins.decide("example.org", 443))
    assert dns.asked == [("example.org", 443)] * 2


def test_a_failed_lookup_is_not_pinned() -> None:
    dns = CountingDNS("93.184.216.34", fail=True)
    pins = Pins(AddressGuard(lookup=dns))
    first = asyncio.run(pins.decide("example.org", 443))
    assert first.address is None and "Temporary failure" in (first.reason or "")
    assert len(pins) == 0
    dns.fail = False
    assert asyncio.run(pins.decide("example.org", 443)).address == "93.184.216.34"
    assert len(dns.asked) == 2
