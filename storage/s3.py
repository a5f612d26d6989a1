"""S3-compatible store: bundles as objects under ``s3://bucket/prefix/<bundle_id>/<relpath>``.

Captures are written to a local spool folder first (``$ARCHIVER_SPOOL`` or
``~/.cache/evidence-archiver/spool``) and uploaded on commit, every file before
``manifest.json``, so a failed upload loses nothing and ``archiver push`` resumes it.
Credentials come from boto3's standard chain (environment, ``~/.aws``, ``AWS_PROFILE``);
``AWS_ENDPOINT_URL`` or ``endpoint_url`` points it at an S3-compatible server.
"""

from __future__ import annotations

import base64
import io
import json
import mimetypes
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from archiver import hookimpl
from archiver.bundle import MANIFEST
from archiver.hashing import hash_bytes, hash_file, unlabel
from archiver.ids import is_bundle_id
from archiver.storage.base import Store, StoreError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
else:
    S3Client = Any

SCHEME = "s3://"
SPOOL_ENV = "ARCHIVER_SPOOL"
MANIFEST_TEMP = f".{MANIFEST}.tmp"
META_BUNDLE = "bundle-id"
META_SHA256 = "artifact-sha256"
# Multipart above 64 MiB, 16 MiB parts, 4 threads: at most ~64 MiB of parts in memory at once.
MULTIPART_THRESHOLD = 64 * 1024 * 1024
MULTIPART_CHUNK = 16 * 1024 * 1024
MAX_CONCURRENCY = 4
READ_CHUNK = 1024 * 1024


def default_spool() -> Path:
    configured = os.environ.get(SPOOL_ENV)
    if configured:
        return Path(configured)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "evidence-archiver" / "spool"


