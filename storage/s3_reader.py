"""Reading a bundle stored in S3: streamed objects, their stored checksums and locks, new custody events."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from archiver.bundle import MANIFEST
from archiver.custody import CUSTODY_DIR, EVENT_FILE, event_name, make_event
from archiver.hashing import hash_bytes
from archiver.keys import Signer
from archiver.manifest import Manifest
from archiver.problem import TAMPERED, UNPROTECTED, Problem
from archiver.storage.base import StoreError
from archiver.storage.lock import LockPolicy, lock_from_events, lock_of_manifest
from archiver.storage.s3_errors import is_missing
from archiver.storage.s3_lock import shortfalls
from archiver.storage.s3_upload import b64_of, put_new
from archiver.storage.s3_versions import version_problems

if TYPE_CHECKING:
    from archiver.storage.s3 import S3Store

RESERVED_SUFFIX = ".reserved"
RESERVATION_WAIT = 10.0  # how long a sequence number reserved by another writer may stay without its event


def ask_for_checksums(request: Any, **_: Any) -> None:
    """Have GET answers carry the stored checksum without botocore hashing the body a second time."""
    if "x-amz-checksum-mode" not in request.headers:  # botocore's header map would add a duplicate
        request.headers["x-amz-checksum-mode"] = "ENABLED"


def b64_or_none(labelled: Any) -> str | None:
    """The manifest's digest as S3 writes it; None when the manifest holds no usable digest."""
    try:
        return b64_of(labelled)
    except (ValueError, TypeError, AttributeError):
        return None


