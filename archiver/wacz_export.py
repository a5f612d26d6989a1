"""Exporting a bundle as a WACZ 1.1.1 package, for replay tools (ReplayWeb.page, pywb) and archives.

Layout: ``archive/capture.warc.gz`` (the bundle's WARC, byte for byte, stored uncompressed in
the ZIP as the spec asks), ``indexes/index.cdx.gz`` + ``indexes/index.idx`` (the compressed CDXJ
index py-wacz writes, made with the same cdxj-indexer), ``pages/pages.jsonl`` (the captured page),
``datapackage.json`` (every file with its SHA-256 and size) and ``datapackage-digest.json`` (its
SHA-256, signed with the operator's key: archiver/wacz_sign.py).
The evidence travels along as extra files the spec allows: ``evidence/`` holds the manifest, its
signature files and any timestamp token, ``custody/`` the custody log, each under its bundle name.
(py-wacz's own ``create`` cannot add such files to the datapackage, and its validator only
accepts files exactly one folder deep, hence ``custody/`` at the top rather than inside ``evidence/``.)
"""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, cast

from cdxj_indexer.main import CDXJIndexer
from warcio.archiveiterator import ArchiveIterator

from archiver.bundle import MANIFEST, WARC
from archiver.clock import utc_seconds
from archiver.custody import CUSTODY_DIR
from archiver.hashing import hash_bytes, hash_stream
from archiver.keys import Signer
from archiver.manifest import Manifest
from archiver.storage.local import local_bundle
from archiver.verify import UNLISTED_ALLOWED
from archiver.wacz_sign import DATAPACKAGE, DIGEST_FILE, signed_digest

WACZ_VERSION = "1.1.1"
EVIDENCE_DIR = "evidence"
INDEX_LINES = 1024  # lines per compressed index block, as py-wacz and archiveweb.page use


@dataclass
class WaczResult:
    path: Path
    sha256: str
    size: int
    datapackage_sha256: str
    files: list[str]
    signer: str  # fingerprint of the key that signed datapackage-digest.json


def _stamp() -> tuple[int, int, int, int, int, int]:
    now = datetime.now(UTC)
    return (now.year, now.month, now.day, now.hour, now.minute, now.second)


def main_page(warc: Path, manifest: Manifest) -> dict[str, Any]:
    """The page entry: the final URL as recorded (its response record's WARC-Date), else the request."""
    wanted = [u for u in (manifest.final_url, manifest.requested_url) if u]
    found: dict[str, str] = {}
    with warc.open("rb") as stream:
        for record in ArchiveIterator(stream):
            uri = record.rec_headers.get_header("WARC-Target-URI")
            if record.rec_type == "response" and uri in wanted and uri not in found:
                found[uri] = record.rec_headers.get_header("WARC-Date")
    url = next((u for u in wanted if u in found), wanted[0] if wanted else "")
    ts = found.get(url) or manifest.started_at
    title = (manifest.post or {}).get("title") or url
    return {"id": manifest.bundle_id, "url": url, "ts": ts.replace("+00:00", "Z"), "title": title}


def _add(archive: zipfile.ZipFile, name: str, data: bytes, stored: bool = False) -> None:
    info = zipfile.ZipInfo(name, _stamp())
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def _add_stored_file(archive: zipfile.ZipFile, source: BinaryIO, name: str) -> None:
    """Stream ``source`` in uncompressed, with ZIP64 sizes in its local header exactly when the
    central directory will have them too.

    Readers that find the data from the central directory but skip the local header by its own
    lengths (ReplayWeb.page) land beside the data when the two disagree. zipfile puts a ZIP64
    extra in the central directory only past ``ZIP64_LIMIT``, but in the local header already
    when ``file_size`` is within 5% of it (room for deflate to grow): a stored entry does not
    grow, so the choice is made here from the real size and zipfile's guess is switched off.
    """
    size = os.fstat(source.fileno()).st_size
    info = zipfile.ZipInfo(name, _stamp())
    info.compress_type = zipfile.ZIP_STORED
    info.file_size = 0  # zipfile sets the real size when the entry is closed
    with archive.open(info, "w", force_zip64=size > zipfile.ZIP64_LIMIT) as target:
        shutil.copyfileobj(source, target, 1024 * 1024)


