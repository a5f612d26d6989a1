"""PDQ hashes as rows of four 64-bit words, the form the index computes Hamming distances on.

A PDQ hash is 256 bits, written as 64 lowercase hex digits, zero-padded (one archiving tool drops
leading zeros: a hash of 63 digits is refused, not guessed; upper case is read too). Word 0 holds
the first 16 digits, most significant bit first, so bit ``i`` of the hash is the same bit in
every form.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from archiver.errors import ArchiverError

Words: TypeAlias = npt.NDArray[np.uint64]
# 64-hex strings, 32-byte strings, an (n, 32) uint8 array or an (n, 4) uint64 array of words.
Hashes: TypeAlias = Sequence[str | bytes] | npt.NDArray[np.uint8] | Words

HEX = re.compile(r"[0-9a-f]{64}")
BITS = 256


class PdqHashError(ArchiverError):
    """Something given as a PDQ hash is not one (bad input: exit 2)."""


def to_words(hashes: Hashes) -> Words:
    """An (n, 4) C-contiguous uint64 array of the hashes, whichever form they came in."""
    if isinstance(hashes, np.ndarray):
        return _array_words(hashes)
    if not hashes:
        return np.empty((0, 4), np.uint64)
    if all(isinstance(value, str) for value in hashes):
        return _hex_words([str(value).lower() for value in hashes])
    if all(isinstance(value, bytes) and len(value) == BITS // 8 for value in hashes):
        return _bytes_words(b"".join(value for value in hashes if isinstance(value, bytes)))
    raise PdqHashError("PDQ hashes must be 64 hex digits or 32 bytes each")


def to_hex(words: Words) -> list[str]:
    """The 64-hex form of each row."""
    text = np.ascontiguousarray(words, dtype=">u8").tobytes().hex()
    return [text[start:start + 64] for start in range(0, len(text), 64)]


def distances(words: Words, query: Words) -> npt.NDArray[np.uint16]:
    """Hamming distance of each row of ``words`` to ``query`` (one row, or one row each)."""
    counts: npt.NDArray[np.uint8] = np.bitwise_count(words ^ query)
    # Four uint8 counts can add up to 256: widen before adding.
    total = counts[:, 0].astype(np.uint16)
    for column in range(1, 4):
        total += counts[:, column]
    return total


def _hex_words(values: list[str]) -> Words:
    for number, value in enumerate(values):
        if not HEX.fullmatch(value):
            raise PdqHashError(f"hash {number + 1} is not a PDQ hash (64 hex digits): {value[:80]!r}")
    return _bytes_words(bytes.fromhex("".join(values)))


def _bytes_words(data: bytes) -> Words:
    return np.frombuffer(data, dtype=">u8").reshape(-1, 4).astype(np.uint64)


def _array_words(array: npt.NDArray[np.generic]) -> Words:
    if array.ndim == 2 and array.shape[1] == 4 and array.dtype == np.uint64:
        return np.ascontiguousarray(array)
    if array.ndim == 2 and array.shape[1] == BITS // 8 and array.dtype == np.uint8:
        return _bytes_words(np.ascontiguousarray(array).tobytes())
    raise PdqHashError(f"an array of PDQ hashes must be (n, 32) uint8 or (n, 4) uint64, not {array.shape} "
                       f"{array.dtype}")