class _Body:
    """A get_object body as a read-only stream; transport failures become OSError.

    Only ``read``: ``hash_stream`` then hashes the bytes urllib3 returns as they are, where
    ``readinto`` (urllib3 reads, then copies) measured 15 % slower on large objects.
    """

    def __init__(self, body: Any, key: str) -> None:
        self._body = body
        self._key = key

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        from botocore.exceptions import BotoCoreError

        try:
            return bytes(self._body.read(None if size is None or size < 0 else size))
        except BotoCoreError as exc:
            raise OSError(f"reading {self._key} failed: {type(exc).__name__}") from None

    def close(self) -> None:
        self._body.close()

    def __enter__(self) -> _Body:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class S3Bundle:
    ledger_file = None  # the bucket's version history is the witness (check_objects), not a ledger

    def __init__(self, store: S3Store, bundle_id: str) -> None:
        self.store = store
        self.capabilities = store.capabilities
        self.bundle_id = bundle_id
        self.location = store.bundle_location(bundle_id)
        self._base = store.key(bundle_id) + "/"
        self._facts: dict[str, dict[str, Any]] = {}  # relpath -> headers of the version we read
        self._listed: dict[str, int] | None = None  # the last listing, for check_objects

    def list_files(self) -> dict[str, int]:
        keys = self.store.list_keys(self._base)
        self._listed = {key[len(self._base):]: size for key, size in sorted(keys.items())
                        if not key.endswith("/")}
        return self._listed

    def open(self, relpath: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        client = self.store.reading_client()
        key = self._base + relpath
        with self.store.errors(f"reading {key}"):
            try:
                response = client.get_object(Bucket=self.store.bucket, Key=key)
            except ClientError as exc:
                if is_missing(exc):
                    raise StoreError(f"no object {key} in {self.store.bucket}") from None
                raise
        self._facts[relpath] = {k: v for k, v in response.items() if k != "Body"}
        return cast(BinaryIO, _Body(response["Body"], key))

    def facts(self, relpath: str) -> dict[str, Any] | None:
        """Headers (size, checksum, lock) of the object as read, else as it is now."""
        if relpath not in self._facts:
            head = self.store.head(self._base + relpath)
            if head is None:
                return None
            self._facts[relpath] = head
        return self._facts[relpath]

    def expected_lock(self, manifest: Manifest, events: list[dict[str, Any]]) -> LockPolicy | None:
        return lock_of_manifest(manifest) or lock_from_events(events, self.location)

    def check_objects(self, manifest: Manifest, raw_manifest: bytes, events: list[dict[str, Any]]
                      ) -> tuple[list[Problem], dict[str, Any] | None]:
        """Each object's stored SHA-256 against the manifest, its lock against the one asked for, and
        the bundle's version history (deleted or replaced objects, such as a truncated custody log)."""
        expected = {entry.path: entry.sha256 for entry in manifest.artifacts}
        expected[MANIFEST] = hash_bytes(raw_manifest)
        problems: list[Problem] = []
        try:
            lock = self.expected_lock(manifest, events)
        except StoreError as exc:  # an object_lock record nobody could have written
            problems.append(Problem("object-lock", MANIFEST, str(exc), TAMPERED))
            lock = None
        compared = locked = 0
        for relpath in self._listed if self._listed is not None else self.list_files():
            head = self.facts(relpath)
            if head is None:
                continue  # deleted meanwhile: the listing check reports it
            stored = head.get("ChecksumSHA256")
            if not stored:
                problems.append(Problem("s3-checksum", relpath, "stored without a SHA-256 checksum "
                                        "(not written by archiver, or replaced since)", UNPROTECTED))
            elif "-" not in stored and relpath in expected:
                compared += 1
                if stored != b64_or_none(expected[relpath]):
                    problems.append(Problem("s3-checksum", relpath, f"the server's SHA-256 checksum "
                                            f"({stored}) is not the manifest's {expected[relpath]}"))
            if lock is not None:
                lacking = shortfalls(lock, head)
                locked += not lacking
                problems.extend(Problem("object-lock", relpath, text, UNPROTECTED) for text in lacking)
        history, versions = version_problems(self.store, self._base)
        summary = {"checksums_compared": compared, "object_lock": lock.for_manifest() if lock else None,
                   "objects_locked_as_asked": locked if lock else None, "versions": versions}
        return [*problems, *history], summary

    # -- custody events added after upload ---------------------------------------------------------

    def append_event(self, *, event: str, actor: str | None, details: dict[str, Any], signer: Signer,
                     lock: LockPolicy | None = None) -> str:
        """Add the next custody event as a new object (never rewriting one); return its path.

        The sequence number is first reserved with a conditional write of
        ``custody/<seq>.reserved``, so two writers can never both take it, whatever event each adds.
        """
        from archiver.custody import check_custody_chain

        taken = StoreError("taken")
        waited_since: float | None = None
        conflicts = 0
        while conflicts < 20:
            files = self.list_files()
            if MANIFEST not in files:
                raise StoreError(f"{self.location} has no {MANIFEST}: the bundle is not committed")
            raw_manifest = self.read(MANIFEST)
            events = {int(m.group(1)): path for path in files if (m := EVENT_FILE.match(path))}
            reserved = {int(path[len(CUSTODY_DIR) + 1:-len(RESERVED_SUFFIX)]) for path in files
                        if path.startswith(f"{CUSTODY_DIR}/") and path.endswith(RESERVED_SUFFIX)
                        and path[len(CUSTODY_DIR) + 1:-len(RESERVED_SUFFIX)].isdigit()}
            top = max([0, *events, *reserved])
            if top not in events and top in reserved:  # another writer is between its two writes
                waited_since = waited_since or time.monotonic()
                if time.monotonic() - waited_since < RESERVATION_WAIT:
                    time.sleep(0.2)
                    continue
            if lock is None:
                chain, _problems = check_custody_chain(sorted(events.values()), self.open, raw_manifest)
                lock = self.expected_lock(Manifest.from_bytes(raw_manifest), chain)
            seq = top + 1
            try:
                put_new(self.store, self.bundle_id, f"{self._base}{CUSTODY_DIR}/{seq:06d}{RESERVED_SUFFIX}",
                        b"", lock, committed_error=taken)
            except StoreError as exc:
                if exc is not taken:
                    raise
                conflicts += 1
                continue
            previous = self.read(events[max(events)]) if events else raw_manifest
            relpath = event_name(seq, event)
            data = make_event(seq=seq, event=event, actor=actor, details=details,
                              previous_sha256=hash_bytes(previous), signer=signer)
            put_new(self.store, self.bundle_id, self._base + relpath, data, lock,
                    committed_error=StoreError(f"{relpath} appeared meanwhile; nothing was overwritten"))
            return relpath
        raise StoreError(f"could not add a custody event to {self.location}: other writers kept taking "
                         "the next number")

    def read(self, relpath: str) -> bytes:
        with self.open(relpath) as stream:
            return stream.read()
