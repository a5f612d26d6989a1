"""A local HTTPS (and HTTP) server for capture tests: static sites keyed by Host, plus special routes."""

from __future__ import annotations

import mimetypes
import socket
import ssl
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

Route = Callable[[BaseHTTPRequestHandler], None]


class Site:
    """Files served for one hostname, plus handlers for special paths."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root
        self.files: dict[str, tuple[bytes, str]] = {}
        self.routes: dict[str, Route] = {}

    def add(self, path: str, body: bytes | str, content_type: str = "text/html; charset=utf-8") -> None:
        self.files[path] = (body.encode() if isinstance(body, str) else body, content_type)


class TestServer:
    def __init__(self, certfile: Path | None = None, keyfile: Path | None = None) -> None:
        self.sites: dict[str, Site] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                host = (self.headers.get("Host") or "").split(":")[0].lower()
                server.requests.append((host, self.path, dict(self.headers)))
                site = server.sites.get(host) or server.sites.get("*")
                path = self.path.split("?")[0]
                if site is None:
                    return self._send(404, b"no such site", "text/plain")
                if self.path in site.routes:
                    return site.routes[self.path](self)
                if path in site.routes:
                    return site.routes[path](self)
                if path in site.files:
                    body, ctype = site.files[path]
                    return self._send(200, body, ctype)
                if site.root is not None:
                    candidate = (site.root / path.lstrip("/")).resolve()
                    if site.root.resolve() in candidate.parents and candidate.is_file():
                        ctype = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
                        return self._send(200, candidate.read_bytes(), ctype)
                if "*" in site.routes:
                    return site.routes["*"](self)
                self._send(404, b"<html><title>Not found</title><body>Page not found</body></html>",
                           "text/html")

            def _send(self, code: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            send = _send

        context: ssl.SSLContext | None = None
        if certfile and keyfile:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certfile, keyfile)
        self.httpd = _Server(("127.0.0.1", 0), Handler, context)
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def site(self, host: str, root: Path | None = None) -> Site:
        return self.sites.setdefault(host, Site(root))

    def start(self) -> TestServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Server(ThreadingHTTPServer):
    """TLS handshakes happen in the connection's own thread, so one slow client blocks nobody."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type, context: ssl.SSLContext | None) -> None:
        super().__init__(address, handler)
        self.tls_context = context

    def finish_request(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        if self.tls_context is None:
            super().finish_request(request, client_address)
            return
        try:
            wrapped = self.tls_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            super().finish_request(wrapped, client_address)
        finally:
            wrapped.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"port {port} did not open within {timeout}s")
