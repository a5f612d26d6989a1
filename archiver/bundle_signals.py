"""The signals of a bundle, or of one file, as matching uses them: computed from the bytes
themselves (the media, the post-element screenshot, the avatar), so anyone can recompute them.

An artifact's signals are its digests (MD5, SHA-256, SHA-512: the exact-match types banks
hold), and for an image its PDQ with the PDQs of its dihedral variants and crop windows
(archiver/image_signals.py), for a video its frames (archiver/video_signals.py). A bundle adds
the text signature of its post and the account it shows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from archiver.bundle import MANIFEST
from archiver.image_signals import Window, image_signals
from archiver.manifest import Manifest
from archiver.storage.base import BundleFiles
from archiver.text_signature import TextSignature, text_signature
from archiver.video_signals import Frame, video_signals

POST_SCREENSHOT = "post.png"
MEDIA_PREFIX = "media/"
DIGESTS = ("md5", "sha256", "sha512")


@dataclass(frozen=True)
class Account:
    """Who a bundle shows: the account that posted, or whose profile or channel it is."""

    platform: str | None
    handle: str | None
    display_name: str | None

    def to_json(self) -> dict[str, Any]:
        return {"platform": self.platform, "handle": self.handle, "display_name": self.display_name}


@dataclass(frozen=True)
class ArtifactSignals:
    """What one file (or one hash given alone) is matched by. ``quality`` is the PDQ's; None
    for a hash given without one, which is matched as given. ``dihedral``: the PDQs of the
    image turned and flipped, the original first."""

    path: str
    kind: str  # image, avatar, post-screenshot, video, or the kind the post gives a media file
    digests: dict[str, str] = field(default_factory=dict)
    pdq: str | None = None
    quality: int | None = None
    dihedral: tuple[str, ...] = ()
    windows: tuple[Window, ...] = ()
    frames: tuple[Frame, ...] | None = None  # a video's, one a second


@dataclass(frozen=True)
class BundleSignals:
    bundle_id: str
    platform: str | None
    captured_at: str
    url: str
    account: Account | None
    # What a profile or channel page says of the account: bio, links, avatar (an artifact path).
    profile: dict[str, Any]
    artifacts: tuple[ArtifactSignals, ...]
    text: str | None
    text_signature: TextSignature | None


def file_signals(path: str, data: bytes, kind: str | None = None) -> ArtifactSignals | None:
    """The signals of an image or video file; None when it is neither (Pillow and FFmpeg
    cannot read it)."""
    digests = {name: hashlib.new(name, data).hexdigest() for name in DIGESTS}
    image = image_signals(data)
    if image is not None:
        return ArtifactSignals(path, kind or "image", digests, image.pdq.hex, image.pdq.quality,
                               image.dihedral, image.windows)
    video = video_signals(data)
    if video is not None:
        return ArtifactSignals(path, kind or "video", digests, frames=video.frames)
    return None


def bundle_signals(bundle: BundleFiles, manifest: Manifest) -> BundleSignals:
    post = manifest.post or {}
    author = post.get("author") or {}
    kinds = {media["path"]: media.get("kind") or "image" for media in post.get("media") or []
             if isinstance(media, dict) and media.get("path")}
    stored = bundle.list_files()
    found = []
    for artifact in manifest.artifacts:
        if artifact.path in stored and (artifact.path == POST_SCREENSHOT
                                        or artifact.path.startswith(MEDIA_PREFIX)):
            with bundle.open(artifact.path) as stream:
                data = stream.read()
            kind = "post-screenshot" if artifact.path == POST_SCREENSHOT else kinds.get(artifact.path)
            signals = file_signals(artifact.path, data, kind)
            if signals is not None:
                found.append(signals)
    avatar = next((path for path, kind in kinds.items() if kind == "avatar"), None)
    account = (Account(manifest.platform, author.get("handle"), author.get("display_name"))
               if author.get("handle") or author.get("display_name") else None)
    text = post.get("text") or None
    return BundleSignals(
        bundle_id=manifest.bundle_id, platform=manifest.platform, captured_at=manifest.started_at,
        url=manifest.canonical_url or manifest.final_url or manifest.requested_url, account=account,
        profile={"bio": author.get("bio"), "links": author.get("links") or [], "avatar": avatar,
                 "url": author.get("url")},
        artifacts=tuple(found), text=text, text_signature=text_signature(text) if text else None)


def read_manifest(bundle: BundleFiles) -> Manifest:
    with bundle.open(MANIFEST) as stream:
        return Manifest.from_bytes(stream.read())
