"""``--tsa`` for the commands that take it, and the line printed about a bundle's timestamp."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from archiver.errors import ArchiverError
from archiver.tsa_urls import check_tsa_url, tsa_urls_from_env


def tsa_urls_option(urls: Sequence[str]) -> tuple[str, ...]:
    """``--tsa`` values, else ``$ARCHIVER_TSA``; a malformed URL is a usage error."""
    chosen = tuple(urls) or tsa_urls_from_env()
    for url in chosen:
        try:
            check_tsa_url(url)
        except ValueError as exc:
            raise ArchiverError(str(exc)) from None
    return chosen


def timestamp_note(timestamp: dict[str, Any], location: str | None) -> str:
    """The line ``archiver capture`` prints under a bundle about its timestamp."""
    if "error" in timestamp:
        return (f"no trusted timestamp: {timestamp['error']}; "
                f"run: archiver timestamp {location or 'BUNDLE'} --tsa URL")
    return f"timestamp: {timestamp['gen_time']} by {timestamp['tsa_url']} (serial {timestamp['serial']})"
