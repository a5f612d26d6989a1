"""A store's match index: the signal rows of every bundle (archiver/index_rows.py), persisted
beside the store, rebuildable from the bundles alone, and added to one bundle at a time.

Where: a local store keeps it in ``<store>/.archiver/index/``. The store protocol
(storage/base.py) has no place for a file that is not part of a bundle, so the index of any
other store (``s3://...``) is kept in a local cache folder named after the store's location:
``$ARCHIVER_CACHE_DIR`` or ``$XDG_CACHE_HOME/evidence-archiver`` (default ``~/.cache``), then
``index/<location's SHA-256>``.

Layout: ``state.json`` names what the index is made of, the PDQ index folder (``pdq-<id>/``,
archiver/pdqindex.py) and the row files (``part-<id>.jsonl``, never changed once written), and
is replaced last, so a crash at any point leaves the index that was there before, readable. A
write adds a new row file and the PDQ index's new segments, then replaces ``state.json``; only
then are files it no longer names removed. Hashes the PDQ index got from a write that was
killed before ``state.json`` named its rows belong to no row and are never reported. Writers
take ``.lock`` (one at a time, across processes); readers take nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from archiver.atomic import sync_folder, temp_path
from archiver.clock import utc_time
from archiver.errors import ArchiverError, EnvironmentFailure
from archiver.faults import reach
from archiver.index_rows import ACCOUNT
from archiver.pdqindex import PdqIndex, PdqIndexError
from archiver.signal_table import Row, SignalTable
from archiver.storage.base import Store
from archiver.storage.local import LocalStore

FORMAT = "archiver-match-index/1"
STATE = "state.json"
LOCK = ".lock"
CACHE_ENV = "ARCHIVER_CACHE_DIR"
# What a write may remove: generations of the PDQ index, row files, and temporary files.
PART = r"part-[0-9a-f]{32}\.jsonl"
OWN_FILE = re.compile(rf"pdq-[0-9a-f]{{32}}|{PART}|\.(?:{PART}|state\.json)\.tmp-\d+")
READ_ATTEMPTS = 3


class MatchIndexError(ArchiverError):
    """An index that cannot be read (bad input: exit 2): ``archiver index --rebuild`` makes it again."""


def index_folder(store: Store) -> Path:
    if isinstance(store, LocalStore):
        return store.root / ".archiver" / "index"
    cache = os.environ.get(CACHE_ENV) or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache",
                                              "evidence-archiver")
    return Path(cache) / "index" / hashlib.sha256(store.location.encode()).hexdigest()


class MatchIndex:
    """One state of the index: its rows, looked up through ``table``."""

    def __init__(self, folder: Path, state: dict[str, Any], table: SignalTable) -> None:
        self.folder = folder
        self.state = state
        self.table = table

    @property
    def bundle_ids(self) -> set[str]:
        return {row["bundle_id"] for row in self.table.rows if row["signal_type"] == ACCOUNT}

    @classmethod
    def empty(cls, folder: Path) -> MatchIndex:
        state = {"format": FORMAT, "pdq": f"pdq-{uuid.uuid4().hex}", "parts": [], "rows": 0, "bundles": 0,
                 "updated": None}
        return cls(folder, state, SignalTable([], PdqIndex()))

    @classmethod
    def open(cls, folder: Path) -> MatchIndex | None:
        """The index in ``folder`` as last written; None when there is none."""
        for attempt in range(READ_ATTEMPTS):
            try:
                return cls._read(folder)
            except (FileNotFoundError, PdqIndexError) as exc:
                # A writer may have replaced state.json and removed what the one read named.
                if attempt == READ_ATTEMPTS - 1:
                    raise MatchIndexError(f"cannot read the match index in {folder} ({exc}); rebuild it: "
                                          "archiver index --rebuild") from None
        return None  # not reached: the last attempt returns or raises

    @classmethod
    def _read(cls, folder: Path) -> MatchIndex | None:
        try:
            state = json.loads((folder / STATE).read_bytes())
        except FileNotFoundError:
            return None
        except ValueError as exc:
            raise MatchIndexError(f"{folder / STATE} is damaged ({exc}); rebuild the index: "
                                  "archiver index --rebuild") from None
        if not isinstance(state, dict) or state.get("format") != FORMAT:
            raise MatchIndexError(f"{folder / STATE} is not a {FORMAT} index; rebuild it: "
                                  "archiver index --rebuild")
        pdq = PdqIndex.load(folder / state["pdq"]) if (folder / state["pdq"]).is_dir() else PdqIndex()
        rows: list[Row] = []
        for name in state["parts"]:
            with (folder / name).open(encoding="utf-8") as lines:
                rows += (json.loads(line) for line in lines)
        return cls(folder, state, SignalTable(rows, pdq))

    def commit(self, rows: list[Row]) -> None:
        """Add ``rows`` (maybe none) and write the index; the caller holds the lock (``writing``)."""
        parts = list(self.state["parts"])
        if rows:
            self.table.append(rows)
            parts.append(f"part-{uuid.uuid4().hex}.jsonl")
            data = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()
            write_whole(self.folder / parts[-1], data)
        self.table.pdq.save(self.folder / self.state["pdq"])
        bundles = sum(1 for row in rows if row["signal_type"] == ACCOUNT)
        state = {**self.state, "parts": parts, "rows": len(self.table),
                 "bundles": self.state["bundles"] + bundles, "updated": utc_time()}
        write_whole(self.folder / STATE, json.dumps(state, indent=1).encode())
        self.state = state
        self.remove_unnamed()

    def remove_unnamed(self) -> None:
        named = {self.state["pdq"], *self.state["parts"]}
        for path in self.folder.iterdir():
            if OWN_FILE.fullmatch(path.name) and path.name not in named:
                shutil.rmtree(path) if path.is_dir() else path.unlink()


@contextlib.contextmanager
def writing(folder: Path, rebuild: bool = False) -> Iterator[MatchIndex]:
    """The index in ``folder`` (a new, empty one with ``rebuild`` or when there is none), locked
    for this writer: other writers wait."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise EnvironmentFailure(f"cannot write the match index in {folder}: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        found = None if rebuild else MatchIndex.open(folder)
        yield found or MatchIndex.empty(folder)
    finally:
        os.close(fd)  # releases the lock


def write_whole(final: Path, data: bytes) -> None:
    """``final`` all at once: written under a temporary name, flushed to disk, renamed over."""
    temp = temp_path(final)
    with temp.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    reach(f"match index {final.name.split('-')[0]}")  # a crash here leaves only a temporary file
    os.replace(temp, final)
    sync_folder(final.parent)
