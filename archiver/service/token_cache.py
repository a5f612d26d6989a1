"""API tokens recently seen, so that a client polling every few hundred milliseconds costs one
database lookup every few seconds rather than one per call. Only tokens found are kept: a
token revoked on the admin page stops working at once on this instance, and a token revoked
anywhere else (``archiver tokens revoke``, another instance) within TTL_S seconds."""

from __future__ import annotations

import threading
import time

from archiver.service.users import Principal, digest

TTL_S = 2.0
MAX_TOKENS = 10_000  # far beyond any team's; a bound on memory whatever callers send


class TokenCache:
    def __init__(self, ttl: float = TTL_S) -> None:
        self.ttl = ttl
        self._known: dict[str, tuple[Principal, float]] = {}  # token digest -> (who, until)
        self._lock = threading.Lock()  # used from request threads and the event loop

    def get(self, token: str) -> Principal | None:
        key = digest(token)
        with self._lock:
            found = self._known.get(key)
        if found is None or found[1] < time.monotonic():
            return None
        return found[0]

    def put(self, token: str, who: Principal) -> None:
        with self._lock:
            if len(self._known) >= MAX_TOKENS:
                self._known.clear()
            self._known[digest(token)] = (who, time.monotonic() + self.ttl)

    def forget_all(self) -> None:
        with self._lock:
            self._known.clear()
