"""imagehash's pHash, bit for bit, without importing SciPy for its DCT.

imagehash.phash takes the 2-D DCT-II of a 32x32 grey copy of the image with SciPy, whose
import costs a capture about 0.4 CPU-seconds and 27 MiB. Only the 8x8 lowest frequencies
count, each compared with their median, so here they are two small matrix products. The two
ways round differently, by far less than TIE (coefficients are at most about 1e6, their
rounding errors about 1e-8): a coefficient farther than TIE from the median gets the same bit
both ways. An image with one closer (a plain colour, an exact symmetry) is left to imagehash.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy
    from PIL import Image

HASH_SIZE = 8
GREY_SIZE = HASH_SIZE * 4  # imagehash's highfreq_factor
TIE = 1e-6


def phash(image: Image.Image) -> str:
    """``str(imagehash.phash(image))``."""
    import imagehash
    import numpy
    from PIL import Image

    grey = image.convert("L").resize((GREY_SIZE, GREY_SIZE), Image.Resampling.LANCZOS)
    basis = dct_basis()
    low = basis @ numpy.asarray(grey, dtype=numpy.float64) @ basis.T
    median = numpy.median(low)
    if numpy.min(numpy.abs(low - median)) <= TIE:
        return str(imagehash.phash(image))
    return str(imagehash.ImageHash(low > median))


@cache
def dct_basis() -> numpy.ndarray:
    """The first HASH_SIZE rows of SciPy's unnormalised DCT-II: 2 cos(pi k (2n + 1) / 2N)."""
    import numpy

    k = numpy.arange(HASH_SIZE)[:, None]
    n = numpy.arange(GREY_SIZE)[None, :]
    return 2 * numpy.cos(numpy.pi * k * (2 * n + 1) / (2 * GREY_SIZE))
