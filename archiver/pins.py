"""One capture's name answers: each host:port is resolved and judged by the SSRF guard once.

The recording proxy asks for every request (to refuse a guarded one with a 403 the page can
see) and again when it connects upstream; both get the same answer, so a name cannot resolve
to a public address for the check and to a private one for the connection. The answers are
the capture's own, kept while it runs and dropped when it ends (``Recorder.close``): another
capture, or a later one in a long-running process, asks again.
"""

from __future__ import annotations

import asyncio

from archiver.netguard import AddressGuard, Decision


class Pins:
    def __init__(self, guard: AddressGuard) -> None:
        self.guard = guard
        # In flight or done: concurrent requests to a host share one lookup.
        self._answers: dict[tuple[str, int], asyncio.Task[Decision]] = {}

    def __len__(self) -> int:
        return len(self._answers)

    async def decide(self, host: str, port: int) -> Decision:
        key = (host.lower().strip("[]"), port)
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = asyncio.create_task(self.guard.decide(*key))
        # Shielded: one waiter giving up (its connection closed) must not cancel the others' answer.
        decision = await asyncio.shield(answer)
        if decision.address is None and not decision.blocked and self._answers.get(key) is answer:
            # Asked again by the next request: a passing DNS failure must not fail the rest of the capture.
            del self._answers[key]
        return decision

    def clear(self) -> None:
        """Forget every answer (a lookup still running finishes for whoever waits on it)."""
        self._answers.clear()
