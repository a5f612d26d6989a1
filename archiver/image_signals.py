"""The signals of one image for matching: exact digests, PDQ, its dihedral variants and the PDQs
of crop windows, all computed from the image's own bytes so anyone can recompute them.

Thresholds are Meta's defaults for PDQ (ThreatExchange's HMA and python-threatexchange): two
hashes match at Hamming distance <= 31, and a hash of quality < 50 (a flat or nearly blank
image) is not matched at all. Both are fields of `PdqRule`, which every match carries so the
result says which rule made it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from archiver.crop_windows import CUT_LEVELS, Cut, window_hashes
from archiver.imagehashes import decode_rgb, hamming_hex, pdq_of

# Names of the dihedral transforms (rotations counter-clockwise), in the order `dihedral` lists
# their hashes: a query matching with "rotate-90" matches once turned 90 degrees that way.
DIHEDRAL = ("original", "rotate-90", "rotate-180", "rotate-270",
            "flip-horizontal", "flip-vertical", "transpose", "transverse")


@dataclass(frozen=True)
class PdqRule:
    max_distance: int = 31
    min_quality: int = 50

    def accepts(self, quality: int) -> bool:
        return quality >= self.min_quality

    def record(self) -> dict[str, int]:
        return {"max_distance": self.max_distance, "min_quality": self.min_quality}


META = PdqRule()


@dataclass(frozen=True)
class Pdq:
    hex: str
    quality: int

    def labelled(self) -> str:
        return labelled("pdq", self.hex)


@dataclass(frozen=True)
class Window:
    """The PDQ of the part of an image left after cutting `cut` (fractions of each side)."""

    cut: Cut
    pdq: Pdq


@dataclass(frozen=True)
class ImageSignals:
    md5: str
    sha256: str
    pdq: Pdq
    # PDQ of each dihedral transform of the pixels, in DIHEDRAL order (dihedral[0] is pdq.hex).
    dihedral: tuple[str, ...]
    windows: tuple[Window, ...]

    def record(self) -> dict[str, Any]:
        return {
            "md5": self.md5,
            "sha256": self.sha256,
            "pdq": self.pdq.hex,
            "pdq_quality": self.pdq.quality,
            "pdq_dihedral": dict(zip(DIHEDRAL, self.dihedral, strict=True)),
            "pdq_windows": [{"cut": list(w.cut), "pdq": w.pdq.hex, "quality": w.pdq.quality}
                            for w in self.windows],
        }


@dataclass(frozen=True)
class ImageMatch:
    """Why two images match: `how` is sha256, md5, pdq, pdq-<transform> (the query turned
    that way matches) or pdq-window (one is a crop of the other, `cut` says which part)."""

    how: str
    distance: int
    query: str
    candidate: str
    rule: PdqRule
    cut: Cut | None = None

    def record(self) -> dict[str, Any]:
        found: dict[str, Any] = {"how": self.how, "distance": self.distance, "query": self.query,
                                 "candidate": self.candidate, "rule": self.rule.record()}
        if self.cut is not None:
            found["cut"] = list(self.cut)
        return found


def labelled(algorithm: str, hex_digest: str) -> str:
    """A hash as the project writes one: `algorithm:hex`."""
    return f"{algorithm}:{hex_digest}"


def image_signals(data: bytes, cut_levels: tuple[float, ...] = CUT_LEVELS) -> ImageSignals | None:
    """The signals of an encoded image, or None if Pillow cannot decode it."""
    from PIL import Image

    rgb = decode_rgb(data)
    if rgb is None:
        return None
    pdq_hex, quality = pdq_of(rgb)
    # The pixels are transformed and hashed again: PDQ's own dihedral shortcut (pdqhash's
    # compute_dihedral) was up to 52 bits off the hash of the transformed image on our fixtures.
    transforms = (Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180, Image.Transpose.ROTATE_270,
                  Image.Transpose.FLIP_LEFT_RIGHT, Image.Transpose.FLIP_TOP_BOTTOM,
                  Image.Transpose.TRANSPOSE, Image.Transpose.TRANSVERSE)
    dihedral = (pdq_hex, *(pdq_of(rgb.transpose(t))[0] for t in transforms))
    windows = tuple(Window(cut, Pdq(hex_, q)) for cut, hex_, q in window_hashes(rgb, cut_levels))
    return ImageSignals(
        md5=hashlib.md5(data).hexdigest(),
        sha256=hashlib.sha256(data).hexdigest(),
        pdq=Pdq(pdq_hex, quality),
        dihedral=dihedral,
        windows=windows,
    )


def match_images(query: ImageSignals, candidate: ImageSignals,
                 rule: PdqRule = META) -> ImageMatch | None:
    """The closest way `query` matches `candidate` under `rule`, or None."""
    if query.sha256 == candidate.sha256:
        return ImageMatch("sha256", 0, query.sha256, candidate.sha256, rule)
    if query.md5 == candidate.md5:
        return ImageMatch("md5", 0, query.md5, candidate.md5, rule)
    return match_pdq(query, candidate, rule)


def match_pdq(query: ImageSignals, candidate: ImageSignals, rule: PdqRule) -> ImageMatch | None:
    if not (rule.accepts(query.pdq.quality) and rule.accepts(candidate.pdq.quality)):
        return None
    found: list[tuple[int, str, str, str, Cut | None]] = [
        (hamming_hex(variant, candidate.pdq.hex), name, variant, candidate.pdq.hex, None)
        for name, variant in zip(DIHEDRAL, query.dihedral, strict=True)]
    # Either image may be the crop of the other: the whole of one against the windows of the other.
    found += [(hamming_hex(query.pdq.hex, w.pdq.hex), "window", query.pdq.hex, w.pdq.hex, w.cut)
              for w in candidate.windows if rule.accepts(w.pdq.quality)]
    found += [(hamming_hex(w.pdq.hex, candidate.pdq.hex), "window", w.pdq.hex, candidate.pdq.hex, w.cut)
              for w in query.windows if rule.accepts(w.pdq.quality)]
    # The same part of both: what was added at an edge (a banner, a border) is cut from both.
    candidate_windows = {w.cut: w.pdq for w in candidate.windows}
    found += [(hamming_hex(w.pdq.hex, other.hex), "window", w.pdq.hex, other.hex, w.cut)
              for w in query.windows
              if (other := candidate_windows.get(w.cut)) and rule.accepts(w.pdq.quality)
              and rule.accepts(other.quality)]
    distance, how, query_hex, candidate_hex, cut = min(found, key=lambda f: f[0])
    if distance > rule.max_distance:
        return None
    return ImageMatch("pdq" if how == "original" else f"pdq-{how}", distance,
                      query_hex, candidate_hex, rule, cut)
