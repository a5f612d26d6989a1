"""The mirror-account referral: an account, its ranked candidate mirrors, and for each matched
item the two images side by side, as one self-contained HTML page (printed to PDF by the court
report's renderer).

Every bundle named is verified when the report is made (``verify_bundle``: every stored file
hashed, the signature, timestamp and custody chain checked), and its result printed beside
each item, so a reader sees whether what is shown is still what was captured. Images are
shown as scaled copies; the evidence is the stored file, named by bundle, path and SHA-256.
"""

from __future__ import annotations

import io
from typing import Any

from archiver.accounts import AccountItem, KnownAccount
from archiver.clock import utc_seconds
from archiver.matcher import Rules
from archiver.mirror_candidates import ABOVE_THRESHOLD, ItemEvidence, MirrorCandidate
from archiver.report_images import data_uri
from archiver.storage.base import Store
from archiver.toolinfo import tool_info
from archiver.verify import read_small, verify_bundle

THUMBNAIL = 480  # px, the longer side: two side by side fit an A4 page's width


class Verdicts:
    """Each bundle's verification result, checked once per report."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.found: dict[str, str] = {}

    def __call__(self, bundle_id: str) -> str:
        if bundle_id not in self.found:
            self.found[bundle_id] = verify_bundle(self.store.reader(bundle_id)).result
        return self.found[bundle_id]


def thumbnail(store: Store, item: AccountItem) -> str | None:
    """A scaled JPEG of the item for display; None for a video or an image Pillow cannot read."""
    from PIL import Image

    if item.signals.pdq is None:
        return None
    try:
        with Image.open(io.BytesIO(read_small(store.reader(item.bundle_id), item.signals.path))) as opened:
            image = opened.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    image.thumbnail((THUMBNAIL, THUMBNAIL))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return data_uri(out.getvalue(), "image/jpeg")


def item_facts(store: Store, item: AccountItem, verdicts: Verdicts) -> dict[str, Any]:
    signals = item.signals
    return {"bundle_id": item.bundle_id, "path": signals.path, "kind": signals.kind,
            "sha256": signals.digests["sha256"], "pdq": signals.pdq or "", "quality": signals.quality,
            "frames": len(signals.frames or ()), "captured_at": item.captured_at,
            "capture_url": item.capture_url, "verified": verdicts(item.bundle_id),
            "image": thumbnail(store, item)}


def account_facts(store: Store, account: KnownAccount, verdicts: Verdicts) -> dict[str, Any]:
    return {"label": account.label, "platform": account.platform, "handle": account.handle,
            "display_names": account.display_names, "bios": account.bios, "links": account.links,
            "urls": account.urls,
            "bundles": [{"bundle_id": found.bundle_id, "captured_at": found.captured_at, "url": found.url,
                         "verified": verdicts(found.bundle_id)} for found in account.bundles],
            "avatars": [item_facts(store, item, verdicts) for item in account.avatars],
            "media": len(account.media)}


def match_text(evidence: ItemEvidence) -> str:
    found = evidence.match or {}
    if found.get("how") == "vpdq":
        return f"vPDQ: {found['query_share']:.0%} of its frames match"
    how = str(found.get("how", ""))
    cut = f", cut {found['cut']}" if "cut" in found else ""
    return f"{how}, distance {found.get('distance')}{cut}"


def candidate_facts(store: Store, candidate: MirrorCandidate, rank: int, verdicts: Verdicts,
                    detailed: bool) -> dict[str, Any]:
    facts: dict[str, Any] = {"rank": rank, "record": candidate.record(), "label": candidate.account.label,
                             "above": candidate.above_threshold, "detailed": detailed}
    if not detailed:
        return facts
    facts["account"] = account_facts(store, candidate.account, verdicts)
    avatar = candidate.avatar
    facts["avatar"] = None if avatar is None else {
        "ours": item_facts(store, avatar.ours, verdicts),
        "theirs": item_facts(store, avatar.theirs, verdicts),
        "how": avatar.how, "distance": avatar.distance, "matched": avatar.matched}
    facts["matches"] = [{
        "theirs": item_facts(store, evidence.item, verdicts),
        "ours": item_facts(store, evidence.counterpart, verdicts) if evidence.counterpart else None,
        "match": match_text(evidence) if evidence.counterpart else "",
        "bank_hits": [hit.to_json() for hit in evidence.bank_hits],
    } for evidence in candidate.matched_items]
    return facts


def gather(store: Store, account: KnownAccount, candidates: list[MirrorCandidate], rule: Rules,
           banks: list[str], accounts_compared: int) -> dict[str, Any]:
    """What the template shows. Candidates above the threshold get their evidence in full; the
    others a line in the table."""
    verdicts = Verdicts(store)
    return {
        "generated_at": utc_seconds(), "store": store.location, "tool": tool_info(),
        "account": account_facts(store, account, verdicts),
        "rule": rule.record(), "above_threshold": ABOVE_THRESHOLD, "banks": banks,
        "accounts_compared": accounts_compared,
        "candidates": [candidate_facts(store, candidate, rank, verdicts, candidate.above_threshold)
                       for rank, candidate in enumerate(candidates, start=1)],
    }
