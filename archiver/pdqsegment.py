"""A segment of the PDQ index: a block of hashes that never changes, with its multi-index tables.

Multi-index hashing (Norouzi, Punjani and Fleet, "Fast search in Hamming space with multi-index
hashing", CVPR 2012) cuts the 256 bits into m substrings and gives each a table from substring
value to the rows that have it. Write the radius r as a*m + b (0 <= b < m). A row within r of
the query has one of the first b+1 substrings within a of the query's, or one of the others
within a-1: otherwise its distance would be at least (b+1)(a+1) + (m-b-1)a = r+1. So looking up
every value within a (or a-1) of the query's substrings finds every row within r, and the exact
distance of each row found drops the others: 100% recall, and nothing beyond r, by construction.

A table is two arrays, ``ids`` (the rows, sorted by their substring) and ``offsets`` (where the
rows of each value start), so a lookup is two array reads and no hashing, and the whole segment
is three flat arrays that are saved as they are and memory-mapped back. A row number takes 3
bytes in a segment of up to 2^24 rows (4 beyond): at 10M hashes and 12 tables that is 115 MiB
less than 4 bytes, for about 0.1 ms more a query (unaligned reads).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import numpy.typing as npt

from archiver.pdqwords import BITS, Words, distances

Int64s = npt.NDArray[np.int64]
# Tables are chosen by their cost at the radius PDQ matching uses (Meta's default).
PLANNED_RADIUS = 31
# 9 tables or more keep a substring within 29 bits (an offsets array of at most 2^29 entries).
MIN_TABLES, MAX_TABLES = 9, 32
# A row found costs about three lookups: measured step by step over 1M hashes, about 60 ns a
# lookup (two offsets) and 160 ns a row found (its id, its 32 bytes, their distance).
CANDIDATE_COST = 3.0
# Rows handled per numpy call when building, and probes plus rows found per call when searching:
# enough to amortise numpy's per-call cost, little enough to bound the temporary arrays.
BUILD_CHUNK = 1 << 18
SEARCH_CHUNK = 1 << 16


@dataclass(frozen=True)
class Found:
    """Rows within the radius: parallel arrays, sorted by query then row."""

    query: Int64s
    row: Int64s
    distance: npt.NDArray[np.uint16]

    @staticmethod
    def concatenate(parts: list[Found]) -> Found:
        if not parts:
            return Found(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.uint16))
        return Found(np.concatenate([part.query for part in parts]),
                     np.concatenate([part.row for part in parts]),
                     np.concatenate([part.distance for part in parts]))


def split(tables: int) -> tuple[int, ...]:
    """Widths of ``tables`` substrings that cover the 256 bits, widest first."""
    width, wider = divmod(BITS, tables)
    return (width + 1,) * wider + (width,) * (tables - wider)


def radii(tables: int, radius: int) -> tuple[int, ...]:
    """The radius to probe each table at (-1: not at all) so that no row within ``radius`` is missed."""
    within, first = divmod(radius, tables)
    return (within,) * (first + 1) + (within - 1,) * (tables - first - 1)


def probe_count(widths: tuple[int, ...], radius: int) -> int:
    return sum(math.comb(width, flips)
               for width, probe_radius in zip(widths, radii(len(widths), radius), strict=True)
               for flips in range(probe_radius + 1))


def expected_rows_found(widths: tuple[int, ...], radius: int, rows: int) -> float:
    """Rows a query finds in random hashes (before the distance check drops those beyond radius)."""
    return sum(math.comb(width, flips) * rows / (1 << width)
               for width, probe_radius in zip(widths, radii(len(widths), radius), strict=True)
               for flips in range(probe_radius + 1))


def table_widths(rows: int) -> tuple[int, ...]:
    """The substrings for a segment of ``rows`` hashes: the cheapest search at radius 31 among
    those whose offsets take no more memory than their ids (4 bytes per row and table each, at most)."""
    sized = max(rows, 1 << 14)
    candidates = [split(tables) for tables in range(MIN_TABLES, MAX_TABLES + 1)
                  if sum(1 << width for width in split(tables)) <= tables * sized]
    return min(candidates, key=lambda widths: probe_count(widths, PLANNED_RADIUS)
               + CANDIDATE_COST * expected_rows_found(widths, PLANNED_RADIUS, sized))


@lru_cache(maxsize=64)
def flips(width: int, radius: int) -> npt.NDArray[np.int64]:
    """Every value with at most ``radius`` of ``width`` bits set: XORed with a substring, every
    value within ``radius`` of it."""
    return np.array([sum(1 << bit for bit in bits) for count in range(radius + 1)
                     for bits in itertools.combinations(range(width), count)], np.int64)


@dataclass(frozen=True)
class Probes:
    """Every lookup one query makes, as parallel arrays: which table, which bits flipped, and
    where that table's offsets and ids start in the segment's flat arrays; and the rows a query
    is expected to find."""

    table: Int64s
    flip: Int64s
    slot_base: Int64s
    id_base: Int64s
    expected_rows: float


@dataclass(frozen=True)
class Cuts:
    """Where each substring lies in the four words, so that one numpy expression cuts them all:
    shifted left by ``offset`` within its first word, with the top bits of the next word (if it
    runs into it) below, a substring is the top ``width`` bits of one 64-bit number."""

    first_word: Int64s
    next_word: Int64s
    offset: npt.NDArray[np.uint64]
    drop: npt.NDArray[np.uint64]

    @classmethod
    def of(cls, widths: tuple[int, ...]) -> Cuts:
        starts = np.array(bit_starts(widths), np.int64)
        first = starts // 64
        return cls(first, np.minimum(first + 1, 3), (starts % 64).astype(np.uint64),
                   (64 - np.array(widths, np.int64)).astype(np.uint64))

    def keys(self, words: Words, table: int | slice = slice(None)) -> npt.NDArray[np.uint64]:
        """Each row's substring in ``table``, or (rows, tables) in every table."""
        high = words[:, self.first_word[table]] << self.offset[table]
        # Shifting a uint64 by 64 is undefined: two shifts bring 0 down when the offset is 0.
        low = (words[:, self.next_word[table]] >> (np.uint64(63) - self.offset[table])) >> np.uint64(1)
        return (high | low) >> self.drop[table]


