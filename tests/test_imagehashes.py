from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

from archiver.imagehashes import hamming_hex, hash_image_bytes

from support.pages import png


def test_hashes_of_a_real_png() -> None:
    hashes = hash_image_bytes(png(640, 400))
    assert hashes is not None
    assert (hashes.width, hashes.height) == (640, 400)
    assert len(hashes.pdq) == 64 and 0 <= hashes.pdq_quality <= 100
    assert len(hashes.phash) == 16 and len(hashes.dhash) == 16


def test_recompressed_copy_stays_close_and_other_image_is_far() -> None:
    original = hash_image_bytes(png(640, 400))
    jpeg = io.BytesIO()
    Image.open(io.BytesIO(png(640, 400))).save(jpeg, "JPEG", quality=60)
    copy = hash_image_bytes(jpeg.getvalue())
    other = hash_image_bytes(png(640, 400, color=(10, 200, 10))[::-1][::-1])
    assert original and copy and other
    assert hamming_hex(original.pdq, copy.pdq) <= 31  # PDQ's usual match threshold
    flipped = io.BytesIO()
    Image.open(io.BytesIO(png(640, 400))).transpose(Image.Transpose.ROTATE_90).save(flipped, "PNG")
    rotated = hash_image_bytes(flipped.getvalue())
    assert rotated and hamming_hex(original.pdq, rotated.pdq) > 31


def test_a_large_jpeg_is_hashed_from_every_pixel() -> None:
    """Pillow can decode a JPEG at a reduced size (fast, but other pixels); the hashes must be
    those of the full decode, which a lossless PNG of the same pixels gives."""
    drawing = Image.new("RGB", (2048, 1536), "white")
    pen, rnd = ImageDraw.Draw(drawing), random.Random(1)
    for _ in range(150):  # thin lines: what a reduced-size decode blurs away
        x, y = rnd.randrange(2048), rnd.randrange(1536)
        pen.line((x, y, x + rnd.randrange(-500, 500), y + rnd.randrange(-500, 500)),
                 fill=(rnd.randrange(256),) * 3, width=rnd.randrange(1, 4))
    jpeg, lossless = io.BytesIO(), io.BytesIO()
    drawing.save(jpeg, "JPEG", quality=85)
    Image.open(io.BytesIO(jpeg.getvalue())).save(lossless, "PNG")
    assert hash_image_bytes(jpeg.getvalue()) == hash_image_bytes(lossless.getvalue())


def test_undecodable_bytes_give_none() -> None:
    assert hash_image_bytes(b"not an image") is None


def test_manifest_labels_algorithm_and_library() -> None:
    hashes = hash_image_bytes(png())
    assert hashes
    labelled = hashes.for_manifest()
    assert labelled["pdq"]["library"].startswith("pdqhash ")
    assert labelled["phash"]["algorithm"] == "phash"
