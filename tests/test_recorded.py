"""Reading back the JSON a page's API calls returned, from the WARC being written."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from archiver.recorded import json_responses
from archiver.warc import WarcFile


def exchange(warc: WarcFile, url: str, body: bytes, *, status: str = "200 OK",
             headers: list[tuple[str, str]] | None = None) -> None:
    warc.write_exchange(
        url=url, timestamp=1_700_000_000.0, ip_address="127.0.0.1",
        request_line="GET / HTTP/1.1", request_headers=[("Host", "api.example")], request_body=b"",
        status_line=f"HTTP/1.1 {status}",
        response_headers=[("Content-Type", "application/json"), *(headers or [])],
        response_body=body)


def test_matching_json_bodies_are_read_in_order_and_decoded(tmp_path: Path) -> None:
    warc = WarcFile(tmp_path / "c.warc.gz")
    exchange(warc, "https://api.example/graphql/q1/TweetDetail?v=1", b'{"a": 1}')
    exchange(warc, "https://api.example/graphql/q1/TweetDetail?v=2",
             gzip.compress(json.dumps({"b": [2]}).encode()), headers=[("Content-Encoding", "gzip")])
    exchange(warc, "https://api.example/graphql/q1/TweetDetail?v=3", b"<html>rate limited</html>")
    exchange(warc, "https://api.example/graphql/q1/TweetDetail?v=4", b'{"errors": []}', status="404 Not Found")
    exchange(warc, "https://api.example/other", b'{"c": 3}')
    found = json_responses(warc.path, warc.readable_size(), r"/TweetDetail\b", limit=10)
    assert found == [("https://api.example/graphql/q1/TweetDetail?v=1", {"a": 1}),
                     ("https://api.example/graphql/q1/TweetDetail?v=2", {"b": [2]})]
    assert json_responses(warc.path, warc.readable_size(), r"/TweetDetail\b", limit=1) == found[:1]
    warc.close()


def test_records_written_after_the_size_was_taken_are_not_read(tmp_path: Path) -> None:
    warc = WarcFile(tmp_path / "c.warc.gz")
    exchange(warc, "https://api.example/one", b'{"n": 1}')
    size = warc.readable_size()
    exchange(warc, "https://api.example/two", b'{"n": 2}')
    warc.flush()
    assert [body for _url, body in json_responses(warc.path, size, "example", limit=10)] == [{"n": 1}]
    assert len(json_responses(warc.path, warc.readable_size(), "example", limit=10)) == 2
    warc.close()
