"""A real replay engine (pywb) plays back what we captured, byte for byte."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from support.webserver import free_port, wait_for_port

BIN = Path(sys.executable).parent


def payload_of(warc: Path, url: str) -> bytes:
    with warc.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response" and record.rec_headers.get_header("WARC-Target-URI") == url:
                return record.content_stream().read()
    raise AssertionError(f"{url} not in {warc}")


def test_pywb_replays_the_captured_page(capture, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = capture("https://example.org/article")
    warc = Path(result.location) / "capture.warc.gz"
    subprocess.run([BIN / "wb-manager", "init", "evidence"], cwd=tmp_path, check=True, capture_output=True)
    subprocess.run([BIN / "wb-manager", "add", "evidence", str(warc)], cwd=tmp_path, check=True,
                   capture_output=True)
    port = free_port()
    server = subprocess.Popen([BIN / "wayback", "-p", str(port), "-b", "127.0.0.1"], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, timeout=60)
        for url in ("https://example.org/article", "https://cdn.example.org/picture.png"):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/evidence/2id_/{url}", timeout=30) as reply:
                replayed = reply.read()
            assert replayed == payload_of(warc, url)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/evidence/2mp_/https://example.org/article",
                                    timeout=30) as reply:
            assert b"Text of the demo post." in reply.read()
    finally:
        server.terminate()
        server.wait(10)
