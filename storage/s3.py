"""S3-compatible store: bundles as objects under ``s3://bucket/prefix/<bundle_id>/<relpath>``.

Captures are written to a local spool folder first (``$ARCHIVER_SPOOL`` or
``~/.cache/evidence-archiver/spool``) and uploaded on commit, every file before
``manifest.json``; the spool copy is removed once the committed bundle is checked, and kept
when anything fails, so ``archiver push`` can resume. Credentials come from boto3's standard
chain (environment, ``~/.aws``, ``AWS_PROFILE``); ``AWS_ENDPOINT_URL`` or ``endpoint_url``
points it at an S3-compatible server.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from archiver import hookimpl
from archiver.atomic import is_temp
from archiver.bundle import MANIFEST
from archiver.hashing import hash_file
from archiver.ids import is_bundle_id
from archiver.manifest import Manifest, ManifestError
from archiver.storage.base import (
    Store,
    StoreCapabilities,
    StoreError,
    StoreUsageError,
    UploadCounts,
    check_writable_folder,
)
from archiver.storage.lock import LockPolicy, lock_of_manifest
from archiver.storage.s3_cli import lock_from_options, options_for
from archiver.storage.s3_cli import store as store_command
from archiver.storage.s3_errors import errors, is_missing
from archiver.storage.s3_upload import (
    META_BUNDLE,
    META_SHA256,
    PART_SIZE,
    SINGLE_PUT_MAX,
    put_new,
    relock,
    upload_file,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from archiver.storage.s3_reader import S3Bundle
else:
    S3Client = Any

SCHEME = "s3://"
# Version history and server-side checksums are checked by verify (S3Bundle.check_objects);
# a bucket without versioning is reported there, not assumed away here.
CAPABILITIES = StoreCapabilities(object_lock=True, version_history=True, server_side_checksums=True,
                                 resumable_upload=True)
SPOOL_ENV = "ARCHIVER_SPOOL"
__all__ = ["META_BUNDLE", "META_SHA256", "S3Store", "parse_location"]


def default_spool() -> Path:
    configured = os.environ.get(SPOOL_ENV)
    if configured:
        return Path(configured)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "evidence-archiver" / "spool"


def parse_location(location: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` -> (``bucket``, ``some/prefix``); the prefix may be empty."""
    if not location.startswith(SCHEME):
        raise StoreUsageError(f"not an S3 location: {location!r} (expected s3://bucket/prefix)")
    bucket, _, prefix = location[len(SCHEME):].partition("/")
    if not bucket:
        raise StoreUsageError(f"no bucket in {location!r} (expected s3://bucket/prefix)")
    return bucket, prefix.strip("/")


