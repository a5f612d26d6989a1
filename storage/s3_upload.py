"""Writing objects: every upload carries a SHA-256 checksum the server checks, and is checked back.

Files up to 5 GiB (S3's single-PUT limit) go up in one PUT with ``x-amz-checksum-sha256`` set
to the hash we computed, so the server refuses bytes that differ and stores a full-object
SHA-256 that ``verify`` later compares with the manifest. Larger files go up in parts, each
part checksummed by the server; the resulting composite checksum is compared with one we
compute from the file.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archiver.hashing import hash_bytes, unlabel
from archiver.storage.base import StoreError
from archiver.storage.lock import LockPolicy
from archiver.storage.s3_errors import CONFLICT_CODES, UNSUPPORTED_CODES, code_of
from archiver.storage.s3_lock import put_args, shortfalls

if TYPE_CHECKING:
    from archiver.storage.s3 import S3Store

META_BUNDLE = "bundle-id"
META_SHA256 = "artifact-sha256"
SINGLE_PUT_MAX = 5 * 1024 * 1024 * 1024
PART_SIZE = 16 * 1024 * 1024  # x MAX_CONCURRENCY parts in memory at once
MAX_CONCURRENCY = 4


def b64_of(labelled: str) -> str:
    """``sha256:<hex>`` as S3 writes a SHA-256 checksum (base64 of the raw digest)."""
    return base64.b64encode(bytes.fromhex(unlabel(labelled))).decode()


def composite_of(path: Path, part_size: int) -> str:
    """S3's checksum of a multipart upload: SHA-256 over the parts' SHA-256s, then ``-<parts>``."""
    digests = []
    with path.open("rb") as stream:
        while part := stream.read(part_size):
            digests.append(hashlib.sha256(part).digest())
    return f"{base64.b64encode(hashlib.sha256(b''.join(digests)).digest()).decode()}-{len(digests)}"


def upload_file(store: S3Store, bundle_id: str, path: Path, key: str, digest: str, size: int,
                lock: LockPolicy | None) -> None:
    extra: dict[str, Any] = {
        "Metadata": {META_BUNDLE: bundle_id, META_SHA256: digest},
        "ContentType": mimetypes.guess_type(path.name)[0] or "application/octet-stream",
        **(put_args(lock) if lock else {}),
    }
    with store.errors(f"uploading {key}"):
        if size <= store.single_put_max:
            with path.open("rb") as body:
                store.client.put_object(Bucket=store.bucket, Key=key, Body=body, ContentLength=size,
                                        ChecksumSHA256=b64_of(digest), **extra)
        else:
            from boto3.s3.transfer import TransferConfig

            part = max(store.part_size, -(-size // 10_000))  # S3 allows at most 10,000 parts
            transfer = TransferConfig(multipart_threshold=store.single_put_max, multipart_chunksize=part,
                                      max_concurrency=MAX_CONCURRENCY)
            store.client.upload_file(str(path), store.bucket, key, Config=transfer,
                                     ExtraArgs={**extra, "ChecksumAlgorithm": "SHA256"})
    expected = b64_of(digest) if size <= store.single_put_max else composite_of(path, part)
    check_stored(store, key, expected, size)


def check_stored(store: S3Store, key: str, expected_checksum: str, size: int) -> None:
    head = store.head(key)
    if head is None:
        raise StoreError(f"{key} is missing right after its upload")
    if int(head.get("ContentLength", -1)) != size:
        raise StoreError(f"{key}: stored size {head.get('ContentLength')} != {size}")
    stored = head.get("ChecksumSHA256")
    if stored is None:
        raise StoreError(f"{key}: the server kept no SHA-256 checksum for the upload")
    if stored != expected_checksum:
        raise StoreError(f"{key}: the server's SHA-256 checksum {stored} differs from the file's "
                         f"{expected_checksum}")


def put_new(store: S3Store, bundle_id: str, key: str, data: bytes, lock: LockPolicy | None,
            committed_error: StoreError) -> None:
    """Create a small object that must not exist yet (``If-None-Match: *``); never overwrite."""
    from botocore.exceptions import ClientError

    digest = hash_bytes(data)
    args: dict[str, Any] = {
        "Bucket": store.bucket, "Key": key, "Body": data,
        "ContentType": "application/json" if key.endswith(".json") else "application/octet-stream",
        "ChecksumSHA256": b64_of(digest), "Metadata": {META_BUNDLE: bundle_id, META_SHA256: digest},
        **(put_args(lock) if lock else {}),
    }
    with store.errors(f"uploading {key}"):
        try:
            store.client.put_object(IfNoneMatch="*", **args)
        except ClientError as exc:
            if code_of(exc) in CONFLICT_CODES:
                raise committed_error from None
            if code_of(exc) not in UNSUPPORTED_CODES or lock is not None:
                raise
            # No conditional writes on this server: check, then write (a small race remains).
            if store.head(key) is not None:
                raise committed_error from None
            store.client.put_object(**args)
    check_stored(store, key, b64_of(digest), len(data))


def relock(store: S3Store, key: str, head: dict[str, Any], lock: LockPolicy | None) -> None:
    """Bring an object already stored (by an earlier try) up to the lock the bundle asks for."""
    if lock is None or not shortfalls(lock, head):
        return
    with store.errors(f"locking {key}"):
        version = {"VersionId": head["VersionId"]} if head.get("VersionId") else {}
        if lock.mode and lock.retain_days:
            store.client.put_object_retention(
                Bucket=store.bucket, Key=key, **version,
                Retention={"Mode": lock.mode.upper(), "RetainUntilDate": lock.retain_until()})
        if lock.legal_hold and head.get("ObjectLockLegalHoldStatus") != "ON":
            store.client.put_object_legal_hold(Bucket=store.bucket, Key=key, LegalHold={"Status": "ON"},
                                               **version)
