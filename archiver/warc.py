"""Writing the capture's WARC 1.1 file with SHA-256 record digests."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any, BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archiver.clock import utc_time
from archiver.hashing import HashingWriter

WARC_VERSION = "WARC/1.1"
Headers = list[tuple[str, str]]


class HexSha256Digester:
    """warcio digester that writes ``sha256:<hex>`` (warcio's own writes sha1, base32)."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()

    def update(self, data: bytes) -> None:
        self._digest.update(data)

    def __str__(self) -> str:
        return "sha256:" + self._digest.hexdigest()


class Sha256WARCWriter(WARCWriter):  # type: ignore[misc]  # warcio ships no types
    @staticmethod
    def _create_digester() -> HexSha256Digester:
        return HexSha256Digester()


def warc_date(timestamp: float | None = None) -> str:
    return utc_time(timestamp)


class WarcFile:
    """One gzip-per-record WARC, hashed while it is written.

    Records are digested, compressed and written by one background thread, in the order
    they were given: the proxy and the browser go on meanwhile (zlib and hashlib release
    the GIL). ``flush`` and ``close`` wait for every record given before them; a write
    that failed is raised there.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._raw: BinaryIO = path.open("xb")
        self._hashing = HashingWriter(self._raw)
        self._writer = Sha256WARCWriter(self._hashing, gzip=True, warc_version=WARC_VERSION)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc-writer")
        self._pending: Future[None] | None = None
        self._error: BaseException | None = None
        self.records = 0
        self.closed = False

    def write_warcinfo(self, info: dict[str, Any]) -> None:
        record = self._writer.create_warcinfo_record(self.path.name, info)
        self._write(record)

    def write_exchange(
        self,
        *,
        url: str,
        timestamp: float,
        ip_address: str | None,
        request_line: str,
        request_headers: Headers,
        request_body: bytes,
        status_line: str,
        response_headers: Headers,
        response_body: bytes,
    ) -> str:
        """Write a response record and its request record; return the response record id."""
        date = warc_date(timestamp)
        protocol, _, status_text = status_line.partition(" ")
        response_warc_headers = {"WARC-Date": date}
        if ip_address:
            response_warc_headers["WARC-IP-Address"] = ip_address
        response = self._writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(response_body),
            length=len(response_body),
            http_headers=StatusAndHeaders(status_text, response_headers, protocol=protocol),
            warc_headers_dict=response_warc_headers,
        )
        request = self._writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(request_body),
            length=len(request_body),
            http_headers=StatusAndHeaders(request_line, request_headers, is_http_request=True),
            warc_headers_dict={"WARC-Date": date},
        )
        self._submit(self._writer.write_request_response_pair, request, response)
        self.records += 2
        return str(response.rec_headers.get_header("WARC-Record-ID"))

    def write_resource(
        self, uri: str, content_type: str, data: bytes, *, record_type: str = "resource",
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        record = self._writer.create_warc_record(
            uri,
            record_type,
            payload=io.BytesIO(data),
            length=len(data),
            warc_content_type=content_type,
            warc_headers_dict={"WARC-Date": warc_date(), **(extra_headers or {})},
        )
        self._write(record)

    def write_json_metadata(self, uri: str, data: dict[str, Any]) -> None:
        payload = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False).encode()
        self.write_resource(uri, "application/json", payload, record_type="metadata")

    def _write(self, record: Any) -> None:
        self._submit(self._writer.write_record, record)
        self.records += 1

    def _submit(self, write: Callable[..., None], *records: Any) -> None:
        if self.closed:
            raise ValueError(f"{self.path.name} is closed")
        self._pending = self._thread.submit(write, *records)
        self._pending.add_done_callback(self._keep_first_error)

    def _keep_first_error(self, done: Future[None]) -> None:
        if done.exception() is not None and self._error is None:
            self._error = done.exception()

    def _drain(self) -> None:
        if self._pending is not None:
            wait([self._pending])
        if self._error is not None:
            raise OSError(f"writing {self.path.name} failed: {self._error}") from self._error

    def flush(self) -> None:
        """Make the records written so far readable by another handle."""
        self._drain()
        self._raw.flush()

    def readable_size(self) -> int:
        """Bytes of whole records written so far, readable by another handle.

        Asked of the writer thread itself, so the answer falls between two records even
        while the proxy goes on writing.
        """
        def flushed_size() -> int:
            self._hashing.flush()
            return self._hashing.size
        if self.closed:
            return self._hashing.size
        size = self._thread.submit(flushed_size)
        wait([size])
        return size.result()

    def close(self) -> tuple[str, int]:
        """Close the file; return its ``sha256:<hex>`` and size."""
        if not self.closed:
            try:
                self._drain()
            finally:
                self.closed = True
                self._thread.shutdown(wait=True)
                self._hashing.flush()
                self._raw.close()
        return self._hashing.sha256, self._hashing.size
