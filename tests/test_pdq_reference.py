"""Our PDQ against PDQ's reference implementation (ThreatExchange's C++ hasher): ThreatExchange's
PDQ README asks a non-reference implementation to stay within distance 10 of it on images of
quality >= 80. The reference hashes and how they were made: tests/fixtures/images/SOURCES.txt."""

from __future__ import annotations

from pathlib import Path

import pytest

from archiver.image_signals import image_signals
from archiver.imagehashes import hamming_hex, hash_image_bytes

IMAGES = Path(__file__).parent / "fixtures" / "images"


def reference() -> list[tuple[str, int, str]]:
    lines = (IMAGES / "pdq-reference.txt").read_text().splitlines()
    rows = [line.split(",") for line in lines if not line.startswith("#")]
    return [(hex_digest, int(quality), name) for hex_digest, quality, name in rows]


@pytest.mark.parametrize(("expected", "quality", "name"), reference())
def test_pdq_is_within_10_of_the_reference(expected: str, quality: int, name: str) -> None:
    assert quality >= 80
    data = (IMAGES / name).read_bytes()
    signals, manifest_hashes = image_signals(data), hash_image_bytes(data)
    assert signals and manifest_hashes
    assert hamming_hex(signals.pdq.hex, expected) <= 10
    assert manifest_hashes.pdq == signals.pdq.hex  # the manifest's PDQ is the same one
