"""WebSocket messages of a capture: recorded beside their handshake, secrets kept out."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver.manifest import Manifest

from support.websocket import echo

TALKER = """<!doctype html><title>ws</title><p id="got">echoes:0</p><script>
const ws = new WebSocket('wss://example.org/ws-echo');
ws.binaryType = 'arraybuffer';
ws.onopen = () => { ws.send('hello from the page ' + (document.cookie || 'no cookie'));
                    ws.send(new Uint8Array([0, 1, 2, 255])); };
let n = 0;
ws.onmessage = () => { n++; document.getElementById('got').textContent = 'echoes:' + n;
                       if (n === 2 && CLOSE) ws.close(1000, 'done'); };
</script>"""


@pytest.fixture(scope="module", autouse=True)
def websocket_pages(https_server) -> None:  # type: ignore[no-untyped-def]
    site = https_server.site("example.org")
    site.routes["/ws-echo"] = echo
    site.add("/ws-talk", TALKER.replace("CLOSE", "true"))
    site.add("/ws-stay-open", TALKER.replace("CLOSE", "false"))


def websocket_records(warc: Path) -> tuple[dict[str, str], list[tuple[dict[str, str], list[dict]]]]:
    handshakes, logs = {}, []
    with warc.open("rb") as stream:
        for record in ArchiveIterator(stream):
            uri = record.rec_headers.get_header("WARC-Target-URI")
            body = record.content_stream().read()
            if record.rec_type == "response" and uri == "https://example.org/ws-echo":
                handshakes[record.rec_headers.get_header("WARC-Record-ID")] = record.http_headers.get_statuscode()
            if uri == "wss://example.org/ws-echo":
                lines = [json.loads(line) for line in body.decode().splitlines()]
                logs.append((dict(record.rec_headers.headers), lines))
    return handshakes, logs


def test_messages_both_ways_are_recorded_next_to_the_handshake(capture) -> None:  # type: ignore[no-untyped-def]
    result = capture("https://example.org/ws-talk")
    assert result.status == "complete", result.reason
    handshakes, logs = websocket_records(Path(result.location) / "capture.warc.gz")
    assert len(logs) == 1
    headers, lines = logs[0]
    assert headers["Content-Type"] == "application/x-ndjson"
    assert handshakes[headers["WARC-Concurrent-To"]] == "101"
    # The server echoes each message as it arrives, so its first echo may come before the
    # client's second message: the order holds within each direction, not across them.
    messages = sorted((line for line in lines if line["event"] == "message"),
                      key=lambda m: m["from"] == "server")
    assert [(m["from"], m["type"]) for m in messages] == [
        ("client", "text"), ("client", "binary"), ("server", "text"), ("server", "binary")]
    assert messages[0]["text"] == "hello from the page no cookie"
    assert messages[2]["text"] == "echo:hello from the page no cookie"
    assert base64.b64decode(messages[3]["base64"]) == bytes([0, 1, 2, 255])
    assert lines[-1]["event"] == "end" and lines[-1]["closed_by"] == "client" and lines[-1]["code"] == 1000
    network = Manifest.load(Path(result.location) / "manifest.json").network
    assert (network.websocket_connections, network.websocket_messages) == (1, 4)


def test_a_connection_the_page_left_open_ends_with_the_capture_and_secrets_stay_out(
        capture, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    secret = "WS-COOKIE-SECRET-5521"
    cookies = tmp_path / "cookies.txt"
    cookies.write_text(f"# Netscape HTTP Cookie File\nexample.org\tFALSE\t/\tTRUE\t0\tsid\t{secret}\n")
    result = capture("https://example.org/ws-stay-open", cookies_file=cookies)
    warc = Path(result.location) / "capture.warc.gz"
    _handshakes, logs = websocket_records(warc)
    lines = logs[0][1]
    # Closing the capture's context closes the page, so the browser says "going away" (1001);
    # a connection whose close did not get through in time is written as still open.
    end = lines[-1]
    assert end["event"] == "end"
    assert (end["closed_by"], end["code"]) == ("client", 1001) or end["note"] == "still open when the capture ended"
    assert lines[0]["text"] == "hello from the page sid=[REDACTED]"  # the page sent it; the WARC does not keep it
    assert secret.encode() not in subprocess.run(["zcat", str(warc)], capture_output=True).stdout
