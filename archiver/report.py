"""The court report: every fact about one bundle, gathered and rendered as one self-contained HTML page.

Facts come from the manifest, a fresh ``verify_bundle`` run and the custody log; images are
embedded as data: URIs, so the document needs nothing else to be read or printed. All text that
came from the captured page (and the manifest as a whole, which an adversary may have edited) is
escaped by the template engine: post text is hostile input.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from archiver import report_sections as sections
from archiver.bundle import IMAGE_TYPES, MANIFEST, WARC
from archiver.clock import utc_seconds
from archiver.custody import CUSTODY_DIR, check_custody_chain
from archiver.errors import EvidenceError
from archiver.hashing import hash_bytes
from archiver.manifest import Manifest, ManifestError
from archiver.problem import Problem
from archiver.report_images import ShownImage, show_image
from archiver.report_sections import hex_of, rows, text
from archiver.shell_lines import continued, quoted
from archiver.signing import key_fingerprint_of
from archiver.storage.base import BundleReader
from archiver.verify import BundleReport, read_small, verify_bundle

TIMESTAMP_FILE = "manifest.tsr"
# Names for the timestamp facts verify reports; others are shown with their key made readable.
LABELS = {"gen_time": "Time (TSA genTime, UTC)", "tsa": "Authority (TSA)", "status": "Status",
          "chain": "Certificate chain"}
# Images the report shows first, in this order; media images follow.
SHOWN_FIRST = ("screenshot.png", "post.png")


class ReportError(EvidenceError):
    """The bundle cannot be reported on (no readable manifest)."""


def timestamp_facts(verification: BundleReport) -> dict[str, str] | None:
    """What verify reports of the trusted (RFC 3161) timestamp, labelled; None when there is none."""
    found = verification.timestamp
    if found is None or found.get("status") == "none":
        return None
    return {LABELS.get(key, key.replace("_", " ").capitalize()): text(value)
            for key, value in found.items() if text(value)}


def check_rows(verification: BundleReport) -> list[tuple[str, str]]:
    return rows(*((f"Check: {name}", outcome) for name, outcome in verification.checks().items()))


def custody_rows(events: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for event in events:
        try:
            key = hex_of(key_fingerprint_of(str(event.get("signer_public_key", "")).encode()))[:16]
        except (ValueError, TypeError):
            key = "unusable key"
        out.append({"seq": text(event.get("seq")), "time": text(event.get("time")),
                    "event": text(event.get("event")), "actor": text(event.get("actor")) or "-",
                    "details": text(event.get("details")), "key": key})
    return out


def flag_problems(artifacts: list[dict[str, str]], problems: list[Problem]) -> list[dict[str, str]]:
    for row in artifacts:
        row["problem"] = "; ".join(p.detail for p in problems if p.path == row["path"])
    return artifacts


def images(bundle: BundleReader, manifest: Manifest, stored: dict[str, int]) -> list[ShownImage]:
    listed = [e.path for e in manifest.artifacts if e.media_type in IMAGE_TYPES]
    ordered = [p for p in SHOWN_FIRST if p in listed] + [p for p in listed if p not in SHOWN_FIRST]
    return [show_image(path, read_small(bundle, path)) for path in ordered if path in stored]


def gather(bundle: BundleReader, **verify_options: Any) -> dict[str, Any]:
    """Everything the template shows, as plain strings and lists (``verify_options`` go to verify)."""
    # One bundle: every WARC record is re-read too, so the report can say so.
    verification = verify_bundle(bundle, **{"deep": True, **verify_options})
    stored = bundle.list_files()
    if MANIFEST not in stored:
        raise ReportError(f"{bundle.location} has no {MANIFEST}: an incomplete capture cannot be reported")
    raw = read_small(bundle, MANIFEST)
    try:
        manifest = Manifest.from_bytes(raw)
    except ManifestError as exc:
        raise ReportError(str(exc)) from None
    custody = sorted(p for p in stored if p.startswith(f"{CUSTODY_DIR}/"))
    events, _problems = check_custody_chain(custody, bundle.open, raw)  # verification has the problems
    post = manifest.post or {}
    stamp = timestamp_facts(verification)
    warnings = sections.setting_warnings(manifest)
    signed_at = (verification.timestamp or {}).get("gen_time")  # only a token that verifies has one
    return {
        "bundle_id": manifest.bundle_id,
        "case_id": text(manifest.case_id) or "(none given)",
        "generated_at": utc_seconds(),
        "result": verification.result,
        "problems": verification.problems,
        "manifest_sha256": hex_of(hash_bytes(raw)),
        "summary": sections.summary(manifest),
        "post": sections.post(post),
        "post_text": text(post.get("text")),
        "when": rows(("Capture started (UTC)", manifest.started_at),
                     ("Capture ended (UTC)", manifest.ended_at),
                     ("Trusted timestamp (TSA)", signed_at or "no trusted timestamp")),
        "tool": sections.tool(manifest),
        "settings": sections.settings(manifest),
        "setting_warnings": warnings,
        "warned_settings": {sections.setting_label(w.setting) for w in warnings},
        "network": sections.network(manifest),
        "tls": sections.tls(manifest),
        "notes": [text(n) for n in manifest.notes],
        "images": images(bundle, manifest, stored),
        "artifacts": flag_problems(sections.artifacts(manifest), verification.problems),
        "verification": rows(("Result", verification.result), ("Files checked", verification.checked_files),
                             ("Bytes read", verification.bytes_read),
                             ("Signer key (SHA-256)", hex_of(verification.signer) or "no valid signature"),
                             ("Custody events", verification.custody_events)) + check_rows(verification),
        "timestamp": stamp,
        "custody": custody_rows(events),
        # The tagged form (sha256sum --tag) has no run of spaces, which copying from a PDF can change.
        "sha256sums": [f"SHA256 ({e.path}) = {hex_of(e.sha256)}" for e in manifest.artifacts],
        "has_timestamp": TIMESTAMP_FILE in stored,
        "warc": WARC,
    }


def render_html(facts: dict[str, Any], template: str = "report.html") -> str:
    """``template`` of archiver/templates filled with ``facts``: the court report, or the mirror referral."""
    env = Environment(loader=PackageLoader("archiver", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(continued=continued, shell=quoted)
    return env.get_template(template).render(**facts)
