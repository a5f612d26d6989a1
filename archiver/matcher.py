"""Matching the signals of a query (a file, a bundle, a hash) against a signal table: a store's
index or a bank.

Rules, Meta's defaults unless the user sets them, and recorded with every match: PDQ hashes
match at Hamming distance <= 31 and a hash of quality < 50 is not matched; a video matches when
>= 80% of its distinct usable frames match frames of the other; post texts when their MinHash
similarity is >= 0.5. Exact types (MD5, SHA-256, SHA-512) match when equal.

Each candidate item (a bundle's artifact, a bank entry) is reported once per query artifact,
by its closest signal: an exact digest before any PDQ distance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from archiver.bundle_signals import ArtifactSignals
from archiver.crop_windows import Cut
from archiver.image_signals import DIHEDRAL, META, PdqRule, Window
from archiver.signal_table import Row, SignalTable, frames_of
from archiver.text_signature import SIMILAR_AT, TextSignature, text_similarity
from archiver.video_signals import MATCH_SHARE, VideoSignals, match_videos, usable

TEXT = "text"  # what a match of the post text names as its query
# Exact digests in the order a match names one when several agree.
EXACT = ("sha256", "sha512", "md5")


@dataclass(frozen=True)
class Rules:
    pdq: PdqRule = META
    video_share: float = MATCH_SHARE
    text_similarity: float = SIMILAR_AT

    def accepts(self, quality: int | None) -> bool:
        """A quality not known (a bank's hash, a hash given alone) is accepted."""
        return quality is None or self.pdq.accepts(quality)

    def record(self) -> dict[str, Any]:
        return {"pdq_max_distance": self.pdq.max_distance, "pdq_min_quality": self.pdq.min_quality,
                "video_min_share": self.video_share, "text_min_similarity": self.text_similarity}


@dataclass(frozen=True)
class Query:
    artifacts: tuple[ArtifactSignals, ...]
    text: str | None = None
    text_signature: TextSignature | None = None
    bundle_id: str | None = None  # the query's own bundle, never reported as its own match


@dataclass(frozen=True)
class Match:
    """One query artifact (or the post text) matching one candidate row.

    ``how``: sha256, md5, sha512, pdq, pdq-<transform> (the query turned that way matches),
    pdq-window (one is a crop of the other; ``cut`` is the window's), vpdq, or text.
    """

    query: str
    how: str
    candidate: Row
    query_value: str
    candidate_value: str
    rules: Rules
    distance: int | None = None
    cut: Cut | None = None
    scores: dict[str, float] = field(default_factory=dict)  # video shares, text similarity

    @property
    def signal_type(self) -> str:
        return "pdq" if self.how.startswith("pdq") else self.how

    @property
    def rank(self) -> tuple[int, float]:
        exact = self.how in EXACT
        return (0 if exact else 1, self.distance if self.distance is not None else -max(self.scores.values()))

    def where(self) -> dict[str, Any]:
        row = self.candidate
        if "bank" in row:
            entry = row["entry"]
            return {"source": "bank", "bank": row["bank"], "labels": entry["labels"], "entry": entry}
        return {"source": "index", "bundle_id": row["bundle_id"], "artifact": row.get("artifact"),
                "media_kind": row.get("media_kind"), "account": row.get("account"),
                "platform": row.get("platform"), "captured_at": row.get("captured_at"),
                "verify": row.get("verify")}

    def line(self) -> str:
        """One line for a person: which query artifact, how and how close, and where."""
        if self.how in EXACT:
            measure = "(exact)"
        elif self.distance is not None:
            measure = f"distance {self.distance}"
        elif "similarity" in self.scores:
            measure = f"similarity {self.scores['similarity']:.2f}"
        else:
            measure = f"{self.scores['query_share']:.0%} of its frames"
        cut = f" (window cut {list(self.cut)})" if self.cut else ""
        where = self.where()
        if where["source"] == "bank":
            entry = where["entry"]
            labels = f"  labels: {', '.join(where['labels'])}" if where["labels"] else ""
            value = f"{entry['signal_type']}:{excerpt(entry['signal'], 20)}"
            return (f"{self.query}  {self.how} {measure}{cut}  bank {where['bank']} entry {value}{labels}  "
                    f"(source {entry['source']})")
        account = where["account"] or {}
        who = f"@{account['handle']}" if account.get("handle") else account.get("display_name") or "-"
        return (f"{self.query}  {self.how} {measure}{cut}  bundle {where['bundle_id']}"
                f"{' ' + where['artifact'] if where['artifact'] else ''}  {where['platform'] or '-'} {who}  "
                f"captured {where['captured_at']}  verify {where['verify']}")

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"query": self.query, "signal_type": self.signal_type, "how": self.how,
                                 "distance": self.distance, **self.scores, "query_value": self.query_value,
                                 "candidate_value": self.candidate_value, **self.where(),
                                 "rules": self.rules.record()}
        if self.cut is not None:
            found["cut"] = list(self.cut)
        return found


