"""One bundle as the API returns it and its page shows it: the manifest's summary, the post, a
fresh verification, the custody chain, and where to download each part."""

from __future__ import annotations

from typing import Any

from archiver import report_sections as sections
from archiver.bundle import MANIFEST
from archiver.custody import CUSTODY_DIR, check_custody_chain
from archiver.manifest import Manifest
from archiver.storage.base import BundleReader
from archiver.verify import read_small, verify_bundle


def detail(reader: BundleReader, base: str) -> dict[str, Any]:
    """Everything about the bundle; ``base`` is the URL its downloads hang from."""
    raw = read_small(reader, MANIFEST)
    manifest = Manifest.from_bytes(raw)
    stored = reader.list_files()
    verification = verify_bundle(reader)
    events, chain_problems = check_custody_chain(
        sorted(p for p in stored if p.startswith(f"{CUSTODY_DIR}/")), reader.open, raw)
    post = manifest.post or {}
    return {
        "bundle_id": manifest.bundle_id,
        "manifest": {
            "case": manifest.case_id, "operator": manifest.operator, "status": manifest.status,
            "reason": manifest.reason, "hint": manifest.hint, "requested_url": manifest.requested_url,
            "final_url": manifest.final_url, "canonical_url": manifest.canonical_url,
            "platform": manifest.platform, "started_at": manifest.started_at, "ended_at": manifest.ended_at,
            "server_ip": manifest.server_ip, "browser": f"{manifest.browser.name} {manifest.browser.version}",
            "notes": list(manifest.notes),
        },
        "post": manifest.post,
        "media": [media(item, stored) for item in post.get("media") or [] if isinstance(item, dict)],
        "artifacts": [{"path": a.path, "media_type": a.media_type, "size": a.size, "sha256": a.sha256,
                       "width": a.width, "height": a.height, "perceptual_hashes": a.perceptual_hashes,
                       "download": f"{base}/files/{a.path}"} for a in manifest.artifacts],
        "verification": {**verification.to_dict(), "problems": [p.to_dict() for p in verification.problems]},
        "custody": {"events": [{key: event.get(key) for key in ("seq", "time", "event", "actor", "details")}
                               for event in events],
                    "problems": [p.to_dict() for p in chain_problems]},
        "downloads": {"report_pdf": f"{base}/report.pdf", "wacz": f"{base}/capture.wacz",
                      "manifest": f"{base}/files/{MANIFEST}"},
        # For the page: the rows the court report shows.
        "rows": {"summary": sections.summary(manifest), "post": sections.post(post)},
    }


def media(item: dict[str, Any], stored: dict[str, int]) -> dict[str, Any]:
    path = item.get("path")
    # Manifests older than the ``captured`` field: a file means captured.
    captured = bool(item.get("captured") or (item.get("captured") is None and path)) and path in stored
    why = None if captured else item.get("failure") or item.get("note") or "no file in the bundle"
    return {"kind": item.get("kind"), "url": item.get("url"), "path": path, "captured": captured,
            "failure": why}
