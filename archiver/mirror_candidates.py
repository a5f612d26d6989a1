"""Candidate mirrors of an account: every other account of the store, compared signal by signal.

Each signal is kept and shown on its own, never folded into one score:

- media: each of the candidate's images and videos (distinct by SHA-256), whether it matches
  one of the account's (image: archiver/image_signals.py's rule, with the dihedral variants
  and crop windows; video: vPDQ's), or an entry of a bank (as ``archiver match`` matches:
  archiver/matcher.py); the number and share that match;
- avatar: the PDQ distance of the closest pair of avatars, and whether it is within the rule;
- handle and display name: rapidfuzz similarity, across Arabic and Latin script
  (archiver/name_similarity.py);
- bio: the estimated Jaccard similarity of the text signatures (archiver/text_signature.py);
- links the two accounts both gave.

**Above the threshold** is a candidate with at least one media item matching the account's
media or a bank, or an avatar matching the account's. Names, bio and links never put a
candidate above it: anyone can name an account alike or link the same site, and those are
what a mirror changes first; they are shown to support or weaken what the media say.

**Rank order**: above the threshold first; then the share of the candidate's media that
match, the number that match, the avatar distance (closest first), then handle, display-name
and bio similarity and the number of shared links.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Any
from urllib.parse import urlsplit

from archiver.accounts import AccountItem, KnownAccount
from archiver.bundle_signals import ArtifactSignals
from archiver.image_signals import ImageSignals, Pdq, PdqRule, match_images
from archiver.matcher import Match, Rules, artifact_matches, best_per_candidate
from archiver.name_similarity import NameSimilarity, closest
from archiver.signal_table import SignalTable
from archiver.text_signature import text_signature, text_similarity
from archiver.video_signals import VideoSignals, match_videos

# Far enough for any two PDQs: asked of match_images, it gives the closest way two images compare.
ANY_DISTANCE = 256
ABOVE_THRESHOLD = "at least one media item matches the account's media or a bank, or the avatars match"


@dataclass(frozen=True)
class ItemEvidence:
    """One media item of the candidate: what of the account's it matches (``counterpart``, and
    how: ``match``), and which bank entries."""

    item: AccountItem
    counterpart: AccountItem | None = None
    match: dict[str, Any] | None = None
    bank_hits: tuple[Match, ...] = ()

    @property
    def matched(self) -> bool:
        return self.counterpart is not None or bool(self.bank_hits)

    def record(self) -> dict[str, Any]:
        found: dict[str, Any] = {"item": item_record(self.item), "matched": self.matched,
                                 "bank_hits": [hit.to_json() for hit in self.bank_hits]}
        if self.counterpart is not None:
            found["account_item"] = item_record(self.counterpart)
            found["match"] = self.match
        return found


@dataclass(frozen=True)
class AvatarEvidence:
    ours: AccountItem
    theirs: AccountItem
    how: str
    distance: int
    matched: bool

    def record(self) -> dict[str, Any]:
        return {"account_avatar": item_record(self.ours), "candidate_avatar": item_record(self.theirs),
                "how": self.how, "distance": self.distance, "matched": self.matched}


@dataclass(frozen=True)
class BioSimilarity:
    score: float  # estimated Jaccard similarity of the two texts' shingles, 0-1
    ours: str
    theirs: str

    def record(self) -> dict[str, Any]:
        return {"score": round(self.score, 3), "ours": self.ours, "theirs": self.theirs}


@dataclass(frozen=True)
class MirrorCandidate:
    account: KnownAccount
    items: tuple[ItemEvidence, ...]
    avatar: AvatarEvidence | None
    handle: NameSimilarity | None
    display_name: NameSimilarity | None
    bio: BioSimilarity | None
    shared_links: tuple[str, ...]

    @property
    def matched_items(self) -> list[ItemEvidence]:
        return [evidence for evidence in self.items if evidence.matched]

    @property
    def media_share(self) -> float:
        return len(self.matched_items) / len(self.items) if self.items else 0.0

    @property
    def above_threshold(self) -> bool:
        return bool(self.matched_items) or (self.avatar is not None and self.avatar.matched)

    def sort_key(self) -> tuple[Any, ...]:
        return (not self.above_threshold, -self.media_share, -len(self.matched_items),
                self.avatar.distance if self.avatar else ANY_DISTANCE,
                -score(self.handle), -score(self.display_name), -(self.bio.score if self.bio else 0.0),
                -len(self.shared_links), self.account.label)

    def record(self) -> dict[str, Any]:
        account = self.account
        return {
            "platform": account.platform, "handle": account.handle, "display_names": account.display_names,
            "bundles": [found.bundle_id for found in account.bundles],
            "above_threshold": self.above_threshold,
            "media": {"total": len(self.items), "matched": len(self.matched_items),
                      "share": round(self.media_share, 4),
                      "matched_account_media": sum(1 for e in self.items if e.counterpart is not None),
                      "matched_banks": sum(1 for e in self.items if e.bank_hits),
                      "items": [evidence.record() for evidence in self.matched_items]},
            "avatar": self.avatar.record() if self.avatar else None,
            "handle_similarity": self.handle.record() if self.handle else None,
            "display_name_similarity": self.display_name.record() if self.display_name else None,
            "bio_similarity": self.bio.record() if self.bio else None,
            "shared_links": list(self.shared_links),
        }


def score(similar: NameSimilarity | None) -> float:
    return similar.score if similar else 0.0


def item_record(item: AccountItem) -> dict[str, Any]:
    signals = item.signals
    return {"bundle_id": item.bundle_id, "path": signals.path, "kind": signals.kind,
            "sha256": signals.digests["sha256"], "pdq": signals.pdq, "quality": signals.quality,
            "captured_at": item.captured_at, "capture_url": item.capture_url}


def as_image(signals: ArtifactSignals) -> ImageSignals | None:
    if signals.pdq is None or signals.quality is None:
        return None
    return ImageSignals(signals.digests["md5"], signals.digests["sha256"], Pdq(signals.pdq, signals.quality),
                        signals.dihedral or (signals.pdq,), signals.windows)


def as_video(signals: ArtifactSignals) -> VideoSignals | None:
    if signals.frames is None:
        return None
    return VideoSignals(signals.digests["md5"], signals.digests["sha256"], signals.frames)


def item_match(theirs: ArtifactSignals, ours: ArtifactSignals, rule: Rules) -> dict[str, Any] | None:
    """How the candidate's item matches one of the account's, or None."""
    if theirs.digests["sha256"] == ours.digests["sha256"]:
        return {"how": "sha256", "distance": 0}
    their_image, our_image = as_image(theirs), as_image(ours)
    if their_image is not None and our_image is not None:
        found = match_images(their_image, our_image, rule.pdq)
        return found.record() if found else None
    their_video, our_video = as_video(theirs), as_video(ours)
    if their_video is not None and our_video is not None:
        video = match_videos(their_video, our_video, rule.pdq, rule.video_share)
        return {"how": "vpdq", **video.record()} if video else None
    return None


def item_evidence(item: AccountItem, account: KnownAccount, banks: list[SignalTable],
                  rule: Rules) -> ItemEvidence:
    hits = tuple(hit for bank in banks
                 for hit in best_per_candidate(artifact_matches(item.signals, bank, rule)))
    matches = [(found, ours) for ours in (*account.media, *account.avatars)
               if (found := item_match(item.signals, ours.signals, rule)) is not None]
    if not matches:
        return ItemEvidence(item, bank_hits=hits)
    found, ours = min(matches, key=lambda pair: pair[0].get("distance", 0))
    return ItemEvidence(item, ours, found, hits)


def avatar_evidence(account: KnownAccount, candidate: KnownAccount,
                    rule: Rules) -> AvatarEvidence | None:
    """The closest pair of avatars, matched or not; None when either has no usable avatar."""
    near = PdqRule(ANY_DISTANCE, rule.pdq.min_quality)
    found = []
    for ours, theirs in product(account.avatars, candidate.avatars):
        our_image, their_image = as_image(ours.signals), as_image(theirs.signals)
        if our_image is None or their_image is None:
            continue
        match = match_images(their_image, our_image, near)
        if match is not None:
            found.append(AvatarEvidence(ours, theirs, match.how, match.distance,
                                        match.distance <= rule.pdq.max_distance))
    return min(found, key=lambda evidence: evidence.distance, default=None)


def bio_similarity(ours: list[str], theirs: list[str]) -> BioSimilarity | None:
    pairs = [BioSimilarity(text_similarity(text_signature(a), text_signature(b)), a, b)
             for a, b in product(ours, theirs)]
    return max(pairs, key=lambda pair: pair.score, default=None)


def link_key(url: str) -> str:
    """A link as two accounts would share it: scheme, ``www.``, case of the host and a trailing
    slash aside."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}" + (f"?{parts.query}" if parts.query else "")


def shared_links(ours: list[str], theirs: list[str]) -> tuple[str, ...]:
    """The candidate's links (as it wrote them) that the account gave too."""
    mine = {link_key(link) for link in ours}
    return tuple(sorted({link for link in theirs if link_key(link) in mine}))


def compare(account: KnownAccount, candidate: KnownAccount, banks: list[SignalTable],
            rule: Rules) -> MirrorCandidate:
    return MirrorCandidate(
        account=candidate,
        items=tuple(item_evidence(item, account, banks, rule) for item in candidate.media),
        avatar=avatar_evidence(account, candidate, rule),
        handle=closest([account.handle], [candidate.handle]),
        display_name=closest(account.display_names, candidate.display_names),
        bio=bio_similarity(account.bios, candidate.bios),
        shared_links=shared_links(account.links, candidate.links),
    )


def rank(account: KnownAccount, others: list[KnownAccount], banks: list[SignalTable],
         rule: Rules) -> list[MirrorCandidate]:
    """Every other account, compared with ``account`` and in rank order."""
    found = [compare(account, other, banks, rule) for other in others if other.key != account.key]
    return sorted(found, key=MirrorCandidate.sort_key)
