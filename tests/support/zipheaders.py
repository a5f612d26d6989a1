"""A ZIP's central directory and local file headers, parsed from the raw bytes (not by zipfile,
which reconciles them): readers that trust one or the other must find the same entries."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

EOCD = b"PK\x05\x06"
ZIP64_EOCD = b"PK\x06\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
CENTRAL = b"PK\x01\x02"
LOCAL = b"PK\x03\x04"
ZIP64_EXTRA = 0x0001
MASK = 0xFFFFFFFF


@dataclass
class Header:
    name: str
    flags: int
    method: int
    crc: int
    compressed: int  # resolved through the ZIP64 extra when the 32-bit field says 0xFFFFFFFF
    size: int
    zip64_sizes: bool  # the 32-bit size fields defer to a ZIP64 extra
    offset: int = 0  # central directory only: where the local header is


def _extras(blob: bytes) -> dict[int, bytes]:
    found, at = {}, 0
    while at + 4 <= len(blob):
        tag, length = struct.unpack_from("<HH", blob, at)
        found[tag] = blob[at + 4: at + 4 + length]
        at += 4 + length
    return found


def _resolve(fields: list[int], extra: bytes) -> list[int]:
    """Replace each 0xFFFFFFFF field, in order, with the next 8-byte ZIP64 value."""
    values = list(struct.unpack_from(f"<{len(extra) // 8}Q", extra)) if extra else []
    return [values.pop(0) if value == MASK else value for value in fields]


def central_directory(data: bytes) -> list[Header]:
    end = data.rindex(EOCD)
    count, cd_size, cd_offset = struct.unpack_from("<HII", data, end + 10)
    if cd_offset == MASK or count == 0xFFFF:
        locator = data.rindex(ZIP64_LOCATOR, 0, end)
        (record,) = struct.unpack_from("<Q", data, locator + 8)
        assert data[record:record + 4] == ZIP64_EOCD
        count, cd_size, cd_offset = struct.unpack_from("<QQQ", data, record + 32)
    headers, at = [], cd_offset
    for _ in range(count):
        assert data[at:at + 4] == CENTRAL, f"no central directory entry at {at}"
        (flags, method, _time, _date, crc, compressed, size, name_len, extra_len, comment_len, _disk,
         _internal, _external, offset) = struct.unpack_from("<HHHHIIIHHHHHII", data, at + 8)
        name = data[at + 46: at + 46 + name_len].decode("utf-8")
        extra = _extras(data[at + 46 + name_len: at + 46 + name_len + extra_len]).get(ZIP64_EXTRA, b"")
        size, compressed, offset = _resolve([size, compressed, offset], extra)
        zip64 = MASK in struct.unpack_from("<II", data, at + 20)
        headers.append(Header(name, flags, method, crc, compressed, size, zip64, offset))
        at += 46 + name_len + extra_len + comment_len
    return headers


def local_header(data: bytes, offset: int) -> Header:
    assert data[offset:offset + 4] == LOCAL, f"no local file header at {offset}"
    flags, method, _time, _date, crc, compressed, size, name_len, extra_len = struct.unpack_from(
        "<HHHHIIIHH", data, offset + 6)
    name = data[offset + 30: offset + 30 + name_len].decode("utf-8")
    extra = _extras(data[offset + 30 + name_len: offset + 30 + name_len + extra_len]).get(ZIP64_EXTRA, b"")
    zip64 = MASK in (compressed, size)
    size, compressed = _resolve([size, compressed], extra)
    return Header(name, flags, method, crc, compressed, size, zip64)


def disagreements(path: Path) -> list[str]:
    """Every field where an entry's local header says something else than the central directory."""
    data = path.read_bytes()
    found = []
    for central in central_directory(data):
        local = local_header(data, central.offset)
        for field in ("name", "flags", "method", "crc", "compressed", "size", "zip64_sizes"):
            if getattr(local, field) != getattr(central, field):
                found.append(f"{central.name}: {field} local {getattr(local, field)!r} "
                             f"!= central {getattr(central, field)!r}")
    return found
