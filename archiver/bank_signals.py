"""The signal types a hash bank holds, and the one written form of each value.

Every value is normalised on the way in, so that a bank entry and a signal computed from a
bundle compare as plain strings: hex in lowercase; PDQ zero-padded to 64 digits (some tools
write the hash as an integer and drop its leading zeros); a vPDQ as the JSON list of
``"hex,quality,timestamp"`` strings python-threatexchange writes; text with its runs of
whitespace made one space (the text signature ignores them, and a line format cannot carry a
newline).
"""

from __future__ import annotations

import json
import re

HEX = re.compile(r"[0-9a-f]+")
PDQ_HEX_DIGITS = 64
HASH_HEX_DIGITS = {"md5": 32, "sha256": 64, "sha512": 128}
SIGNAL_TYPES = ("pdq", "vpdq", *HASH_HEX_DIGITS, "text")
# The names python-threatexchange and HMA give the same signals.
ALIASES = {"video_md5": "md5", "photo_md5": "md5", "raw_text": "text"}


def signal_type_of(name: str) -> str:
    """The bank's name for a signal type; ValueError for one it does not hold."""
    wanted = name.strip().lower()
    wanted = ALIASES.get(wanted, wanted)
    if wanted not in SIGNAL_TYPES:
        raise ValueError(f"unknown signal type {name.strip()!r} (known: {', '.join(SIGNAL_TYPES)})")
    return wanted


def normalised(signal_type: str, value: str) -> str:
    """``value`` as a bank stores it; ValueError saying what is wrong with it."""
    if signal_type == "pdq":
        return pdq_hex(value)
    if signal_type in HASH_HEX_DIGITS:
        return fixed_hex(signal_type, value, HASH_HEX_DIGITS[signal_type])
    if signal_type == "vpdq":
        return vpdq_frames(value)
    text = " ".join(value.split())
    if not text:
        raise ValueError("empty text")
    return text


def pdq_hex(value: str) -> str:
    digits = value.strip().lower()
    if not HEX.fullmatch(digits) or len(digits) > PDQ_HEX_DIGITS:
        raise ValueError(f"a PDQ hash is at most {PDQ_HEX_DIGITS} hex digits, not {short(value)!r}")
    return digits.zfill(PDQ_HEX_DIGITS)


def fixed_hex(signal_type: str, value: str, digits: int) -> str:
    hexed = value.strip().lower()
    if not HEX.fullmatch(hexed) or len(hexed) != digits:
        raise ValueError(f"{signal_type} is {digits} hex digits, not {short(value)!r}")
    return hexed


def vpdq_frames(value: str) -> str:
    try:
        frames = json.loads(value)
    except json.JSONDecodeError:
        frames = None
    if not isinstance(frames, list) or not frames or not all(isinstance(f, str) for f in frames):
        raise ValueError('a vPDQ is a JSON list of "hex,quality,timestamp" frames')
    return json.dumps([vpdq_frame(frame) for frame in frames])


def vpdq_frame(frame: str) -> str:
    parts = frame.split(",")
    if len(parts) != 3:
        raise ValueError(f'a vPDQ frame is "hex,quality,timestamp", not {short(frame)!r}')
    try:
        quality, timestamp = int(parts[1]), float(parts[2])
    except ValueError:
        raise ValueError(f"vPDQ frame {short(frame)!r}: quality and timestamp are numbers") from None
    if not 0 <= quality <= 100 or not 0 <= timestamp < float("inf"):
        raise ValueError(f"vPDQ frame {short(frame)!r}: quality is 0-100, timestamp at least 0")
    return f"{pdq_hex(parts[0])},{quality},{round(timestamp, 3)}"


def short(value: str) -> str:
    return value if len(value) <= 80 else value[:77] + "..."
