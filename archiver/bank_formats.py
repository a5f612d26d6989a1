"""The file formats hash banks are shared in, read and written.

``te``: ThreatExchange's file format, ``<signal_type> <signal>`` a line, ``#`` comments.
``csv``: a header, then ``signal_type,signal,labels,source`` (labels ``;``-separated).
``tat``: Tech Against Terrorism's hash-list JSON, a list of items (or an API page whose
``results`` is that list) with ``hash_digest``, ``algorithm`` (MD5, SHA256, SHA512, PDQ),
``ideology`` (kept as labels), ``deleted`` (the item leaves the bank), ``file_type``, ``id``,
``created_on`` and ``updated_on`` (kept in the entry's ``meta``).

A row that cannot be read is a ``BadRow`` naming its line (or, in JSON, its item index) and
why; the other rows are still read. A whole file that cannot be read is a ``BankFormatError``.
Within one file a later row for the same signal wins, so a list that adds and later deletes
an item leaves it out.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from archiver.bank import BankEntry, BankError
from archiver.bank_signals import normalised, signal_type_of

FORMATS = ("te", "csv", "tat")
CSV_COLUMNS = ("signal_type", "signal", "labels", "source")
TAT_ALGORITHMS = {"MD5": "md5", "SHA256": "sha256", "SHA512": "sha512", "PDQ": "pdq"}
TAT_META = ("file_type", "id", "created_on", "updated_on")
LABEL_SEPARATOR = ";"


class BankFormatError(BankError):
    """The file as a whole is not in the format named (bad input: exit 2)."""


@dataclass(frozen=True)
class BadRow:
    where: str  # "line 4", "item [3]"
    reason: str


@dataclass
class Parsed:
    """What a file says: entries to add or update, signals to delete, rows that could not be read."""

    rows: dict[tuple[str, str], BankEntry | None] = field(default_factory=dict)  # None: deleted
    bad: list[BadRow] = field(default_factory=list)

    @property
    def entries(self) -> list[BankEntry]:
        return [entry for entry in self.rows.values() if entry is not None]

    @property
    def deleted(self) -> list[tuple[str, str]]:
        return [key for key, entry in self.rows.items() if entry is None]

    def add(self, entry: BankEntry) -> None:
        self.rows.pop(entry.key, None)  # a later row wins, and keeps its place in the file's order
        self.rows[entry.key] = entry

    def delete(self, key: tuple[str, str]) -> None:
        self.rows.pop(key, None)
        self.rows[key] = None


def parse(fmt: str, text: str, *, source: str, added: str) -> Parsed:
    """The rows of a file in format ``fmt``; ``source``: the source of rows that name none."""
    if not text.strip():
        raise BankFormatError("the file is empty")
    reader = {"te": parse_te, "csv": parse_csv, "tat": parse_tat}[fmt]
    return reader(text, source, added)


def labels_of(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(label.strip() for label in text.split(LABEL_SEPARATOR) if label.strip()))


def entry_of(signal_type: str, signal: str, labels: tuple[str, ...], source: str, added: str,
             meta: dict[str, Any] | None = None) -> BankEntry:
    kind = signal_type_of(signal_type)
    return BankEntry(kind, normalised(kind, signal), labels, source, added, meta or {})


def parse_te(text: str, source: str, added: str) -> Parsed:
    parsed = Parsed()
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        fields = stripped.split(None, 1)
        try:
            if len(fields) != 2:
                raise ValueError("expected '<signal_type> <signal>'")
            parsed.add(entry_of(fields[0], fields[1], (), source, added))
        except ValueError as exc:
            parsed.bad.append(BadRow(f"line {number}", str(exc)))
    return parsed


def parse_csv(text: str, source: str, added: str) -> Parsed:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in next(reader)]
    if header[:2] != list(CSV_COLUMNS[:2]) or not set(header) <= set(CSV_COLUMNS):
        raise BankFormatError(f"the first line must be the header {','.join(CSV_COLUMNS)}, "
                              f"not {','.join(header)}")
    parsed = Parsed()
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        where = f"line {reader.line_num}"
        if len(row) != len(header):
            parsed.bad.append(BadRow(where, f"{len(row)} fields, the header has {len(header)}"))
            continue
        cells = dict(zip(header, row, strict=True))
        try:
            parsed.add(entry_of(cells["signal_type"], cells["signal"], labels_of(cells.get("labels", "")),
                                cells.get("source", "").strip() or source, added))
        except ValueError as exc:
            parsed.bad.append(BadRow(where, str(exc)))
    return parsed


def parse_tat(text: str, source: str, added: str) -> Parsed:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BankFormatError(f"not JSON: {exc}") from None
    items = document.get("results") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise BankFormatError("expected a JSON list of hash items (or an object whose 'results' is one)")
    parsed = Parsed()
    for index, item in enumerate(items):
        try:
            entry = tat_entry(item, source, added)
        except ValueError as exc:
            parsed.bad.append(BadRow(f"item [{index}]", str(exc)))
            continue
        if item.get("deleted", False):
            parsed.delete(entry.key)
        else:
            parsed.add(entry)
    return parsed


def tat_entry(item: Any, source: str, added: str) -> BankEntry:
    if not isinstance(item, dict):
        raise ValueError("not a JSON object")
    digest, algorithm, ideology = item.get("hash_digest"), item.get("algorithm"), item.get("ideology")
    if not isinstance(digest, str):
        raise ValueError("no hash_digest string")
    if not isinstance(algorithm, str) or algorithm.upper() not in TAT_ALGORITHMS:
        raise ValueError(f"algorithm is one of {', '.join(TAT_ALGORITHMS)}, not {algorithm!r}")
    if ideology is not None and not isinstance(ideology, str):
        raise ValueError("ideology is a string")
    if not isinstance(item.get("deleted", False), bool):
        raise ValueError("deleted is true or false")
    meta = {name: item[name] for name in TAT_META if item.get(name) is not None}
    return entry_of(TAT_ALGORITHMS[algorithm.upper()], digest, labels_of(ideology or ""), source, added, meta)


def render(fmt: str, entries: list[BankEntry]) -> tuple[str, list[BankEntry]]:
    """The file text of ``entries`` in format ``fmt``, and the entries the format cannot hold."""
    if fmt == "te":
        return "".join(f"{entry.signal_type} {entry.signal}\n" for entry in entries), []
    if fmt == "csv":
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for entry in entries:
            labels = LABEL_SEPARATOR.join(entry.labels)
            writer.writerow([entry.signal_type, entry.signal, labels, entry.source])
        return out.getvalue(), []
    held = [entry for entry in entries if entry.signal_type in TAT_ALGORITHMS.values()]
    items = [{"hash_digest": entry.signal, "algorithm": entry.signal_type.upper(),
              "ideology": LABEL_SEPARATOR.join(entry.labels) or None,
              **{name: entry.meta.get(name) for name in TAT_META}, "deleted": False}
             for entry in held]
    left_out = [entry for entry in entries if entry.signal_type not in TAT_ALGORITHMS.values()]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n", left_out
