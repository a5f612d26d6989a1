"""The store ledger: an append-only, hash-chained, signed record of every custody event.

A bundle's custody log is a hash chain, so a removed event in the middle breaks it; a removed
*last* event does not, since nothing later points at it. A local store therefore keeps one
more chain beside its bundles, ``.archiver/ledger.jsonl``: each custody event, once written,
gets a line naming the bundle, the event file and its SHA-256, linked to the previous line by
its SHA-256 and signed by the key that signed the event. Each event also records the ledger's
head at the time it was written (``ledger_head``). So:

- an event removed from the end of a bundle's log is still named by the ledger;
- removing that ledger line breaks the ledger's chain, unless it is the ledger's own last
  line; and any event written later, in any bundle, names a head past it;
- rewriting ledger lines needs the signing keys of every event they witness.

What stays undetectable without a witness outside the store: removing the store's most recent
events *and* the matching end of the ledger, when nothing was written after them. Recording
the ledger head elsewhere (``archiver ledger STORE`` prints it; ``verify --ledger-head``
checks it is still there) closes that too.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from archiver.clock import utc_time
from archiver.faults import reach
from archiver.hashing import hash_bytes
from archiver.keys import Signer
from archiver.signing import canonical
from archiver.strictb64 import decode_strict

LEDGER_DIR = ".archiver"
LEDGER_FILE = "ledger.jsonl"
GENESIS = hash_bytes(b"")  # what the first line's ``previous`` names


@dataclass(frozen=True)
class Head:
    """The ledger's last line: how many lines, and the SHA-256 of the last one."""

    seq: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "sha256": self.sha256}

    def __str__(self) -> str:
        return f"#{self.seq} {self.sha256}"


@dataclass(frozen=True)
class Entry:
    seq: int
    path: str
    sha256: str
    signer: str  # raw Ed25519 public key, base64


@dataclass
class Ledger:
    """A ledger read and checked once; what verify compares each bundle against."""

    path: Path
    lines: list[str] = field(default_factory=list)  # SHA-256 of line #n at index n-1
    by_bundle: dict[str, list[Entry]] = field(default_factory=dict)
    problems: dict[int, str] = field(default_factory=dict)  # line number -> what is wrong with it
    torn_tail: bool = False  # the last line was cut short by a crash

    @property
    def head(self) -> Head:
        return Head(len(self.lines), self.lines[-1] if self.lines else GENESIS)

    def has(self, head: Head) -> bool:
        if head.seq == 0:
            return head.sha256 == GENESIS
        return head.seq <= len(self.lines) and self.lines[head.seq - 1] == head.sha256


def ledger_of_store(root: Path) -> Path:
    return root / LEDGER_DIR / LEDGER_FILE


def start_ledger(root: Path) -> None:
    """Make the store keep a ledger from now on (an empty one, if it has none yet)."""
    (root / LEDGER_DIR).mkdir(exist_ok=True)
    os.close(os.open(ledger_of_store(root), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644))


def ledger_of_bundle(folder: Path) -> Path | None:
    """The ledger of the store a local bundle folder lives in, if that store keeps one."""
    if (folder.parent / LEDGER_DIR).is_dir():
        return ledger_of_store(folder.parent)
    return None


def raw_public_key(signer: Signer) -> str:
    return base64.b64encode(signer.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def signed_body(line: dict[str, Any]) -> bytes:
    return canonical({k: v for k, v in line.items() if k != "signature"})


class LedgerWriter:
    """The ledger, locked for one writer (other processes wait) while a custody event is added."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = -1

    def __enter__(self) -> LedgerWriter:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        self._drop_torn_tail()
        return self

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)

    def _drop_torn_tail(self) -> None:
        # A crash while appending can leave a last line without its newline: it was never
        # complete, so no event relies on it; cut it before appending after it.
        size = os.fstat(self._fd).st_size
        if size == 0 or os.pread(self._fd, 1, size - 1) == b"\n":
            return
        start = max(0, size - 65536)
        tail = os.pread(self._fd, size - start, start)
        keep = start + tail.rfind(b"\n") + 1 if b"\n" in tail else 0
        os.ftruncate(self._fd, keep)

    def head(self) -> Head:
        size = os.fstat(self._fd).st_size
        if size == 0:
            return Head(0, GENESIS)
        start = max(0, size - 65536)
        tail = os.pread(self._fd, size - start, start)
        last = tail[tail.rstrip(b"\n").rfind(b"\n") + 1:]
        return Head(int(json.loads(last)["seq"]), hash_bytes(last))

    def witness(self, bundle_id: str, relpath: str, sha256: str, signer: Signer) -> Head:
        previous = self.head()
        line: dict[str, Any] = {"seq": previous.seq + 1, "previous": previous.sha256, "time": utc_time(),
                                "bundle_id": bundle_id, "path": relpath, "sha256": sha256,
                                "signer": raw_public_key(signer)}
        line["signature"] = base64.b64encode(signer.sign(signed_body(line))).decode()
        data = json.dumps(line, sort_keys=True, separators=(",", ":")).encode() + b"\n"
        reach(f"ledger {relpath}")
        os.write(self._fd, data)
        os.fsync(self._fd)
        return Head(previous.seq + 1, hash_bytes(data))


@contextlib.contextmanager
def optional_writer(path: Path | None) -> Iterator[LedgerWriter | None]:
    if path is None:
        yield None
        return
    with LedgerWriter(path) as writer:
        yield writer


def line_problem(line: dict[str, Any], seq: int, previous: str) -> str | None:
    if line.get("seq") != seq:
        return f"says seq {line.get('seq')}, is line #{seq} (a line was removed or inserted)"
    if line.get("previous") != previous:
        return "chain broken: previous does not match the line before"
    try:
        key = Ed25519PublicKey.from_public_bytes(decode_strict(str(line.get("signer", ""))))
        key.verify(decode_strict(str(line.get("signature", ""))), signed_body(line))
    except InvalidSignature:
        return "signature does not verify"
    except Exception:  # noqa: BLE001 - any unusable key or encoding is a finding, never a crash
        return "no usable signer key or signature"
    return None


def load(path: Path) -> Ledger:
    """Read and check the whole ledger, one line at a time."""
    ledger = Ledger(path)
    previous = GENESIS
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, 1):
            if not raw.endswith(b"\n"):
                ledger.torn_tail = True  # a crash mid-append; the writer cuts it next time
                break
            try:
                line = json.loads(raw)
                problem = line_problem(line, number, previous) if isinstance(line, dict) else "not an object"
            except ValueError:
                line, problem = {}, "not valid JSON"
            if problem:
                ledger.problems[number] = problem
            if isinstance(line, dict) and isinstance(line.get("bundle_id"), str):
                ledger.by_bundle.setdefault(line["bundle_id"], []).append(
                    Entry(number, str(line.get("path")), str(line.get("sha256")), str(line.get("signer"))))
            previous = hash_bytes(raw)
            ledger.lines.append(previous)
    return ledger


_cache: dict[Path, tuple[tuple[int, int], Ledger]] = {}


def load_cached(path: Path) -> Ledger | None:
    """The ledger at ``path`` (None when absent), read once per version of the file."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    key = (stat.st_size, stat.st_mtime_ns)
    cached = _cache.get(path)
    if cached is None or cached[0] != key:
        cached = (key, load(path))
        _cache[path] = cached
    return cached[1]
