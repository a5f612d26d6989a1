"""Two ``archiver serve`` instances on one PostgreSQL database and one store: jobs submitted to one
are run by both, and each ends exactly once, with one bundle."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from support.postgres import postgres_server
from support.service import ARTICLE, Service, free_port, new_service, wait_for

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with postgres_server() as url:
        yield url


def test_two_instances_share_the_jobs_and_end_each_once(tmp_path_factory: pytest.TempPathFactory,
                                                         tls_args: list[str], database: str) -> None:
    first = new_service(tmp_path_factory.mktemp("pg"), [("alice", "analyst", "CASE-42")],
                        ["--workers", "1", *tls_args], db=database)
    port = free_port()
    second = Service(f"http://127.0.0.1:{port}", first.store, first.tokens,
                     ["--store", str(first.store), "--db", database, "--port", str(port), "--workers", "1", *tls_args])
    first.start()
    second.start()
    try:
        urls = [f"{ARTICLE}?n={n}" for n in range(10)]
        with first.client() as api:
            submitted = api.post("/captures", json={"urls": urls, "case": "CASE-42",
                                                    "options": {"settle_timeout": 1}}).json()["jobs"]
            jobs = [wait_for(api, job["id"], timeout=300) for job in submitted]
        with second.client() as other:  # the other instance answers for the same jobs
            assert other.get(f"/jobs/{jobs[0]['id']}").json()["state"] == "completed"
    finally:
        second.stop()
        first.stop()
    assert [(job["state"], job["attempt"], job["capture_status"]) for job in jobs] == [("completed", 1, "complete")] * 10
    assert len({job["runner"] for job in jobs}) == 2, "both instances ran jobs"
    sealed = {}
    for folder in first.store.iterdir():
        manifest = folder / "manifest.json"
        if manifest.is_file():
            sealed.setdefault(json.loads(manifest.read_text())["requested_url"], []).append(folder.name)
    assert sealed == {job["url"]: [job["bundle_id"]] for job in jobs}
