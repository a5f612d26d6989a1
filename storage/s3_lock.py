"""S3 Object Lock: the retention a bundle asks for, how it is applied, and how it is checked back.

A policy is recorded where it cannot be changed afterwards: in the manifest's
``settings.object_lock`` when the capture already knew it, or in a signed ``stored`` custody
event when ``archiver push`` applied it to a bundle captured without one. Retention is counted
per object from its upload (``retain_days`` after it was written), so a resumed upload keeps
every object locked for at least that long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from archiver.clock import utc_seconds
from archiver.manifest import Manifest
from archiver.storage.base import StoreUsageError

MODES = ("governance", "compliance")
# Clock difference tolerated between this machine (which sets retain-until) and the server
# (which sets LastModified) when checking that an object is retained long enough.
CLOCK_SLACK = timedelta(hours=1)
STRENGTH = {"GOVERNANCE": 1, "COMPLIANCE": 2}


@dataclass(frozen=True)
class LockPolicy:
    mode: str | None  # "governance" | "compliance"; None: legal hold only
    retain_days: int | None
    legal_hold: bool = False

    @classmethod
    def from_options(cls, mode: str | None, retain_days: int | None, legal_hold: bool) -> LockPolicy | None:
        """The policy ``--lock-mode/--retain-days/--legal-hold`` ask for (None: no lock at all)."""
        if mode is not None and retain_days is None:
            raise StoreUsageError("--lock-mode needs --retain-days N")
        if retain_days is not None and retain_days < 1:
            raise StoreUsageError("--retain-days must be at least 1")
        if retain_days is None and not legal_hold:
            return None
        if retain_days is not None:
            mode = (mode or "governance").lower()
            if mode not in MODES:
                raise StoreUsageError(f"--lock-mode must be one of {', '.join(MODES)}, not {mode!r}")
        return cls(mode, retain_days, legal_hold)

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

    def put_args(self, now: datetime | None = None) -> dict[str, Any]:
        """Extra arguments of put_object / create_multipart_upload that lock the new object."""
        args: dict[str, Any] = {}
        if self.mode and self.retain_days:
            args["ObjectLockMode"] = self.mode.upper()
            args["ObjectLockRetainUntilDate"] = self.retain_until(now)
        if self.legal_hold:
            args["ObjectLockLegalHoldStatus"] = "ON"
        return args

    def retain_until(self, now: datetime | None = None) -> datetime:
        return (now or datetime.now(UTC)) + timedelta(days=self.retain_days or 0)

    def shortfalls(self, head: dict[str, Any]) -> list[str]:
        """How an object's lock (from head_object) falls short of this policy; empty when it does not."""
        found: list[str] = []
        if self.mode and self.retain_days:
            mode = str(head.get("ObjectLockMode") or "")
            until = head.get("ObjectLockRetainUntilDate")
            written = head.get("LastModified")
            if not mode or until is None:
                found.append(f"no {self.mode} retention (expected {self.retain_days} days)")
            elif STRENGTH.get(mode.upper(), 0) < STRENGTH[self.mode.upper()]:
                found.append(f"retention mode {mode.lower()}, expected {self.mode}")
            elif written is not None and until + CLOCK_SLACK < written + timedelta(days=self.retain_days):
                found.append(f"retained until {utc_seconds(until)}, less than {self.retain_days} days "
                             f"after it was written ({utc_seconds(written)})")
        if self.legal_hold and head.get("ObjectLockLegalHoldStatus") != "ON":
            found.append("no legal hold (expected ON)")
        return found


def lock_from_events(events: list[dict[str, Any]], location: str) -> LockPolicy | None:
    """The lock the last ``stored`` custody event for this location recorded."""
    for event in reversed(events):
        details = event.get("details") or {}
        if event.get("event") == "stored" and details.get("location") == location:
            return LockPolicy.from_record(details.get("object_lock"))
    return None


def lock_of_manifest(manifest: Manifest) -> LockPolicy | None:
    return LockPolicy.from_record(manifest.settings.object_lock)
