"""Whether the capture holds what it needed (a URL's 2xx response, the post's media), and if not, why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from archiver.models import Post

if TYPE_CHECKING:
    from archiver.capture import Capture
    from archiver.recorder import CaptureTraffic

# Larger media stay in the WARC only (archiver.media reads payloads into memory).
MAX_MEDIA_BYTES = 256 * 1024 * 1024


def failure_of(traffic: CaptureTraffic, url: str) -> str | None:
    """Why the capture holds no 2xx response for ``url``; None when it holds one."""
    facts = traffic.responses.get(url)
    if facts is not None:
        status = int(facts.get("status") or 0)
        return None if 200 <= status < 300 else f"HTTP {status}"
    for blocked in traffic.blocked:
        if blocked.get("url") == url:
            return f"not fetched: {blocked.get('reason')}"
    for failed in traffic.failed:
        if failed.get("url") == url:
            return f"request failed: {failed.get('error') or failed.get('reason')}"
    if url in traffic.in_flight.values():
        return "still loading when the capture ended"
    return "the browser never requested it during the capture"


def mark_post_media(post: Post | None, capture: Capture) -> None:
    """Mark each media item of the post captured or not; media not captured make the capture partial.

    Called once the page is closed, so every exchange the browser made is known. The files
    themselves are written later (``archiver.media.collect_media``) for the items marked
    captured here.
    """
    if post is None:
        return
    missing = []
    for media in post.media:
        failure = failure_of(capture.traffic, media.url)
        size = (capture.traffic.responses.get(media.url) or {}).get("payload_size") or 0
        if failure is None and size > MAX_MEDIA_BYTES:
            failure = f"larger than {MAX_MEDIA_BYTES} bytes: kept in the WARC only, not as a media file"
        media.captured = failure is None
        media.failure = failure
        if failure is not None:
            missing.append(f"{media.kind} {media.url} ({failure})")
    if missing:
        capture.limits_hit.append("post media not captured: " + "; ".join(missing))
