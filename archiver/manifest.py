"""The manifest: what was captured, how, and the hash of every artifact.

A frozen dataclass rather than a pydantic model: a manifest is read far more often than written,
its bytes are signed so no library may choose how it is serialized, and dataclasses add no
dependency to a tool that must still install years from now.

Every reader loads it with :meth:`Manifest.from_bytes` (or :meth:`Manifest.load`), which checks
the version and the type of every field the core reads. Checks over the signed bytes (signature,
custody anchor, the WARC's capture record) use ``raw``, the object exactly as parsed, with keys
this build does not know: a manifest is never re-serialized to be checked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archiver.manifest_parts import (
    Artifact,
    Browser,
    ManifestError,
    Network,
    RecordedSettings,
    array,
    number,
    optional_object,
    optional_text,
    rest,
    text,
)

__all__ = ["ANCHORED_FIELDS", "SCHEMA", "SCHEMA_VERSION", "Artifact", "Manifest", "ManifestError",
           "UnknownSchemaVersion", "anchored_view", "artifact_uri", "capture_record_uri", "json_bytes"]

SCHEMA = "https://evidence-archiver.invalid/schemas/manifest/1"
SCHEMA_VERSION = 1
READS_VERSIONS = (1,)

# Fields that also go into the WARC's capture record, so an edit to either is caught by verify.
ANCHORED_FIELDS = (
    "bundle_id",
    "case_id",
    "operator",
    "requested_url",
    "final_url",
    "canonical_url",
    "platform",
    "status",
    "reason",
    "started_at",
    "ended_at",
    "settings",
    "tool",
    "browser",
)


class UnknownSchemaVersion(ManifestError):
    """A manifest written by another build of the tool; not damage, so not a verdict on the bundle."""


@dataclass(frozen=True)
class Manifest:
    bundle_id: str
    case_id: str | None
    operator: str | None
    tool: dict[str, Any]  # name, version, python, os, components
    plugins: list[dict[str, Any]]  # name, version, distribution, module
    browser: Browser
    requested_url: str
    final_url: str | None
    canonical_url: str | None
    platform: str | None
    status: str
    reason: str | None
    hint: str | None
    started_at: str
    ended_at: str
    settings: RecordedSettings
    account: dict[str, Any] | None  # only a fingerprint of the cookie values
    network: Network
    server_ip: str | None
    tls: dict[str, Any] | None  # the main document's certificate
    notes: list[str]
    post: dict[str, Any] | None  # the extracted post in the common schema (models.Post)
    artifacts: tuple[Artifact, ...]
    schema: str = SCHEMA
    schema_version: int = SCHEMA_VERSION
    extra: dict[str, Any] = field(default_factory=dict)  # keys of a later minor version
    # The object as parsed (None for a manifest made here): what signatures and anchors cover.
    parsed: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest:
        try:
            parsed = json.loads(data)
        except ValueError as exc:
            raise ManifestError(f"manifest is not valid JSON: {exc}") from None
        return cls.from_dict(parsed)

    @classmethod
    def load(cls, path: Path) -> Manifest:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ManifestError(f"cannot read {path}: {exc.strerror}") from None
        return cls.from_bytes(data)

    @classmethod
    def from_dict(cls, data: Any) -> Manifest:
        if not isinstance(data, dict) or "schema_version" not in data:
            raise ManifestError("not an evidence-archiver manifest (no schema_version)")
        version = data["schema_version"]
        if version not in READS_VERSIONS or isinstance(version, bool):
            reads = ", ".join(map(str, READS_VERSIONS))
            raise UnknownSchemaVersion(f"manifest schema_version {json.dumps(version)} is not one this build "
                                       f"reads (it reads {reads}): use a build of archiver that does")
        if not isinstance(data.get("artifacts"), list):
            raise ManifestError("manifest has no artifacts list")
        notes = array(data, "notes")
        if not all(isinstance(note, str) for note in notes):
            raise ManifestError("manifest field notes is not a list of strings")
        plugins = array(data, "plugins")
        if not all(isinstance(plugin, dict) for plugin in plugins):
            raise ManifestError("manifest field plugins is not a list of objects")
        return cls(
            bundle_id=text(data, "bundle_id"), case_id=optional_text(data, "case_id"),
            operator=optional_text(data, "operator"), tool=optional_object(data, "tool") or {},
            plugins=plugins, browser=Browser.from_dict(data.get("browser")),
            requested_url=text(data, "requested_url"), final_url=optional_text(data, "final_url"),
            canonical_url=optional_text(data, "canonical_url"), platform=optional_text(data, "platform"),
            status=text(data, "status"), reason=optional_text(data, "reason"),
            hint=optional_text(data, "hint"),
            started_at=text(data, "started_at"), ended_at=text(data, "ended_at"),
            settings=RecordedSettings.from_dict(data.get("settings")),
            account=optional_object(data, "account"), network=Network.from_dict(data.get("network")),
            server_ip=optional_text(data, "server_ip"), tls=optional_object(data, "tls"), notes=notes,
            post=optional_object(data, "post"),
            artifacts=tuple(Artifact.from_dict(entry) for entry in data["artifacts"]),
            schema=optional_text(data, "schema") or SCHEMA, schema_version=number(data, "schema_version"),
            extra=rest(data, FIELDS), parsed=data)

    @property
    def raw(self) -> dict[str, Any]:
        """The manifest as read, every key included; for one made here, what will be written."""
        return self.parsed if self.parsed is not None else self.to_dict()

    def to_dict(self) -> dict[str, Any]:
        """The object this build writes (a manifest read from a file: ``raw`` is what it holds)."""
        data = {name: getattr(self, name) for name in FIELDS}
        data.update(browser=self.browser.to_dict(), settings=self.settings.to_dict(),
                    network=self.network.to_dict(), artifacts=[a.to_dict() for a in self.artifacts])
        return {**data, **self.extra}

    def to_json_bytes(self) -> bytes:
        """The bytes of ``manifest.json``, exactly as every build has written them."""
        return json_bytes(self.to_dict())

    def artifact(self, path: str) -> Artifact | None:
        return next((entry for entry in self.artifacts if entry.path == path), None)

    def anchored(self) -> dict[str, Any]:
        """What the WARC's capture record holds of this manifest."""
        return anchored_view(self.raw)


FIELDS = ("schema", "schema_version", "bundle_id", "case_id", "operator", "tool", "plugins", "browser",
          "requested_url", "final_url", "canonical_url", "platform", "status", "reason", "hint", "started_at",
          "ended_at", "settings", "account", "network", "server_ip", "tls", "notes", "post", "artifacts")


def json_bytes(manifest: Mapping[str, Any]) -> bytes:
    return json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False).encode() + b"\n"


def anchored_view(manifest: Mapping[str, Any]) -> dict[str, Any]:
    return {key: manifest.get(key) for key in ANCHORED_FIELDS}


def capture_record_uri(bundle_id: str) -> str:
    return f"urn:evidence-archiver:{bundle_id}:capture"


def artifact_uri(bundle_id: str, relpath: str) -> str:
    return f"urn:evidence-archiver:{bundle_id}:{relpath}"
