"""The WARC writer: records in the order given, digests that check, failures that surface."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver.hashing import hash_file
from archiver.warc import WarcFile


def test_records_written_by_the_background_thread_keep_their_order_and_digests(tmp_path: Path) -> None:
    path = tmp_path / "capture.warc.gz"
    warc = WarcFile(path)
    warc.write_warcinfo({"software": "test"})
    payloads = [bytes([i % 251]) * (i * 7919) for i in range(40)]  # up to ~300 KB
    for index, payload in enumerate(payloads):
        warc.write_resource(f"urn:test:{index}", "application/octet-stream", payload)
    sha256, size = warc.close()
    assert (sha256, size) == hash_file(path)
    assert warc.records == 41
    with path.open("rb") as stream:
        records = list((r.rec_type, r.rec_headers.get_header("WARC-Target-URI"),
                        r.rec_headers.get_header("WARC-Payload-Digest"), r.content_stream().read())
                       for r in ArchiveIterator(stream))
    assert records[0][0] == "warcinfo"
    for index, (kind, uri, digest, payload) in enumerate(records[1:]):
        assert (kind, uri, payload) == ("resource", f"urn:test:{index}", payloads[index])
        assert digest == "sha256:" + hashlib.sha256(payloads[index]).hexdigest()
    check = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", str(path)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_write_that_fails_in_the_thread_is_raised_at_close(tmp_path: Path) -> None:
    warc = WarcFile(tmp_path / "capture.warc.gz")
    warc.write_warcinfo({"software": "test"})

    def disk_full(_data: bytes) -> int:
        raise OSError(28, "No space left on device")

    warc._hashing.write = disk_full  # type: ignore[method-assign]
    warc.write_resource("urn:test:lost", "text/plain", b"x" * 10_000)
    with pytest.raises(OSError, match="capture.warc.gz.*No space left"):
        warc.close()
    with pytest.raises(ValueError, match="closed"):
        warc.write_resource("urn:test:late", "text/plain", b"late")
