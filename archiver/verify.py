"""Re-checking a stored bundle: every artifact's size and SHA-256, the WARC's record digests,
missing and unlisted files, and the WARC's copies of the loose artifacts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509

from archiver.atomic import is_temp
from archiver.bundle import MANIFEST, WARC
from archiver.custody import CUSTODY_DIR, Link, read_chain
from archiver.hashing import hash_stream
from archiver.manifest import Manifest, ManifestError, UnknownSchemaVersion, artifact_uri, capture_record_uri
from archiver.manifest_parts import Artifact
from archiver.problem import INCOMPLETE, OK, Findings, Problem
from archiver.signing import (
    JCS,
    PUBLIC_KEY,
    SIGNATURE,
    SIGNATURE_FILES,
    key_fingerprint_of,
    signature_problem,
)
from archiver.storage.base import BundleFiles, BundleReader
from archiver.timestamp import check_bundle_timestamp
from archiver.tstoken import TOKEN
from archiver.witness import check_witness

WARC_BLOCK = 1024 * 1024  # warcio's 16 KiB default makes Python overhead dominate on large records

# Files a bundle may hold besides its listed artifacts (the manifest and what later signs it).
UNLISTED_ALLOWED = (MANIFEST, *SIGNATURE_FILES, TOKEN)
UNLISTED_PREFIXES = (f"{CUSTODY_DIR}/",)
# What the report shows per bundle, each OK or its failures: problem kinds by check.
CHECKS = {"hashes": ("missing", "size", "sha256", "unlisted", "manifest"),
          "WARC digests": ("warc", "warc-digest", "warc-copy", "warc-capture"),
          "signature": ("signature",), "timestamp": ("timestamp",), "custody": ("custody",),
          "ledger": ("ledger",), "interrupted": ("interrupted",),
          "storage": ("s3-checksum", "object-lock", "s3-versions")}


@dataclass
class BundleReport(Findings):
    bundle_id: str
    location: str
    result: str = OK
    problems: list[Problem] = field(default_factory=list)
    checked_files: int = 0
    bytes_read: int = 0
    signer: str | None = None
    custody_events: int = 0
    timestamp: dict[str, Any] | None = None  # RFC 3161 token: status (OK, FAILED, none), gen_time, tsa...
    ledger: str | None = None  # what the store ledger says of the custody log's tail
    checked: bool = False  # every check ran (not cut short by a missing or unreadable manifest)
    # Every WARC record re-read; otherwise the WARC's SHA-256 in the signed manifest pins them all.
    warc_records_read: bool = False
    storage: dict[str, Any] | None = None  # stored checksums and Object Lock (S3 bundles)

    def to_dict(self) -> dict[str, Any]:
        return {
            "bundle_id": self.bundle_id,
            "location": self.location,
            "result": self.result,
            "problems": [problem.to_dict() for problem in self.problems],
            "checked_files": self.checked_files,
            "bytes_read": self.bytes_read,
            "signer": self.signer,
            "custody_events": self.custody_events,
            "timestamp": self.timestamp,
            "ledger": self.ledger,
            "checks": self.checks(),
            "warc_records_read": self.warc_records_read,
            "storage": self.storage,
        }

    def checks(self) -> dict[str, str]:
        """Each check's outcome: ``OK (...)``, ``none`` or ``FAILED: path: why; ...``."""
        if not self.checked:
            return {}
        stamp = self.timestamp or {}
        pinned = "OK" if self.warc_records_read else "OK (pinned by its SHA-256 in the signed manifest)"
        good = {"hashes": f"OK ({self.checked_files} files)", "WARC digests": pinned,
                "signature": f"OK ({self.signer[:23]}…)" if self.signer else "OK",
                "timestamp": (f"OK ({stamp.get('gen_time')} by {stamp.get('tsa')}; {stamp.get('chain')})"
                              if stamp.get("status") == OK else
                              f"none ({stamp['detail']})" if stamp.get("detail") else "none"),
                "custody": f"OK ({self.custody_events} events)"}
        if self.ledger:
            good["ledger"] = self.ledger
        if self.storage is not None:
            locked = self.storage.get("objects_locked_as_asked")
            good["storage"] = (f"OK ({self.storage.get('checksums_compared')} stored SHA-256 checksums"
                               + (f", {locked} objects locked" if locked is not None else "") + ")")
        known = {kind for kinds in CHECKS.values() for kind in kinds}
        groups = {**CHECKS, "other": tuple({p.kind for p in self.problems} - known)}
        outcome = {}
        for name, kinds in groups.items():
            failures = [p.line() for p in self.problems if p.kind in kinds]
            if failures:
                outcome[name] = "FAILED: " + "; ".join(failures)
            elif name in good:
                outcome[name] = good[name]
        return outcome

    def line(self) -> str:
        if self.checked:
            return f"{self.result}  {self.bundle_id}  " + ", ".join(
                f"{name} {outcome}" for name, outcome in self.checks().items())
        if not self.problems:
            signed = f", signed by {self.signer[:23]}…" if self.signer else ""
            return (f"{self.result}  {self.bundle_id}  ({self.checked_files} files{signed}, "
                    f"{self.custody_events} custody events)")
        details = "; ".join(p.line() for p in self.problems)
        return f"{self.result}  {self.bundle_id}  {details}"


