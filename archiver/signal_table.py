"""A table of signal rows with the lookups matching needs: exact values, PDQ hashes within a
distance (through PdqIndex), and text signatures.

A row is a JSON object: ``signal_type`` and ``signal`` (the value), ``quality`` (a PDQ's; None
when not known), and what says where the value came from (a bundle's artifact, or a bank
entry). A row with PDQ hashes holds them as a run of ids in the PdqIndex, starting at
``pdq_first``: an image's ``pdq`` row has its own hash (offset 0) then one per crop window
(``windows``, offset 1 onwards); a ``vpdq`` row has one per frame, in order. The same table
type serves a store's persisted index and a bank loaded for one run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cached_property
from typing import Any

import numpy as np

from archiver.pdqindex import PdqIndex
from archiver.text_signature import TextSignature
from archiver.video_signals import Frame

Row = dict[str, Any]
# (row number, offset in the row's run of hashes, Hamming distance)
Hit = tuple[int, int, int]
EXACT_TYPES = ("md5", "sha256", "sha512")


def row_hashes(row: Row) -> list[str]:
    """The PDQ hashes a row puts in the PdqIndex, in offset order."""
    if row["signal_type"] == "pdq":
        return [row["signal"], *(window["pdq"] for window in row.get("windows", ()))]
    if row["signal_type"] == "vpdq":
        return [frame.hex for frame in frames_of(row)]
    return []


def frames_of(row: Row) -> list[Frame]:
    return [Frame.parse(text) for text in json.loads(row["signal"])]


class SignalTable:
    def __init__(self, rows: list[Row], pdq: PdqIndex) -> None:
        """``rows`` whose hashes are in ``pdq`` already, at their ``pdq_first``."""
        self.rows: list[Row] = []
        self._pdq = pdq
        self._exact: dict[tuple[str, str], list[int]] = {}
        self._runs: list[tuple[int, int, int]] = []  # (pdq_first, count, row number), by pdq_first
        self._texts: list[int] = []
        self._take(rows)

    @classmethod
    def build(cls, rows: Iterable[Row]) -> SignalTable:
        """A table in memory: the rows' hashes go into a new PdqIndex."""
        table = cls([], PdqIndex())
        table.append(list(rows))
        return table

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def pdq(self) -> PdqIndex:
        return self._pdq

    def append(self, rows: list[Row]) -> None:
        """Add rows, their hashes given the next ids of the PdqIndex (``pdq_first`` is set)."""
        for row in rows:
            hashes = row_hashes(row)
            if hashes:
                row["pdq_first"] = self._pdq.add(hashes).start
        self._take(rows)

    def exact(self, signal_type: str, value: str) -> list[int]:
        return self._exact.get((signal_type, value), [])

    def near(self, hashes: list[str], radius: int) -> list[list[Hit]]:
        """For each hash, the rows holding a hash within ``radius``: ``(row, offset, distance)``.
        Hashes in the PdqIndex that no row names (left by an interrupted write) are ignored."""
        if not hashes or not self._runs:
            return [[] for _ in hashes]
        found = self._pdq.query_batch(hashes, radius)
        firsts = self._run_firsts
        hits = []
        for answers in found:
            mine = []
            for pdq_id, distance in answers:
                at = int(np.searchsorted(firsts, pdq_id, side="right")) - 1
                if at >= 0:
                    first, count, row = self._runs[at]
                    if pdq_id < first + count:
                        mine.append((row, pdq_id - first, distance))
            hits.append(mine)
        return hits

    def texts(self) -> list[tuple[int, TextSignature]]:
        # Parsed when first asked: most lookups (a file, a hash) have no text.
        return [(number, TextSignature.from_hex(self.rows[number]["minhash"])) for number in self._texts]

    @cached_property
    def _run_firsts(self) -> np.ndarray[Any, np.dtype[np.int64]]:
        return np.array([first for first, _, _ in self._runs], dtype=np.int64)

    def _take(self, rows: list[Row]) -> None:
        for row in rows:
            number = len(self.rows)
            self.rows.append(row)
            kind = row["signal_type"]
            if kind in EXACT_TYPES:
                self._exact.setdefault((kind, row["signal"]), []).append(number)
            elif kind == "text" and row.get("minhash"):
                self._texts.append(number)
            if "pdq_first" in row:
                self._runs.append((row["pdq_first"], len(row_hashes(row)), number))
        self._runs.sort()
        self.__dict__.pop("_run_firsts", None)
