"""pywb as a real replay engine for the tests: load a WARC or WACZ, serve it on loopback."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from support.webserver import free_port, wait_for_port

BIN = Path(sys.executable).parent


def payload_of(warc: Path, url: str) -> bytes:
    """The response payload the WARC recorded for ``url``."""
    with warc.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response" and record.rec_headers.get_header("WARC-Target-URI") == url:
                return bytes(record.content_stream().read())
    raise AssertionError(f"{url} not in {warc}")


@contextmanager
def wayback(work: Path, collection: str, archive: Path, *, unpack_wacz: bool = False) -> Iterator[str]:
    """Serve ``archive`` in a fresh pywb collection; yields the collection's base URL."""
    subprocess.run([BIN / "wb-manager", "init", collection], cwd=work, check=True, capture_output=True)
    # --unpack-wacz copies the WARC out and merges the WACZ's own CDXJ index (no re-indexing)
    add = ["--unpack-wacz"] if unpack_wacz else []
    subprocess.run([BIN / "wb-manager", "add", *add, collection, str(archive)], cwd=work, check=True,
                   capture_output=True)
    port = free_port()
    server = subprocess.Popen([BIN / "wayback", "-p", str(port), "-b", "127.0.0.1"], cwd=work,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, timeout=60)
        yield f"http://127.0.0.1:{port}/{collection}"
    finally:
        server.terminate()
        server.wait(10)
