"""Streaming SHA-256, labelled ``sha256:<hex>``."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024
ALGORITHM = "sha256"


def label(hexdigest: str) -> str:
    return f"{ALGORITHM}:{hexdigest}"


def unlabel(labelled: str) -> str:
    algorithm, _, hexdigest = labelled.partition(":")
    if algorithm != ALGORITHM or not hexdigest:
        raise ValueError(f"not a {ALGORITHM}:<hex> digest: {labelled!r}")
    return hexdigest


def iter_chunks(stream: BinaryIO, chunk_size: int = CHUNK) -> Iterator[bytes]:
    while chunk := stream.read(chunk_size):
        yield chunk


def hash_stream(stream: BinaryIO) -> tuple[str, int]:
    """(``sha256:<hex>``, byte count) of a stream, read in bounded chunks."""
    digest = hashlib.sha256()
    size = 0
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    readinto = getattr(stream, "readinto", None)
    if readinto is not None:
        while n := readinto(view):
            digest.update(view[:n])
            size += n
    else:
        for chunk in iter_chunks(stream):
            digest.update(chunk)
            size += len(chunk)
    return label(digest.hexdigest()), size


def hash_file(path: Path) -> tuple[str, int]:
    with path.open("rb", buffering=0) as stream:
        return hash_stream(stream)


def hash_bytes(data: bytes) -> str:
    return label(hashlib.sha256(data).hexdigest())


class HashingWriter:
    """File-like writer that hashes what passes through it, so a file is hashed as it is written."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self._digest.update(data)
        self.size += len(data)
        return self._raw.write(data)

    def flush(self) -> None:
        self._raw.flush()

    def tell(self) -> int:
        return self.size

    @property
    def sha256(self) -> str:
        return label(self._digest.hexdigest())