def verify_bundle(bundle: BundleReader, *, tsa_ca: Sequence[x509.Certificate] = (),
                  deep: bool = False, ledger_file: Path | None = None, shallow: bool = False) -> BundleReport:
    """Check one bundle; ``tsa_ca`` are the trusted roots for its timestamp's certificate chain.

    Every stored byte is read once and hashed. The WARC's records are re-read (digests, the
    artifacts' copies, the capture record) with ``deep``, or when anything else is wrong, or the
    manifest is not validly signed; otherwise the WARC's SHA-256 in the signed manifest already
    pins every record. ``ledger_file`` overrides the ledger of the bundle's own store.

    ``shallow`` (what ``archiver ls`` asks) compares stored sizes instead of hashing, and skips
    the WARC and per-object store checks: every rule that decides INCOMPLETE still runs, so
    ``ls`` and ``verify`` agree on which bundles are complete.

    A manifest of a schema version this build does not read raises ``UnknownSchemaVersion``: that
    is no verdict on the bundle.
    """
    report = BundleReport(bundle.bundle_id, bundle.location)
    stored = bundle.list_files()
    if MANIFEST not in stored:
        report.problem("missing", MANIFEST, "no manifest: the capture did not finish or was not committed",
                       INCOMPLETE)
        return report
    with bundle.open(MANIFEST) as stream:
        raw = stream.read()
    try:
        manifest = Manifest.from_bytes(raw)
    except UnknownSchemaVersion:
        raise
    except ManifestError as exc:
        report.problem("manifest", MANIFEST, str(exc))
        return report
    listed = {entry.path: entry for entry in manifest.artifacts}
    for path, entry in listed.items():
        if path not in stored:
            report.problem("missing", path, "listed in the manifest but not stored")
            continue
        if shallow:
            digest, size = entry.sha256, stored[path]
        else:
            with bundle.open(path) as stream:
                digest, size = hash_stream(stream)
        report.checked_files += 1
        report.bytes_read += size
        if size != entry.size:
            report.problem("size", path, f"size {size} != manifest {entry.size}")
        if digest != entry.sha256:
            report.problem("sha256", path, f"sha256 {digest} != manifest {entry.sha256}")
    for path in stored:
        if is_temp(path):
            report.problem("interrupted", path, "unfinished write left by an interrupted process", INCOMPLETE)
        elif not (path in listed or path in UNLISTED_ALLOWED or path.startswith(UNLISTED_PREFIXES)):
            report.problem("unlisted", path, "file not listed in the manifest")
    links = check_signed(bundle, stored, manifest, raw, report)
    events = [link.event for link in links]
    # A store that keeps every object's version history (S3) is its own witness: check_objects.
    witness = check_witness(bundle.bundle_id, links, ledger_file or bundle.ledger_file,
                            history=bundle.capabilities.version_history)
    report.ledger = witness.summary
    report.add(*witness.findings)
    reread = deep or report.problems or report.signer is None
    if not shallow and WARC in listed and WARC in stored and reread:
        check_warc(bundle, manifest, listed, report)
        report.warc_records_read = True
    if not shallow:
        object_problems, report.storage = bundle.check_objects(manifest, raw, events)
        report.add(*object_problems)
    report.timestamp, stamp_problems = check_bundle_timestamp(bundle, stored, tsa_ca)
    stamp_problems += requested_timestamp(manifest, stored, events, report.timestamp)
    report.add(*stamp_problems)
    report.checked = True
    return report


