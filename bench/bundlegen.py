"""Synthetic but valid evidence bundles for the verify benchmark (no browser needed).

Each bundle is what a capture writes: a gzip-per-record WARC with SHA-256 record digests
(warcinfo, the page exchange, optionally one large response of random bytes standing for a
video, the artifacts as resource records, the capture record), the loose artifacts, a signed
manifest and a custody log, so ``archiver verify`` reports it OK.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import warcio.warcwriter
from warcio.statusandheaders import StatusAndHeaders

from archiver import bundle as names
from archiver.bundle import BundleWriter
from archiver.custody import append_event
from archiver.ids import new_bundle_id
from archiver.keys import Signer
from archiver.manifest import SCHEMA, SCHEMA_VERSION, anchored_view, artifact_uri, capture_record_uri
from archiver.signing import sign_manifest
from archiver.toolinfo import tool_info
from archiver.warc import WarcFile

RANDOM_CHUNK = 16 * 1024 * 1024
PAGE = b"<!doctype html><html><body><article>benchmark post</article>" + b"<p>filler</p>" * 4000 + b"</body></html>"


class StoredGzip(warcio.warcwriter.GzippingWrapper):  # type: ignore[misc]
    """Level 0 for the random-bytes record: deflate ends up emitting stored blocks for random
    data at any level (as for a real video), but levels 1-9 take 20-40 s per GiB to find that out."""

    def __init__(self, out):  # type: ignore[no-untyped-def]
        super().__init__(out)
        self.compressor = zlib.compressobj(0, zlib.DEFLATED, zlib.MAX_WBITS + 16)


def random_file(path: Path, size: int) -> Path:
    with path.open("wb") as out:
        left = size
        while left:
            n = min(left, RANDOM_CHUNK)
            out.write(os.urandom(n))
            left -= n
    return path


def make_bundle(root: Path, signer: Signer, big_bytes: int = 0, scratch: Path | None = None) -> Path:
    """Write one sealed bundle under ``root``; ``big_bytes`` > 0 adds a random-bytes response."""
    bundle_id = new_bundle_id()
    folder = root / bundle_id
    folder.mkdir(parents=True)
    writer = BundleWriter(folder, bundle_id)
    warc = WarcFile(folder / names.WARC)
    warc.write_warcinfo({"software": "evidence-archiver benchmark", "isPartOf": bundle_id})
    url = f"https://bench.example/post/{bundle_id}"
    warc.write_exchange(url=url, timestamp=0, ip_address="192.0.2.1", request_line="GET /post HTTP/1.1",
                        request_headers=[("Host", "bench.example")], request_body=b"",
                        status_line="HTTP/1.1 200 OK",
                        response_headers=[("Content-Type", "text/html"), ("Content-Length", str(len(PAGE)))],
                        response_body=PAGE)
    if big_bytes:
        add_big_response(warc, f"https://bench.example/video/{bundle_id}.mp4", big_bytes,
                         (scratch or root) / f".{bundle_id}.random")
    for relpath, media_type, data in ((names.DOM, "text/html", PAGE),
                                      (names.METADATA, "application/json", b'{"platform": "generic"}')):
        writer.add_bytes(relpath, data, media_type)
        warc.write_resource(artifact_uri(bundle_id, relpath), media_type, data)
    manifest = {
        "schema": SCHEMA, "schema_version": SCHEMA_VERSION, "bundle_id": bundle_id, "case_id": "BENCH",
        "operator": "bench", "tool": tool_info(), "browser": {"name": "none"}, "requested_url": url,
        "final_url": url, "canonical_url": url, "platform": "generic", "status": "complete",
        "reason": None, "started_at": "2026-01-01T00:00:00.000000Z", "ended_at": "2026-01-01T00:00:01.000000Z",
        "settings": {}, "post": None,
    }
    warc.write_json_metadata(capture_record_uri(bundle_id), anchored_view(manifest))
    sha, size = warc.close()
    writer.add_existing(names.WARC, "application/warc", sha, size, records=warc.records)
    manifest["artifacts"] = writer.artifacts
    manifest_sha = writer.write_manifest(manifest)
    sign_manifest(folder, manifest, signer)
    append_event(folder, event="captured", actor="bench", signer=signer, details={"manifest_sha256": manifest_sha})
    writer.seal()
    return folder


def add_big_response(warc: WarcFile, url: str, size: int, scratch: Path) -> None:
    """One response record whose body is ``size`` random bytes, streamed (never all in memory)."""
    random_file(scratch, size)
    writer = warc._writer  # noqa: SLF001 - the same writer and digests a capture uses
    headers = StatusAndHeaders("200 OK", [("Content-Type", "video/mp4"), ("Content-Length", str(size))],
                               protocol="HTTP/1.1")
    original = warcio.warcwriter.GzippingWrapper
    warcio.warcwriter.GzippingWrapper = StoredGzip
    try:
        with scratch.open("rb") as payload:
            record = writer.create_warc_record(url, "response", payload=payload, length=size,
                                               http_headers=headers)
            writer.write_record(record)
    finally:
        warcio.warcwriter.GzippingWrapper = original
        scratch.unlink()
    warc.records += 1
