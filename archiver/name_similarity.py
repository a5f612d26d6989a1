"""How alike two handles or display names are, across Arabic and Latin script.

Both names are folded first: the text signature's normalisation (letter variants, diacritics,
tatweel, digit scripts, case), then everything but letters and digits dropped, since mirrors
shuffle separators (``al_qalam.media`` and ``AlQalamMedia``). The score is rapidfuzz's
``ratio`` (0-100, an edit-distance similarity) of the folded forms.

Names in two different scripts (``القلم`` and ``Al Qalam``) are also compared by their
consonant skeletons: both transliterated to ASCII (anyascii), vowels and doubled letters
dropped. Arabic script writes short vowels only as diacritics, and transliterations spell them
every which way, so the consonants are what both forms share (``lqlm`` for both here). The
higher of the two scores is given, and ``via`` says which it was.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import product
from typing import Any

from archiver.text_signature import normalise

AS_WRITTEN = "as written"
SKELETON = "transliterated consonant skeleton"
NOT_CONSONANTS = re.compile(r"[^b-df-hj-np-tv-xz0-9]")  # vowels (and y), apostrophes for hamza and ain
DOUBLED = re.compile(r"(.)\1+")


@dataclass(frozen=True)
class NameSimilarity:
    score: float  # 0-100
    ours: str
    theirs: str
    via: str

    def record(self) -> dict[str, Any]:
        return {"score": round(self.score, 1), "ours": self.ours, "theirs": self.theirs, "via": self.via}


def fold(name: str) -> str:
    return "".join(char for char in normalise(name) if char.isalnum())


def skeleton(name: str) -> str:
    from anyascii import anyascii

    return DOUBLED.sub(r"\1", NOT_CONSONANTS.sub("", anyascii(fold(name)).lower()))


def scripts(name: str) -> set[str]:
    """The scripts of a name's letters, by the first word of their Unicode names (LATIN, ARABIC...)."""
    return {unicodedata.name(char, "?").split()[0] for char in name if char.isalpha()}


def similarity(ours: str, theirs: str) -> NameSimilarity:
    from rapidfuzz import fuzz

    a, b = fold(ours), fold(theirs)
    best = NameSimilarity(fuzz.ratio(a, b), ours, theirs, AS_WRITTEN)
    if scripts(a) != scripts(b):
        across = NameSimilarity(fuzz.ratio(skeleton(ours), skeleton(theirs)), ours, theirs, SKELETON)
        if across.score > best.score:
            best = across
    return best


def closest(ours: list[str], theirs: list[str]) -> NameSimilarity | None:
    """The most alike pair of the two accounts' names; None when either has none."""
    pairs = [similarity(a, b) for a, b in product(ours, theirs) if fold(a) and fold(b)]
    return max(pairs, key=lambda found: found.score, default=None)