def read_small(bundle: BundleFiles, relpath: str) -> bytes:
    with bundle.open(relpath) as stream:
        return stream.read()


def requested_timestamp(manifest: Manifest, stored: dict[str, int], events: list[dict[str, Any]],
                        summary: dict[str, Any]) -> list[Problem]:
    """What the signed manifest asked for must be there: a token, or a signed event saying why not."""
    if not manifest.settings.tsa_urls or TOKEN in stored:
        return []
    failed = [e for e in events if e.get("event") == "timestamp-failed"]
    if failed:
        details = failed[-1].get("details") or {}
        summary["detail"] = f"requested; no TSA answered: {details.get('error', 'no reason recorded')}"
        return []
    return [Problem("timestamp", TOKEN, "timestamp requested (settings.tsa_urls) but missing, and no signed "
                    "custody event says why (an interrupted capture: run archiver timestamp)", INCOMPLETE)]


def check_signed(bundle: BundleFiles, stored: dict[str, int], manifest: Manifest, raw_manifest: bytes,
                 report: BundleReport) -> list[Link]:
    """The detached signature over the manifest, and the custody chain anchored on it."""
    missing = [name for name in SIGNATURE_FILES if name not in stored]
    if missing:
        report.problem("signature", missing[0], "the manifest is not signed (missing "
                       + ", ".join(missing) + ")", INCOMPLETE)
    else:
        pem = read_small(bundle, PUBLIC_KEY)
        reason = signature_problem(manifest.raw, read_small(bundle, JCS), read_small(bundle, SIGNATURE), pem)
        if reason:
            report.problem("signature", SIGNATURE, reason)
        else:
            report.signer = key_fingerprint_of(pem)
    custody = sorted(p for p in stored if p.startswith(f"{CUSTODY_DIR}/") and not is_temp(p))
    links, problems = read_chain(custody, bundle.open, raw_manifest)
    report.custody_events = len(links)
    report.add(*problems)
    if not custody and not missing:
        report.problem("custody", CUSTODY_DIR, "no custody events", INCOMPLETE)
    return links


def drain(stream: Any) -> None:
    while stream.read(WARC_BLOCK):
        pass


def check_warc(bundle: BundleFiles, manifest: Manifest, listed: dict[str, Artifact],
               report: BundleReport) -> None:
    from warcio.archiveiterator import ArchiveIterator  # only bundles re-read in depth need it
    from warcio.exceptions import ArchiveLoadFailed

    bundle_id = manifest.bundle_id
    resource_digests: dict[str, str] = {}
    payload_digests: dict[str, str] = {}
    capture_record: dict[str, Any] | None = None
    try:
        with bundle.open(WARC) as stream:
            for record in ArchiveIterator(stream, check_digests=True, block_size=WARC_BLOCK):
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                if uri == capture_record_uri(bundle_id):
                    capture_record = json.loads(record.content_stream().read())
                elif record.rec_type == "resource" and uri.startswith(artifact_uri(bundle_id, "")):
                    resource_digests[uri], _size = hash_stream(record.content_stream())
                else:
                    if record.rec_type == "response":
                        payload_digests[uri] = record.rec_headers.get_header("WARC-Payload-Digest") or ""
                    drain(record.content_stream())  # a large video must not land in memory
                if record.digest_checker.passed is False:
                    report.problem("warc-digest", WARC,
                                   f"record {uri} fails its digest: {record.digest_checker.problems}")
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
        report.problem("warc", WARC, f"unreadable WARC: {type(exc).__name__}: {exc}")
        return
    for path, entry in listed.items():
        if path in (WARC, MANIFEST):
            continue
        copy = resource_digests.get(artifact_uri(bundle_id, path))
        if copy is None and entry.source_url:
            if payload_digests.get(entry.source_url) != entry.sha256:
                report.problem("warc-copy", path, "differs from the payload the WARC recorded for it")
        elif copy is None:
            report.problem("warc-copy", path, "no copy of this artifact in the WARC")
        elif copy != entry.sha256:
            report.problem("warc-copy", path, "differs from its copy in the WARC")
    if capture_record is None:
        report.problem("warc-capture", WARC, "WARC lacks the capture record")
    elif capture_record != manifest.anchored():
        changed = sorted(k for k in capture_record if capture_record.get(k) != manifest.raw.get(k))
        report.problem("manifest", MANIFEST,
                       f"manifest fields differ from the WARC's capture record: {', '.join(changed)}")
