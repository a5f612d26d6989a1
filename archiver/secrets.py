"""Login material (cookies, storage state): loaded for the browser, kept out of every output."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
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


def parse_netscape_cookies(path: Path) -> list[dict[str, Any]]:
    """Parse a Netscape ``cookies.txt`` (curl, yt-dlp, browser export) into Playwright cookies."""
    cookies: list[dict[str, Any]] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SecretsError(f"cannot read cookies file {path}: {exc.strerror}") from None
    for number, line in enumerate(lines, 1):
        http_only = line.startswith("#HttpOnly_")
        if http_only:
            line = line[len("#HttpOnly_") :]
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 7:
            # The value is never echoed: it is the secret.
            raise SecretsError(f"{path}:{number}: expected 7 tab-separated fields, got {len(fields)}")
        domain, _subdomains, cookie_path, secure, expires, name, value = fields
        cookie: dict[str, Any] = {
            "name": name,
            "value": value,
            "domain": domain,
            "path": cookie_path or "/",
            "secure": secure.upper() == "TRUE",
            "httpOnly": http_only,
        }
        if expires.isdigit() and int(expires) > 0:
            cookie["expires"] = int(expires)
        cookies.append(cookie)
    return cookies


def load_login_material(cookies_file: Path | None, storage_state_file: Path | None) -> LoginMaterial:
    material = LoginMaterial()
    if cookies_file:
        material.cookies = parse_netscape_cookies(cookies_file)
    if storage_state_file:
        try:
            material.storage_state = json.loads(storage_state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            reason = type(exc).__name__
            raise SecretsError(f"cannot read storage state {storage_state_file}: {reason}") from None
    return material


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
