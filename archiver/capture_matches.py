"""After a capture: each new bundle matched against the store's banks and index, what matched
recorded in a signed ``matched`` custody event (the sealed manifest is never touched), and the
bundle added to the index. A store with neither banks nor an index gets nothing of this."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from archiver.bundle_signals import bundle_signals, read_manifest
from archiver.capture_types import CaptureResult
from archiver.index_rows import bundle_rows
from archiver.keys import Signer
from archiver.match_index import MatchIndex, index_folder, writing
from archiver.match_sources import Sources
from archiver.match_target import bundle_query
from archiver.matcher import Match, Rules
from archiver.storage.base import Store
from archiver.verify import verify_bundle

EVENT = "matched"


def match_captures(store: Store, results: list[CaptureResult], signer: Signer,
                   operator: str | None) -> dict[str, list[Match]]:
    """The matches of each sealed bundle among ``results``, by bundle id."""
    sources = Sources.of_store(store)
    if sources.empty:
        return {}
    rules = Rules()  # Meta's defaults: a capture is matched as every tool sharing the banks would
    found: dict[str, list[Match]] = {}
    with index_writer(store, sources.index) as index:
        sources = Sources(index, sources.banks)  # as locked: it holds every bundle indexed so far
        for result in results:
            if result.bundle_id is None or result.location is None:
                continue
            reader = store.reader(result.bundle_id)
            signals = bundle_signals(reader, read_manifest(reader))
            matches = sources.find(bundle_query(signals), rules)
            if matches:
                reader.append_event(event=EVENT, actor=operator, signer=signer,
                                    details=event_details(matches, sources))
            if index is not None:
                index.commit(bundle_rows(signals, verify_bundle(reader, shallow=True).result))
            found[result.bundle_id] = matches
    return found


@contextlib.contextmanager
def index_writer(store: Store, existing: MatchIndex | None) -> Iterator[MatchIndex | None]:
    if existing is None:
        yield None
        return
    with writing(index_folder(store)) as index:
        yield index


def event_details(matches: list[Match], sources: Sources) -> dict[str, Any]:
    """What the custody event keeps: the rules, the exact bank versions and index searched, and
    each match without the rules it repeats."""
    return {"rules": matches[0].rules.record(), **sources.record(),
            "matches": [{key: value for key, value in match.to_json().items() if key != "rules"}
                        for match in matches]}
