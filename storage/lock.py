"""Object Lock: the retention a bundle asks its store to enforce, and where that request is recorded.

A policy is recorded where it cannot be changed afterwards: in the manifest's
``settings.object_lock`` when the capture already knew it, or in a signed ``stored`` custody
event when ``archiver push`` applied it to a bundle captured without one. Retention is counted
per object from its upload (``retain_days`` after it was written), so a resumed upload keeps
every object locked for at least that long.

The policy is the same for every backend; a store that can enforce it declares
``StoreCapabilities.object_lock`` and translates it for its server (S3: ``s3_lock``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from archiver.manifest import Manifest
from archiver.storage.base import StoreUsageError

MODES = ("governance", "compliance")


@dataclass(frozen=True)
class LockPolicy:
    mode: str | None  # "governance" | "compliance"; None: legal hold only
    retain_days: int | None
    legal_hold: bool = False

    @classmethod
    def from_record(cls, data: Any) -> LockPolicy | None:
        """The policy a manifest or custody event recorded (None when it recorded none)."""
        if not isinstance(data, dict):
            return None
        mode, days = data.get("mode"), data.get("retain_days")
        if mode not in (*MODES, None) or not (days is None or (isinstance(days, int) and days > 0)):
            raise StoreUsageError(f"unusable object_lock record: {data!r}")
        return cls(mode, days, bool(data.get("legal_hold")))

    def for_manifest(self) -> dict[str, Any]:
        return {"mode": self.mode, "retain_days": self.retain_days, "legal_hold": self.legal_hold}

    def describe(self) -> str:
        parts = [f"{self.mode} retention for {self.retain_days} days"] if self.mode else []
        if self.legal_hold:
            parts.append("legal hold")
        return " + ".join(parts)

    def retain_until(self, now: datetime | None = None) -> datetime:
        return (now or datetime.now(UTC)) + timedelta(days=self.retain_days or 0)


def lock_from_events(events: list[dict[str, Any]], location: str) -> LockPolicy | None:
    """The lock the last ``stored`` custody event for this location recorded."""
    for event in reversed(events):
        details = event.get("details") or {}
        if event.get("event") == "stored" and details.get("location") == location:
            return LockPolicy.from_record(details.get("object_lock"))
    return None


def lock_of_manifest(manifest: Manifest) -> LockPolicy | None:
    return LockPolicy.from_record(manifest.settings.object_lock)