def find_matches(query: Query, table: SignalTable, rules: Rules) -> list[Match]:
    found: list[Match] = []
    for item in query.artifacts:
        found += best_per_candidate(artifact_matches(item, table, rules))
    if query.text and query.text_signature is not None:
        found += text_matches(query.text, query.text_signature, table, rules)
    return [match for match in found if query.bundle_id is None
            or match.candidate.get("bundle_id") != query.bundle_id]


def best_per_candidate(matches: Iterable[Match]) -> list[Match]:
    best: dict[tuple[Any, ...], Match] = {}
    for match in matches:
        key = candidate_key(match.candidate)
        if key not in best or match.rank < best[key].rank:
            best[key] = match
    return sorted(best.values(), key=lambda match: match.rank)


def candidate_key(row: Row) -> tuple[Any, ...]:
    """What one match is about: a bundle's artifact (its digests and hashes are one item), or
    one bank entry."""
    if "bank" in row:
        return row["bank"], row["signal_type"], row["signal"]
    return row["bundle_id"], row.get("artifact")


def artifact_matches(item: ArtifactSignals, table: SignalTable, rules: Rules) -> list[Match]:
    found = [Match(item.path, name, table.rows[number], value, value, rules, 0)
             for name in EXACT if (value := item.digests.get(name))
             for number in table.exact(name, value)]
    if item.frames is not None:
        found += video_matches(item, table, rules)
    elif item.pdq is not None and rules.accepts(item.quality):
        found += image_matches(item, table, rules)
    return found


def image_matches(item: ArtifactSignals, table: SignalTable, rules: Rules) -> list[Match]:
    """The query's PDQ turned each dihedral way against stored images; the query against
    stored crop windows (it is a crop of them); the query's windows against stored images (they
    are crops of it) and against the stored window cut the same way (both lost an edge)."""
    assert item.pdq is not None
    variants = item.dihedral or (item.pdq,)
    windows = [window for window in item.windows if rules.accepts(window.pdq.quality)]
    hashes = [*variants, *(window.pdq.hex for window in windows)]
    found = []
    for number, hits in enumerate(table.near(hashes, rules.pdq.max_distance)):
        for row_number, offset, distance in hits:
            row = table.rows[row_number]
            if row["signal_type"] != "pdq" or not rules.accepts(row.get("quality")):
                continue
            stored = row["windows"][offset - 1] if offset else None
            if stored is not None and not rules.accepts(stored["quality"]):
                continue
            how, cut = pdq_way(number, variants, windows, stored)
            if how is not None:
                value = stored["pdq"] if stored else row["signal"]
                found.append(Match(item.path, how, row, hashes[number], value, rules, distance, cut))
    return found


def pdq_way(number: int, variants: tuple[str, ...], windows: list[Window],
            stored: dict[str, Any] | None) -> tuple[str | None, Cut | None]:
    """How query hash ``number`` (a dihedral variant, then each window) matching a stored hash
    (the image's own, or its ``stored`` window) makes the two images match; None: it does not."""
    if number < len(variants):
        if stored is None:
            return ("pdq" if number == 0 else f"pdq-{DIHEDRAL[number]}"), None
        return ("pdq-window", tuple(stored["cut"])) if number == 0 else (None, None)
    cut = windows[number - len(variants)].cut
    return ("pdq-window", cut) if stored is None or tuple(stored["cut"]) == cut else (None, None)


def video_matches(item: ArtifactSignals, table: SignalTable, rules: Rules) -> list[Match]:
    """Candidate videos are those with a frame near one of the query's; each is then held to
    vPDQ's rule over all its frames."""
    assert item.frames is not None
    mine = usable(item.frames, rules.pdq)
    hits = table.near([frame.hex for frame in mine], rules.pdq.max_distance)
    candidates = sorted({number for found in hits for number, _, _ in found
                         if table.rows[number]["signal_type"] == "vpdq"})
    query = VideoSignals(item.digests.get("md5", ""), item.digests.get("sha256", ""), item.frames)
    found = []
    for number in candidates:
        row = table.rows[number]
        other = VideoSignals("", "", tuple(frames_of(row)))
        matched = match_videos(query, other, rules.pdq, rules.video_share)
        if matched is not None:
            found.append(Match(item.path, "vpdq", row, f"{len(mine)} frames", f"{len(other.frames)} frames",
                               rules,
                               scores={"query_share": round(matched.query_share, 4),
                                       "candidate_share": round(matched.candidate_share, 4)}))
    return found


def text_matches(text: str, signature: TextSignature, table: SignalTable, rules: Rules) -> list[Match]:
    found = []
    for number, other in table.texts():
        similarity = text_similarity(signature, other)
        if similarity >= rules.text_similarity:
            row = table.rows[number]
            found.append(Match(TEXT, "text", row, excerpt(text), excerpt(row["signal"]), rules,
                               scores={"similarity": round(similarity, 4)}))
    return sorted(found, key=lambda match: match.rank)


def excerpt(text: str, length: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[:length - 1] + "…"
