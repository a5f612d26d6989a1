"""Login material (cookies, storage state): loaded for the browser, kept out of every output."""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import re
import warnings
from dataclasses import dataclass, field
from http import cookiejar
from http.cookiejar import Cookie, LoadError, MozillaCookieJar
from pathlib import Path
from typing import Any

from archiver.errors import ArchiverError

REDACTED = "[REDACTED]"
SECRET_HEADERS = ("cookie", "set-cookie", "authorization", "proxy-authorization")


class SecretsError(ArchiverError):
    """A cookies or storage-state file that cannot be read (never quotes a value)."""


@dataclass
class LoginMaterial:
    cookies: list[dict[str, Any]] = field(default_factory=list)
    storage_state: dict[str, Any] | None = None

    @property
    def secret_values(self) -> list[str]:
        values = [str(c["value"]) for c in self.cookies if c.get("value")]
        if self.storage_state:
            values += [str(c["value"]) for c in self.storage_state.get("cookies", []) if c.get("value")]
            for origin in self.storage_state.get("origins", []):
                values += [str(i["value"]) for i in origin.get("localStorage", []) if i.get("value")]
        return values

    def account_fingerprint(self) -> str | None:
        """Identifies the account used without revealing it: a hash over the sorted secret values."""
        values = sorted(set(self.secret_values))
        if not values:
            return None
        return "sha256:" + hashlib.sha256("\n".join(values).encode()).hexdigest()

    def playwright_state(self) -> dict[str, Any] | None:
        if not self.cookies and not self.storage_state:
            return None
        state = dict(self.storage_state or {"cookies": [], "origins": []})
        state["cookies"] = list(state.get("cookies", [])) + self.cookies
        state.setdefault("origins", [])
        return state


# The Netscape format as MozillaCookieJar reads it: this first line, then seven tab-separated fields
# a line (``#HttpOnly_`` before an HttpOnly cookie's domain). Exports that leave the line out
# are read as if it were there.
NETSCAPE_HEADER = "# Netscape HTTP Cookie File"
FIELDS = 7
# MozillaCookieJar's own rules, which typeshed does not declare.
NETSCAPE_MAGIC_RGX: re.Pattern[str] = vars(cookiejar)["NETSCAPE_MAGIC_RGX"]
HTTPONLY_PREFIX: str = vars(cookiejar)["HTTPONLY_PREFIX"]
HTTPONLY_ATTR: str = vars(cookiejar)["HTTPONLY_ATTR"]


def parse_netscape_cookies(path: Path) -> list[dict[str, Any]]:
    """Parse a Netscape ``cookies.txt`` (curl, yt-dlp, browser export) into Playwright cookies."""
    return parse_netscape_lines(cookie_file_lines(path), str(path))


def parse_netscape_lines(lines: list[str], source: str) -> list[dict[str, Any]]:
    """The cookies of a ``cookies.txt`` already read; ``source`` names it in errors."""
    for number, line in enumerate(lines, 1):
        check_cookie_line(source, number, line)
    if not lines or not NETSCAPE_MAGIC_RGX.match(lines[0]):
        lines = [NETSCAPE_HEADER, *lines]
    jar = MozillaCookieJar()
    try:
        with warnings.catch_warnings():  # its warning quotes the line, value included
            warnings.simplefilter("ignore")
            # load() opens the file itself, in the locale's encoding: hand it the decoded text.
            jar._really_load(io.StringIO("\n".join(lines) + "\n"), source,  # type: ignore[attr-defined]
                             ignore_discard=True, ignore_expires=True)
    except LoadError:  # its message quotes the line, value included
        raise SecretsError(f"{source}: not a Netscape cookies.txt file") from None
    return [playwright_cookie(cookie) for cookie in jar]


