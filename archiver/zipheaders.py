"""Whether each ZIP entry's local header says what its central directory record says.

Readers differ in which of the two they trust: zipfile and pywb go by the central directory,
ReplayWeb.page skips the local header by its own lengths. When they disagree, the same file
shows different bytes (or none) to different tools, so a WACZ must not have any disagreement.
Read record by record (constant memory).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any, BinaryIO

from archiver.problem import Problem

KIND = "zip"  # what verify calls these problems
CENTRAL = struct.Struct("<4s4x4H3I5H2I")  # the 46 fixed bytes of a central directory record
LOCAL = struct.Struct("<4s2x4H3I2H")  # the 30 fixed bytes of a local file header
MASK = 0xFFFFFFFF
ZIP64_EXTRA = 0x0001
DATA_DESCRIPTOR = 0x0008  # sizes and CRC follow the data; the local header's are zero


def _zip64_values(extra: bytes) -> list[int]:
    at = 0
    while at + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, at)
        if tag == ZIP64_EXTRA:
            data = extra[at + 4: at + 4 + length]
            return list(struct.unpack_from(f"<{len(data) // 8}Q", data))
        at += 4 + length
    return []


def _resolve(fields: list[int], extra: bytes) -> list[int]:
    values = _zip64_values(extra)
    return [values.pop(0) if value == MASK and values else value for value in fields]


def central_records(stream: BinaryIO, start_dir: int, count: int
                    ) -> Iterator[tuple[dict[str, Any], int] | str]:
    """Each central directory record (its fields, and where its local header is), in order;
    a string says where the directory ends early."""
    position = start_dir
    for _ in range(count):
        stream.seek(position)
        fixed = stream.read(CENTRAL.size)
        if len(fixed) < CENTRAL.size or fixed[:4] != b"PK\x01\x02":
            yield f"no record at offset {position}"
            return
        (_sig, flags, method, _time, _date, crc, csize, size, name_len, extra_len, comment_len,
         _disk, _internal, _external, offset) = CENTRAL.unpack(fixed)
        name_bytes = stream.read(name_len)
        extra = stream.read(extra_len)
        position += CENTRAL.size + name_len + extra_len + comment_len
        size, csize, offset = _resolve([size, csize, offset], extra)
        yield ({"name": name_bytes, "flags": flags, "method": method, "crc": crc, "compressed size": csize,
                "size": size, "ZIP64 sizes": MASK in struct.unpack_from("<II", fixed, 20)}, offset)


def disagreements(stream: BinaryIO, start_dir: int, count: int) -> list[Problem]:
    """Where the ``count`` central directory records from ``start_dir`` and the local headers differ."""
    found: list[Problem] = []
    for record in central_records(stream, start_dir, count):
        if isinstance(record, str):
            return [*found, Problem(KIND, "(central directory)", record)]
        central, offset = record
        name = bytes(central["name"]).decode("utf-8", "replace")
        local = _local(stream, offset)
        if local is None:
            found.append(Problem(KIND, name, f"no local file header at offset {offset}"))
            continue
        if central["flags"] & DATA_DESCRIPTOR:
            for key in ("crc", "compressed size", "size"):
                local[key] = central[key]
        for key, value in central.items():
            if local[key] != value:
                found.append(Problem(KIND, name, f"local header {key} {local[key]!r} != central directory "
                                     f"{value!r}"))
    return found


def _local(stream: BinaryIO, offset: int) -> dict[str, object] | None:
    stream.seek(offset)
    fixed = stream.read(LOCAL.size)
    if len(fixed) < LOCAL.size or fixed[:4] != b"PK\x03\x04":
        return None
    _sig, flags, method, _time, _date, crc, csize, size, name_len, extra_len = LOCAL.unpack(fixed)
    name = stream.read(name_len)
    extra = stream.read(extra_len)
    zip64 = MASK in (size, csize)
    size, csize = _resolve([size, csize], extra)
    return {"name": name, "flags": flags, "method": method, "crc": crc, "compressed size": csize,
            "size": size, "ZIP64 sizes": zip64}
