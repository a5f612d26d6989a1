"""mitmproxy addon that records every exchange of a capture into its WARC.

The browser talks to an in-process mitmproxy; each browser context authenticates
to the proxy with its capture's token, so concurrent captures sharing one proxy
keep their traffic apart. The proxy is also where names are resolved
(``--resolve``), where the SSRF guard refuses non-public addresses, and where
secret header values are redacted before anything reaches the WARC.
"""

from __future__ import annotations

import asyncio
import base64
import contextvars
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from mitmproxy import http
from mitmproxy.proxy import server_hooks

from archiver.netguard import AddressGuard
from archiver.pins import Pins
from archiver.secrets import REDACTED, SECRET_HEADERS
from archiver.tls import certificate_facts
from archiver.warc import Headers, WarcFile
from archiver.wslog import WebSocketLog, websocket_url

log = logging.getLogger(__name__)

SYNTHETIC = "archiver_synthetic"
RECORD_ID = "archiver_record_id"  # the WARC response record of a flow (a WebSocket's handshake)
REALM = "archiver-capture"

# (host, port) -> (address, port) of the server connection being opened, set in the task that
# opens it (mitmproxy runs the server_connect hook and then connects in one task), so the
# proxy's resolver answers that connection alone with what the guard chose for its capture.
CONNECTING: contextvars.ContextVar[tuple[tuple[str, int], tuple[str, int]] | None] = contextvars.ContextVar(
    "archiver_connecting", default=None)


@dataclass
class CaptureTraffic:
    """What the proxy saw for one capture."""

    token: str
    warc: WarcFile
    max_bytes: int
    guard: AddressGuard
    pins: Pins = field(init=False)
    bytes_recorded: int = 0
    exchanges: int = 0
    limit_reason: str | None = None
    blocked: list[dict[str, str]] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    redactions: Counter[str] = field(default_factory=Counter)
    normalisations: Counter[str] = field(default_factory=Counter)
    # url -> network facts of its (last) response: ip, tls certificate, status
    responses: dict[str, dict[str, Any]] = field(default_factory=dict)
    in_flight: dict[str, str] = field(default_factory=dict)
    closed: bool = False
    secrets: list[str] = field(default_factory=list)  # values kept out of WebSocket records
    websockets: dict[str, WebSocketLog] = field(default_factory=dict)  # open ones, by flow id
    websocket_connections: int = 0
    websocket_messages: int = 0
    # Main-frame navigations the page started after its first one; the browser side fills
    # this (archiver.navigations): they were stopped, so the proxy never saw them.
    navigations: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.pins = Pins(self.guard)

    async def settled(self, timeout: float) -> None:
        """Wait (at most ``timeout``) for exchanges and WebSockets still open to be written."""
        deadline = time.monotonic() + timeout
        while (self.in_flight or self.websockets) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)

    def summary(self) -> dict[str, Any]:
        return {
            "exchanges": self.exchanges,
            "bytes_recorded": self.bytes_recorded,
            "blocked": list(self.blocked),
            "failed": list(self.failed),
            "unfinished": sorted(set(self.in_flight.values())),
            "redactions": dict(self.redactions),
            "normalisations": dict(self.normalisations),
            "websocket_connections": self.websocket_connections,
            "websocket_messages": self.websocket_messages,
            "navigations": list(self.navigations),
        }


def _token_from(headers: http.Headers) -> str | None:
    value = headers.get("Proxy-Authorization", "")
    scheme, _, encoded = value.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, _password = base64.b64decode(encoded).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return user or None


def _auth_required() -> http.Response:
    return http.Response.make(407, b"", {"Proxy-Authenticate": f'Basic realm="{REALM}"'})