def cookie_file_lines(path: Path) -> list[str]:
    """The lines of a cookies file in UTF-8 or UTF-16 (Windows exports), with or without a BOM."""
    if path.is_dir():
        raise SecretsError(f"{path} is a folder; --cookies takes a cookies.txt file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SecretsError(f"no such file: {path} (--cookies)") from None
    except OSError as exc:
        raise SecretsError(f"cannot read cookies file {path}: {exc.strerror}") from None
    return cookie_text_lines(data, str(path))


def cookie_text_lines(data: bytes, source: str) -> list[str]:
    try:
        return data.decode(text_encoding(data)).splitlines()
    except UnicodeDecodeError:
        raise SecretsError(f"{source} is neither UTF-8 nor UTF-16 text; export the cookies as "
                           "a Netscape cookies.txt file") from None


def text_encoding(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    # UTF-16 without a BOM: every ASCII character of the format has a zero byte beside it.
    if data[1:2] == b"\0":
        return "utf-16-le"
    if data[:1] == b"\0":
        return "utf-16-be"
    return "utf-8"


def check_cookie_line(source: str, number: int, line: str) -> None:
    """What MozillaCookieJar would refuse, said with the line number and without the value."""
    if line.startswith(HTTPONLY_PREFIX):
        line = line[len(HTTPONLY_PREFIX):]
    if not line.strip() or line.strip().startswith(("#", "$")):
        return
    fields = line.split("\t")
    if len(fields) != FIELDS:
        raise SecretsError(f"{source}:{number}: expected {FIELDS} tab-separated fields, got {len(fields)}")
    domain, subdomains, expires = fields[0], fields[1], fields[4]
    if (subdomains == "TRUE") != domain.startswith("."):
        raise SecretsError(f"{source}:{number}: the second field must be TRUE exactly when the domain "
                           f"starts with a dot, got {subdomains!r} for {domain!r}")
    if expires and not expires.isdigit():
        raise SecretsError(f"{source}:{number}: the expiry (fifth field) must be seconds since 1970, "
                           f"got {expires!r}")


def playwright_cookie(cookie: Cookie) -> dict[str, Any]:
    # A line without a name is a cookie that is only a value ('Set-Cookie: foo'): the jar keeps
    # it as a name without a value.
    name, value = (cookie.name, cookie.value) if cookie.value is not None else ("", cookie.name)
    found: dict[str, Any] = {
        "name": name,
        "value": value,
        "domain": cookie.domain,
        "path": cookie.path or "/",
        "secure": cookie.secure,
        "httpOnly": cookie.has_nonstandard_attr(HTTPONLY_ATTR),
    }
    if cookie.expires:  # the jar keeps the file's text; 0 and empty: a session cookie
        found["expires"] = int(cookie.expires)
    return found


def load_login_material(cookies_file: Path | None, storage_state_file: Path | None) -> LoginMaterial:
    material = LoginMaterial()
    if cookies_file:
        material.cookies = parse_netscape_cookies(cookies_file)
    if storage_state_file:
        material.storage_state = read_storage_state(storage_state_file)
    return material


def read_storage_state(path: Path) -> dict[str, Any]:
    if path.is_dir():
        raise SecretsError(f"{path} is a folder; --storage-state takes a Playwright storage-state JSON file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SecretsError(f"no such file: {path} (--storage-state)") from None
    except OSError as exc:
        raise SecretsError(f"cannot read storage state {path}: {type(exc).__name__}") from None
    return parse_storage_state(data, str(path))


def parse_storage_state(data: bytes, source: str) -> dict[str, Any]:
    try:
        state = json.loads(data.decode("utf-8-sig"))
    except ValueError as exc:  # its message may quote the text
        raise SecretsError(f"cannot read storage state {source}: {type(exc).__name__}") from None
    if not isinstance(state, dict):
        raise SecretsError(f"{source} is not a Playwright storage state (a JSON object of cookies "
                           "and origins)")
    return state


# Secret values shorter than this are not searched for (they would match ordinary text).
MIN_SECRET_LENGTH = 4


def _searchable(secrets: list[str]) -> list[str]:
    # Longest first, so a secret that contains another is replaced whole.
    return [v for v in sorted(set(secrets), key=len, reverse=True) if len(v) >= MIN_SECRET_LENGTH]


def scrub(text: str, secrets: list[str]) -> str:
    """Remove secret values from free text (error messages, DOM snapshots)."""
    for value in _searchable(secrets):
        text = text.replace(value, REDACTED)
    return text


def scrub_bytes(data: bytes, secrets: list[str]) -> bytes:
    """Remove secret values from bytes (WebSocket messages, text or binary)."""
    for value in _searchable(secrets):
        data = data.replace(value.encode(), REDACTED.encode())
    return data
