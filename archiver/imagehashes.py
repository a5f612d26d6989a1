"""Perceptual hashes of images: PDQ (pdqhash) and pHash/dHash (imagehash), one decode for all."""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

from archiver.phash import phash

if TYPE_CHECKING:
    from PIL import Image

# Screenshots can be far taller than the decompression-bomb default allows.
PDQ_MAX_SIDE = 512
# PDQ's reference hasher (ThreatExchange pdq/cpp, pdqHash256FromFile) squeezes an image larger
# than 512px on either side to exactly 512x512 before hashing; doing the same keeps our hashes
# within a few bits of its hashes (tests/test_pdq_reference.py), which a bank shared with other
# tools relies on. Keeping the aspect ratio instead put one photo 20 bits away.
PDQ_INPUT = (f"RGB; when a side exceeds {PDQ_MAX_SIDE}px, resized to {PDQ_MAX_SIDE}x{PDQ_MAX_SIDE}"
             " (box filter), as PDQ's reference hasher does")


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
                "input": PDQ_INPUT,
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


def pdq_input(rgb: Image.Image) -> Image.Image:
    from PIL import Image

    if max(rgb.size) <= PDQ_MAX_SIDE:
        return rgb
    return rgb.resize((PDQ_MAX_SIDE, PDQ_MAX_SIDE), Image.Resampling.BOX)


def pdq_of(rgb: Image.Image) -> tuple[str, int]:
    """PDQ of an RGB image: 64 lowercase hex digits and the quality, 0-100."""
    import numpy
    import pdqhash

    bits, quality = pdqhash.compute(numpy.asarray(pdq_input(rgb)))
    return bits_hex(bits), int(quality)


def bits_hex(bits: Any) -> str:
    """256 PDQ bits as hex; packed bytes keep the leading zeros that hex() of an integer drops."""
    import numpy

    return numpy.packbits(bits.astype(numpy.uint8)).tobytes().hex()


def decode_rgb(data: bytes) -> Image.Image | None:
    """The first frame of an encoded image (of a GIF or WebP animation too) in RGB, or None if
    Pillow cannot decode it."""
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = 400_000_000
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.seek(0)
            # Loaded in full first, so thumbnail() cannot make a JPEG decode at reduced size.
            image.load()
            # Converted only when needed: a 1280x9000 screenshot is 35 MB a copy.
            return image if image.mode == "RGB" else image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def hash_image_bytes(data: bytes) -> ImageHashes | None:
    """Hashes of an encoded image, or None if Pillow cannot decode it."""
    import imagehash

    small = decode_rgb(data)
    if small is None:
        return None
    width, height = small.size
    pdq_hex, quality = pdq_of(small)
    small.thumbnail((PDQ_MAX_SIDE, PDQ_MAX_SIDE))
    return ImageHashes(
        width=width,
        height=height,
        pdq=pdq_hex,
        pdq_quality=quality,
        phash=phash(small),
        dhash=str(imagehash.dhash(small)),
    )


def warm_up() -> None:
    """Import the hashing libraries and run each once (first calls pay for lazy set-up)."""
    from PIL import Image

    buffer = io.BytesIO()
    # Not a plain colour: that is a tie for pHash, which would import SciPy (see archiver.phash).
    Image.frombytes("L", (64, 64), bytes(i * 37 % 251 for i in range(4096))).save(buffer, "PNG")
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
