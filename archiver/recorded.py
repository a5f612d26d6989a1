"""Responses already recorded in a capture's WARC, read back for the platform that asked."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.limitreader import LimitReader
from warcio.recordloader import ArcWarcRecord

# An API answer larger than this is not a page's data but a download; reading it whole
# into memory to look for a post would cost more than the post is worth.
MAX_JSON_BYTES = 16 * 1024 * 1024


def ok_responses(warc_path: Path, size: int | None = None) -> Iterator[tuple[str, ArcWarcRecord]]:
    """(target URL, record) of each 2xx response record, in the order they were written.

    ``size`` bounds the read to the whole records written when it was measured
    (``WarcFile.readable_size``), so a record still being written is never read half.
    """
    with warc_path.open("rb") as raw:
        stream = raw if size is None else LimitReader(raw, size)
        for record in ArchiveIterator(stream):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            if record.http_headers.get_statuscode().startswith("2"):
                yield record.rec_headers.get_header("WARC-Target-URI"), record


def json_responses(warc_path: Path, size: int, url_pattern: str, limit: int) -> list[tuple[str, Any]]:
    """(URL, parsed body) of the first ``limit`` 2xx JSON responses whose URL matches."""
    wanted = re.compile(url_pattern)
    found: list[tuple[str, Any]] = []
    for url, record in ok_responses(warc_path, size):
        if not wanted.search(url):
            continue
        body = record.content_stream().read(MAX_JSON_BYTES + 1)
        if len(body) > MAX_JSON_BYTES:
            continue
        try:
            found.append((url, json.loads(body)))
        except ValueError:  # an error page or a truncated answer: not data to read
            continue
        if len(found) >= limit:
            break
    return found
