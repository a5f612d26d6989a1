"""Per-token rate limits: a token bucket per API token, in each instance's memory (several
instances each allow the rate: the limit is there to stop one runaway client, not to meter)."""

from __future__ import annotations

import math
import threading
import time


class RateLimiter:
    def __init__(self, per_minute: int) -> None:
        """``per_minute`` requests a minute per key, in bursts of up to as many; 0: no limit."""
        self.per_minute = per_minute
        self._buckets: dict[object, tuple[float, float]] = {}  # key -> (tokens left, when)
        self._lock = threading.Lock()  # request handlers run on a thread pool

    def wait(self, key: object) -> int:
        """0 when a request under ``key`` may go now (and counts it), else the seconds to wait."""
        if self.per_minute <= 0:
            return 0
        rate = self.per_minute / 60.0
        now = time.monotonic()
        with self._lock:
            left, then = self._buckets.get(key, (float(self.per_minute), now))
            left = min(float(self.per_minute), left + (now - then) * rate)
            if left < 1.0:
                self._buckets[key] = (left, now)
                return max(1, math.ceil((1.0 - left) / rate))
            self._buckets[key] = (left - 1.0, now)
            return 0
