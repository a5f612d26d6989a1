"""Re-checking an exported WACZ: every entry against datapackage.json, the datapackage against its
signed digest, the package signature against the bundle's signer, and the evidence inside.

Entries are streamed through zipfile (which also checks each one's CRC-32); only the small JSON
files are read whole, so memory does not grow with the WARC.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, cast

from cryptography import x509

from archiver.bundle import MANIFEST, WARC
from archiver.hashing import hash_bytes, hash_stream
from archiver.manifest import Manifest, ManifestError, UnknownSchemaVersion
from archiver.problem import OK, Findings, Problem
from archiver.signing import PUBLIC_KEY, key_fingerprint_of
from archiver.timestamp import check_bundle_timestamp
from archiver.verify import BundleReport, check_signed, check_warc
from archiver.wacz_export import EVIDENCE_DIR
from archiver.wacz_sign import DATAPACKAGE, DIGEST_FILE, check_signed_data
from archiver.zipheaders import disagreements

SMALL = 16 * 1024 * 1024  # larger JSON than this is not what export writes
UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError)


@dataclass
class WaczReport(Findings):
    location: str
    result: str = OK
    bundle_id: str | None = None
    problems: list[Problem] = field(default_factory=list)
    entries: int = 0
    bytes_read: int = 0
    package_signer: str | None = None  # the key whose signature over datapackage.json holds
    bundle_signer: str | None = None  # the key in evidence/signer.pub.pem
    evidence: dict[str, str] = field(default_factory=dict)  # verify's checks of the evidence inside

    def to_dict(self) -> dict[str, Any]:
        return {"location": self.location, "result": self.result, "bundle_id": self.bundle_id,
                "problems": [problem.to_dict() for problem in self.problems], "entries": self.entries,
                "bytes_read": self.bytes_read,
                "package_signer": self.package_signer, "bundle_signer": self.bundle_signer,
                "evidence": self.evidence}

    def line(self) -> str:
        name = f"{self.location} (bundle {self.bundle_id})" if self.bundle_id else self.location
        if self.problems:
            details = "; ".join(p.line() for p in self.problems)
            return f"{self.result}  {name}  {details}"
        evidence = ", ".join(f"{check} {outcome}" for check, outcome in self.evidence.items())
        return (f"{self.result}  {name}  entries OK ({self.entries} as {DATAPACKAGE} lists them), package "
                f"signature OK ({self.package_signer}, the bundle's signer), {evidence}")


class _EvidenceInside:
    """The bundle files a WACZ carries, read as a bundle (for verify's own checks)."""

    def __init__(self, archive: zipfile.ZipFile, location: str, bundle_id: str) -> None:
        self.archive, self.location, self.bundle_id = archive, location, bundle_id
        self.names: dict[str, str] = {}  # bundle path -> entry
        for info in archive.infolist():
            if info.filename.startswith(f"{EVIDENCE_DIR}/"):
                self.names[info.filename.removeprefix(f"{EVIDENCE_DIR}/")] = info.filename
            elif info.filename == f"archive/{WARC}" or info.filename.startswith("custody/"):
                self.names[info.filename.removeprefix("archive/")] = info.filename

    def list_files(self) -> dict[str, int]:
        return {path: self.archive.getinfo(entry).file_size for path, entry in self.names.items()}

    def open(self, relpath: str) -> BinaryIO:
        return cast(BinaryIO, self.archive.open(self.names[relpath]))


def verify_wacz(path: Path, *, tsa_ca: Sequence[x509.Certificate] = (), deep: bool = False) -> WaczReport:
    report = WaczReport(str(path))
    try:
        with path.open("rb") as raw, zipfile.ZipFile(raw) as archive:
            _check(archive, cast(BinaryIO, raw), report, tsa_ca, deep)
    except (zipfile.BadZipFile, OSError) as exc:
        report.problem("zip", path.name, f"not a readable ZIP file ({exc})")
    except UNREADABLE as exc:  # a damaged compressed entry met while checking the evidence inside
        report.problem("zip", path.name, f"an entry cannot be read ({type(exc).__name__}: {exc})")
    return report


def _check(archive: zipfile.ZipFile, raw: BinaryIO, report: WaczReport, tsa_ca: Sequence[x509.Certificate],
           deep: bool) -> None:
    infos = archive.infolist()
    names = [info.filename for info in infos]
    for name in sorted({n for n in names if names.count(n) > 1}):
        report.problem("zip", name, "the ZIP holds more than one entry of this name")
    report.add(*disagreements(raw, archive.start_dir, len(infos)))
    package_raw, digest_raw = _small(archive, DATAPACKAGE, report), _small(archive, DIGEST_FILE, report)
    try:
        resources = json.loads(package_raw or b"null")["resources"]
        listed = {str(r["path"]): r for r in resources}
    except (ValueError, TypeError, KeyError) as exc:
        report.problem("datapackage", DATAPACKAGE, f"no list of resources ({type(exc).__name__})")
        listed = {}
    hashes = _check_entries(archive, listed, report)
    for name in sorted(set(names) - set(listed) - {DATAPACKAGE, DIGEST_FILE}):
        report.problem("unlisted", name, f"entry not listed in {DATAPACKAGE}")
    if package_raw is not None and digest_raw is not None:
        try:
            document = json.loads(digest_raw)
        except ValueError:
            document = None
        report.package_signer, problems = check_signed_data(document, hash_bytes(package_raw))
        for detail in problems:
            report.problem("signature", DIGEST_FILE, detail)
    _check_evidence(archive, report, hashes, tsa_ca, deep)


def _small(archive: zipfile.ZipFile, name: str, report: WaczReport) -> bytes | None:
    try:
        with archive.open(name) as stream:
            data = stream.read(SMALL + 1)
            if len(data) <= SMALL:
                return data
        report.problem("datapackage", name, f"larger than {SMALL} bytes")
    except KeyError:
        report.problem("missing", name, "not in the WACZ")
    except UNREADABLE as exc:
        report.problem("zip", name, f"unreadable entry: {exc}")
    return None


def _check_entries(archive: zipfile.ZipFile, listed: dict[str, Any], report: WaczReport) -> dict[str, str]:
    """Stream every listed entry; its sha256 and size against the datapackage. Entry -> sha256."""
    hashes = {}
    for name, resource in listed.items():
        try:
            with archive.open(name) as stream:
                digest, size = hash_stream(cast(BinaryIO, stream))
        except KeyError:
            report.problem("missing", name, f"listed in {DATAPACKAGE} but not in the WACZ")
            continue
        except UNREADABLE as exc:  # zipfile checks the CRC-32 at the end of each entry
            report.problem("zip", name, f"unreadable entry: {exc}")
            continue
        report.entries += 1
        report.bytes_read += size
        hashes[name] = digest
        if digest != resource.get("hash"):
            report.problem("sha256", name, f"sha256 {digest} != {DATAPACKAGE} {resource.get('hash')}")
        if size != resource.get("bytes"):
            report.problem("size", name, f"size {size} != {DATAPACKAGE} {resource.get('bytes')}")
    return hashes


def _check_evidence(archive: zipfile.ZipFile, report: WaczReport, hashes: dict[str, str],
                    tsa_ca: Sequence[x509.Certificate], deep: bool) -> None:
    """The signed manifest inside, its custody log and timestamp, and that it lists this WARC."""
    manifest_entry = f"{EVIDENCE_DIR}/{MANIFEST}"
    raw = _small(archive, manifest_entry, report)
    if raw is None:
        return
    try:
        manifest = Manifest.from_bytes(raw)
    except UnknownSchemaVersion:
        raise  # no verdict on the package: this build cannot read it
    except ManifestError as exc:
        report.problem("manifest", manifest_entry, str(exc))
        return
    report.bundle_id = manifest.bundle_id
    inside = _EvidenceInside(archive, report.location, manifest.bundle_id)
    checked = BundleReport(inside.bundle_id, inside.location)
    stored = inside.list_files()
    check_signed(inside, stored, manifest, raw, checked)
    warc = manifest.artifact(WARC)
    if warc is None or hashes.get(f"archive/{WARC}") not in (None, warc.sha256):
        checked.problem("sha256", WARC, "not the WARC the signed manifest lists")
    if WARC in stored and (deep or checked.problems):
        check_warc(inside, manifest, {a.path: a for a in manifest.artifacts}, checked)
        checked.warc_records_read = True
    checked.timestamp, stamp_problems = check_bundle_timestamp(inside, stored, tsa_ca)
    checked.add(*stamp_problems)
    checked.checked = True
    report.add(*(replace(problem, path=inside.names.get(problem.path, problem.path))
                 for problem in checked.problems))
    labels = {"signature": "manifest signature", "custody": "custody", "timestamp": "timestamp",
              "WARC digests": "WARC digests"}
    report.evidence = {labels[name]: outcome for name, outcome in checked.checks().items() if name in labels}
    if PUBLIC_KEY in stored:
        with inside.open(PUBLIC_KEY) as stream:
            try:
                report.bundle_signer = key_fingerprint_of(stream.read(SMALL))
            except ValueError:
                return  # check_signed reported the unusable key
    if report.package_signer and report.bundle_signer and report.package_signer != report.bundle_signer:
        report.problem("signer", DIGEST_FILE, f"signed by a different key ({report.package_signer}) than the "
                       f"bundle's signer ({report.bundle_signer}, {EVIDENCE_DIR}/{PUBLIC_KEY})")
