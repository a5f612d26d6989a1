"""The storage interface every backend implements (local folder, S3...): the store protocol, version 1.

A third-party store is a plugin whose ``open_store`` hook returns an object with the
attributes and methods of :class:`Store`, whose ``reader`` returns a :class:`BundleReader`.
Nothing needs subclassing (these are structural protocols, checked by mypy). What a store can
do beyond the required minimum it declares in :class:`StoreCapabilities`; the core asks those,
and calls every method of the protocol on every store, so an operation a store cannot do has
a defined answer (``None``, nothing found, or a ``StoreError`` that says why). See
``docs/stores.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from archiver.errors import EXIT_USAGE, EnvironmentFailure

if TYPE_CHECKING:
    from archiver.keys import Signer
    from archiver.manifest import Manifest
    from archiver.problem import Problem
    from archiver.storage.lock import LockPolicy


class StoreError(EnvironmentFailure):
    """A one-line, user-facing storage failure: the store is unreachable, refuses, or cannot do it.

    Retrying later may help (the CLI exits 3), unlike a ``StoreUsageError``.
    """


class StoreUsageError(StoreError):
    """The user's input is wrong: a malformed location, a bundle or output that already exists.

    Retrying the same command cannot help (the CLI exits 2).
    """

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class StoreCapabilities:
    """What a store can do beyond reading and writing bundles; every flag defaults to "cannot".

    ``object_lock``: it can make every object of a bundle undeletable for a retention period
    and/or under a legal hold (``Store.lock``, ``Store.lock_for``), and checks that back.
    ``version_history``: it keeps every version of every object and ``check_objects`` reports
    deleted or replaced ones, so the store itself witnesses that no custody event was removed
    (no ledger is needed). ``server_side_checksums``: the server keeps each object's SHA-256,
    which ``check_objects`` compares with the manifest. ``resumable_upload``: ``commit`` copies
    a bundle folder written elsewhere into the store and resumes an interrupted copy
    (``archiver push``), reporting ``last_upload``; a ``stored`` custody event records where it
    went. ``ledger``: a ledger file beside the bundles witnesses their custody events
    (``BundleReader.ledger_file``).
    """

    object_lock: bool = False
    version_history: bool = False
    server_side_checksums: bool = False
    resumable_upload: bool = False
    ledger: bool = False


@dataclass(frozen=True)
class UploadCounts:
    """What one ``commit`` of a bundle folder into a store that uploads did."""

    uploaded: int
    skipped: int  # already in the store, identical, from an earlier interrupted try


class BundleFiles(Protocol):
    """The files of one bundle, wherever they are (a store, a WACZ package): all that checking
    its hashes, signature and timestamp needs."""

    bundle_id: str
    location: str

    def list_files(self) -> dict[str, int]:
        """Every stored file of the bundle (relative path -> size), listed or not."""
        ...

    def open(self, relpath: str) -> BinaryIO:
        """A binary stream of one stored file; read it in chunks."""
        ...


class BundleReader(BundleFiles, Protocol):
    """One bundle in a store, read-only but for custody events added after it was committed."""

    @property
    def capabilities(self) -> StoreCapabilities:
        """The capabilities of the store the bundle is in."""
        ...

    @property
    def ledger_file(self) -> Path | None:
        """The store ledger that witnesses this bundle's custody events; None when there is none."""
        ...

    def check_objects(self, manifest: Manifest, raw_manifest: bytes, events: list[dict[str, Any]]
                      ) -> tuple[list[Problem], dict[str, Any] | None]:
        """What the store knows of the bundle's objects beyond their bytes, checked against the
        manifest and the custody ``events``: stored checksums, locks, version history. A problem
        that means the stored bytes are not the evidence is TAMPERED; one that means the store
        does not protect them as asked is UNPROTECTED.

        Return the problems found and a summary for the verification report; a store that keeps
        no such facts returns ``([], None)``.
        """
        ...

    def append_event(self, *, event: str, actor: str | None, details: dict[str, Any], signer: Signer,
                     lock: LockPolicy | None = None) -> str:
        """Add the next signed custody event without rewriting any stored file; return its path.

        ``lock``: the Object Lock the new event object gets (default: the one the bundle
        records; ignored by stores without ``object_lock``). Raise ``StoreError`` when the event
        cannot be added (the bundle is not committed, the store is read-only).
        """
        ...


class Store(Protocol):
    """Where bundles are written and found again; made by a plugin's ``open_store`` hook."""

    location: str

    @property
    def capabilities(self) -> StoreCapabilities:
        ...

    @property
    def lock(self) -> LockPolicy | None:
        """The Object Lock asked of this store (by its options) for what it commits; None when
        none was asked, and always for stores without ``object_lock``. Captures record it in
        their manifest."""
        ...

    @property
    def last_upload(self) -> UploadCounts | None:
        """What the last ``commit`` uploaded; None until then, and always for stores without
        ``resumable_upload``."""
        ...

    def check(self) -> None:
        """Raise StoreError now when the store could not take a bundle (unreachable, refused,
        not writable, or unable to apply the lock asked), so a capture fails before the
        browser starts rather than after it. Creates nothing."""
        ...

    def prepare(self, bundle_id: str) -> Path:
        """A new, empty local folder to write the bundle's files into."""
        ...

    def commit(self, bundle_id: str, folder: Path) -> str:
        """Make the written bundle durable and visible (manifest last); return where it lives."""
        ...

    def lock_for(self, manifest: Manifest) -> LockPolicy | None:
        """The Object Lock that committing this bundle applies: the one its manifest records,
        else the one asked of the store; ``StoreUsageError`` when the two differ. None for
        stores without ``object_lock``."""
        ...

    def bundle_ids(self) -> Iterator[str]:
        """Ids of every bundle in the store, complete or not, oldest first."""
        ...

    def reader(self, bundle_id: str) -> BundleReader:
        """The bundle ``bundle_id`` (listing its files tells whether it is there); ``StoreUsageError``
        when the id cannot name a bundle of this store."""
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