class S3Store:
    capabilities = CAPABILITIES
    single_put_max = SINGLE_PUT_MAX  # larger files go up in parts (tests lower both)
    part_size = PART_SIZE

    def __init__(self, location: str, endpoint_url: str | None = None, *, spool: Path | None = None,
                 client: S3Client | None = None, lock: LockPolicy | None = None) -> None:
        self.bucket, self.prefix = parse_location(location)
        # s3://bucket/prefix/<bundle-id> (what push prints) names one bundle of s3://bucket/prefix
        parent, _, last = self.prefix.rpartition("/")
        self.only = last if is_bundle_id(last) else None
        if self.only:
            self.prefix = parent
        self.location = f"{SCHEME}{self.bucket}/{self.prefix}".rstrip("/")
        self.endpoint_url = endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
        self.spool = spool or default_spool()
        self.lock = lock  # asked for by options; a manifest's own record takes precedence
        self._client = client
        self._lock_checked = False
        self._hooks = threading.Lock()
        self._asks_for_checksums = False
        self.last_upload: UploadCounts | None = None

    @property
    def client(self) -> S3Client:
        if self._client is None:
            import boto3
            from botocore.config import Config
            from botocore.exceptions import BotoCoreError

            config = Config(
                retries={"mode": "standard", "max_attempts": 5},
                connect_timeout=10, read_timeout=60, max_pool_connections=32,
                # We hash every byte we read ourselves and compare the stored checksum with the
                # manifest; botocore's own check would hash every download a second time.
                response_checksum_validation="when_required",
                s3={"addressing_style": "path"} if self.endpoint_url else {},
            )
            try:
                self._client = boto3.session.Session().client(
                    "s3", endpoint_url=self.endpoint_url, config=config)
            except BotoCoreError as exc:  # ProfileNotFound, bad region or endpoint...
                raise StoreError(f"cannot set up S3 access: {' '.join(str(exc).split())}") from None
            except ValueError:  # botocore's "Invalid endpoint"
                raise StoreUsageError(f"not a usable S3 endpoint URL: {self.endpoint_url!r}") from None
        return self._client

    def reading_client(self) -> S3Client:
        """The client, with GETs asking for the stored checksum (see s3_reader.ask_for_checksums)."""
        from archiver.storage.s3_reader import ask_for_checksums

        client = self.client
        with self._hooks:  # threads of `verify --workers` share this client
            if not self._asks_for_checksums:  # a client shared with another store may ask twice: harmless
                client.meta.events.register("before-sign.s3.GetObject", ask_for_checksums)
                self._asks_for_checksums = True
        return client

    def errors(self, action: str) -> Any:
        return errors(self, action)

    def key(self, bundle_id: str, relpath: str = "") -> str:
        return "/".join(part for part in (self.prefix, bundle_id, relpath) if part)

    def bundle_location(self, bundle_id: str) -> str:
        return f"{self.location}/{bundle_id}"

    def head(self, key: str) -> dict[str, Any] | None:
        """The object's headers (with its stored checksum and lock), or None when there is none."""
        from botocore.exceptions import ClientError

        with self.errors(f"checking {key}"):
            try:
                return cast(dict[str, Any], self.client.head_object(
                    Bucket=self.bucket, Key=key, ChecksumMode="ENABLED"))
            except ClientError as exc:
                if is_missing(exc):
                    return None
                raise

    def list_keys(self, prefix: str) -> dict[str, int]:
        found: dict[str, int] = {}
        with self.errors(f"listing {SCHEME}{self.bucket}/{prefix}"):
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    found[item["Key"]] = int(item["Size"])
        return found

    def require_object_lock(self, lock: LockPolicy) -> None:
        """Fail clearly, before anything is uploaded, when the bucket cannot lock objects."""
        from archiver.storage.s3_bucket import object_lock_enabled

        if self._lock_checked:
            return
        if object_lock_enabled(self) is False:
            raise StoreError(f"bucket {self.bucket} does not have Object Lock enabled, so {lock.describe()} "
                             f"cannot be applied; create a bucket with `archiver store init "
                             f"s3://BUCKET --object-lock`")
        self._lock_checked = True

    def check(self) -> None:
        """Credentials, bucket and endpoint answer, and the spool is writable; nothing is created.

        A listing rather than HEAD: its errors say why (a bad key, no such bucket).
        """
        check_writable_folder(self.spool, "spool folder")
        with self.errors(f"checking {self.location}"):
            self.client.list_objects_v2(Bucket=self.bucket, Prefix=f"{self.prefix}/" if self.prefix else "",
                                        MaxKeys=1)
        if self.lock is not None:
            self.require_object_lock(self.lock)

    def lock_for(self, manifest: Manifest) -> LockPolicy | None:
        recorded = lock_of_manifest(manifest)
        if recorded is not None and self.lock is not None and recorded != self.lock:
            raise StoreUsageError(f"the manifest already records {recorded.describe()}; "
                                  f"it cannot be changed to {self.lock.describe()}")
        return recorded or self.lock

    # -- the Store protocol -----------------------------------------------------------------------

    def prepare(self, bundle_id: str) -> Path:
        folder = self.spool / bundle_id
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            folder.mkdir()  # exclusive: a spool folder is never reused
        except FileExistsError:
            raise StoreError(f"bundle {bundle_id} already exists in the spool {self.spool}") from None
        except OSError as exc:
            raise StoreError(f"cannot create spool folder {folder}: {exc.strerror}") from None
        return folder

    def commit(self, bundle_id: str, folder: Path) -> str:
        """Upload every file, then manifest.json; resumable, never over a committed bundle."""
        manifest_bytes, manifest = read_manifest(folder, bundle_id)
        lock = self.lock_for(manifest)
        manifest_key = self.key(bundle_id, MANIFEST)
        # A listing first: unlike HEAD, its errors say why (bad key, no such bucket...).
        stored = self.list_keys(self.key(bundle_id) + "/")
        if manifest_key in stored:
            raise StoreUsageError(f"bundle {bundle_id} is already committed at "
                                  f"{self.bundle_location(bundle_id)}; nothing was overwritten")
        if lock is not None:
            self.require_object_lock(lock)
        listed = {entry.path: entry for entry in manifest.artifacts}
        files = sorted(p for p in folder.rglob("*")
                       if p.is_file() and p.name != MANIFEST and not is_temp(p.name))
        uploaded = skipped = 0
        for path in files:
            relpath = path.relative_to(folder).as_posix()
            digest, size = hash_file(path)
            entry = listed.get(relpath)
            if entry is not None and (entry.sha256 != digest or entry.size != size):
                raise StoreUsageError(f"{path} does not match its manifest entry (size/sha256): "
                                      "refusing to upload a bundle that fails verification")
            key = self.key(bundle_id, relpath)
            existing = self.head(key) if stored.get(key) == size else None
            if existing is not None and existing.get("Metadata", {}).get(META_SHA256) == digest:
                relock(self, key, existing, lock)  # an object an earlier, unlocked try left behind
                skipped += 1
                continue
            upload_file(self, bundle_id, path, key, digest, size, lock)
            uploaded += 1
        put_new(self, bundle_id, manifest_key, manifest_bytes, lock, committed_error=StoreUsageError(
            f"bundle {bundle_id} was committed by someone else meanwhile at "
            f"{self.bundle_location(bundle_id)}; nothing was overwritten"))
        self.check_committed(bundle_id, folder, [*files, folder / MANIFEST])
        self.last_upload = UploadCounts(uploaded=uploaded + 1, skipped=skipped)
        self.release_spool(folder)
        return self.bundle_location(bundle_id)

    def check_committed(self, bundle_id: str, folder: Path, files: list[Path]) -> None:
        stored = self.list_keys(self.key(bundle_id) + "/")
        for path in files:
            key = self.key(bundle_id, path.relative_to(folder).as_posix())
            if stored.get(key) != path.stat().st_size:
                raise StoreError(f"{key} is missing or has the wrong size after the upload")

    def release_spool(self, folder: Path) -> None:
        """Remove a spool copy once committed; a folder the user pushed from is never touched."""
        if folder.resolve().parent == self.spool.resolve():
            shutil.rmtree(folder, ignore_errors=True)

    def bundle_ids(self) -> Iterator[str]:
        base = f"{self.prefix}/" if self.prefix else ""
        ids: list[str] = []
        with self.errors(f"listing {self.location}"):
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=base, Delimiter="/"):
                for common in page.get("CommonPrefixes", []):
                    name = common["Prefix"][len(base):].rstrip("/")
                    if is_bundle_id(name) and self.only in (None, name):
                        ids.append(name)
        yield from sorted(ids)

    def reader(self, bundle_id: str) -> S3Bundle:
        from archiver.storage.s3_reader import S3Bundle

        if not is_bundle_id(bundle_id):
            raise StoreUsageError(f"not a bundle id: {bundle_id!r}")
        return S3Bundle(self, bundle_id)


