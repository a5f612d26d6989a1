"""Base64 that accepts exactly one spelling of each byte string.

``base64.b64decode`` ignores stray characters and non-zero padding bits, so many different
strings decode to the same signature; a verifier that accepts them all lets a signed file
change without notice. Only the canonical encoding (what ``b64encode`` writes) is accepted.
"""

from __future__ import annotations

import base64
import binascii


def decode_strict(text: str) -> bytes:
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not valid base64") from None
    if base64.b64encode(data).decode() != text:
        raise ValueError("not the canonical base64 encoding")
    return data
