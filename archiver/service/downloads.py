"""What a bundle page offers for download: its stored files, the court report (PDF) and a WACZ.

Each report and export is made the way ``archiver report`` and ``archiver export`` make them and
recorded the same way, as a signed custody event whose actor is the authenticated user.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from archiver.bundle import MANIFEST
from archiver.errors import ArchiverError, EvidenceError
from archiver.hashing import hash_bytes
from archiver.keys import Signer
from archiver.manifest import Manifest
from archiver.problem import TAMPERED
from archiver.storage.base import BundleReader
from archiver.storage.local import LocalBundle

CHUNK = 1024 * 1024


class NotLocal(ArchiverError):
    """A WACZ is made from a bundle folder; bundles in other stores are exported with the CLI."""


@dataclass
class StoredFile:
    stream: BinaryIO
    size: int
    media_type: str


def stored_file(reader: BundleReader, relpath: str, manifest: Manifest | None) -> StoredFile | None:
    """A file the bundle lists, or None. Only exact names from the listing are opened, so no
    ``..`` or absolute path can reach outside the bundle."""
    sizes = reader.list_files()
    if relpath not in sizes:
        return None
    artifact = manifest.artifact(relpath) if manifest else None
    media_type = (artifact.media_type if artifact else None) or (
        "application/json" if relpath.endswith(".json") else "application/octet-stream")
    return StoredFile(reader.open(relpath), sizes[relpath], media_type)


def chunks(stream: BinaryIO) -> Iterator[bytes]:
    with stream:
        while block := stream.read(CHUNK):
            yield block


def report_pdf(reader: BundleReader, signer: Signer, operator: str,
               browser_path: Path | None) -> tuple[bytes, str]:
    """The PDF report and the verification result it states."""
    from archiver.report import gather, render_html  # template engine and images: only here
    from archiver.report_pdf import html_to_pdf

    facts = gather(reader)
    data = html_to_pdf(render_html(facts), f"Evidence report {facts['bundle_id']}", browser_path)
    reader.append_event(event="reported", actor=operator, signer=signer, details={
        "format": "pdf", "file": f"{facts['bundle_id']}-report.pdf", "sha256": hash_bytes(data),
        "size": len(data), "verification": facts["result"], "via": "archiver serve"})
    return data, str(facts["result"])


def wacz(reader: BundleReader, signer: Signer, operator: str) -> Path:
    """A WACZ of the bundle in a new temporary folder (the caller removes it once sent)."""
    from archiver.verify import verify_bundle
    from archiver.wacz_export import WACZ_VERSION, export_wacz  # cdxj-indexer: a second to import

    if not isinstance(reader, LocalBundle) or not (reader.folder / MANIFEST).is_file():
        raise NotLocal("WACZ export is available for bundles in a local store; use 'archiver export'")
    checked = verify_bundle(reader, deep=True)
    if checked.result == TAMPERED:
        raise EvidenceError(f"not exported: {checked.line()}")
    output = Path(tempfile.mkdtemp(prefix="archiver-wacz-")) / f"{reader.bundle_id}.wacz"
    result = export_wacz(reader.folder, output, signer)
    reader.append_event(event="exported", actor=operator, signer=signer, details={
        "format": "wacz", "wacz_version": WACZ_VERSION, "file": output.name, "sha256": result.sha256,
        "size": result.size, "datapackage_sha256": result.datapackage_sha256, "wacz_signer": result.signer,
        "verification": checked.result, "via": "archiver serve"})
    return output