def parse_location(location: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` -> (``bucket``, ``some/prefix``); the prefix may be empty."""
    if not location.startswith(SCHEME):
        raise StoreError(f"not an S3 location: {location!r} (expected s3://bucket/prefix)")
    bucket, _, prefix = location[len(SCHEME):].partition("/")
    if not bucket:
        raise StoreError(f"no bucket in {location!r} (expected s3://bucket/prefix)")
    return bucket, prefix.strip("/")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class S3Store:
    def __init__(self, location: str, endpoint_url: str | None = None, *,
                 spool: Path | None = None, client: S3Client | None = None) -> None:
        self.bucket, self.prefix = parse_location(location)
        self.location = f"{SCHEME}{self.bucket}/{self.prefix}".rstrip("/")
        self.endpoint_url = endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
        self.spool = spool or default_spool()
        self._client = client
        self.last_commit: dict[str, int] = {}

    # -- plumbing ---------------------------------------------------------------------------------

    @property
    def client(self) -> S3Client:
        if self._client is None:
            import boto3
            from botocore.config import Config
            from botocore.exceptions import BotoCoreError

            config = Config(
                retries={"mode": "standard", "max_attempts": 5},
                connect_timeout=10, read_timeout=60,
                s3={"addressing_style": "path"} if self.endpoint_url else {},
            )
            try:
                self._client = boto3.session.Session().client(
                    "s3", endpoint_url=self.endpoint_url, config=config)
            except BotoCoreError as exc:  # ProfileNotFound, bad region or endpoint...
                raise StoreError(f"cannot set up S3 access: {_one_line(str(exc))}") from None
        return self._client

    def key(self, bundle_id: str, relpath: str = "") -> str:
        return "/".join(part for part in (self.prefix, bundle_id, relpath) if part)

    def bundle_location(self, bundle_id: str) -> str:
        return f"{self.location}/{bundle_id}"

    @contextmanager
    def errors(self, action: str) -> Iterator[None]:
        """Turn boto3 failures into one-line StoreErrors that never carry a credential."""
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import (
            BotoCoreError,
            ClientError,
            ConnectionError,
            NoCredentialsError,
            PartialCredentialsError,
        )

        try:
            yield
        except StoreError:
            raise
        except (NoCredentialsError, PartialCredentialsError):
            raise StoreError("no S3 credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                             "use ~/.aws/credentials or AWS_PROFILE") from None
        except ConnectionError:
            where = self.endpoint_url or "the S3 endpoint"
            raise StoreError(f"cannot reach {where} while {action}") from None
        except ClientError as exc:
            raise StoreError(self.describe(exc, action)) from None
        except S3UploadFailedError as exc:
            cause = exc.__context__
            if isinstance(cause, ClientError):
                raise StoreError(self.describe(cause, action)) from None
            raise StoreError(f"S3 upload failed while {action}") from None
        except BotoCoreError as exc:
            raise StoreError(f"S3 failure while {action}: {_one_line(type(exc).__name__)}") from None

    def describe(self, exc: Any, action: str) -> str:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code == "InvalidAccessKeyId":
            return f"S3 rejected the access key (InvalidAccessKeyId) while {action}"
        if code == "SignatureDoesNotMatch":
            return f"S3 rejected the secret key (SignatureDoesNotMatch) while {action}"
        if code in ("ExpiredToken", "InvalidToken", "TokenRefreshRequired"):
            return f"S3 rejected the session token ({code}) while {action}"
        if code == "NoSuchBucket":
            return f"no such bucket: {self.bucket}"
        if code in ("AccessDenied", "AllAccessDisabled", "403") or status == 403:
            return f"access denied to {self.location} while {action}"
        message = _one_line(error.get("Message", "")) or "no details"
        return f"S3 error {code or status} while {action}: {message}"

    def head(self, key: str) -> dict[str, Any] | None:
        """The object's headers (with its stored checksum when the server keeps one), or None."""
        from botocore.exceptions import ClientError

        with self.errors(f"checking {key}"):
            try:
                return cast(dict[str, Any], self.client.head_object(
                    Bucket=self.bucket, Key=key, ChecksumMode="ENABLED"))
            except ClientError as exc:
                code = str(exc.response.get("Error", {}).get("Code", ""))
                if code in ("404", "NoSuchKey", "NotFound"):
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
        manifest_path = folder / MANIFEST
        try:
            manifest_bytes = manifest_path.read_bytes()
            manifest = json.loads(manifest_bytes)
        except FileNotFoundError:
            raise StoreError(f"{folder} has no {MANIFEST}: not a finished bundle") from None
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot read {manifest_path}: {_one_line(str(exc))}") from None
        if manifest.get("bundle_id") != bundle_id:
            raise StoreError(f"{manifest_path} belongs to bundle {manifest.get('bundle_id')}, "
                             f"not {bundle_id}")
        listed = {entry["path"]: entry for entry in manifest.get("artifacts", [])}
        manifest_key = self.key(bundle_id, MANIFEST)
        if self.head(manifest_key) is not None:
            raise StoreError(f"bundle {bundle_id} is already committed at {self.bundle_location(bundle_id)}; "
                             "nothing was overwritten")
        files = sorted(p for p in folder.rglob("*")
                       if p.is_file() and p.name not in (MANIFEST, MANIFEST_TEMP))
        stored = self.list_keys(self.key(bundle_id) + "/")
        uploaded = skipped = 0
        for path in files:
            relpath = path.relative_to(folder).as_posix()
            digest, size = hash_file(path)
            entry = listed.get(relpath)
            if entry is not None and (entry.get("sha256") != digest or entry.get("size") != size):
                raise StoreError(f"{path} does not match its manifest entry (size/sha256): refusing to "
                                 "upload a bundle that fails verification")
            key = self.key(bundle_id, relpath)
            if stored.get(key) == size:
                existing = self.head(key)
                if existing is not None and existing.get("Metadata", {}).get(META_SHA256) == digest:
                    skipped += 1
                    continue
            self.upload_file(bundle_id, path, key, digest, size)
            uploaded += 1
        self.put_manifest(bundle_id, manifest_key, manifest_bytes)
        self.last_commit = {"uploaded": uploaded + 1, "skipped": skipped}
        return self.bundle_location(bundle_id)

    def upload_file(self, bundle_id: str, path: Path, key: str, digest: str, size: int) -> None:
        from boto3.s3.transfer import TransferConfig

        extra: dict[str, Any] = {
            "ChecksumAlgorithm": "SHA256",
            "Metadata": {META_BUNDLE: bundle_id, META_SHA256: digest},
            "ContentType": mimetypes.guess_type(path.name)[0] or "application/octet-stream",
        }
        if size < MULTIPART_THRESHOLD:
            # One PUT: the server checks the bytes it receives against the hash we computed.
            extra["ChecksumSHA256"] = base64.b64encode(bytes.fromhex(unlabel(digest))).decode()
        transfer = TransferConfig(multipart_threshold=MULTIPART_THRESHOLD,
                                  multipart_chunksize=MULTIPART_CHUNK, max_concurrency=MAX_CONCURRENCY)
        with self.errors(f"uploading {key}"):
            self.client.upload_file(str(path), self.bucket, key, ExtraArgs=extra, Config=transfer)
        self.check_stored(key, digest, size)

    def check_stored(self, key: str, digest: str, size: int) -> None:
        head = self.head(key)
        if head is None:
            raise StoreError(f"{key} is missing right after its upload")
        if int(head.get("ContentLength", -1)) != size:
            raise StoreError(f"{key}: stored size {head.get('ContentLength')} != {size}")
        stored = head.get("ChecksumSHA256") or ""
        whole = stored and "-" not in stored and head.get("ChecksumType", "FULL_OBJECT") == "FULL_OBJECT"
        if whole and base64.b64decode(stored).hex() != unlabel(digest):
            raise StoreError(f"{key}: the server's SHA-256 differs from the file's")

    def put_manifest(self, bundle_id: str, key: str, data: bytes) -> None:
        from botocore.exceptions import ClientError

        digest = hash_bytes(data)
        args: dict[str, Any] = {
            "Bucket": self.bucket, "Key": key, "Body": data, "ContentType": "application/json",
            "ChecksumSHA256": base64.b64encode(bytes.fromhex(unlabel(digest))).decode(),
            "Metadata": {META_BUNDLE: bundle_id, META_SHA256: digest},
        }
        committed = StoreError(f"bundle {bundle_id} was committed by someone else meanwhile at "
                               f"{self.bundle_location(bundle_id)}; nothing was overwritten")
        with self.errors(f"uploading {key}"):
            try:
                self.client.put_object(IfNoneMatch="*", **args)
            except ClientError as exc:
                code = str(exc.response.get("Error", {}).get("Code", ""))
                if code in ("PreconditionFailed", "ConditionalRequestConflict"):
                    raise committed from None
                if code not in ("NotImplemented", "InvalidArgument", "InvalidRequest"):
                    raise
                # No conditional writes on this server: check, then write (a small race remains).
                if self.head(key) is not None:
                    raise committed from None
                self.client.put_object(**args)
        self.check_stored(key, digest, len(data))

    def bundle_ids(self) -> Iterator[str]:
        base = f"{self.prefix}/" if self.prefix else ""
        ids: list[str] = []
        with self.errors(f"listing {self.location}"):
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=base, Delimiter="/"):
                for common in page.get("CommonPrefixes", []):
                    name = common["Prefix"][len(base):].rstrip("/")
                    if is_bundle_id(name):
                        ids.append(name)
        yield from sorted(ids)

    def reader(self, bundle_id: str) -> S3Bundle:
        if not is_bundle_id(bundle_id):
            raise StoreError(f"not a bundle id: {bundle_id!r}")
        return S3Bundle(self, bundle_id)


class _Body(io.RawIOBase):
    """A get_object body read in chunks; transport failures surface as OSError."""

    def __init__(self, body: Any, key: str) -> None:
        self._body = body
        self._key = key

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        from botocore.exceptions import BotoCoreError

        view = memoryview(buffer).cast("B")
        try:
            data = self._body.read(min(len(view), READ_CHUNK))
        except BotoCoreError as exc:
            raise OSError(f"reading {self._key} failed: {type(exc).__name__}") from None
        view[:len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


class S3Bundle:
    def __init__(self, store: S3Store, bundle_id: str) -> None:
        self.store = store
        self.bundle_id = bundle_id
        self.location = store.bundle_location(bundle_id)
        self._base = store.key(bundle_id) + "/"

    def list_files(self) -> dict[str, int]:
        keys = self.store.list_keys(self._base)
        return {key[len(self._base):]: size for key, size in sorted(keys.items()) if not key.endswith("/")}

    def open(self, relpath: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        key = self._base + relpath
        with self.store.errors(f"reading {key}"):
            try:
                response = self.store.client.get_object(Bucket=self.store.bucket, Key=key)
            except ClientError as exc:
                if str(exc.response.get("Error", {}).get("Code", "")) in ("NoSuchKey", "404"):
                    raise StoreError(f"no object {key} in {self.store.bucket}") from None
                raise
        return cast(BinaryIO, io.BufferedReader(_Body(response["Body"], key), READ_CHUNK))


@hookimpl
def open_store(location: str) -> Store | None:
    if not location.startswith(SCHEME):
        return None
    return S3Store(location)


@hookimpl
def plugin_info() -> dict[str, str]:
    return {"name": "s3", "kind": "storage",
            "description": "bundles as objects in an S3-compatible bucket (s3://bucket/prefix)"}
