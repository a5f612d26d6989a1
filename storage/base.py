"""The storage interface every backend implements (local folder, S3...)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from archiver.errors import EXIT_USAGE, EnvironmentFailure


class StoreError(EnvironmentFailure):
    """A one-line, user-facing storage failure: the store is unreachable, refuses, or cannot do it.

    Retrying later may help (the CLI exits 3), unlike a ``StoreUsageError``.
    """


class StoreUsageError(StoreError):
    """The user's input is wrong: a malformed location, a bundle or output that already exists.

    Retrying the same command cannot help (the CLI exits 2).
    """

    exit_code = EXIT_USAGE


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

    def check(self) -> None:
        """Raise StoreError now when the store could not take a bundle (unreachable, refused,
        not writable), so a capture fails before the browser starts rather than after it.
        Creates nothing."""
        ...

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


def check_writable_folder(folder: Path, what: str) -> None:
    """Fail unless ``folder`` exists as a writable folder or could be created, creating nothing."""
    import os

    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise StoreError(f"cannot create {what} {folder}: {existing} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise StoreError(f"cannot write to {what} {folder}: permission denied on {existing}")
