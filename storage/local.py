"""The embedded default store: bundles as folders under one directory."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from archiver import hookimpl
from archiver.bundle import MANIFEST
from archiver.custody import append_event
from archiver.ids import is_bundle_id
from archiver.ledger import ledger_of_bundle, start_ledger
from archiver.storage.base import (
    Store,
    StoreCapabilities,
    StoreError,
    StoreUsageError,
    check_writable_folder,
)

if TYPE_CHECKING:
    from archiver.keys import Signer
    from archiver.manifest import Manifest
    from archiver.problem import Problem
    from archiver.storage.lock import LockPolicy

DEFAULT_LOCATION = "./evidence"
# A folder keeps no facts of its own about a file beyond its bytes, and cannot lock it.
CAPABILITIES = StoreCapabilities(ledger=True)


class LocalBundle:
    capabilities = CAPABILITIES

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.bundle_id = folder.name
        self.location = str(folder)
        # The ledger of the store the folder is in, which witnesses its custody events.
        self.ledger_file = ledger_of_bundle(folder)

    def list_files(self) -> dict[str, int]:
        return {
            path.relative_to(self.folder).as_posix(): path.stat().st_size
            for path in sorted(self.folder.rglob("*"))
            if path.is_file()
        }

    def open(self, relpath: str) -> BinaryIO:
        return (self.folder / relpath).open("rb")

    def check_objects(self, manifest: Manifest, raw_manifest: bytes, events: list[dict[str, Any]]
                      ) -> tuple[list[Problem], dict[str, Any] | None]:
        return [], None

    def append_event(self, *, event: str, actor: str | None, details: dict[str, Any], signer: Signer,
                     lock: LockPolicy | None = None) -> str:
        if not (self.folder / MANIFEST).is_file():
            raise StoreError(f"{self.folder} has no {MANIFEST}: the bundle was not sealed")
        return append_event(self.folder, event=event, actor=actor, details=details, signer=signer)


class LocalStore:
    capabilities = CAPABILITIES
    lock = None
    last_upload = None  # commit only accepts folders already in the store: nothing is uploaded

    def __init__(self, root: Path) -> None:
        self.root = root
        self.location = str(root)

    def check(self) -> None:
        check_writable_folder(self.root, "store")

    def prepare(self, bundle_id: str) -> Path:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create store {self.root}: {exc.strerror}") from None
        start_ledger(self.root)
        folder = self.root / bundle_id
        try:
            folder.mkdir()  # exclusive: an existing bundle is never reused
        except FileExistsError:
            raise StoreError(f"bundle {bundle_id} already exists in {self.root}") from None
        return folder

    def commit(self, bundle_id: str, folder: Path) -> str:
        if folder.parent.resolve() != self.root.resolve():
            raise StoreError(f"{folder} is not inside {self.root}")
        return str(folder)

    def lock_for(self, manifest: Manifest) -> LockPolicy | None:
        return None

    def bundle_ids(self) -> Iterator[str]:
        if not self.root.is_dir():
            raise StoreUsageError(f"no such store: {self.root}")
        for child in sorted(self.root.iterdir()):
            if child.is_dir() and is_bundle_id(child.name):
                yield child.name

    def reader(self, bundle_id: str) -> LocalBundle:
        folder = self.root / bundle_id
        if not folder.is_dir():
            raise StoreUsageError(f"no bundle {bundle_id} in {self.root}")
        return LocalBundle(folder)


def local_bundle(folder: Path) -> LocalBundle:
    return LocalBundle(folder)


# A scheme, a colon and fewer than two slashes: s3:/bucket, s3:bucket, file:/x. One letter and a
# colon is a Windows drive.
MISTYPED_URI = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):(?!//)")


@hookimpl(trylast=True)
def open_store(location: str) -> Store | None:
    if "://" in location and not location.startswith("file://"):
        return None
    mistyped = MISTYPED_URI.match(location)
    if mistyped:
        scheme, rest = mistyped.group(1), location[mistyped.end():].lstrip("/")
        meant = f"/{rest}" if scheme.lower() == "file" else f"{scheme}://{rest}"
        raise StoreUsageError(f"store {location!r} looks like a mistyped URI: did you mean {meant}? "
                              f"(a folder of that name: ./{location})")
    return LocalStore(Path(location.removeprefix("file://")))


@hookimpl
def plugin_info() -> dict[str, str]:
    return {"name": "local", "kind": "storage", "description": "bundles as folders on disk"}
