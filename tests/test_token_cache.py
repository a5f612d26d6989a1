"""The service's memory of API tokens: what it spares polling clients must not outlive a revocation."""

from __future__ import annotations

import time

from archiver.service.token_cache import TokenCache
from archiver.service.users import Principal

ALICE = Principal(1, "alice", "analyst", frozenset({"CASE-42"}), token_id=7)


def test_a_token_is_remembered_for_its_time_only() -> None:
    cache = TokenCache(ttl=0.2)
    assert cache.get("arc_secret") is None
    cache.put("arc_secret", ALICE)
    assert cache.get("arc_secret") == ALICE and cache.get("arc_other") is None
    time.sleep(0.3)
    assert cache.get("arc_secret") is None  # looked up again: a revocation elsewhere shows


def test_a_revocation_here_forgets_at_once() -> None:
    cache = TokenCache()
    cache.put("arc_secret", ALICE)
    cache.forget_all()
    assert cache.get("arc_secret") is None
