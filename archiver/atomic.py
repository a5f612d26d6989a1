"""Writing a bundle file so that a crash leaves either no file or the whole file, never a part.

The bytes go to a hidden temporary name in the same folder, are flushed to disk, and are then
linked to the final name: ``link`` fails when the name exists, where ``rename`` would replace
it, so a file of a bundle is never overwritten. A crash can leave the temporary file behind;
``verify`` and ``ls`` call such a bundle interrupted (INCOMPLETE), never tampered.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from archiver.faults import reach

TEMP_NAME = re.compile(r"(^|/)\.[^/]+\.tmp-\d+$")


def temp_path(final: Path) -> Path:
    return final.with_name(f".{final.name}.tmp-{os.getpid()}")


def is_temp(relpath: str) -> bool:
    """Whether a bundle path is an unfinished write left by a crash."""
    return TEMP_NAME.search(relpath) is not None


def write_new(final: Path, data: bytes, mode: int | None = None) -> None:
    """Create ``final`` with ``data`` all at once; FileExistsError when it exists."""
    temp = temp_path(final)
    with temp.open("xb") as out:
        half = len(data) // 2
        out.write(data[:half])
        out.flush()
        reach(f"write {final.name}")  # a crash here leaves a torn temporary file
        out.write(data[half:])
        out.flush()
        os.fsync(out.fileno())
    if mode is not None:
        temp.chmod(mode)
    try:
        os.link(temp, final)
    finally:
        temp.unlink()
    sync_folder(final.parent)


def sync_folder(folder: Path) -> None:
    """Make a new name in ``folder`` durable (the file's own fsync does not cover its entry)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
