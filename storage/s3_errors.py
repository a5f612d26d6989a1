"""boto3 failures as one-line StoreErrors that never carry a credential."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from archiver.storage.base import StoreError

if TYPE_CHECKING:
    from archiver.storage.s3 import S3Store

MISSING_CODES = ("404", "NoSuchKey", "NotFound")
CONFLICT_CODES = ("PreconditionFailed", "ConditionalRequestConflict")
UNSUPPORTED_CODES = ("NotImplemented", "InvalidArgument", "InvalidRequest")


def code_of(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def is_missing(exc: Any) -> bool:
    return code_of(exc) in MISSING_CODES


def one_line(text: str) -> str:
    return " ".join(str(text).split())


@contextmanager
def errors(store: S3Store, action: str) -> Iterator[None]:
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
        raise StoreError(unreachable(store, action)) from None
    except ClientError as exc:
        raise StoreError(describe(store, exc, action)) from None
    except S3UploadFailedError as exc:
        cause = exc.__context__
        if isinstance(cause, ClientError):
            raise StoreError(describe(store, cause, action)) from None
        if isinstance(cause, ConnectionError):
            raise StoreError(unreachable(store, action)) from None
        raise StoreError(f"S3 upload failed while {action}") from None
    except BotoCoreError as exc:
        raise StoreError(f"S3 failure while {action}: {one_line(type(exc).__name__)}") from None


def unreachable(store: S3Store, action: str) -> str:
    return f"cannot reach {store.endpoint_url or 'the S3 endpoint'} while {action}"


def describe(store: S3Store, exc: Any, action: str) -> str:
    code = code_of(exc)
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if code == "InvalidAccessKeyId":
        return f"S3 rejected the access key (InvalidAccessKeyId) while {action}"
    if code == "SignatureDoesNotMatch":
        return f"S3 rejected the secret key (SignatureDoesNotMatch) while {action}"
    if code in ("ExpiredToken", "InvalidToken", "TokenRefreshRequired"):
        return f"S3 rejected the session token ({code}) while {action}"
    if code == "NoSuchBucket":
        return f"no such bucket: {store.bucket}"
    if code in ("ObjectLockConfigurationNotFoundError", "InvalidBucketState"):
        return f"bucket {store.bucket} does not have Object Lock enabled ({code}) while {action}"
    if code in ("AccessDenied", "AllAccessDisabled", "403") or status == 403:
        return f"access denied to {store.location} while {action}"
    message = one_line(exc.response.get("Error", {}).get("Message", "")) or "no details"
    return f"S3 error {code or status} while {action}: {message}"
