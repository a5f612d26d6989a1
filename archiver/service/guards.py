"""What every response and request goes through: security headers, the upload size limit, and
the refusal of credentials in URLs (they end up in logs, histories and Referer headers)."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'none'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
# The OpenAPI page loads Swagger UI from its CDN and starts it with an inline script.
DOCS_CSP = ("default-src 'none'; img-src 'self' data: https://fastapi.tiangolo.com; "
            "style-src 'self' https://cdn.jsdelivr.net; "
            "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'")
HEADERS = [(b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"no-referrer"), (b"cross-origin-opener-policy", b"same-origin"),
           (b"cache-control", b"no-store")]
CREDENTIAL_PARAMETERS = {"access_token", "token", "api_key", "apikey", "bearer", "auth"}


class Guards:
    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = (DOCS_CSP if scope["path"] == "/api/docs" else CSP).encode()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                added = [(n, v) for n, v in [*HEADERS, (b"content-security-policy", csp)] if n not in names]
                message["headers"] = [*message.get("headers", []), *added]
            await send(message)

        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        if any(name.lower() in CREDENTIAL_PARAMETERS for name, _ in query):
            await problem(send_with_headers, 400, "credentials are never accepted in URLs; "
                                                  "send an API token as 'Authorization: Bearer ...'")
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            await problem(send_with_headers, 413, f"the request body is larger than {self.max_body} bytes")
            return
        received = 0

        async def counted_receive() -> Message:
            # A body sent without Content-Length: stopped as soon as it grows past the limit.
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise HTTPException(413, f"the request body is larger than {self.max_body} bytes")
            return message

        await self.app(scope, counted_receive, send_with_headers)


async def problem(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