def _write_index(archive: zipfile.ZipFile, warc: Path) -> None:
    idx = io.StringIO()
    info = zipfile.ZipInfo("indexes/index.cdx.gz", _stamp())  # gzip blocks: STORED, never deflated again
    with archive.open(info, "w") as blocks:
        CDXJIndexer(idx, [str(warc)], sort=True, post_append=True, compress=blocks, lines=INDEX_LINES,
                    data_out_name="index.cdx.gz", digest_records=True, filename=WARC).process_all()
    _add(archive, "indexes/index.idx", idx.getvalue().encode("utf-8"))


def _software() -> str:
    from archiver import __version__

    return f"evidence-archiver {__version__}"


def _datapackage(archive: zipfile.ZipFile, manifest: Manifest, page: dict[str, Any],
                 created: str) -> bytes:
    resources = []
    for info in archive.infolist():
        with archive.open(info) as stream:
            digest, size = hash_stream(cast(BinaryIO, stream))
        resources.append({"name": info.filename.replace("/", "-").lower(), "path": info.filename,
                          "hash": digest, "bytes": size})
    package = {
        "profile": "data-package",
        "wacz_version": WACZ_VERSION,
        "title": f"Evidence bundle {manifest.bundle_id}",
        "description": (f"Capture of {page['url']} for case {manifest.case_id or '(none)'} by "
                        f"{manifest.operator or '(unknown)'}, {manifest.started_at} to "
                        f"{manifest.ended_at} (UTC). The signed manifest, its signature and the "
                        f"custody log are in {EVIDENCE_DIR}/ and {CUSTODY_DIR}/."),
        "created": created,
        "software": _software(),
        # The spec spells it mainPageUrl; py-wacz and ReplayWeb.page use mainPageURL.
        "mainPageURL": page["url"], "mainPageUrl": page["url"], "mainPageDate": page["ts"],
        "evidence": {"bundle_id": manifest.bundle_id, "case_id": manifest.case_id,
                     "manifest": f"{EVIDENCE_DIR}/{MANIFEST}"},
        "resources": resources,
    }
    return json.dumps(package, indent=2, ensure_ascii=False).encode("utf-8")


def build(folder: Path, archive: zipfile.ZipFile, signer: Signer) -> bytes:
    """Write every entry into ``archive``; return the datapackage.json bytes."""
    manifest = Manifest.load(folder / MANIFEST)
    warc = folder / WARC
    stored = local_bundle(folder).list_files()
    with warc.open("rb") as source:
        _add_stored_file(archive, source, f"archive/{WARC}")
    _write_index(archive, warc)
    page = main_page(warc, manifest)
    header = {"format": "json-pages-1.0", "id": "pages", "title": "Captured page"}
    _add(archive, "pages/pages.jsonl", "".join(json.dumps(x, ensure_ascii=False) + "\n"
                                               for x in (header, page)).encode("utf-8"))
    for name in sorted(p for p in stored if p in UNLISTED_ALLOWED):
        _add(archive, f"{EVIDENCE_DIR}/{name}", (folder / name).read_bytes())
    for name in sorted(p for p in stored if p.startswith(f"{CUSTODY_DIR}/")):
        _add(archive, name, (folder / name).read_bytes())
    created = utc_seconds()
    datapackage = _datapackage(archive, manifest, page, created)
    _add(archive, DATAPACKAGE, datapackage)
    digest = signed_digest(datapackage, created, _software(), signer)
    _add(archive, DIGEST_FILE, json.dumps(digest, indent=2).encode("utf-8"))
    return datapackage


def export_wacz(folder: Path, output: Path, signer: Signer) -> WaczResult:
    """Write the WACZ beside ``output`` and link it into place: an existing file is never replaced."""
    temp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(temp, "x") as archive:
            datapackage = build(folder, archive, signer)
            names = archive.namelist()
        os.link(temp, output)
    finally:
        temp.unlink(missing_ok=True)
    with output.open("rb") as stream:
        digest, size = hash_stream(stream)
    return WaczResult(output, digest, size, hash_bytes(datapackage), names, signer.fingerprint)
