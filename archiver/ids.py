"""Time-ordered bundle identifiers (UUIDv7, RFC 9562)."""

from __future__ import annotations

import os
import re
import time
import uuid

_UUID7 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def new_bundle_id(now_ms: int | None = None) -> str:
    """A UUIDv7: 48-bit Unix milliseconds, then randomness, so ids sort by capture time."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    value = (ms & ((1 << 48) - 1)) << 80
    value |= int.from_bytes(os.urandom(10), "big") & ((1 << 80) - 1)
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return str(uuid.UUID(int=value))


def is_bundle_id(text: str) -> bool:
    return bool(_UUID7.match(text))


def bundle_id_time_ms(bundle_id: str) -> int:
    return uuid.UUID(bundle_id).int >> 80
