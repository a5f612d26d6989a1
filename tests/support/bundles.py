"""Assertions the platform tests share about captured bundles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archiver.hashing import hash_file


def media_matches_bundle(result: Any) -> None:
    """Every media item of the post is a bundle file with the size, SHA-256 (and PDQ) listed."""
    folder = Path(result.location)
    for media in result.post["media"]:
        assert media["path"], media
        assert (media["sha256"], media["size"]) == hash_file(folder / media["path"])
        if media["kind"] == "image" and media["path"].endswith((".png", ".jpg", ".jpeg", ".webp", ".gif")):
            assert media["pdq"] and len(media["pdq"]) == 64, media


def capture_into(engine: Any, settings: Any, folder: Path, url: str, case_id: str, operator: str) -> Path:
    """Capture ``url`` with the session's engine into a local store at ``folder``; the bundle."""
    from archiver.pipeline import CaptureRequest
    from archiver.storage.local import LocalStore

    result = engine.call(engine.engine.capture(CaptureRequest(url, case_id, operator), settings,
                                               LocalStore(folder)))
    assert result.status == "complete", result.reason
    return Path(result.location)
