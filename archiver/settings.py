"""Capture settings: every knob that changes what gets recorded, all recorded in the manifest."""

from __future__ import annotations

import dataclasses
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archiver.errors import ArchiverError

DEFAULT_LOCALE = "en-US"
DEFAULT_TIMEZONE = "UTC"


class SettingsError(ArchiverError):
    """A capture option that cannot be used as given."""


@dataclass(frozen=True)
class ResolveRule:
    """curl's ``--resolve HOST:PORT:ADDR``: connect to ADDR when asked for HOST:PORT.

    ADDR may end in ``:PORT`` (``[v6]:PORT`` for IPv6) to reach another port, like
    curl's ``--connect-to``: tests serve a platform's hostname from a local port.
    """

    host: str
    port: int
    address: str
    target_port: int | None = None

    @classmethod
    def parse(cls, text: str) -> ResolveRule:
        host, sep, rest = text.partition(":")
        port_text, sep2, address = rest.partition(":")
        if not (sep and sep2 and host and address and port_text.isdigit()):
            raise SettingsError(f"--resolve expects HOST:PORT:ADDR, got {text!r}")
        port = int(port_text)
        if not 0 < port < 65536:
            raise SettingsError(f"--resolve port out of range in {text!r}")
        target_port: int | None = None
        if address.startswith("["):
            inner, _, tail = address[1:].partition("]")
            address = inner
            if tail.startswith(":") and tail[1:].isdigit():
                target_port = int(tail[1:])
        elif address.count(":") == 1:
            address, _, tail = address.partition(":")
            if not tail.isdigit():
                raise SettingsError(f"--resolve target port must be a number in {text!r}")
            target_port = int(tail)
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise SettingsError(f"--resolve ADDR must be an IP address in {text!r}") from None
        return cls(host.lower(), port, address, target_port)

    @property
    def target(self) -> tuple[str, int]:
        return self.address, self.target_port or self.port

    def __str__(self) -> str:
        address = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.host}:{self.port}:{address}" + (f":{self.target_port}" if self.target_port else "")


@dataclass(frozen=True)
class CaptureSettings:
    viewport_width: int = 1280
    viewport_height: int = 900
    user_agent: str | None = None  # None: a desktop Chrome UA matching the browser's version
    locale: str = DEFAULT_LOCALE
    timezone: str = DEFAULT_TIMEZONE
    navigation_timeout: float = 30.0
    settle_timeout: float = 15.0
    capture_timeout: float = 120.0
    max_capture_bytes: int = 512 * 1024 * 1024
    screenshot_max_height: int = 16384
    resolve: tuple[ResolveRule, ...] = ()
    insecure: bool = False
    allow_private_networks: bool = False
    cookies_file: Path | None = None
    storage_state_file: Path | None = None
    # (platform, "cookies" | "storage_state", file): login used only for that platform's URLs
    platform_logins: tuple[tuple[str, str, Path], ...] = ()
    ca_bundle: Path | None = None
    # RFC 3161 TSAs asked in turn for a token over the signed manifest (archiver.timestamp)
    tsa_urls: tuple[str, ...] = ()
    # S3 Object Lock asked for the store ({"mode", "retain_days", "legal_hold"}); the store applies
    # what the manifest records, so a resumed upload keeps the same lock
    object_lock: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def for_manifest(self) -> dict[str, Any]:
        """What the manifest records: paths of secret files are named, never read out."""
        data = dataclasses.asdict(self)
        data["resolve"] = [str(rule) for rule in self.resolve]
        for key in ("cookies_file", "storage_state_file", "ca_bundle"):
            data[key] = str(data[key]) if data[key] else None
        data["platform_logins"] = [
            {"platform": platform, "kind": kind, "file": str(path)}
            for platform, kind, path in self.platform_logins
        ]
        from archiver.tsa_urls import public_url

        data["tsa_urls"] = [public_url(url) for url in self.tsa_urls]  # never a TSA password
        return data
