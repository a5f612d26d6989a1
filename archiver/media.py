"""Post media, written from the bytes the browser received (read back from the WARC)."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from archiver.bundle import IMAGE_TYPES, MEDIA_DIR, BundleWriter
from archiver.hashing import hash_bytes
from archiver.models import Post
from archiver.received import MAX_MEDIA_BYTES
from archiver.recorded import ok_responses
from archiver.warc import WarcFile


def _payloads_for(warc_path: Path, wanted: set[str]) -> dict[str, tuple[bytes, str, str]]:
    """url -> (payload, content type, WARC payload digest) of 2xx responses in the WARC so far."""
    found: dict[str, tuple[bytes, str, str]] = {}
    for url, record in ok_responses(warc_path):
        if url not in wanted:
            continue
        payload = record.content_stream().read(MAX_MEDIA_BYTES + 1)
        if len(payload) > MAX_MEDIA_BYTES:
            continue
        content_type = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip()
        found[url] = (payload, content_type,
                      record.rec_headers.get_header("WARC-Payload-Digest") or "")
    return found


async def collect_media(post: Post, folder: Path, writer: BundleWriter, warc: WarcFile) -> None:
    """Write the media marked captured (``archiver.received.mark_post_media``) as bundle files."""
    wanted = {m.url for m in post.media if m.captured is not False}
    if not wanted:
        return
    warc.flush()
    payloads = _payloads_for(warc.path, wanted)
    notes: list[str] = post.extraction.setdefault("notes", [])
    for index, media in enumerate(post.media, 1):
        if media.captured is False:
            continue
        got = payloads.get(media.url)
        if got is None:
            media.captured, media.failure = False, "no 2xx response record for it in the WARC"
            notes.append(f"media {media.url} was received but its WARC record could not be read back")
            continue
        media.captured = True
        data, content_type, _digest = got
        extension = mimetypes.guess_extension(content_type) or ".bin"
        relpath = f"{MEDIA_DIR}/{index:02d}{extension}"
        entry: dict[str, Any] = await writer.add_image(
            relpath, data, content_type or "application/octet-stream", source_url=media.url)
        media.path, media.sha256, media.size = relpath, hash_bytes(data), len(data)
        if content_type in IMAGE_TYPES and "perceptual_hashes" in entry:
            hashes = entry["perceptual_hashes"]
            media.pdq = hashes["pdq"]["hash"]
            media.phash = hashes["phash"]["hash"]
            media.dhash = hashes["dhash"]["hash"]
            media.width, media.height = entry.get("width"), entry.get("height")
    if any(m.path for m in post.media):
        notes.append("media files are the payloads of the WARC response records, byte for byte")
