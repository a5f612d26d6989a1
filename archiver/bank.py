"""Hash banks: named, versioned lists of known content (hashes, texts) that captures are matched against.

A bank lives beside the bundles of a local store, one file per version:
``.archiver/banks/<NAME>/v<N>.jsonl``, a header line then one entry a line, sorted. An import
writes the next version whole and never touches an earlier one (the file is created
exclusively, all at once), so the bank version that a ``matched`` custody event names can
always be read again, entry for entry. Names are ``CAPS_AND_UNDERSCORE``, as Meta's
Hasher-Matcher-Actioner names its banks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from archiver.atomic import write_new
from archiver.clock import utc_time
from archiver.errors import ArchiverError, EnvironmentFailure
from archiver.storage.base import Store, StoreUsageError
from archiver.storage.local import LocalStore

BANK_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
BANKS_DIR = Path(".archiver") / "banks"
VERSION_FILE = re.compile(r"v([1-9][0-9]*)\.jsonl")


class BankError(ArchiverError):
    """A bank that is not there, or a name a bank cannot have (bad input: exit 2)."""


@dataclass(frozen=True)
class BankEntry:
    """One known item. ``added``: when it first entered the bank (UTC); ``meta``: what its source
    format says beyond type, value, labels and source (the TAT list's ``id``, ``file_type``...)."""

    signal_type: str
    signal: str
    labels: tuple[str, ...] = ()
    source: str = ""
    added: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return self.signal_type, self.signal

    def to_json(self) -> dict[str, Any]:
        return {"signal_type": self.signal_type, "signal": self.signal, "labels": list(self.labels),
                "source": self.source, "added": self.added, "meta": self.meta}

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> BankEntry:
        return cls(row["signal_type"], row["signal"], tuple(row["labels"]), row["source"], row["added"],
                   row["meta"])


@dataclass(frozen=True)
class Bank:
    """One version of a bank. ``origin``: what the import that made it read (file, its SHA-256,
    format) and did (counts)."""

    name: str
    version: int
    created: str
    origin: dict[str, Any]
    entries: tuple[BankEntry, ...]

    @property
    def ref(self) -> str:
        """How a match names this exact version: ``NAME@v3``."""
        return f"{self.name}@v{self.version}"

    def entries_of(self, signal_type: str) -> list[BankEntry]:
        return [entry for entry in self.entries if entry.signal_type == signal_type]


def check_name(name: str) -> str:
    if not BANK_NAME.fullmatch(name):
        raise BankError(f"bank names are CAPS_AND_UNDERSCORE (A-Z, 0-9, _; a letter first), not {name!r}")
    return name


def banks_folder(store: Store) -> Path:
    if not isinstance(store, LocalStore):
        raise StoreUsageError(f"hash banks are kept in local stores only, and {store.location} is not one")
    return store.root / BANKS_DIR


def versions(store: Store, name: str) -> list[int]:
    folder = banks_folder(store) / check_name(name)
    found = (VERSION_FILE.fullmatch(path.name) for path in folder.iterdir()) if folder.is_dir() else ()
    return sorted(int(match.group(1)) for match in found if match)


def load_bank(store: Store, name: str, version: int | None = None) -> Bank:
    """Version ``version`` of bank ``name`` (default: the latest)."""
    known = versions(store, name)
    if not known:
        raise BankError(f"no bank {name} in {store.location}")
    wanted = known[-1] if version is None else version
    if wanted not in known:
        raise BankError(f"bank {name} has no version {wanted} (it has v1-v{known[-1]})")
    path = banks_folder(store) / name / f"v{wanted}.jsonl"
    try:
        header, *rows = path.read_text(encoding="utf-8").splitlines()
        head = json.loads(header)
        entries = tuple(BankEntry.from_json(json.loads(row)) for row in rows)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EnvironmentFailure(f"cannot read {path}: {exc}") from None
    return Bank(name, wanted, head["created"], head["origin"], entries)


def all_banks(store: Store) -> list[Bank]:
    """The latest version of every bank of the store, by name."""
    folder = banks_folder(store)
    if not folder.parent.parent.is_dir():
        raise StoreUsageError(f"no such store: {store.location}")
    names = sorted(p.name for p in folder.iterdir() if BANK_NAME.fullmatch(p.name)) if folder.is_dir() else []
    return [load_bank(store, name) for name in names if versions(store, name)]


def save_version(store: Store, name: str, version: int, entries: Iterable[BankEntry],
                 origin: dict[str, Any]) -> Bank:
    """Write version ``version`` of the bank, holding ``entries``: the version after the one the
    entries were made from. When another import wrote it meanwhile, nothing is written (its
    entries would be lost otherwise)."""
    bank = Bank(name, version, utc_time(), origin, tuple(sorted(entries, key=lambda entry: entry.key)))
    folder = banks_folder(store) / name
    header = {"bank": name, "version": bank.version, "created": bank.created, "origin": origin,
              "entries": len(bank.entries)}
    lines = [json.dumps(header, ensure_ascii=False),
             *(json.dumps(entry.to_json(), ensure_ascii=False) for entry in bank.entries)]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_new(folder / f"v{bank.version}.jsonl", ("\n".join(lines) + "\n").encode())
    except FileExistsError:
        raise EnvironmentFailure(f"another import wrote version {bank.version} of {name} "
                                 "at the same time; run this one again") from None
    except OSError as exc:
        raise EnvironmentFailure(f"cannot write bank {name} in {folder.parent}: {exc.strerror}") from None
    return bank


def merged(previous: Iterable[BankEntry], imported: Iterable[BankEntry],
           deleted: Iterable[tuple[str, str]]) -> list[BankEntry]:
    """The previous entries updated by an import: an imported entry replaces the one with the
    same type and value (keeping when it was first added), a deleted one is removed."""
    entries = {entry.key: entry for entry in previous}
    for entry in imported:
        old = entries.get(entry.key)
        entries[entry.key] = replace(entry, added=old.added) if old else entry
    for key in deleted:
        entries.pop(key, None)
    return list(entries.values())
