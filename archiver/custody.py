"""The chain-of-custody log: one immutable, signed JSON file per event, hash-chained.

Each event names its actor, UTC time, tool version and details, and holds the SHA-256 of the
previous event file (the first one: of ``manifest.json``), so a removed, reordered or edited
event breaks the chain. Events are separate files (``custody/000001-captured.json``...) so they
can be added to object storage under Object Lock without ever rewriting an object.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidSignature

from archiver.atomic import write_new
from archiver.clock import utc_time
from archiver.hashing import hash_bytes
from archiver.keys import Signer, public_pem
from archiver.ledger import Head, ledger_of_bundle, optional_writer
from archiver.problem import Problem
from archiver.signing import canonical, load_pinned_public_key
from archiver.strictb64 import decode_strict

CUSTODY_DIR = "custody"
KIND = "custody"  # what verify calls the problems of the chain
EVENTS = ("captured", "stored", "signed", "timestamped", "timestamp-failed", "verified", "exported",
          "reported", "transferred", "matched")
EVENT_FILE = re.compile(r"^custody/(\d{6})-([a-z][a-z-]*)\.json$")


def make_event(*, seq: int, event: str, actor: str | None, details: dict[str, Any], previous_sha256: str,
               signer: Signer, ledger_head: Head | None = None) -> bytes:
    from archiver import __version__

    if event not in EVENTS:
        raise ValueError(f"unknown custody event {event!r}; one of: {', '.join(EVENTS)}")
    body: dict[str, Any] = {
        "seq": seq,
        "event": event,
        "actor": actor,
        "time": utc_time(),
        "tool": f"evidence-archiver {__version__}",
        "details": details,
        "previous_sha256": previous_sha256,
        "signer_public_key": public_pem(signer.public_key).decode(),
    }
    if ledger_head is not None:
        body["ledger_head"] = ledger_head.to_dict()
    body["signature"] = base64.b64encode(signer.sign(canonical(body))).decode()
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False).encode() + b"\n"


def event_name(seq: int, event: str) -> str:
    return f"{CUSTODY_DIR}/{seq:06d}-{event}.json"


def append_event(folder: Path, *, event: str, actor: str | None, details: dict[str, Any],
                 signer: Signer) -> str:
    """Add the next event file to a local bundle folder; return its relative path.

    In a store that keeps a ledger, the event names the ledger's head and is then witnessed
    by a new ledger line, all under the ledger's lock. The event file appears whole or not
    at all; a crash before its ledger line leaves it unwitnessed, which verify calls
    INCOMPLETE.
    """
    custody = folder / CUSTODY_DIR
    custody.mkdir(exist_ok=True)
    with optional_writer(ledger_of_bundle(folder)) as ledger:
        existing = sorted(p for p in custody.iterdir() if EVENT_FILE.match(f"{CUSTODY_DIR}/{p.name}"))
        previous = existing[-1].read_bytes() if existing else (folder / "manifest.json").read_bytes()
        seq = len(existing) + 1
        relpath = event_name(seq, event)
        data = make_event(seq=seq, event=event, actor=actor, details=details,
                          previous_sha256=hash_bytes(previous), signer=signer,
                          ledger_head=ledger.head() if ledger else None)
        write_new(folder / relpath, data, mode=0o444)  # an event is never rewritten
        if ledger is not None:
            ledger.witness(folder.name, relpath, hash_bytes(data), signer)
    return relpath


@dataclass(frozen=True)
class Link:
    """One custody event as read: its file, the SHA-256 of its bytes, and what it says."""

    path: str
    sha256: str
    event: dict[str, Any]


def check_custody_chain(paths: list[str], open_file: Callable[[str], BinaryIO],
                        manifest_bytes: bytes) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Read the events in order; return them and the problems found."""
    links, problems = read_chain(paths, open_file, manifest_bytes)
    return [link.event for link in links], problems


def read_chain(paths: list[str], open_file: Callable[[str], BinaryIO],
               manifest_bytes: bytes) -> tuple[list[Link], list[Problem]]:
    links: list[Link] = []
    problems: list[Problem] = []
    numbered = sorted((int(m.group(1)), p) for p in paths if (m := EVENT_FILE.match(p)))
    previous = manifest_bytes
    for expected, (seq, path) in enumerate(numbered, 1):
        with open_file(path) as stream:
            raw = stream.read()
        if seq != expected:
            problems.append(Problem(KIND, path, f"event #{expected} is missing (found #{seq})"))
        try:
            event = json.loads(raw)
            if not isinstance(event, dict):
                raise ValueError("not an object")
        except ValueError:
            problems.append(Problem(KIND, path, "not valid JSON"))
            previous = raw
            continue
        if event.get("seq") != seq:
            problems.append(Problem(KIND, path, f"file says seq {event.get('seq')}, name says {seq}"))
        if event.get("previous_sha256") != hash_bytes(previous):
            anchor = "manifest.json" if expected == 1 else "the previous event"
            problems.append(Problem(KIND, path, f"chain broken: previous_sha256 does not match {anchor}"))
        reason = event_signature_problem(event)
        if reason:
            problems.append(Problem(KIND, path, reason))
        links.append(Link(path, hash_bytes(raw), event))
        previous = raw
    return links, problems


def event_signature_problem(event: dict[str, Any]) -> str | None:
    body = {k: v for k, v in event.items() if k != "signature"}
    try:
        key = load_pinned_public_key(str(event.get("signer_public_key", "")).encode())
        signature = decode_strict(str(event.get("signature", "")))
    except ValueError as exc:
        return f"event has no usable signature or key: {exc}"
    try:
        key.verify(signature, canonical(body))
    except InvalidSignature:
        return "event signature does not verify"
    return None
