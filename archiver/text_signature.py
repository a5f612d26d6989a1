"""A near-duplicate signature of post text that holds across the ways a re-post of the same
Arabic, Urdu, Pashto or Latin-script text differs: letter variants, diacritics, tatweel, digit
scripts, links and mentions, case and spacing.

The text is normalised, cut into overlapping character shingles, and summarised by a MinHash
(datasketch), whose agreement estimates the Jaccard similarity of the two shingle sets.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SHINGLE = 4
PERMUTATIONS = 128
# Re-posts with changed links, spelling variants and an added line stayed above 0.6 on our
# pairs; unrelated posts of the same script and topic below 0.2 (tests/test_signals.py).
SIMILAR_AT = 0.5
# A fixed seed: signatures computed by different runs and machines must compare.
SEED = 1

URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
MENTION = re.compile(r"@\w+")
# Letters that several scripts write differently for the same sound, mapped to one form:
# alef with hamza or madda, alef wasla; Farsi/Urdu/Pashto yeh and alef maksura; keheh; heh
# goal, heh doachashmee, ae, teh marbuta; waw and yeh with hamza.
LETTERS = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ې": "ي", "ۍ": "ي", "ئ": "ي", "ے": "ي",
    "ک": "ك",
    "ہ": "ه", "ھ": "ه", "ە": "ه", "ة": "ه", "ۀ": "ه",
    "ؤ": "و",
    "ـ": None,  # tatweel, the stretching stroke
})


@dataclass(frozen=True)
class TextSignature:
    hashvalues: tuple[int, ...]

    def hex(self) -> str:
        return "".join(f"{value:08x}" for value in self.hashvalues)

    @classmethod
    def from_hex(cls, digits: str) -> TextSignature:
        return cls(tuple(int(digits[i:i + 8], 16) for i in range(0, len(digits), 8)))


def normalise(text: str) -> str:
    text = URL.sub(" ", unicodedata.normalize("NFKC", text))
    text = MENTION.sub(" ", text)
    # Decomposed, so that diacritics (Arabic harakat, Latin accents) are marks to drop.
    kept = []
    for char in unicodedata.normalize("NFD", text.translate(LETTERS)):
        category = unicodedata.category(char)
        if category == "Mn":
            continue
        if category == "Nd":
            kept.append(str(unicodedata.digit(char)))
        elif category[0] in "PSZC":
            kept.append(" ")
        else:
            kept.append(char)
    # Composed again: hamza above an alef is a mark in NFD, and was mapped away before.
    return " ".join(unicodedata.normalize("NFC", "".join(kept)).casefold().split())


def shingles(text: str) -> set[str]:
    normal = normalise(text)
    if len(normal) <= SHINGLE:
        return {normal} if normal else set()
    return {normal[i:i + SHINGLE] for i in range(len(normal) - SHINGLE + 1)}


def text_signature(text: str) -> TextSignature:
    from datasketch import MinHash

    minhash = MinHash(num_perm=PERMUTATIONS, seed=SEED)
    minhash.update_batch([shingle.encode() for shingle in sorted(shingles(text))])
    return TextSignature(tuple(int(value) for value in minhash.hashvalues))


def text_similarity(a: TextSignature, b: TextSignature) -> float:
    """Estimated Jaccard similarity of the two texts' shingles, 0.0-1.0."""
    if len(a.hashvalues) != len(b.hashvalues):
        raise ValueError("text signatures of different sizes do not compare")
    same = sum(1 for x, y in zip(a.hashvalues, b.hashvalues, strict=True) if x == y)
    return same / len(a.hashvalues)


def similar_texts(a: TextSignature, b: TextSignature, at: float = SIMILAR_AT) -> bool:
    return text_similarity(a, b) >= at
