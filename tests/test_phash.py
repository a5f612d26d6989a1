from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import imagehash
import numpy
import pytest
from PIL import Image, ImageDraw

from archiver.phash import phash

IMAGES = Path(__file__).parent / "fixtures" / "images"


def photos() -> list[Image.Image]:
    return [Image.open(path).convert("RGB") for path in sorted(IMAGES.iterdir())
            if path.suffix in (".jpg", ".png")]


def noise(count: int) -> list[Image.Image]:
    rng = numpy.random.default_rng(1)
    return [Image.fromarray(rng.integers(0, 256, (int(rng.integers(8, 300)), int(rng.integers(8, 300)), 3),
                                         dtype=numpy.uint8)) for _ in range(count)]


def ties() -> list[Image.Image]:
    """Images with DCT coefficients exactly at their median: rounding alone decides those bits."""
    circle = Image.new("RGB", (100, 100), "white")
    ImageDraw.Draw(circle).ellipse((20, 20, 80, 80), fill="red")
    return [Image.new("RGB", (300, 200), (10, 200, 30)), Image.new("RGB", (1, 1), "black"),
            Image.linear_gradient("L").convert("RGB"), circle]


@pytest.mark.parametrize("kind", ["photos", "noise", "ties"])
def test_phash_is_imagehash_phash_bit_for_bit(kind: str) -> None:
    images = {"photos": photos, "noise": lambda: noise(200), "ties": ties}[kind]()
    assert images
    assert [phash(image) for image in images] == [str(imagehash.phash(image)) for image in images]


def test_hashing_a_screenshot_does_not_import_scipy() -> None:
    script = (
        "import sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from support.pages import png\n"
        "from archiver.imagehashes import hash_image_bytes, warm_up\n"
        "warm_up()\n"
        "assert hash_image_bytes(png(1280, 3000)) is not None\n"
        "print('scipy' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(Path(__file__).parent)],
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
