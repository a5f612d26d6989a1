"""``/m/lookup``: a hash or an uploaded file matched against the store's hash banks and match
index, as ``archiver match`` does, answered in the shape of Meta's Hasher-Matcher-Actioner
(``{"BANK": [{"bank_content_id": ..., "distance": "..."}]}``) plus the store's own bundles.

Bundles of cases the user may not see are left out, as if never captured. The index and banks
are read once and again only when they change (``archiver index``, a capture, a bank import),
since a large index takes seconds to load.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from archiver.bank import banks_folder
from archiver.bundle_signals import file_signals
from archiver.errors import ArchiverError
from archiver.match_index import STATE, index_folder
from archiver.match_sources import Sources
from archiver.match_target import Target, hash_target
from archiver.matcher import Match, Query, Rules
from archiver.service.tables import BundleRow
from archiver.storage.base import Store
from archiver.storage.local import LocalStore

BUNDLES = "bundles"  # the answer's key for the store's own matches; bank names are in capitals

# The index row of a bundle the user may see; None for one they may not (or not known).
RowOf = Callable[[str], BundleRow | None]


class NotMatchable(ValueError):
    """An upload that is neither an image nor a video, or a malformed hash."""


class MatchLookup:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._loaded: tuple[tuple[Any, ...], Sources] | None = None

    def sources(self) -> Sources:
        with self._lock:
            seen = self._fingerprint()
            if self._loaded is None or self._loaded[0] != seen:
                self._loaded = (seen, Sources.of_store(self.store))
            return self._loaded[1]

    def _fingerprint(self) -> tuple[Any, ...]:
        """What changes when the index or a bank does: their files' names, sizes and times."""
        paths = [index_folder(self.store) / STATE]
        if isinstance(self.store, LocalStore):
            banks = banks_folder(self.store)
            if banks.is_dir():
                paths += sorted(banks.glob("*/v*.jsonl"))
        return tuple(_stamp(path) for path in paths)

    def lookup(self, query: Query, row_of: RowOf) -> dict[str, Any]:
        sources = self.sources()
        return hma_answer(sources.find(query, Rules()), sources, row_of)


def _stamp(path: Path) -> tuple[str, int, int]:
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return str(path), -1, -1
    return str(path), found.st_size, found.st_mtime_ns


def hash_query(signal_type: str, signal: str) -> Target:
    try:
        return hash_target(f"{signal_type}:{signal}")
    except ArchiverError as exc:
        raise NotMatchable(exc.format_message()) from None


def file_query(name: str, data: bytes) -> Target:
    item = file_signals(name, data)
    if item is None:
        raise NotMatchable(f"{name} is neither an image nor a video this service can read")
    return Target(item.kind, name, Query((item,)))


def hma_answer(matches: list[Match], sources: Sources, row_of: RowOf) -> dict[str, Any]:
    # HMA names a bank entry by a number; ours is the entry's line in the exact bank version
    # (NAME@vN), which never changes once written.
    numbers = {(bank.ref, entry.signal_type, entry.signal): number
               for bank, _ in sources.banks for number, entry in enumerate(bank.entries, start=1)}
    answer: dict[str, Any] = {}
    bundles = []
    for match in matches:
        where = match.where()
        measures = {"distance": None if match.distance is None else str(match.distance), "how": match.how,
                    "query": match.query, **match.scores}
        if where["source"] == "bank":
            entry = where["entry"]
            answer.setdefault(where["bank"].partition("@")[0], []).append({
                "bank_content_id": numbers[(where["bank"], entry["signal_type"], entry["signal"])],
                **measures, "bank_version": where["bank"], "signal_type": entry["signal_type"],
                "signal": entry["signal"], "labels": where["labels"]})
            continue
        row = row_of(where["bundle_id"])
        if row is None:
            continue
        bundles.append({"bundle_id": where["bundle_id"], "case": row.case_id, "artifact": where["artifact"],
                        "media_kind": where["media_kind"], **measures, "account": where["account"],
                        "platform": where["platform"], "captured_at": where["captured_at"],
                        "verify": where["verify"]})
    answer[BUNDLES] = bundles
    return answer
