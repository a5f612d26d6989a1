"""A capture as a task of a cluster batch: what travels to the worker, and what runs there.

When a worker dies mid-capture, or after sealing a bundle but before its result reached the
client, the scheduler runs the task again elsewhere. The batch must still end with one bundle
per URL, so a task that is not the first attempt of its job first looks in the store for a
complete bundle whose manifest records the same job id, and returns that one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archiver.bundle import MANIFEST
from archiver.capture_types import CaptureRequest, CaptureResult
from archiver.faults import reach
from archiver.hashing import hash_bytes
from archiver.ids import bundle_id_time_ms, is_bundle_id
from archiver.manifest import Manifest, ManifestError
from archiver.problem import OK, UNPROTECTED
from archiver.settings import CaptureSettings
from archiver.storage.base import StoreError

if TYPE_CHECKING:
    from archiver.secrets import LoginMaterial
    from archiver.storage.base import BundleReader, Store

WORKER_PLUGIN = "archiver"
MAX_MANIFEST = 64 * 1024 * 1024
# Workers' clocks may run behind the client's: bundles this much older than the batch are still
# looked at for a rerun's job.
CLOCK_SKEW_MS = 10 * 60 * 1000


class Logins:
    """Login material on its way to a worker: its repr never shows a value (Dask may print task
    arguments in logs and on its dashboard)."""

    def __init__(self, by_platform: dict[str, LoginMaterial]) -> None:
        self.by_platform = by_platform

    def __repr__(self) -> str:
        return "<login material withheld>"

    def any(self) -> bool:
        return any(material.playwright_state() for material in self.by_platform.values())


@dataclass(frozen=True, repr=False)
class CaptureJob:
    request: CaptureRequest  # with its ``job`` set
    settings: CaptureSettings
    store: str  # the store's location, reachable from every worker
    store_options: dict[str, Any]
    key_name: str
    disabled_plugins: tuple[str, ...]
    batch_started_ms: int
    logins: Logins = field(default_factory=lambda: Logins({}))

    @property
    def job_id(self) -> str:
        assert self.request.job is not None
        return self.request.job.id

    def __repr__(self) -> str:  # no URL, setting or secret in a task's description
        return f"CaptureJob({self.job_id})"


def run_capture_job(job: CaptureJob) -> CaptureResult:
    """The task: the bundle an earlier attempt of this job sealed, else a new capture."""
    from distributed import get_worker

    from archiver.engine_keeper import EngineSpec
    from archiver.worker import ArchiverWorker

    plugin = get_worker().plugins.get(WORKER_PLUGIN)
    if not isinstance(plugin, ArchiverWorker):
        raise RuntimeError("this Dask worker cannot capture: start it with 'archiver worker' or "
                           "'dask worker --preload archiver.worker'")
    store = plugin.store(job.store, job.store_options, job.disabled_plugins)
    if attempt_of(job.job_id) > 1:
        earlier = find_job_bundle(store, job.job_id, job.batch_started_ms - CLOCK_SKEW_MS)
        if earlier is not None:
            return earlier
    spec = EngineSpec(insecure=job.settings.insecure, ca_bundle=job.settings.ca_bundle,
                      key_name=job.key_name, disabled_plugins=job.disabled_plugins)
    result = plugin.keeper.capture(spec, job.request, job.settings, store, job.logins.by_platform)
    reach("cluster result")  # the bundle is stored; the client has not got its result yet
    return result


def attempt_of(job_id: str) -> int:
    """1 for a job's first run; more when the scheduler runs it again (kept by the scheduler,
    which outlives any worker)."""
    from distributed import get_client

    client = get_client()
    key = ["archiver", "attempts", job_id]
    attempt = int(client.get_metadata(key, 0)) + 1
    client.set_metadata(key, attempt)
    return attempt


def find_job_bundle(store: Store, job_id: str, since_ms: int) -> CaptureResult | None:
    """A complete bundle of the store whose manifest records ``job_id``, captured since ``since_ms``."""
    from archiver.verify import verify_bundle

    for bundle_id in store.bundle_ids():
        if not is_bundle_id(bundle_id) or bundle_id_time_ms(bundle_id) < since_ms:
            continue
        reader = store.reader(bundle_id)
        found = manifest_of(reader)
        if found is None or (found[1].extra.get("job") or {}).get("id") != job_id:
            continue
        if verify_bundle(reader, shallow=True).result in (OK, UNPROTECTED):
            return result_of(reader, *found)
    return None


def manifest_of(reader: BundleReader) -> tuple[bytes, Manifest] | None:
    try:
        if MANIFEST not in reader.list_files():
            return None  # an interrupted attempt: not a result
        with reader.open(MANIFEST) as stream:
            raw = stream.read(MAX_MANIFEST)
        return raw, Manifest.from_bytes(raw)
    except (ManifestError, OSError, StoreError):
        return None


def result_of(reader: BundleReader, raw: bytes, manifest: Manifest) -> CaptureResult:
    return CaptureResult(
        url=manifest.requested_url, bundle_id=manifest.bundle_id, status=manifest.status,
        reason=manifest.reason, platform=manifest.platform, canonical_url=manifest.canonical_url,
        location=reader.location, manifest_sha256=hash_bytes(raw), post=manifest.post,
        hint=manifest.hint,
    )
