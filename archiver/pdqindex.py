"""The PDQ index: which stored hashes are within a Hamming distance of a query, exactly.

Every hash added gets the next id (0, 1, 2...: its position in the order of adding), so the
caller keeps what an id stands for (bundle, artifact, account...) in a list of its own.
``query`` returns every id within the radius (default 31, Meta's PDQ match threshold) with its
exact distance: recall is 100% and nothing beyond the radius is returned, at any size.

Why multi-index hashing in numpy (archiver/pdqsegment.py says how it works). Measured on this
project's 2-core machine (docs/matching.md, bench/match.py): faiss's ``IndexBinaryFlat`` (brute
force) takes about 4 ms of CPU for one radius-31 query over 1M hashes, so about 40 ms over 10M,
20 times the 2 ms target; faiss's ``IndexBinaryMultiHash`` took 33 s to build 1M and 20 ms a
query, and its hash maps of 8-byte ids would not fit 10M in 1 GB; HNSW indexes (usearch, faiss)
are approximate, and a missed match is a missed piece of evidence. Multi-index hashing is exact
by construction, needs 3 bytes per hash and table, and its tables are flat arrays that numpy
builds with one sort each and that are saved and memory-mapped as they are: 1.7 ms of CPU a
query over 10M hashes, 926 MiB at most.

The hashes are kept in segments that never change once built (an LSM layout): new hashes go
to a small scanned tail; once it holds ``SEAL_AT`` hashes it gets tables, and a segment is
merged with the one before it while that one is at most ``MERGE_RATIO`` times its size, so
there are O(log n) segments and adding costs O(log n) per hash, never a rebuild of the whole.

``save`` writes a folder that a crash never leaves half-written: each file is written under a
temporary name, flushed to disk and renamed; ``index.json``, which names the files of the index,
is replaced last the same way; only then are files it no longer names removed. One writer at a
time: the caller serialises saves to one folder.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from archiver.atomic import sync_folder, temp_path
from archiver.errors import ArchiverError
from archiver.faults import reach
from archiver.pdqsegment import Found, Segment
from archiver.pdqwords import BITS, Hashes, to_words

DEFAULT_RADIUS = 31
SEAL_AT = 1 << 14
MERGE_RATIO = 2
INDEX_FILE = "index.json"
FORMAT = "archiver-pdq-index/1"
ARRAYS = ("words", "ids", "offsets")
# What save may remove from a folder: files of segments and their temporary files, nothing else.
SEGMENT_FILE = r"seg-[0-9a-f]{32}\.(?:words|ids|offsets)\.npy"
OWN_FILE = re.compile(rf"{SEGMENT_FILE}|\.(?:{SEGMENT_FILE}|index\.json)\.tmp-\d+")


class PdqIndexError(ArchiverError):
    """An index folder that cannot be read (bad input: exit 2); it can be rebuilt from the bundles."""


@dataclass
class _Part:
    """A segment, the id of its first row, and the folder and name it is saved under, if any."""

    segment: Segment
    first_id: int
    folder: Path | None = None
    name: str | None = None


class PdqIndex:
    def __init__(self) -> None:
        self._parts: list[_Part] = []
        self._count = 0
        # Room for the tail to grow in place: adding a few hashes at a time copies only them.
        # Rows past the tail's end are unused, so an earlier view of the tail never changes.
        self._room: npt.NDArray[np.uint64] | None = None

    def __len__(self) -> int:
        return self._count

    def add(self, hashes: Hashes) -> range:
        """Add hashes; returns their ids. An (n, 4) uint64 array is kept as it is, not copied:
        do not change it afterwards."""
        words = to_words(hashes)
        added = range(self._count, self._count + len(words))
        if not len(words):
            return added
        tail = self._parts[-1] if self._parts and not self._parts[-1].segment.widths else None
        held = tail.segment.words if tail else words[:0]
        if len(held) + len(words) < SEAL_AT:
            room = self._room if self._room is not None and held.base is self._room else None
            if room is None:
                room = np.empty((SEAL_AT, 4), np.uint64)
                room[:len(held)] = held
                self._room = room
            room[len(held):len(held) + len(words)] = words
            part = _Part(Segment.scanned(room[:len(held) + len(words)]), added.start - len(held))
        else:
            words = np.concatenate([held, words]) if len(held) else words
            part = _Part(Segment.build(words), added.start - len(held))
            self._room = None
        if tail:
            self._parts.pop()
        self._parts.append(part)
        self._count = added.stop
        self._merge()
        return added

    def compact(self) -> None:
        """One segment for every hash, as a rebuild from the bundles would give (fastest queries)."""
        if len(self._parts) > 1:
            self._parts = [_Part(Segment.build(self._words(self._parts)), 0)]

    def query(self, hash_: str | bytes, radius: int = DEFAULT_RADIUS) -> list[tuple[int, int]]:
        """``(id, distance)`` of every hash within ``radius``, nearest first (then by id)."""
        return self.query_batch([hash_], radius)[0]

    def query_batch(self, hashes: Hashes, radius: int = DEFAULT_RADIUS) -> list[list[tuple[int, int]]]:
        """``query`` for each hash; one call amortises numpy's per-call cost over many queries."""
        if not 0 <= radius <= BITS:
            raise ValueError(f"radius must be 0 to {BITS}, not {radius}")
        queries = to_words(hashes)
        found = Found.concatenate([self._found_in(part, queries, radius) for part in self._parts])
        order = np.lexsort((found.row, found.distance, found.query))
        ids, distance = found.row[order].tolist(), found.distance[order].tolist()
        bounds = np.searchsorted(found.query[order], np.arange(len(queries) + 1)).tolist()
        return [list(zip(ids[bounds[number]:bounds[number + 1]], distance[bounds[number]:bounds[number + 1]],
                         strict=True)) for number in range(len(queries))]

    def save(self, folder: Path) -> None:
        """Write the index to ``folder`` (created if need be): files already there are kept, the
        rest written; a crash at any point leaves the index that was there before, readable."""
        folder.mkdir(parents=True, exist_ok=True)
        here = folder.resolve()
        for part in self._parts:
            if part.folder != here:
                name = f"seg-{uuid.uuid4().hex}"
                for kind, array in _arrays(part.segment).items():
                    _write_file(here / f"{name}.{kind}.npy", lambda out, data=array: np.save(out, data), kind)
                part.folder, part.name = here, name
        sync_folder(here)
        listing = {"format": FORMAT, "hashes": self._count, "segments": [
            {"name": part.name, "first_id": part.first_id, "rows": part.segment.rows,
             "widths": list(part.segment.widths)} for part in self._parts]}
        text = json.dumps(listing, indent=1).encode()
        _write_file(here / INDEX_FILE, lambda out: out.write(text), INDEX_FILE)
        sync_folder(here)
        reach("index remove old files")
        named = {f"{part.name}.{kind}.npy" for part in self._parts for kind in ARRAYS}
        for path in here.iterdir():
            if OWN_FILE.fullmatch(path.name) and path.name not in named:
                path.unlink()

    @classmethod
    def load(cls, folder: Path) -> PdqIndex:
        """The index saved in ``folder``, its arrays memory-mapped (read from disk as queries need them)."""
        here = folder.resolve()
        try:
            listing = json.loads((here / INDEX_FILE).read_bytes())
        except FileNotFoundError:
            raise PdqIndexError(f"no PDQ index in {folder} ({INDEX_FILE} is missing)") from None
        except ValueError as error:
            raise _damaged(folder, f"{INDEX_FILE}: {error}") from None
        if not isinstance(listing, dict) or listing.get("format") != FORMAT:
            raise PdqIndexError(f"{folder / INDEX_FILE} is not a {FORMAT} index")
        index = cls()
        try:
            for entry in listing["segments"]:
                segment = _load_segment(here, entry)
                index._parts.append(_Part(segment, int(entry["first_id"]), here, entry["name"]))
            index._count = int(listing["hashes"])
        except (OSError, KeyError, TypeError, ValueError) as error:
            raise _damaged(folder, str(error)) from None
        if index._count != sum(part.segment.rows for part in index._parts):
            raise _damaged(folder, "its segments do not add up")
        return index

    def _merge(self) -> None:
        parts = self._parts
        while (len(parts) >= 2 and parts[-1].segment.widths
               and parts[-2].segment.rows <= MERGE_RATIO * parts[-1].segment.rows):
            merged = _Part(Segment.build(self._words(parts[-2:])), parts[-2].first_id)
            parts[-2:] = [merged]

    @staticmethod
    def _words(parts: list[_Part]) -> npt.NDArray[np.uint64]:
        return np.concatenate([part.segment.words for part in parts])

    @staticmethod
    def _found_in(part: _Part, queries: npt.NDArray[np.uint64], radius: int) -> Found:
        found = part.segment.search(queries, radius)
        return Found(found.query, found.row + part.first_id, found.distance)


def _damaged(folder: Path, why: str) -> PdqIndexError:
    return PdqIndexError(f"the PDQ index in {folder} is damaged ({why}); rebuild it from the bundles")


def _arrays(segment: Segment) -> dict[str, Any]:
    return {"words": segment.words, "ids": segment.ids, "offsets": segment.offsets}


def _load_segment(folder: Path, entry: dict[str, Any]) -> Segment:
    arrays = {kind: np.load(folder / f"{entry['name']}.{kind}.npy", mmap_mode="r", allow_pickle=False)
              for kind in ARRAYS}
    if len(arrays["words"]) != entry["rows"]:
        raise ValueError(f"{entry['name']} holds {len(arrays['words'])} hashes, not {entry['rows']}")
    widths = tuple(int(width) for width in entry["widths"])
    return Segment(arrays["words"], widths, arrays["ids"], arrays["offsets"])


def _write_file(final: Path, write: Any, step: str) -> None:
    """``final`` all at once: written under a temporary name, flushed to disk, then renamed over."""
    temp = temp_path(final)
    with temp.open("wb") as out:
        write(out)
        out.flush()
        reach(f"index write {step}")  # a crash here leaves only a temporary file
        os.fsync(out.fileno())
    os.replace(temp, final)
