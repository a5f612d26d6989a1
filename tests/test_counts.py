"""Displayed counts read as the integers the platforms mean."""

from __future__ import annotations

import pytest

from archiver.plugins.counts import parse_count


@pytest.mark.parametrize(("shown", "number"), [
    # X, Instagram, Telegram, Facebook as saved pages show them
    ("3,893 Followers", 3893), ("86.4K Followers", 86_400), ("2,362 Followers, 150 Following", 2362),
    ("214.4K", 214_400), ("109K", 109_000), ("2 805 members", 2805), ("8", 8), ("1.2M", 1_200_000),
    ("2378 likes", 2378), ("1.234.567", 1_234_567), ("1.5B", 1_500_000_000),
    # localised forms: German, French, Spanish, Russian, Polish, Arabic digits and separators, Japanese
    ("1,2 Mio.", 1_200_000), ("86,4 K", 86_400), ("2.362", 2362), ("10,5 mil", 10_500),
    ("12 тыс.", 12_000), ("3,4 млн", 3_400_000), ("٢٬٣٦٢", 2362), ("١٫٥ مليون", 1_500_000), ("1万", 10_000),
    ("2\u202f805", 2805), ("2,2\u00a0tys. polubienia", 2200), ("1,5 mln", 1_500_000), ("3 mld", 3_000_000_000),
    # no number, or one a reader could not tell
    ("", None), (None, None), ("many", None), ("1,5", None),
])
def test_displayed_counts(shown: str | None, number: int | None) -> None:
    assert parse_count(shown) == number
