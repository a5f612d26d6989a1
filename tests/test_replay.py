"""A real replay engine (pywb) plays back what we captured, byte for byte."""

from __future__ import annotations

import sys
import urllib.request
from pathlib import Path

from support.replay import payload_of, wayback

BIN = Path(sys.executable).parent


def test_pywb_replays_the_captured_page(capture, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = capture("https://example.org/article")
    warc = Path(result.location) / "capture.warc.gz"
    with wayback(tmp_path, "evidence", warc) as base:
        for url in ("https://example.org/article", "https://cdn.example.org/picture.png"):
            with urllib.request.urlopen(f"{base}/2id_/{url}", timeout=30) as reply:
                replayed = reply.read()
            assert replayed == payload_of(warc, url)
        with urllib.request.urlopen(f"{base}/2mp_/https://example.org/article", timeout=30) as reply:
            assert b"Text of the demo post." in reply.read()
