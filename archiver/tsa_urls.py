"""TSA URLs as users give them: from options or ``$ARCHIVER_TSA``, checked, shown without passwords.

Kept apart from ``archiver.timestamp`` so that commands which only parse ``--tsa`` do not
import the RFC 3161 machinery at start-up.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit, urlunsplit

TSA_ENV = "ARCHIVER_TSA"


def tsa_urls_from_env(environ: dict[str, str] | None = None) -> tuple[str, ...]:
    """``$ARCHIVER_TSA``: TSA URLs separated by spaces or commas."""
    text = (os.environ if environ is None else environ).get(TSA_ENV, "")
    return tuple(url for url in re.split(r"[\s,]+", text) if url)


def check_tsa_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"a TSA URL must be http:// or https:// with a host, got {public_url(url)!r}")
    return url


def public_url(url: str) -> str:
    """The URL without user:password, as it may be recorded and printed."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    netloc += f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=netloc))