class Recorder:
    def __init__(self) -> None:
        self.sessions: dict[str, CaptureTraffic] = {}
        self._conn_tokens: dict[str, str] = {}

    # -- sessions ---------------------------------------------------------
    def open(self, token: str, warc: WarcFile, max_bytes: int, guard: AddressGuard,
             secrets: list[str] | None = None) -> CaptureTraffic:
        traffic = CaptureTraffic(token=token, warc=warc, max_bytes=max_bytes, guard=guard,
                                 secrets=list(secrets or []))
        self.sessions[token] = traffic
        return traffic

    def close(self, token: str) -> CaptureTraffic:
        traffic = self.sessions.pop(token)
        traffic.closed = True
        traffic.pins.clear()
        for websocket in traffic.websockets.values():
            websocket.write(traffic.warc, {"closed_by": None, "code": None, "reason": None,
                                            "note": "still open when the capture ended"})
        traffic.websockets.clear()
        self._conn_tokens = {c: t for c, t in self._conn_tokens.items() if t != token}
        return traffic

    def _session_for(self, flow: http.HTTPFlow) -> CaptureTraffic | None:
        token = self._conn_tokens.get(flow.client_conn.id) or _token_from(flow.request.headers)
        if token is None:
            return None
        return self.sessions.get(token)

    # -- mitmproxy event hooks -------------------------------------------
    def http_connect(self, flow: http.HTTPFlow) -> None:
        token = _token_from(flow.request.headers)
        if token is None or token not in self.sessions:
            flow.response = _auth_required()
            flow.metadata[SYNTHETIC] = True
            return
        self._conn_tokens[flow.client_conn.id] = token

    async def requestheaders(self, flow: http.HTTPFlow) -> None:
        traffic = self._session_for(flow)
        if traffic is None:
            flow.response = _auth_required()
            flow.metadata[SYNTHETIC] = True
            return
        flow.metadata["archiver_token"] = traffic.token
        self._conn_tokens[flow.client_conn.id] = traffic.token
        if "Proxy-Authorization" in flow.request.headers:
            del flow.request.headers["Proxy-Authorization"]
        url = flow.request.pretty_url
        if traffic.limit_reason:
            self._refuse(flow, traffic, 503, f"not fetched: {traffic.limit_reason}", record_as="failed")
            return
        # In flight while the name is looked up: a capture ending meanwhile lists it as unfinished.
        traffic.in_flight[flow.id] = url
        decision = await traffic.pins.decide(flow.request.host, flow.request.port)
        if decision.blocked:
            traffic.in_flight.pop(flow.id, None)
            self._refuse(flow, traffic, 403, decision.reason or "blocked", record_as="blocked")

    async def server_connect(self, data: server_hooks.ServerConnectionHookData) -> None:
        # The capture's pinned answer (the one its requests were checked with) is what the
        # connection opened next in this task resolves to (see pinned_address).
        if data.server.address is None:
            return
        traffic = self.sessions.get(self._conn_tokens.get(data.client.id, ""))
        if traffic is None:
            data.server.error = "connection of no known capture"
            return
        host, port = str(data.server.address[0]), int(data.server.address[1])
        decision = await traffic.pins.decide(host, port)
        if decision.address is None:
            data.server.error = decision.reason or "cannot resolve"
            return
        CONNECTING.set(((host.lower(), port), (decision.address, decision.port or port)))

    def responseheaders(self, flow: http.HTTPFlow) -> None:
        traffic = self.sessions.get(flow.metadata.get("archiver_token", ""))
        if traffic is None or flow.metadata.get(SYNTHETIC) or flow.response is None:
            return
        declared = flow.response.headers.get("Content-Length", "")
        if declared.isdigit() and traffic.bytes_recorded + int(declared) > traffic.max_bytes:
            traffic.limit_reason = f"size cap of {traffic.max_bytes} bytes reached"
            flow.kill()

    def response(self, flow: http.HTTPFlow) -> None:
        traffic = self.sessions.get(flow.metadata.get("archiver_token", ""))
        if traffic is None or flow.metadata.get(SYNTHETIC) or flow.response is None:
            return
        traffic.in_flight.pop(flow.id, None)
        body = flow.response.raw_content or b""
        if traffic.bytes_recorded + len(body) > traffic.max_bytes:
            traffic.limit_reason = f"size cap of {traffic.max_bytes} bytes reached"
            traffic.failed.append({"url": flow.request.pretty_url, "error": "size cap"})
            return
        self._record(flow, traffic, body)

    def websocket_start(self, flow: http.HTTPFlow) -> None:
        traffic = self.sessions.get(flow.metadata.get("archiver_token", ""))
        if traffic is None:
            return
        traffic.websockets[flow.id] = WebSocketLog(url=websocket_url(flow.request.pretty_url),
                                                   handshake_record_id=flow.metadata.get(RECORD_ID))
        traffic.websocket_connections += 1

    def websocket_message(self, flow: http.HTTPFlow) -> None:
        traffic = self.sessions.get(flow.metadata.get("archiver_token", ""))
        websocket = traffic.websockets.get(flow.id) if traffic else None
        if traffic is None or websocket is None or flow.websocket is None:
            return
        message = flow.websocket.messages[-1]
        if traffic.bytes_recorded + len(message.content) > traffic.max_bytes:
            traffic.limit_reason = f"size cap of {traffic.max_bytes} bytes reached"
            message.drop()  # the page does not get what the evidence does not hold
            return
        traffic.bytes_recorded += websocket.add(
            from_client=message.from_client, is_text=message.is_text, content=message.content,
            timestamp=message.timestamp, secrets=traffic.secrets)
        traffic.websocket_messages += 1

    def websocket_end(self, flow: http.HTTPFlow) -> None:
        traffic = self.sessions.get(flow.metadata.get("archiver_token", ""))
        websocket = traffic.websockets.pop(flow.id, None) if traffic else None
        if traffic is None or websocket is None or flow.websocket is None:
            return
        websocket.write(traffic.warc, {
            "closed_by": "client" if flow.websocket.closed_by_client else "server",
            "code": flow.websocket.close_code, "reason": flow.websocket.close_reason or None})

    def error(self, flow: http.HTTPFlow) -> None:
        traffic = self.sessions.get(flow.metadata.get("archiver_token", ""))
        if traffic is None or flow.metadata.get(SYNTHETIC):
            return
        traffic.in_flight.pop(flow.id, None)
        message = flow.error.msg if flow.error else "unknown error"
        traffic.failed.append({"url": flow.request.pretty_url, "error": message})

    # -- helpers ------------------------------------------------------------
    def _refuse(
        self, flow: http.HTTPFlow, traffic: CaptureTraffic, code: int, reason: str, record_as: str
    ) -> None:
        entry = {"url": flow.request.pretty_url, "reason": reason}
        (traffic.blocked if record_as == "blocked" else traffic.failed).append(entry)
        flow.response = http.Response.make(code, reason.encode(), {"Content-Type": "text/plain"})
        flow.metadata[SYNTHETIC] = True

    def _record(self, flow: http.HTTPFlow, traffic: CaptureTraffic, body: bytes) -> None:
        assert flow.response is not None
        request, response = flow.request, flow.response
        request_headers = self._redact(request.headers.fields, traffic)
        response_headers = self._redact(response.headers.fields, traffic)
        response_headers = self._normalise_framing(response_headers, len(body), traffic)
        ip = flow.server_conn.peername[0] if flow.server_conn.peername else None
        url = request.pretty_url
        flow.metadata[RECORD_ID] = traffic.warc.write_exchange(
            url=url,
            timestamp=request.timestamp_start or time.time(),
            ip_address=str(ip) if ip else None,
            request_line=f"{request.method} {request.path} {request.http_version}",
            request_headers=request_headers,
            request_body=request.raw_content or b"",
            status_line=f"{response.http_version} {response.status_code} {response.reason or ''}".rstrip(),
            response_headers=response_headers,
            response_body=body,
        )
        traffic.exchanges += 1
        traffic.bytes_recorded += len(body)
        certs = [
            x509.load_pem_x509_certificate(c.to_pem()).public_bytes(Encoding.DER)
            for c in flow.server_conn.certificate_list
        ]
        traffic.responses[url] = {
            "status": response.status_code,
            "content_type": response.headers.get("Content-Type"),
            "server_ip": str(ip) if ip else None,
            "tls": certificate_facts(certs, flow.server_conn.tls_version) if certs else None,
            "payload_size": len(body),
        }

    @staticmethod
    def _redact(fields: Any, traffic: CaptureTraffic) -> Headers:
        out: Headers = []
        for raw_name, raw_value in fields:
            name = raw_name.decode("latin-1")
            value = raw_value.decode("latin-1")
            if name.lower() == "proxy-authorization":
                traffic.redactions[name.lower()] += 1
                continue
            if name.lower() in SECRET_HEADERS:
                traffic.redactions[name.lower()] += 1
                value = REDACTED
            out.append((name, value))
        return out

    @staticmethod
    def _normalise_framing(headers: Headers, body_length: int, traffic: CaptureTraffic) -> Headers:
        # mitmproxy hands us the de-chunked body: keep the headers consistent with it.
        if not any(n.lower() == "transfer-encoding" for n, _ in headers):
            return headers
        traffic.normalisations["transfer-encoding removed (body stored de-chunked)"] += 1
        kept = [(n, v) for n, v in headers if n.lower() not in ("transfer-encoding", "content-length")]
        kept.append(("Content-Length", str(body_length)))
        return kept


def pinned_address(host: str, port: int) -> tuple[str, int] | None:
    """The address the guard chose for ``host:port`` if the current task is connecting there.

    The server connection keeps its (host, port) address, so mitmproxy can reuse it for
    the next request and checks the certificate against the hostname.
    """
    connecting = CONNECTING.get()
    if connecting is None or connecting[0] != (host.lower(), port):
        return None
    return connecting[1]

