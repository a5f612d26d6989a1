"""Checking a bundle's custody log against its store's ledger (see ``archiver.ledger``).

Findings are TAMPERED for anything only a change to stored evidence explains (an event the
ledger names is gone or different, the ledger shorter than an event saw it), INCOMPLETE for what
an interrupted write leaves (an event not yet witnessed) or what cannot be checked here (the
ledger is not beside a bundle whose events name it).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from archiver.custody import CUSTODY_DIR, Link
from archiver.ledger import LEDGER_DIR, LEDGER_FILE, Head, Ledger, load_cached
from archiver.problem import INCOMPLETE, TAMPERED, Problem
from archiver.signing import load_pinned_public_key

KIND = "ledger"  # what verify calls these problems
LEDGER_NAME = f"{LEDGER_DIR}/{LEDGER_FILE}"


@dataclass
class WitnessResult:
    summary: str
    findings: list[Problem] = field(default_factory=list)


def finding(path: str, detail: str, verdict: str = TAMPERED) -> Problem:
    return Problem(KIND, path, detail, verdict)


def raw_key_of(event: dict[str, object]) -> str | None:
    try:
        key = load_pinned_public_key(str(event.get("signer_public_key", "")).encode())
    except ValueError:
        return None
    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def check_witness(bundle_id: str, links: list[Link], ledger_file: Path | None,
                  ledger: Ledger | None = None, history: bool = False) -> WitnessResult:
    """``history``: the bundle's store keeps a version history of every object, checked apart."""
    if history and ledger_file is None:
        return WitnessResult("by the store's version history (storage check)")
    heads = [(link.path, link.event["ledger_head"]) for link in links
             if isinstance(link.event.get("ledger_head"), dict)]
    if ledger is None and ledger_file is not None:
        ledger = load_cached(ledger_file)
    entries = ledger.by_bundle.get(bundle_id, []) if ledger else []
    if not heads and not entries:
        where = "its store keeps no ledger" if ledger is None else "recorded before its store kept a ledger"
        return WitnessResult(f"not witnessed ({where})")
    if ledger is None and ledger_file is not None and ledger_file.parent.is_dir():
        return WitnessResult("FAILED", [finding(LEDGER_NAME, "the store keeps a ledger, but its file is "
                                                "gone: removed events cannot be ruled out")])
    if ledger is None:
        return WitnessResult("FAILED", [finding(CUSTODY_DIR, (
            f"its events name a store ledger, but {LEDGER_NAME} is not beside the bundle: removed events "
            "at the end of the custody log cannot be ruled out; verify it in its store, or with "
            "--ledger FILE"),
            INCOMPLETE)])
    result = WitnessResult(f"OK ({len(entries)} events in the store ledger, head {ledger.head})")
    found = {link.path: link for link in links}
    for entry in entries:
        link = found.get(entry.path)
        if link is None:
            result.findings.append(finding(entry.path, f"removed: ledger line #{entry.seq} records this "
                                           f"event ({entry.sha256})"))
        elif link.sha256 != entry.sha256:
            result.findings.append(finding(entry.path,
                                           f"differs from the event ledger line #{entry.seq} records"))
        elif raw_key_of(link.event) != entry.signer:
            result.findings.append(finding(entry.path,
                                           f"ledger line #{entry.seq} is not signed by this event's key"))
    witnessed = {entry.path for entry in entries}
    for link in links:
        if link.path not in witnessed:
            result.findings.append(finding(link.path, "not in the store ledger (a write was interrupted, "
                                           "or the ledger lost its line)", INCOMPLETE))
    for path, head in heads:
        seen = Head(int(head.get("seq", -1)), str(head.get("sha256")))
        if not ledger.has(seen):
            detail = (f"the store ledger is truncated: this event saw it at line #{seen.seq}, it has "
                      f"{len(ledger.lines)} lines" if seen.seq > len(ledger.lines)
                      else f"ledger line #{seen.seq} differs from the one this event saw")
            result.findings.append(finding(path, detail))
    ours = {entry.seq for entry in entries}
    for number, wrong in ledger.problems.items():
        if number in ours:  # damage elsewhere in the ledger is reported once, for the store
            result.findings.append(finding(LEDGER_NAME, f"line #{number}: {wrong}"))
    if result.findings:
        result.summary = "FAILED"
    return result


def parse_head(text: str) -> Head:
    """``#N sha256:<hex>`` (what ``archiver ledger`` prints) -> Head; ValueError otherwise."""
    number, _, digest = text.strip().partition(" ")
    if not number.startswith("#") or not number[1:].isdigit() or not digest.startswith("sha256:"):
        raise ValueError(f"expected '#N sha256:<hex>' as printed by archiver ledger, got {text!r}")
    return Head(int(number[1:]), digest.strip())


def store_findings(ledger: Ledger, present: set[str], heads: Sequence[Head] = ()) -> list[Problem]:
    """What the ledger says of the store as a whole; every finding is TAMPERED.

    A bundle the ledger records but the store lacks was removed; a head recorded outside the
    store (``--ledger-head``) that the ledger no longer holds means its end was cut or rewritten.
    """
    findings = [finding(LEDGER_NAME, f"line #{number}: {wrong}") for number, wrong in ledger.problems.items()]
    for bundle_id, entries in ledger.by_bundle.items():
        if bundle_id not in present:
            findings.append(finding(bundle_id, f"bundle removed: ledger lines #{entries[0].seq}.. record "
                                    f"{len(entries)} of its custody events"))
    for head in heads:
        if not ledger.has(head):
            findings.append(finding(LEDGER_NAME, f"does not hold head {head} recorded outside the store "
                                    f"(it has {len(ledger.lines)} lines): its end was removed or rewritten"))
    return findings