def read_manifest(folder: Path, bundle_id: str) -> tuple[bytes, Manifest]:
    manifest_path = folder / MANIFEST
    try:
        manifest_bytes = manifest_path.read_bytes()
        manifest = Manifest.from_bytes(manifest_bytes)
    except FileNotFoundError:
        raise StoreUsageError(f"{folder} has no {MANIFEST}: not a finished bundle") from None
    except (OSError, ManifestError) as exc:
        raise StoreUsageError(f"cannot read {manifest_path}: {' '.join(str(exc).split())}") from None
    if manifest.bundle_id != bundle_id:
        raise StoreUsageError(f"{manifest_path} belongs to bundle {manifest.bundle_id}, not {bundle_id}")
    return manifest_bytes, manifest


@hookimpl
def store_options(command: str) -> list[click.Option]:
    return options_for(command)


@hookimpl
def open_store(location: str, options: Mapping[str, Any]) -> Store | None:
    lock = lock_from_options(options)
    if location.startswith(SCHEME):
        return S3Store(location, endpoint_url=options.get("endpoint_url"), lock=lock)
    if lock is not None:  # rather than store the bundle unlocked where no S3 server can lock it
        raise StoreUsageError("--retain-days/--legal-hold need an s3:// store with Object Lock, "
                              f"not {location}")
    return None


@hookimpl
def register_commands(cli: click.Group) -> None:
    cli.add_command(store_command)


@hookimpl
def plugin_info() -> dict[str, str]:
    return {"name": "s3", "kind": "storage",
            "description": "bundles as objects in an S3-compatible bucket (s3://bucket/prefix)"}
