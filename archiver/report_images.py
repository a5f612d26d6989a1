"""Images for the court report: embedded as data: URIs, tall screenshots cut into page-sized parts.

A full-page screenshot can be 16384 px tall; scaled to the width of an A4 page in one piece it
would either be unreadably narrow or be sliced by the printer wherever a page ends. So a tall
image is cut into parts no taller than ``PART_ASPECT`` times its width, each printed on its own
page, top to bottom, and the caption says so. The bytes shown are a rendering: the evidence is
the file, identified by its SHA-256 in the hash table.
"""

from __future__ import annotations

import base64
import io
import warnings
from dataclasses import dataclass, field

from PIL import Image

# A4 printable area is about 186 x 270 mm; keep room for the caption.
PART_ASPECT = 1.3
MAX_PARTS = 12
MAX_WIDTH = 1600
# Formats every browser shows, embedded byte for byte when no scaling or cutting is needed.
PASS_THROUGH = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}


@dataclass
class ShownImage:
    path: str
    width: int = 0
    height: int = 0
    parts: list[str] = field(default_factory=list)  # data: URIs, top to bottom
    note: str = ""


def data_uri(data: bytes, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def _png(image: Image.Image) -> str:
    if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
        image = image.convert("RGB")  # CMYK and the like have no PNG form
    out = io.BytesIO()
    image.save(out, "PNG")
    return data_uri(out.getvalue(), "image/png")


def show_image(path: str, data: bytes) -> ShownImage:
    """The image as the report shows it, with a note on anything done to it for display."""
    shown = ShownImage(path)
    try:
        with warnings.catch_warnings():
            # A decompression bomb in a (hostile) bundle is reported, not decoded.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
            opened.load()
    except (OSError, ValueError, Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        shown.note = f"not displayed: the file could not be decoded as an image ({type(exc).__name__})"
        return shown
    image: Image.Image = opened
    shown.width, shown.height = image.size
    notes = []
    if image.width > MAX_WIDTH:
        scaled_height = max(1, round(image.height * MAX_WIDTH / image.width))
        image = image.resize((MAX_WIDTH, scaled_height), Image.Resampling.LANCZOS)
        notes.append(f"scaled to {image.width} px wide for display")
    part_height = max(1, int(image.width * PART_ASPECT))
    if image.height <= part_height:
        if not notes and opened.format in PASS_THROUGH:
            shown.parts.append(data_uri(data, PASS_THROUGH[opened.format]))
            shown.note = "embedded unchanged (the same bytes as the file)"
        else:
            shown.parts.append(_png(image))
            shown.note = "; ".join(notes)
        return shown
    total = -(-image.height // part_height)
    for index in range(min(total, MAX_PARTS)):
        top = index * part_height
        shown.parts.append(_png(image.crop((0, top, image.width, min(image.height, top + part_height)))))
    notes.append(f"cut into {len(shown.parts)} parts of at most {part_height} px, one a page, top to bottom")
    if total > MAX_PARTS:
        notes.append(f"only the top {MAX_PARTS * part_height} of {image.height} px are shown here; "
                     "the whole image is the file")
    shown.note = "; ".join(notes)
    return shown
