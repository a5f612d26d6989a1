"""UTC times as every file of a bundle writes them: ``2026-12-01T20:41:42.123456Z``."""

from __future__ import annotations

from datetime import UTC, datetime

PRECISE = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc_time(timestamp: float | None = None) -> str:
    """Now, or a POSIX ``timestamp``, to the microsecond."""
    moment = datetime.fromtimestamp(timestamp, UTC) if timestamp else datetime.now(UTC)
    return moment.strftime(PRECISE)


def utc_seconds(moment: datetime | None = None) -> str:
    """A moment (default: now) to the second: what reports a person reads carry."""
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
