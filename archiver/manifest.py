"""The manifest: what was captured, how, and the hash of every artifact."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA = "https://evidence-archiver.invalid/schemas/manifest/1"
SCHEMA_VERSION = 1

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


class ManifestError(ValueError):
    pass


def load_manifest(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes())
    except OSError as exc:
        raise ManifestError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise ManifestError(f"{path} is not valid JSON: {exc}") from None
    return check_shape(data)


def parse_manifest(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ManifestError(f"manifest is not valid JSON: {exc}") from None
    return check_shape(data)


def check_shape(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
        raise ManifestError("not an evidence-archiver manifest (schema_version missing or unknown)")
    if not isinstance(data.get("artifacts"), list):
        raise ManifestError("manifest has no artifacts list")
    for entry in data["artifacts"]:
        if not {"path", "sha256", "size"} <= set(entry):
            raise ManifestError(f"artifact entry lacks path/sha256/size: {entry!r}")
    return data


def anchored_view(manifest: dict[str, Any]) -> dict[str, Any]:
    return {key: manifest.get(key) for key in ANCHORED_FIELDS}


def capture_record_uri(bundle_id: str) -> str:
    return f"urn:evidence-archiver:{bundle_id}:capture"


def artifact_uri(bundle_id: str, relpath: str) -> str:
    return f"urn:evidence-archiver:{bundle_id}:{relpath}"
