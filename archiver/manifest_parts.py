"""The typed parts of a manifest: each artifact, the browser, the network summary, the settings.

Each part keeps the keys this build does not model in ``extra``, so ``to_dict()`` gives back
every key it was read from; optional keys a writer leaves out stay out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from archiver.errors import ArchiverError


class ManifestError(ArchiverError):
    """A manifest that cannot be read: not JSON, not a manifest, or a field of the wrong type."""


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ManifestError(f"manifest {where} is not a JSON object")
    return value


def text(data: Mapping[str, Any], key: str, where: str = "") -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise ManifestError(f"manifest field {where}{key} is missing or not a string")
    return value


def optional_text(data: Mapping[str, Any], key: str, where: str = "") -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise ManifestError(f"manifest field {where}{key} is not a string")
    return value


def number(data: Mapping[str, Any], key: str, where: str = "", default: int | None = None) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ManifestError(f"manifest field {where}{key} is missing or not an integer")
    return value


def optional_object(data: Mapping[str, Any], key: str, where: str = "") -> dict[str, Any] | None:
    value = data.get(key)
    return None if value is None else dict(_object(value, f"field {where}{key}"))


def array(data: Mapping[str, Any], key: str, where: str = "") -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ManifestError(f"manifest field {where}{key} is not a list")
    return value


def rest(data: Mapping[str, Any], known: tuple[str, ...]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in known}


@dataclass(frozen=True)
class Artifact:
    """One file of the bundle as listed: what it is, its size and SHA-256 (``sha256:<hex>``)."""

    path: str
    media_type: str | None
    size: int
    sha256: str
    source_url: str | None = None  # a media file: the URL whose WARC payload it is
    width: int | None = None
    height: int | None = None
    perceptual_hashes: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # records, selector, truncated...

    OPTIONAL = ("source_url", "width", "height", "perceptual_hashes")
    KNOWN = ("path", "media_type", "size", "sha256", *OPTIONAL)

    @classmethod
    def from_dict(cls, value: Any) -> Artifact:
        data = _object(value, "artifact entry")
        where = f"artifacts[{data.get('path')!r}]."
        width, height = data.get("width"), data.get("height")
        return cls(path=text(data, "path", where), media_type=optional_text(data, "media_type", where),
                   size=number(data, "size", where), sha256=text(data, "sha256", where),
                   source_url=optional_text(data, "source_url", where),
                   width=None if width is None else number(data, "width", where),
                   height=None if height is None else number(data, "height", where),
                   perceptual_hashes=optional_object(data, "perceptual_hashes", where),
                   extra=rest(data, cls.KNOWN))

    def to_dict(self) -> dict[str, Any]:
        listed = {"path": self.path, "media_type": self.media_type, "size": self.size, "sha256": self.sha256}
        listed.update({key: getattr(self, key) for key in self.OPTIONAL if getattr(self, key) is not None})
        return {**listed, **self.extra}


@dataclass(frozen=True)
class Browser:
    name: str | None
    version: str | None
    executable: str | None
    user_agent: str | None
    extra: dict[str, Any] = field(default_factory=dict)

    KNOWN = ("name", "version", "executable", "user_agent")

    @classmethod
    def from_dict(cls, value: Any) -> Browser:
        data = _object({} if value is None else value, "field browser")
        name, version, executable, user_agent = (optional_text(data, key, "browser.") for key in cls.KNOWN)
        return cls(name, version, executable, user_agent, extra=rest(data, cls.KNOWN))

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "executable": self.executable,
                "user_agent": self.user_agent, **self.extra}


@dataclass(frozen=True)
class Network:
    """What the recording proxy saw (``network``): counts, refusals, failures, navigations."""

    exchanges: int
    bytes_recorded: int
    blocked: list[Any]  # {"url", "reason"} each
    failed: list[Any]
    unfinished: list[Any]
    redactions: dict[str, Any]
    normalisations: dict[str, Any]
    navigations: list[dict[str, Any]]  # navigations the page started and the capture stopped
    main_document: dict[str, Any] | None
    websocket_connections: int = 0
    websocket_messages: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    KNOWN = ("exchanges", "bytes_recorded", "blocked", "failed", "unfinished", "redactions", "normalisations",
             "navigations", "main_document", "websocket_connections", "websocket_messages")

    @classmethod
    def from_dict(cls, value: Any) -> Network:
        data = _object({} if value is None else value, "field network")
        where = "network."
        navigations = array(data, "navigations", where)
        for entry in navigations:
            _object(entry, "network.navigations entry")
        return cls(exchanges=number(data, "exchanges", where, 0),
                   bytes_recorded=number(data, "bytes_recorded", where, 0),
                   blocked=array(data, "blocked", where), failed=array(data, "failed", where),
                   unfinished=array(data, "unfinished", where),
                   redactions=optional_object(data, "redactions", where) or {},
                   normalisations=optional_object(data, "normalisations", where) or {},
                   navigations=navigations, main_document=optional_object(data, "main_document", where),
                   websocket_connections=number(data, "websocket_connections", where, 0),
                   websocket_messages=number(data, "websocket_messages", where, 0),
                   extra=rest(data, cls.KNOWN))

    def to_dict(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in self.KNOWN} | self.extra


@dataclass(frozen=True)
class RecordedSettings:
    """The capture's settings as recorded; the core reads three of them, the report shows them all."""

    tsa_urls: tuple[str, ...]  # TSAs asked for a timestamp (never a password): a token must exist
    object_lock: dict[str, Any] | None  # the Object Lock every object of the bundle was stored with
    logged_in: bool
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, value: Any) -> RecordedSettings:
        data = _object({} if value is None else value, "field settings")
        urls = array(data, "tsa_urls", "settings.")
        if not all(isinstance(url, str) for url in urls):
            raise ManifestError("manifest field settings.tsa_urls is not a list of strings")
        logged_in = data.get("logged_in", False)
        if not isinstance(logged_in, bool):
            raise ManifestError("manifest field settings.logged_in is not true or false")
        return cls(tsa_urls=tuple(urls), object_lock=optional_object(data, "object_lock", "settings."),
                   logged_in=logged_in, extra=rest(data, ("tsa_urls", "object_lock", "logged_in")))

    def to_dict(self) -> dict[str, Any]:
        return {**self.extra, "tsa_urls": list(self.tsa_urls), "object_lock": self.object_lock,
                "logged_in": self.logged_in}
