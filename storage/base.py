"""The storage interface every backend implements (local folder, S3...)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol


class StoreError(RuntimeError):
    """A one-line, user-facing storage failure."""


class BundleReader(Protocol):
    bundle_id: str
    location: str

    def list_files(self) -> dict[str, int]:
        """Every stored file of the bundle (relative path -> size), listed or not."""
        ...

    def open(self, relpath: str) -> BinaryIO:
        """A binary stream of one stored file; read it in chunks."""
        ...


class Store(Protocol):
    location: str

    def prepare(self, bundle_id: str) -> Path:
        """A new, empty local folder to write the bundle's files into."""
        ...

    def commit(self, bundle_id: str, folder: Path) -> str:
        """Make the written bundle durable and visible (manifest last); return where it lives."""
        ...

    def bundle_ids(self) -> Iterator[str]:
        """Ids of every bundle in the store, complete or not, oldest first."""
        ...

    def reader(self, bundle_id: str) -> BundleReader:
        ...
