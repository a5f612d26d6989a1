"""``archiver serve --cluster``: capture jobs submitted through the API of a real server run on a
real Dask scheduler's ``archiver worker`` processes, through the code ``archiver capture --cluster``
runs, while the service keeps its own records of each job and bundle."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from archiver.manifest import Manifest

from support.dask_cluster import ARCHIVER, LocalCluster
from support.service import ARTICLE, Service, new_service, wait_for

pytestmark = [pytest.mark.cluster, pytest.mark.browser]
PAGES = [f"{ARTICLE}?n={n}" for n in range(3)]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    running = LocalCluster(tmp_path_factory.mktemp("cluster")).start()
    try:
        running.add_worker()
        running.add_worker()
        running.wait_for_capture_workers(2)
        yield running
    finally:
        running.stop()


@pytest.fixture
def service(cluster: LocalCluster, tmp_path: Path, tls_args: list[str]) -> Iterator[Service]:
    running = new_service(tmp_path, [("alice", "analyst", "CASE-42")],
                          ["--workers", "3", "--cluster", cluster.address, *tls_args])
    running.start()
    yield running
    running.stop()


def test_jobs_run_on_the_cluster_workers_and_the_service_records_them(service: Service,
                                                                      cluster: LocalCluster) -> None:
    with service.client() as api:
        submitted = api.post("/captures", json={"urls": PAGES, "case": "CASE-42",
                                                "options": {"settle_timeout": 2}})
        assert submitted.status_code == 201, submitted.text
        jobs = [wait_for(api, job["id"], timeout=240) for job in submitted.json()["jobs"]]
        listed = api.get("/bundles", params={"case": "CASE-42"}).json()
        detail = api.get(f"/bundles/{jobs[0]['bundle_id']}").json()
    assert [(job["state"], job["capture_status"]) for job in jobs] == [("completed", "complete")] * 3, jobs
    assert all(job["result"]["matches"] == [] for job in jobs)  # matched (an empty index) as the CLI does
    bundle_ids = {job["bundle_id"] for job in jobs}
    assert len(bundle_ids) == 3 and {item["bundle_id"] for item in listed["items"]} == bundle_ids
    for job in jobs:
        manifest = Manifest.load(service.store / job["bundle_id"] / "manifest.json")
        assert manifest.requested_url == job["url"] and manifest.operator == "alice"
        # The service's job id is the cluster task's job id: what a rerun looks the bundle up by.
        assert manifest.extra["job"] == {"id": job["id"], "cluster": cluster.address,
                                         "plaintext_cluster_allowed": False}
    assert [event["actor"] for event in detail["custody"]["events"]][:1] == ["alice"]
    verified = subprocess.run([ARCHIVER, "verify", *(str(service.store / b) for b in sorted(bundle_ids))],
                              capture_output=True, text=True, timeout=120)
    assert verified.returncode == 0, verified.stdout + verified.stderr
