"""What a batch need not capture again: URLs with a complete bundle in the store
(``--skip-captured``) or listed in a download archive (``--download-archive``).

Both go by canonical URL, the form a platform gives every address of one post, so
``https://twitter.com/a/status/1?s=20`` is skipped when ``https://x.com/a/status/1`` was captured.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from archiver.bundle import MANIFEST
from archiver.errors import ArchiverError
from archiver.manifest import Manifest, ManifestError
from archiver.models import Status
from archiver.problem import OK, UNPROTECTED
from archiver.storage.base import Store, StoreUsageError
from archiver.verify import verify_bundle

MAX_MANIFEST = 64 * 1024 * 1024


@dataclass(frozen=True)
class Earlier:
    """Why a URL is skipped: the complete bundle that has it, or the archive that lists it."""

    bundle_id: str | None
    location: str | None
    why: str


def complete_in_store(store: Store, canonical_urls: set[str]) -> dict[str, Earlier]:
    """The newest complete bundle of each of ``canonical_urls`` in ``store``: captured
    ``complete``, and sealed, signed and in custody as ``ls`` calls complete (hashes are not
    re-read: ``verify`` does that). Reads every manifest of the store once."""
    found: dict[str, Earlier] = {}
    with contextlib.suppress(StoreUsageError):  # a store not made yet holds nothing
        for bundle_id in store.bundle_ids():
            reader = store.reader(bundle_id)
            if MANIFEST not in reader.list_files():
                continue  # interrupted: captured again
            try:
                with reader.open(MANIFEST) as stream:
                    manifest = Manifest.from_bytes(stream.read(MAX_MANIFEST))
            except (ManifestError, OSError):
                continue
            url = manifest.canonical_url
            if url in canonical_urls and manifest.status == Status.COMPLETE and \
                    verify_bundle(reader, shallow=True).result in (OK, UNPROTECTED):
                found[url] = Earlier(bundle_id, reader.location, "a complete bundle of it is in the store")
    return found


class DownloadArchive:
    """A text file of the canonical URLs captured complete, one a line (yt-dlp's
    ``--download-archive``): a batch skips what it lists and adds each URL it completes.
    It holds no evidence: a URL removed from it is captured again."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
            # Opened now, so a file that cannot be written stops the batch before it starts.
            self._file = path.open("a", encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ArchiverError(f"cannot use --download-archive {path}: {exc}") from None
        self.urls = {line.strip() for line in lines if line.strip()}

    def __enter__(self) -> DownloadArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()

    def listed(self, canonical_urls: set[str]) -> dict[str, Earlier]:
        return {url: Earlier(None, None, f"listed in {self.path}") for url in canonical_urls & self.urls}

    def add(self, canonical_url: str) -> None:
        if canonical_url not in self.urls:
            self._file.write(canonical_url + "\n")
            self._file.flush()  # a batch stopped later keeps what it completed
            self.urls.add(canonical_url)
