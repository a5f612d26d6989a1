"""Counts as platforms display them ("86.4K Followers", "2,362", "1,2 Mio.", "2,2 tys."), as integers."""

from __future__ import annotations

import re

# Suffixes that scale a displayed number, lower-cased, with the trailing dot dropped.
SCALES = {
    "": 1,
    "k": 1_000, "thousand": 1_000, "mil": 1_000, "tsd": 1_000, "тыс": 1_000, "ألف": 1_000, "هزار": 1_000,
    "tys": 1_000,
    "m": 1_000_000, "mn": 1_000_000, "mio": 1_000_000, "million": 1_000_000, "millions": 1_000_000,
    "млн": 1_000_000, "mln": 1_000_000, "مليون": 1_000_000, "میلیون": 1_000_000, "mi": 1_000_000,
    "b": 1_000_000_000, "bn": 1_000_000_000, "mrd": 1_000_000_000, "billion": 1_000_000_000,
    "mld": 1_000_000_000,
    "млрд": 1_000_000_000,
    "万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000,
}
# Arabic-Indic and Extended Arabic-Indic digits, and the Arabic separators.
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "01234567890123456789.,")
DISPLAYED = re.compile(r"^\s*(\d[\d.,'\s\u00a0\u202f]*)\s*([^\d\s]*)")


def parse_count(text: str | None) -> int | None:
    """The integer a platform means by a displayed count, or None when the text holds none.

    Separators are read as a person would: "2,362" and "2.362" and "2 362" are thousands
    (groups of three digits), while "86.4K" and "86,4 K" are decimals scaled by the suffix.
    """
    if not text:
        return None
    found = DISPLAYED.match(text.translate(DIGITS))
    if not found:
        return None
    number, suffix = found.group(1).strip(), found.group(2).lower().rstrip(".")
    if suffix not in SCALES:
        suffix = ""  # a word after the number ("Followers", "members") scales nothing
    compact = re.sub(r"[\s\u00a0\u202f']", "", number)
    grouped = re.fullmatch(r"\d{1,3}([.,]\d{3})+", compact)
    if grouped and not (suffix and re.fullmatch(r"\d+[.,]\d{3}", compact)):
        return int(re.sub(r"[.,]", "", compact)) * SCALES[suffix]
    if re.fullmatch(r"\d+", compact):
        return int(compact) * SCALES[suffix]
    decimal = re.fullmatch(r"(\d+)[.,](\d+)", compact)
    if decimal and suffix:
        return round(float(f"{decimal.group(1)}.{decimal.group(2)}") * SCALES[suffix])
    return None
