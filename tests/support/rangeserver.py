"""A threaded loopback HTTP server for fixed files, with single-range requests (RFC 9110 §14):
ReplayWeb.page reads a WACZ's central directory and then each entry by Range, never whole."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
TYPES = {".html": "text/html; charset=utf-8", ".js": "application/javascript", ".wacz": "application/wacz",
         ".json": "application/json"}


def byte_range(header: str | None, size: int) -> tuple[int, int] | None | bool:
    """(first, last) asked for; None for the whole file; False when it cannot be satisfied."""
    if header is None:
        return None
    match = RANGE.match(header.strip())
    if not match or match.groups() == ("", ""):
        return None  # multiple or malformed ranges: RFC 9110 lets a server send the whole file
    first, last = match.groups()
    if first == "":
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        return False
    return start, end


class RangeServer:
    """Serves ``files`` (URL path -> file) on 127.0.0.1, a secure context for service workers."""

    def __init__(self, files: Mapping[str, Path]) -> None:
        self.files = dict(files)
        self.requests: list[tuple[str, str | None]] = []  # (path, Range header)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:  # noqa: N802
                self._serve(body=False)

            def do_GET(self) -> None:  # noqa: N802
                self._serve(body=True)

            def _serve(self, body: bool) -> None:
                path = self.path.split("?")[0]
                server.requests.append((path, self.headers.get("Range")))
                file = server.files.get(path)
                if file is None:
                    return self._reply(404, b"not found", "text/plain", body)
                size = file.stat().st_size
                wanted = byte_range(self.headers.get("Range"), size)
                if wanted is False:
                    return self._reply(416, b"", "text/plain", body, {"Content-Range": f"bytes */{size}"})
                start, end = wanted if isinstance(wanted, tuple) else (0, size - 1)
                self.send_response(206 if wanted else 200)
                self.send_header("Content-Type", TYPES.get(file.suffix, "application/octet-stream"))
                self.send_header("Content-Length", str(end - start + 1))
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Cache-Control", "no-store")
                if wanted:
                    self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
                self.end_headers()
                if body:
                    with file.open("rb") as stream:
                        stream.seek(start)
                        _copy(stream, self.wfile, end - start + 1)

            def _reply(self, code: int, data: bytes, ctype: str, body: bool,
                       headers: dict[str, str] | None = None) -> None:
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                if body:
                    self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> RangeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _copy(source: BinaryIO, target: BinaryIO, count: int) -> None:
    remaining = count
    while remaining > 0:
        chunk = source.read(min(remaining, 1024 * 1024))
        if not chunk:
            break
        target.write(chunk)
        remaining -= len(chunk)
