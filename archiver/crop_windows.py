"""Crop windows: PDQs of the parts of an image left after cutting some of its sides, so that a
cropped copy still matches (its whole-image PDQ is close to one window's PDQ of the original).

Why windows and not one hash: a PDQ describes the whole frame, and cutting 8% off two sides
moves it 88-120 bits, as far as an unrelated image. A window matches a crop only when each cut
lies within about one point (of the side's length) of the window's own cut: 10% windows caught
crops of 9-11% and no others on our fixtures (docs/matching.md, "Signals"). So the levels are
the crop amounts caught, at one PDQ (~7 ms, 32 bytes in the index) per window.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

# Fractions cut off a side. A window cuts one side, or two sides (adjacent or opposite), each by
# one of these: 4n + 6n^2 windows for n levels (10 for the default).
CUT_LEVELS: tuple[float, ...] = (0.10,)
# (left, top, right, bottom), fractions of the width or height.
Cut = tuple[float, float, float, float]
# One window trims every side a little: compared with the same window of another image, it
# leaves out a border or frame added to either.
TRIM: Cut = (0.03, 0.03, 0.03, 0.03)


def cuts(levels: tuple[float, ...]) -> list[Cut]:
    found: list[Cut] = [TRIM]
    for count in (1, 2):
        for sides in itertools.combinations(range(4), count):
            for amounts in itertools.product(levels, repeat=count):
                cut = [0.0] * 4
                for side, amount in zip(sides, amounts, strict=True):
                    cut[side] = amount
                found.append((cut[0], cut[1], cut[2], cut[3]))
    return found


def window_hashes(rgb: Image.Image, levels: tuple[float, ...] = CUT_LEVELS) -> list[tuple[Cut, str, int]]:
    """(cut, PDQ hex, quality) of each window of an RGB image."""
    from archiver.imagehashes import pdq_input, pdq_of

    # Cut from the image PDQ hashes (at most 512x512), not the full one: a window is then at
    # most that size too, and hashing it costs no more than hashing the image.
    base = pdq_input(rgb)
    width, height = base.size
    found = []
    for cut in cuts(levels):
        left, top, right, bottom = cut
        box = (round(width * left), round(height * top),
               round(width * (1 - right)), round(height * (1 - bottom)))
        hex_digest, quality = pdq_of(base.crop(box))
        found.append((cut, hex_digest, quality))
    return found
