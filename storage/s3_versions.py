"""A bundle's version history in the bucket: objects deleted, replaced or removed since they were written.

Object Lock keeps each locked *version*, but anyone who may write can still put a delete marker
over a key or a new version on top of it. The current listing then simply lacks, say, the last
custody events, and a truncated custody log checks out as a shorter, intact chain. The version
listing still shows what happened. Archiver writes every key of a bundle exactly once (the
manifest and custody events with ``If-None-Match: *``, resumed uploads skip what is stored), so a
second version or any delete marker is a change made by someone else.

A bucket without versioning keeps no history (every version id is ``null``): a deleted object
leaves no trace there at all, and that is reported rather than passed over in silence.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from archiver.clock import utc_seconds
from archiver.problem import TAMPERED, UNPROTECTED, Problem
from archiver.storage.s3_errors import code_of

if TYPE_CHECKING:
    from archiver.storage.s3 import S3Store

KIND = "s3-versions"
# Servers or identities that do not give out the version history (R2, no s3:ListBucketVersions...).
NO_HISTORY_CODES = ("AccessDenied", "NotImplemented", "MethodNotAllowed", "InvalidRequest", "InvalidArgument")
UNDETECTABLE = "a deleted object (such as the last custody events) would leave no trace, so truncation " \
               "cannot be detected"


def version_problems(store: S3Store, base: str) -> tuple[list[Problem], dict[str, Any]]:
    """What the version history under ``base`` (``prefix/<bundle-id>/``) shows; one paginated listing."""
    from botocore.exceptions import ClientError

    versions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    markers: dict[str, list[dict[str, Any]]] = defaultdict(list)
    where = f"s3://{store.bucket}/{base}"
    with store.errors(f"listing the versions of {where}"):
        try:
            paginator = store.client.get_paginator("list_object_versions")
            for page in paginator.paginate(Bucket=store.bucket, Prefix=base):
                for item in page.get("Versions", []):
                    versions[item["Key"][len(base):]].append(item)
                for item in page.get("DeleteMarkers", []):
                    markers[item["Key"][len(base):]].append(item)
        except ClientError as exc:
            if code_of(exc) not in NO_HISTORY_CODES:
                raise
            detail = f"the version history could not be read ({code_of(exc)}): {UNDETECTABLE}"
            return [Problem(KIND, where, detail, UNPROTECTED)], {"objects": None, "unversioned": None,
                                                                 "changed": None}
    problems: list[Problem] = []
    for relpath in sorted({*versions, *markers}):
        happened = what_happened(versions[relpath], markers[relpath])
        if happened:
            problems.append(Problem(KIND, relpath, happened, TAMPERED))
    unversioned = sum(1 for found in versions.values() if any(is_null(v) for v in found))
    if unversioned:
        problems.append(Problem(KIND, where, f"{unversioned} objects were stored without versioning (version "
                                f"id null), so {UNDETECTABLE}; keep evidence in a versioned bucket "
                                "(archiver store init)", UNPROTECTED))
    changed = sum(1 for problem in problems if problem.verdict == TAMPERED)
    return problems, {"objects": len(versions), "unversioned": unversioned, "changed": changed}


def what_happened(versions: list[dict[str, Any]], markers: list[dict[str, Any]]) -> str | None:
    """One key's history in words; None when it is what archiver wrote: one version, no marker."""
    found = []
    if markers:
        last = max(markers, key=written)
        deleted = f"deleted (delete marker {last.get('VersionId')} of {when(last)})"
        if not versions:
            found.append(f"{deleted}; no version of it is left: the version it hid was removed")
        elif last.get("IsLatest"):
            found.append(deleted)
        else:
            found.append(f"{deleted}, then written again")
        if len(markers) > 1:
            found.append(f"{len(markers)} delete markers")
    if len(versions) > 1:
        current = next((v for v in versions if v.get("IsLatest")), max(versions, key=written))
        found.append(f"replaced: {len(versions)} versions, the current one written {when(current)}")
    return "; ".join(found) or None


def is_null(item: dict[str, Any]) -> bool:
    return item.get("VersionId") in (None, "", "null")


def written(item: dict[str, Any]) -> datetime:
    moment: datetime = item["LastModified"]
    return moment


def when(item: dict[str, Any]) -> str:
    moment = item.get("LastModified")
    return utc_seconds(moment) if isinstance(moment, datetime) else "an unknown time"
