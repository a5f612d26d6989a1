"""A capture's WebSocket messages, one WARC resource record per connection.

WARC 1.1 has no record type for WebSocket messages and replay tools do not agree on one.
The 101 handshake is recorded like any exchange; each connection's messages then go into a
``resource`` record whose target is the ``ws://`` or ``wss://`` URL, ``application/x-ndjson``
(one JSON object per line, in the order the proxy passed them on), which names the
handshake's response record in ``WARC-Concurrent-To``. The last line says how the connection
ended, or that it was still open when the capture ended.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from archiver.secrets import scrub_bytes
from archiver.warc import WarcFile, warc_date

CONTENT_TYPE = "application/x-ndjson"


def websocket_url(http_url: str) -> str:
    """``https://host/path`` as the ``wss://host/path`` the page opened."""
    if http_url.startswith("https://"):
        return "wss://" + http_url[len("https://"):]
    if http_url.startswith("http://"):
        return "ws://" + http_url[len("http://"):]
    return http_url


@dataclass
class WebSocketLog:
    url: str
    handshake_record_id: str | None
    lines: list[bytes] = field(default_factory=list)
    messages: int = 0

    def add(self, *, from_client: bool, is_text: bool, content: bytes, timestamp: float,
            secrets: list[str]) -> int:
        """Keep one message (secret values replaced); return its size as received."""
        size = len(content)
        content = scrub_bytes(content, secrets)
        entry: dict[str, Any] = {"event": "message", "time": warc_date(timestamp),
                                 "from": "client" if from_client else "server"}
        if is_text:
            entry.update(type="text", text=content.decode("utf-8", "replace"))
        else:
            entry.update(type="binary", base64=base64.b64encode(content).decode("ascii"))
        self.lines.append(json.dumps(entry, ensure_ascii=False).encode() + b"\n")
        self.messages += 1
        return size

    def write(self, warc: WarcFile, ended: dict[str, Any]) -> None:
        closing = {"event": "end", "time": warc_date(), **ended}
        data = b"".join(self.lines) + json.dumps(closing, ensure_ascii=False).encode() + b"\n"
        headers = {"WARC-Concurrent-To": self.handshake_record_id} if self.handshake_record_id else None
        warc.write_resource(self.url, CONTENT_TYPE, data, extra_headers=headers)
