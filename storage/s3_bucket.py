"""Buckets: whether one can lock objects, and creating one that can (``archiver store init``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archiver.storage.base import StoreError, StoreUsageError
from archiver.storage.s3_errors import code_of

if TYPE_CHECKING:
    from archiver.storage.s3 import S3Store


def object_lock_enabled(store: S3Store) -> bool | None:
    """Whether the bucket has Object Lock on; None when this identity may not read that."""
    from botocore.exceptions import ClientError

    with store.errors(f"reading the Object Lock configuration of bucket {store.bucket}"):
        try:
            answer = store.client.get_object_lock_configuration(Bucket=store.bucket)
        except ClientError as exc:
            code = code_of(exc)
            if code == "ObjectLockConfigurationNotFoundError":
                return False
            if code in ("AccessDenied", "NotImplemented"):
                return None
            raise
    return bool(answer.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled") == "Enabled")


def versioning_enabled(store: S3Store) -> bool:
    with store.errors(f"reading the versioning of bucket {store.bucket}"):
        return bool(store.client.get_bucket_versioning(Bucket=store.bucket).get("Status") == "Enabled")


def init_bucket(store: S3Store, object_lock: bool) -> str:
    """Create the store's bucket, versioned, with Object Lock when asked; say what was done.

    An existing bucket is left as it is: Object Lock cannot be turned off again, so it is
    never switched on behind the user's back.
    """
    from botocore.exceptions import ClientError

    args: dict[str, Any] = {"Bucket": store.bucket}
    region = store.client.meta.region_name
    if region and region != "us-east-1":
        args["CreateBucketConfiguration"] = {"LocationConstraint": region}
    if object_lock:
        args["ObjectLockEnabledForBucket"] = True
    with store.errors(f"creating bucket {store.bucket}"):
        try:
            store.client.create_bucket(**args)
        except ClientError as exc:
            if code_of(exc) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise
            # SeaweedFS also says BucketAlreadyExists for our own bucket created with other settings.
            if code_of(exc) == "BucketAlreadyExists" and not accessible(store):
                raise StoreUsageError(f"bucket name {store.bucket} is taken by another account") from None
            return existing(store, object_lock)
        if not object_lock:
            store.client.put_bucket_versioning(Bucket=store.bucket,
                                               VersioningConfiguration={"Status": "Enabled"})
    if object_lock and object_lock_enabled(store) is False:
        raise StoreError(f"the server created bucket {store.bucket} but did not enable Object Lock on it: "
                         "it does not support Object Lock")
    features = ["versioning on" if versioning_enabled(store) else "versioning OFF (the server ignored it)"]
    if object_lock:
        features.append("Object Lock enabled")
    return f"created s3://{store.bucket} ({', '.join(features)})"


def accessible(store: S3Store) -> bool:
    from botocore.exceptions import ClientError

    try:
        store.client.head_bucket(Bucket=store.bucket)
    except ClientError:
        return False
    return True


def existing(store: S3Store, object_lock: bool) -> str:
    enabled = object_lock_enabled(store)
    if object_lock and enabled is False:
        raise StoreUsageError(f"bucket {store.bucket} already exists without Object Lock; nothing was "
                              "changed (choose a new bucket name, or enable Object Lock on it with your "
                              "provider's tools: it cannot be turned off again)")
    lock = {True: ", Object Lock enabled", False: ", no Object Lock", None: ""}[enabled]
    versioning = "versioning on" if versioning_enabled(store) else "versioning off"
    return f"bucket s3://{store.bucket} already exists ({versioning}{lock}); nothing was changed"
