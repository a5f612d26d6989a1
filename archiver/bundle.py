"""Writing a bundle's artifacts: each file created once, hashed as written, images perceptually hashed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archiver.atomic import write_new
from archiver.hashing import HashingWriter, hash_bytes, hash_file
from archiver.imagehashes import ImageHashes, hash_image_bytes
from archiver.manifest import json_bytes

MANIFEST = "manifest.json"
WARC = "capture.warc.gz"
SCREENSHOT = "screenshot.png"
POST_SCREENSHOT = "post.png"
DOM = "dom.html"
METADATA = "metadata.json"
MEDIA_DIR = "media"
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp")


class BundleWriter:
    def __init__(self, root: Path, bundle_id: str) -> None:
        self.root = root
        self.bundle_id = bundle_id
        self.artifacts: list[dict[str, Any]] = []

    def path(self, relpath: str) -> Path:
        target = (self.root / relpath).resolve()
        if self.root.resolve() not in target.parents:
            raise ValueError(f"artifact path escapes the bundle: {relpath}")
        return target

    def add_bytes(self, relpath: str, data: bytes, media_type: str, *,
                  image_hashes: ImageHashes | None = None, **extra: Any) -> dict[str, Any]:
        target = self.path(relpath)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("xb") as raw:
            writer = HashingWriter(raw)
            writer.write(data)
        entry = self._entry(relpath, media_type, writer.sha256, writer.size, **extra)
        if media_type in IMAGE_TYPES:
            hashes = image_hashes or hash_image_bytes(data)
            if hashes is not None:
                entry["width"], entry["height"] = hashes.width, hashes.height
                entry["perceptual_hashes"] = hashes.for_manifest()
        self.artifacts.append(entry)
        return entry

    async def add_image(self, relpath: str, data: bytes, media_type: str, **extra: Any) -> dict[str, Any]:
        """Like add_bytes, with the image decoded and hashed off the event loop."""
        import asyncio  # here: reading a bundle (verify, show) needs none of asyncio

        hashes = await asyncio.to_thread(hash_image_bytes, data)
        return self.add_bytes(relpath, data, media_type, image_hashes=hashes, **extra)

    def add_existing(self, relpath: str, media_type: str, sha256: str | None = None,
                     size: int | None = None, **extra: Any) -> dict[str, Any]:
        """Register a file already written in the bundle (the WARC, hashed while written)."""
        if sha256 is None or size is None:
            sha256, size = hash_file(self.path(relpath))
        entry = self._entry(relpath, media_type, sha256, size, **extra)
        self.artifacts.append(entry)
        return entry

    @staticmethod
    def _entry(relpath: str, media_type: str, sha256: str, size: int, **extra: Any) -> dict[str, Any]:
        return {"path": relpath, "media_type": media_type, "size": size, "sha256": sha256, **extra}

    def write_manifest(self, manifest: dict[str, Any]) -> str:
        """Write ``manifest.json`` last and atomically; FileExistsError rather than over an existing one."""
        data = json_bytes(manifest)
        write_new(self.root / MANIFEST, data)
        return hash_bytes(data)

    def seal(self) -> None:
        """Make every file read-only: a committed bundle is not edited in place."""
        for path in self.root.rglob("*"):
            if path.is_file():
                path.chmod(0o444)
