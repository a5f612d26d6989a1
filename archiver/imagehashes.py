"""Perceptual hashes of images: PDQ (pdqhash) and pHash/dHash (imagehash), one decode for all."""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

# Screenshots can be far taller than the decompression-bomb default allows.
PDQ_MAX_SIDE = 512


@dataclass(frozen=True)
class ImageHashes:
    width: int
    height: int
    pdq: str
    pdq_quality: int
    phash: str
    dhash: str

    def for_manifest(self) -> dict[str, Any]:
        return {
            "pdq": {
                "algorithm": "pdq",
                "library": f"pdqhash {version('pdqhash')}",
                "hash": self.pdq,
                "quality": self.pdq_quality,
                "input": f"RGB, longest side resized to <= {PDQ_MAX_SIDE}px",
            },
            "phash": {
                "algorithm": "phash",
                "library": f"imagehash {version('imagehash')}",
                "hash": self.phash,
            },
            "dhash": {
                "algorithm": "dhash",
                "library": f"imagehash {version('imagehash')}",
                "hash": self.dhash,
            },
        }


def hash_image_bytes(data: bytes) -> ImageHashes | None:
    """Hashes of an encoded image, or None if Pillow cannot decode it."""
    import imagehash
    import numpy
    import pdqhash
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = 400_000_000
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.seek(0)  # first frame of GIF/WebP animations
            # Loaded in full first, so thumbnail() cannot make a JPEG decode at reduced size.
            image.load()
            # Shrunk in place, never copied: a 1280x9000 screenshot is 35 MB a copy.
            small = image if image.mode == "RGB" else image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    width, height = small.size
    small.thumbnail((PDQ_MAX_SIDE, PDQ_MAX_SIDE))
    bits, quality = pdqhash.compute(numpy.asarray(small))
    pdq_hex = numpy.packbits(bits.astype(numpy.uint8)).tobytes().hex()
    return ImageHashes(
        width=width,
        height=height,
        pdq=pdq_hex,
        pdq_quality=int(quality),
        phash=str(imagehash.phash(small)),
        dhash=str(imagehash.dhash(small)),
    )


def warm_up() -> None:
    """Import the hashing libraries and run each once (first calls pay for lazy set-up)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 40, 40)).save(buffer, "PNG")
    hash_image_bytes(buffer.getvalue())


_warming: list[threading.Thread] = []


def start_warm_up() -> None:
    """Warm up in a background thread, once per process (imports are about half a second)."""
    if not _warming:
        thread = threading.Thread(target=warm_up, name="imagehash-warm-up", daemon=True)
        _warming.append(thread)
        thread.start()


def hamming_hex(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")
