"""Bringing a store's match index up to date: the signals of every bundle not indexed yet,
computed from its own bytes, written in batches so that an interrupted run keeps what it did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from archiver.bundle import MANIFEST
from archiver.bundle_signals import bundle_signals, read_manifest
from archiver.index_rows import bundle_rows, unreadable_bundle_row
from archiver.manifest import ManifestError, UnknownSchemaVersion
from archiver.match_index import MatchIndex, index_folder, writing
from archiver.signal_table import Row
from archiver.storage.base import BundleReader, Store
from archiver.verify import verify_bundle

# Bundles per write: a killed run loses at most this many bundles' work.
BATCH = 16


@dataclass
class Refreshed:
    folder: str
    added: int = 0
    rows: int = 0
    bundles: int = 0
    # Bundles left out this time, and why: not sealed yet (no manifest), or of a manifest
    # version this build does not read. A later run tries them again.
    skipped: dict[str, str] = field(default_factory=dict)


def refresh(store: Store, rebuild: bool = False,
            on_bundle: Callable[[str], None] = lambda _: None) -> Refreshed:
    """Index every bundle of ``store`` the index does not hold (with ``rebuild``: every bundle,
    into a new index that replaces the old one when its first batch is written)."""
    folder = index_folder(store)
    done = Refreshed(str(folder))
    with writing(folder, rebuild) as index:
        known = index.bundle_ids
        batch: list[Row] = []
        pending = 0
        for bundle_id in store.bundle_ids():
            on_bundle(bundle_id)
            if bundle_id in known:
                continue
            rows, why = rows_of(store.reader(bundle_id))
            if why:
                done.skipped[bundle_id] = why
                continue
            batch += rows
            pending += 1
            done.added += 1
            if pending == BATCH:
                index.commit(batch)
                batch, pending = [], 0
        if batch or rebuild:  # a rebuild of an empty store still replaces the old index
            index.commit(batch)
        done.rows, done.bundles = len(index.table), index.state["bundles"]
    return done


def rows_of(reader: BundleReader) -> tuple[list[Row], str | None]:
    """A bundle's rows, or why it is left out for now."""
    if MANIFEST not in reader.list_files():
        return [], "not sealed (no manifest yet)"
    try:
        manifest = read_manifest(reader)
    except UnknownSchemaVersion as exc:
        return [], exc.format_message()
    except ManifestError:
        return [unreadable_bundle_row(reader.bundle_id, verify_bundle(reader, shallow=True).result)], None
    verify = verify_bundle(reader, shallow=True).result
    return bundle_rows(bundle_signals(reader, manifest), verify), None


def open_index(store: Store) -> MatchIndex | None:
    return MatchIndex.open(index_folder(store))
