from __future__ import annotations

import pytest

from archiver.netguard import AddressGuard, BadURLError, is_public_address, validate_url
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


def test_guard_blocks_private_literals_but_trusts_resolve_rules() -> None:
    guard = AddressGuard([ResolveRule.parse("x.com:443:127.0.0.1:8443")])
    assert guard.decide("x.com", 443).address == "127.0.0.1"
    assert guard.decide("x.com", 443).port == 8443
    blocked = guard.decide("169.254.169.254", 80)
    assert blocked.blocked and "169.254.169.254" in (blocked.reason or "")
    assert guard.decide("localhost", 80).blocked
    assert not AddressGuard(allow_private=True).decide("127.0.0.1", 80).blocked


def test_unresolvable_is_not_a_block() -> None:
    decision = AddressGuard().decide("no-such-host.invalid", 443)
    assert decision.address is None and not decision.blocked and "cannot resolve" in (decision.reason or "")
