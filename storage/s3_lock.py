"""S3 Object Lock: how a ``LockPolicy`` is applied to new objects, and stored objects checked against it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from archiver.clock import utc_seconds
from archiver.storage.lock import LockPolicy

# Clock difference tolerated between this machine (which sets retain-until) and the server
# (which sets LastModified) when checking that an object is retained long enough.
CLOCK_SLACK = timedelta(hours=1)
STRENGTH = {"GOVERNANCE": 1, "COMPLIANCE": 2}


def put_args(lock: LockPolicy, now: datetime | None = None) -> dict[str, Any]:
    """Extra arguments of put_object / create_multipart_upload that lock the new object."""
    args: dict[str, Any] = {}
    if lock.mode and lock.retain_days:
        args["ObjectLockMode"] = lock.mode.upper()
        args["ObjectLockRetainUntilDate"] = lock.retain_until(now)
    if lock.legal_hold:
        args["ObjectLockLegalHoldStatus"] = "ON"
    return args


def shortfalls(lock: LockPolicy, head: dict[str, Any]) -> list[str]:
    """How an object's lock (from head_object) falls short of the policy; empty when it does not."""
    found: list[str] = []
    if lock.mode and lock.retain_days:
        mode = str(head.get("ObjectLockMode") or "")
        until = head.get("ObjectLockRetainUntilDate")
        written = head.get("LastModified")
        if not mode or until is None:
            found.append(f"no {lock.mode} retention (expected {lock.retain_days} days)")
        elif STRENGTH.get(mode.upper(), 0) < STRENGTH[lock.mode.upper()]:
            found.append(f"retention mode {mode.lower()}, expected {lock.mode}")
        elif written is not None and until + CLOCK_SLACK < written + timedelta(days=lock.retain_days):
            found.append(f"retained until {utc_seconds(until)}, less than {lock.retain_days} days "
                         f"after it was written ({utc_seconds(written)})")
    if lock.legal_hold and head.get("ObjectLockLegalHoldStatus") != "ON":
        found.append("no legal hold (expected ON)")
    return found
