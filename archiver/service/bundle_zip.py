"""A bundle as one ZIP download, streamed: every file the bundle lists, under ``<bundle id>/``,
byte for byte, so the unpacked folder verifies with ``archiver verify`` like the stored one.

The ZIP is written as it is sent (data descriptors after each file), so a bundle of gigabytes
costs no memory or temporary disk. Files already compressed (the WARC, images, media) are stored
as they are; the rest is deflated.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterator

from archiver.storage.base import BundleReader

CHUNK = 1024 * 1024
COMPRESSED = (".gz", ".png", ".jpg", ".jpeg", ".webp", ".gif", ".mp4", ".webm", ".mov", ".m4a", ".mp3",
              ".ogg", ".zip", ".wacz", ".tsr")


class _Pipe:
    """What zipfile writes into: collected until the generator hands it on. It cannot seek, so
    zipfile writes each file's sizes after its data."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def zip_chunks(reader: BundleReader, files: list[str]) -> Iterator[bytes]:
    pipe = _Pipe()
    when = time.gmtime()[:6]
    with zipfile.ZipFile(pipe, "w", allowZip64=True) as archive:
        for relpath in sorted(files):
            info = zipfile.ZipInfo(f"{reader.bundle_id}/{relpath}", date_time=when)
            stored = relpath.lower().endswith(COMPRESSED)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o444 << 16  # read-only, as the store keeps them
            with reader.open(relpath) as source, archive.open(info, "w", force_zip64=True) as target:
                while block := source.read(CHUNK):
                    target.write(block)
                    if pipe.parts:
                        yield pipe.take()
            yield pipe.take()
    yield pipe.take()