class Segment:
    """``rows`` hashes and their tables. ``widths`` empty: no tables, searched by scanning (the
    index's newest hashes, until there are enough of them to be worth tables)."""

    def __init__(self, words: Words, widths: tuple[int, ...], ids: npt.NDArray[np.uint8],
                 offsets: npt.NDArray[np.uint32]) -> None:
        rows = len(words)
        if words.shape != (rows, 4) or words.dtype != np.uint64:
            raise ValueError(f"words must be (n, 4) uint64, not {words.shape} {words.dtype}")
        if widths and sum(widths) != BITS:
            raise ValueError(f"substring widths {widths} do not cover {BITS} bits")
        id_bytes = len(widths) and len(widths) * rows * id_width(rows) + 1
        if ids.shape != (id_bytes,) or ids.dtype != np.uint8:
            raise ValueError(f"ids must be ({id_bytes},) uint8, not {ids.shape} {ids.dtype}")
        slots = sum((1 << width) + 1 for width in widths)
        if offsets.shape != (slots,) or offsets.dtype != np.uint32:
            raise ValueError(f"offsets must be ({slots},) uint32, not {offsets.shape} {offsets.dtype}")
        self.words = words
        self.widths = widths
        self.ids = ids
        self.offsets = offsets
        self._probes: dict[int, Probes | None] = {}

    @classmethod
    def scanned(cls, words: Words) -> Segment:
        return cls(words, (), np.empty(0, np.uint8), np.empty(0, np.uint32))

    @classmethod
    def build(cls, words: Words) -> Segment:
        rows = len(words)
        if rows >= 1 << 32:
            raise ValueError("a segment holds fewer than 2^32 hashes")
        widths = table_widths(rows)
        ids = np.zeros(len(widths) * rows * id_width(rows) + 1, np.uint8)
        columns = ids[:-1].reshape(-1, id_width(rows))
        offsets = np.empty(sum((1 << width) + 1 for width in widths), np.uint32)
        # Substring value in the high half, row in the low: one sort of plain integers (SIMD in
        # numpy) orders the rows of a table, several times faster than an argsort.
        packed = np.empty(rows, np.uint64)
        cuts = Cuts.of(widths)
        slot = 0
        for table, width in enumerate(widths):
            for first in range(0, rows, BUILD_CHUNK):
                part = cuts.keys(words[first:first + BUILD_CHUNK], table) << np.uint64(32)
                part |= np.arange(first, first + len(part), dtype=np.uint64)
                packed[first:first + len(part)] = part
            packed.sort()
            _write_ids(columns[table * rows:(table + 1) * rows], packed)
            _count_into(offsets[slot:slot + (1 << width) + 1], packed)
            slot += (1 << width) + 1
        return cls(words, widths, ids, offsets)

    @property
    def rows(self) -> int:
        return len(self.words)

    @cached_property
    def _slot_bases(self) -> Int64s:
        return np.cumsum([0] + [(1 << width) + 1 for width in self.widths[:-1]], dtype=np.int64)

    @cached_property
    def _id_reader(self) -> npt.NDArray[np.uint32]:
        """The ids as 4-byte little-endian numbers starting every ``id_width`` bytes (the last
        one reads the padding byte): a row number is the low ``id_width`` bytes of its read."""
        count = len(self.widths) * self.rows
        return np.ndarray((count,), "<u4", buffer=self.ids, strides=(id_width(self.rows),))

    @cached_property
    def _id_mask(self) -> np.uint32:
        return np.uint32((1 << 8 * id_width(self.rows)) - 1)

    @cached_property
    def _cuts(self) -> Cuts:
        return Cuts.of(self.widths)

    def search(self, queries: Words, radius: int) -> Found:
        """Every row within ``radius`` of each query (row numbers from 0 in this segment)."""
        if not self.rows or not len(queries):
            return Found.concatenate([])
        probes = self._probes_at(radius)
        if probes is None:
            return self._scan(queries, radius)
        chunk = max(1, int(SEARCH_CHUNK // (len(probes.table) + probes.expected_rows)))
        parts = []
        for first in range(0, len(queries), chunk):
            found = self._lookup(queries[first:first + chunk], probes, radius)
            parts.append(Found(found.query + first, found.row, found.distance))
        return Found.concatenate(parts)

    def _scan(self, queries: Words, radius: int) -> Found:
        parts = []
        for number, query in enumerate(queries):
            distance = distances(self.words, query)
            row = np.flatnonzero(distance <= radius)
            parts.append(Found(np.full(len(row), number, np.int64), row.astype(np.int64), distance[row]))
        return Found.concatenate(parts)

    def _probes_at(self, radius: int) -> Probes | None:
        """The lookups at ``radius``; None when reading every row is cheaper (no tables, a tiny
        segment or a radius far beyond what the tables were cut for)."""
        if radius not in self._probes:
            cheaper = self.widths and probe_count(self.widths, radius) < self.rows
            self._probes[radius] = self._plan(radius) if cheaper else None
        return self._probes[radius]

    def _plan(self, radius: int) -> Probes:
        table, flip = [], []
        for number, (width, probe_radius) in enumerate(zip(self.widths, radii(len(self.widths), radius),
                                                          strict=True)):
            if probe_radius >= 0:
                flip.append(flips(width, probe_radius))
                table.append(np.full(len(flip[-1]), number, np.int64))
        tables = np.concatenate(table)
        return Probes(tables, np.concatenate(flip), self._slot_bases[tables], tables * self.rows,
                      expected_rows_found(self.widths, radius, self.rows))

    def _lookup(self, queries: Words, probes: Probes, radius: int) -> Found:
        slots = (self._cuts.keys(queries).astype(np.int64)[:, probes.table] ^ probes.flip) + probes.slot_base
        first = self.offsets[slots].astype(np.int64)
        count = (self.offsets[slots + 1] - first).ravel()
        start = (first + probes.id_base).ravel()
        # The ids of every slot probed, end to end: position i of slot k is start[k] + (i - ends[k-1]).
        ends = np.cumsum(count)
        position = np.arange(ends[-1]) + np.repeat(start - (ends - count), count)
        row = (self._id_reader[position] & self._id_mask).astype(np.int64)
        query = np.repeat(np.arange(len(queries)), count.reshape(len(queries), -1).sum(axis=1))
        distance = distances(np.take(self.words, row, axis=0), queries[query])
        near = distance <= radius
        row, query, distance = row[near], query[near], distance[near]
        # A row whose substrings are near the query's in several tables was found once per table.
        _, once = np.unique(query * self.rows + row, return_index=True)
        return Found(query[once], row[once], distance[once])


def id_width(rows: int) -> int:
    """Bytes of one row number in a segment of ``rows`` rows."""
    return 3 if rows <= 1 << 24 else 4


def _write_ids(columns: npt.NDArray[np.uint8], packed: npt.NDArray[np.uint64]) -> None:
    """The low bytes of each (value, row) pair, the row number, one byte column at a time."""
    for first in range(0, len(packed), BUILD_CHUNK):
        chunk = packed[first:first + BUILD_CHUNK]
        for byte in range(columns.shape[1]):
            np.copyto(columns[first:first + len(chunk), byte], chunk >> np.uint64(8 * byte), casting="unsafe")


def _count_into(offsets: npt.NDArray[np.uint32], packed: npt.NDArray[np.uint64]) -> None:
    """Fill a table's offsets from its sorted (value, row) pairs: the number of rows below each value."""
    offsets[0] = 0
    counts = offsets[1:]
    counts[:] = 0
    for first in range(0, len(packed), BUILD_CHUNK):
        values = (packed[first:first + BUILD_CHUNK] >> np.uint64(32)).astype(np.int64)
        # Sorted, so a chunk's values lie between its first and last: a small count, even for
        # 2^22 possible values.
        span = counts[values[0]:values[-1] + 1]
        np.add(span, np.bincount(values - values[0]), out=span, casting="unsafe")
    np.cumsum(counts, out=counts)


def bit_starts(widths: tuple[int, ...]) -> list[int]:
    return [sum(widths[:number]) for number in range(len(widths))]
