from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from archiver.hashing import HashingWriter, hash_bytes, hash_file, hash_stream, unlabel


def test_stream_hash_matches_hashlib_and_counts_bytes(tmp_path: Path) -> None:
    data = bytes(range(256)) * 10_000  # crosses several read chunks
    path = tmp_path / "blob"
    path.write_bytes(data)
    expected = "sha256:" + hashlib.sha256(data).hexdigest()
    assert hash_file(path) == (expected, len(data))
    assert hash_stream(io.BytesIO(data)) == (expected, len(data))
    assert hash_bytes(data) == expected


def test_hashing_writer_hashes_what_it_writes() -> None:
    out = io.BytesIO()
    writer = HashingWriter(out)
    writer.write(b"abc")
    writer.write(b"def")
    assert writer.sha256 == "sha256:" + hashlib.sha256(b"abcdef").hexdigest()
    assert writer.size == 6 and out.getvalue() == b"abcdef"


def test_unlabel_refuses_other_algorithms() -> None:
    assert unlabel("sha256:00ff") == "00ff"
    with pytest.raises(ValueError):
        unlabel("sha1:abcd")
