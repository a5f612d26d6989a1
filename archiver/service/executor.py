"""Where the service's capture jobs run: what a job hands over, what comes back, and the matching
that follows every capture. Two executors: ``capture_process`` (this machine, the default) and
``cluster_executor`` (the Dask cluster of ``--cluster``, the one CLI batches use)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from archiver.errors import ArchiverError

if TYPE_CHECKING:
    from archiver.capture_types import CaptureRequest, CaptureResult
    from archiver.keys import Signer
    from archiver.secrets import LoginMaterial
    from archiver.settings import CaptureSettings
    from archiver.storage.base import Store

log = logging.getLogger("archiver.service")


@dataclass(frozen=True, repr=False)
class CaptureCall:
    """One capture job as an executor gets it."""

    job_id: str  # the service's job id: a rerun of the job finds the bundle an earlier run sealed
    request: CaptureRequest
    settings: CaptureSettings
    submitted_at: float  # POSIX seconds
    # Uploaded with the job; None: the server's own settings apply.
    logins: dict[str, LoginMaterial] | None = None

    def __repr__(self) -> str:  # never a URL or a secret in a log line or a task's description
        return f"CaptureCall({self.job_id})"


@dataclass
class Captured:
    result: CaptureResult
    matches: dict[str, Any]  # the job's ``result``: {"matches": [...]} or a match_error


class CaptureExecutor(Protocol):
    async def start(self) -> None: ...

    async def capture(self, call: CaptureCall) -> Captured: ...

    async def stop(self) -> None: ...


def matches_of(store: Store, result: CaptureResult, signer: Signer, operator: str | None) -> dict[str, Any]:
    """Matched and indexed as ``archiver capture`` does; the bundle is sealed whatever happens here."""
    if result.bundle_id is None:
        return {"matches": None}
    from archiver.capture_matches import match_captures  # numpy, image signals: only once captured

    try:
        found = match_captures(store, [result], signer, operator)
    except (ArchiverError, OSError) as exc:
        log.warning("bundle %s was not matched or indexed: %s", result.bundle_id, exc)
        return {"matches": None, "match_error": str(exc)}
    return {"matches": [match.to_json() for match in found.get(result.bundle_id, [])]}
