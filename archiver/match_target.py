"""What ``archiver match`` is asked about, as a query: an image or video file, a bundle (its
folder, or its id in the store), or one hash given as ``TYPE:VALUE``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archiver.bank_signals import normalised, signal_type_of
from archiver.bundle import MANIFEST
from archiver.bundle_signals import (
    ArtifactSignals,
    BundleSignals,
    bundle_signals,
    file_signals,
    read_manifest,
)
from archiver.errors import ArchiverError
from archiver.ids import is_bundle_id
from archiver.matcher import Query, excerpt
from archiver.storage.base import BundleReader, Store
from archiver.storage.local import local_bundle

HASH_TYPES = ("pdq", "md5", "sha256", "sha512")
GIVEN = "--hash"  # the artifact name of a hash given alone


@dataclass(frozen=True)
class Target:
    kind: str  # image, video, bundle, hash
    name: str
    query: Query

    def record(self) -> dict[str, Any]:
        return {"target": self.name, "kind": self.kind, "bundle_id": self.query.bundle_id,
                "artifacts": [{"path": item.path, "kind": item.kind, "pdq": item.pdq, "quality": item.quality,
                               "frames": None if item.frames is None else len(item.frames), **item.digests}
                              for item in self.query.artifacts],
                "text": excerpt(self.query.text) if self.query.text else None}


def hash_target(given: str) -> Target:
    kind, sep, value = given.partition(":")
    try:
        signal_type = signal_type_of(kind) if sep else ""
        if signal_type not in HASH_TYPES:
            raise ValueError(f"--hash is TYPE:VALUE with TYPE one of {', '.join(HASH_TYPES)}, not {given!r}")
        value = normalised(signal_type, value)
    except ValueError as exc:
        raise ArchiverError(str(exc)) from None
    item = (ArtifactSignals(GIVEN, "hash", pdq=value) if signal_type == "pdq"
            else ArtifactSignals(GIVEN, "hash", {signal_type: value}))
    return Target("hash", given, Query((item,)))


def path_target(target: str, store: Store) -> Target:
    """A file or bundle folder at ``target``, else the bundle of that id in ``store``."""
    path = Path(target)
    if path.is_dir():
        return bundle_target(local_bundle(path), target)
    if path.is_file():
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ArchiverError(f"cannot read {target}: {exc.strerror}") from None
        item = file_signals(path.name, data)
        if item is None:
            raise ArchiverError(f"{target} is neither an image nor a video this tool can read")
        return Target(item.kind, target, Query((item,)))
    if is_bundle_id(target):
        return bundle_target(store.reader(target), target)
    raise ArchiverError(f"no such file, folder or bundle: {target}")


def bundle_target(reader: BundleReader, name: str) -> Target:
    if MANIFEST not in reader.list_files():
        raise ArchiverError(f"{name} is not a sealed bundle (it has no {MANIFEST})")
    return Target("bundle", name, bundle_query(bundle_signals(reader, read_manifest(reader))))


def bundle_query(signals: BundleSignals) -> Query:
    return Query(signals.artifacts, signals.text, signals.text_signature, signals.bundle_id)
