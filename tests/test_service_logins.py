"""Login material uploaded with capture jobs: used for the capture, then found nowhere: not in
the job's answers, the bundle, the webhook bodies, the server's log, nor the database file once
the jobs have ended. Against a real server process; the page with Playwright in real Chromium."""

from __future__ import annotations

import gzip
import json
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from archiver.browser import LAUNCH_ARGS
from archiver.errors import ArchiverError
from archiver.keys import Signer
from archiver.secrets import LoginMaterial
from archiver.service.capture_options import CaptureBody
from archiver.service.database import Database
from archiver.service.job_logins import seal, unseal
from archiver.service.jobs import COMPLETED, JobQueue
from archiver.service.tables import Job, JobLogin, LoginUpload
from archiver.service.users import Principal, add_user

from support.postgres import postgres_server
from support.service import PASSWORD, SCREENSHOTS, Service, new_service, wait_for

WHOAMI = "https://example.org/whoami"  # answers with the length of the Cookie header it got
SECRET = "UPLOADED-COOKIE-5d1c7e9a"
COOKIES_TXT = f"# Netscape HTTP Cookie File\n.example.org\tTRUE\t/\tTRUE\t0\tsessionid\t{SECRET}\n"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, tls_args: list[str]) -> Iterator[Service]:
    running = new_service(tmp_path_factory.mktemp("logins"), [("alice", "analyst", "CASE-42"), ("root", "admin", "*")],
                          ["--workers", "1", *tls_args])
    running.start()
    yield running
    running.stop()


def stored_logins(service: Service) -> int:
    with sqlite3.connect(service.store.parent / "evidence.service.db") as db:
        return sum(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
                   for table in ("login_uploads", "job_logins"))


def database_bytes(service: Service) -> bytes:
    return b"".join(path.read_bytes() for path in service.store.parent.glob("evidence.service.db*"))


def bundle_bytes(folder: Path) -> Iterator[tuple[Path, bytes]]:
    for path in (p for p in folder.rglob("*") if p.is_file()):
        yield path, gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()


def check_logged_in_capture(service: Service, api: httpx.Client, job: dict[str, Any], secret: str,
                            cookie_header: str) -> None:
    """The server got the cookie, the manifest says the capture was logged in, and no file of the
    bundle holds the value (the WARC's request headers are redacted as the CLI's)."""
    assert job["state"] == "completed", job
    folder = service.store / job["bundle_id"]
    assert f'<p id="len">{len(cookie_header)}</p>' in (folder / "dom.html").read_text()
    manifest = json.loads(api.get(f"/bundles/{job['bundle_id']}/files/manifest.json").content)
    assert manifest["settings"]["logged_in"] is True
    assert manifest["account"]["fingerprint"].startswith("sha256:")
    assert manifest["network"]["redactions"]["cookie"] >= 1
    for path, data in bundle_bytes(folder):
        assert secret.encode() not in data, path
    for answer in (api.get(f"/jobs/{job['id']}"), api.get("/jobs"), api.get(f"/bundles/{job['bundle_id']}")):
        assert secret not in answer.text


def test_uploaded_cookies_log_in_and_leave_no_trace(service: Service) -> None:
    with service.client("root") as admin:
        hook = admin.post("/webhooks", json={"url": "https://hooks.invalid/archiver", "case": "CASE-42",
                                             "events": ["capture.completed"]})
        assert hook.status_code == 201, hook.text
    with service.client() as api:
        body = {"urls": [WHOAMI, f"{WHOAMI}?again"], "case": "CASE-42",
                "options": {"settle_timeout": 1, "logins": {"generic": {"cookies_txt": COOKIES_TXT}}}}
        submitted = api.post("/captures", json=body)
        assert submitted.status_code == 201, submitted.text
        assert SECRET not in submitted.text
        assert stored_logins(service) == 3  # one upload for both jobs, while they wait
        jobs = [wait_for(api, job["id"]) for job in submitted.json()["jobs"]]
        for job in jobs:
            check_logged_in_capture(service, api, job, SECRET, f"sessionid={SECRET}")
    assert stored_logins(service) == 0
    assert SECRET.encode() not in database_bytes(service)  # webhook bodies included
    with service.client("root") as admin:
        deliveries = admin.get(f"/webhooks/{hook.json()['id']}/deliveries").json()["deliveries"]
    assert len(deliveries) == 2 and SECRET not in json.dumps(deliveries)
    assert SECRET not in (service.store.parent / "serve.log").read_text()


def test_bad_login_material_is_refused_and_nothing_is_stored(service: Service) -> None:
    def submit(logins: Any) -> httpx.Response:
        return api.post("/captures", json={"urls": [WHOAMI], "case": "CASE-42", "options": {"logins": logins}})

    with service.client() as api:
        before = len(api.get("/jobs").json()["jobs"])
        refused = {
            "options.logins.generic.cookies_txt:1: expected 7 tab-separated fields, got 1":
                {"generic": {"cookies_txt": f"sessionid={SECRET}"}},
            "options.logins.myspace: unknown platform 'myspace'": {"myspace": {"cookies_txt": COOKIES_TXT}},
            "options.logins.x.storage_state is not a Playwright storage state": {"x": {"storage_state": [SECRET]}},
            "options.logins.x.storage_state: cookies[0] needs a name and a value, and a domain and path":
                {"x": {"storage_state": {"cookies": [{"name": "sid", "value": SECRET}]}}},
            "options.logins.generic holds no cookie or local storage value": {"generic": {"storage_state": {}}},
            "options.logins must be an object": COOKIES_TXT,
            "options.logins.twitter: platform x is given twice":
                {"x": {"cookies_txt": COOKIES_TXT}, "twitter": {"cookies_txt": COOKIES_TXT}},
        }
        for message, logins in refused.items():
            answer = submit(logins)
            assert answer.status_code == 422 and answer.json()["detail"].startswith(message), answer.text
            assert SECRET not in answer.text
        for misplaced in ({"options": {"cookies": COOKIES_TXT}}, {"logins": {"x": {"cookies_txt": COOKIES_TXT}}}):
            answer = api.post("/captures", json={"urls": [WHOAMI], "case": "CASE-42", **misplaced})
            assert answer.status_code == 422 and answer.json()["detail"][0]["type"] == "extra_forbidden"
            assert SECRET not in answer.text  # validation errors name the place, not the value
        too_big = submit({"generic": {"cookies_txt": COOKIES_TXT * 20_000}})  # about 1.5 MiB
        assert too_big.status_code == 413 and "1 MiB" in too_big.json()["detail"]
        assert len(api.get("/jobs").json()["jobs"]) == before
    assert stored_logins(service) == 0


@pytest.mark.browser
def test_submit_page_takes_a_storage_state_file(service: Service) -> None:
    from playwright.sync_api import expect, sync_playwright

    from archiver.browser import find_browser

    secret = "STORAGE-STATE-VALUE-0b7f2c"
    state = {"cookies": [{"name": "sid", "value": secret, "domain": "example.org", "path": "/", "expires": -1,
                          "httpOnly": True, "secure": True, "sameSite": "Lax"}], "origins": []}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(find_browser(playwright)), headless=True,
                                             args=list(LAUNCH_ARGS))
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{service.url}/login")
            page.get_by_label("User name").fill("alice")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()

            page.get_by_label("URLs to capture, one a line").fill(f"{WHOAMI}?via=page\n")
            page.get_by_label("Case").fill("CASE-42")
            page.get_by_label("Platform").select_option("generic")
            page.get_by_label("Cookies file (cookies.txt)").set_input_files(
                {"name": "cookies.txt", "mimeType": "text/plain", "buffer": b"not a cookies file\n"})
            page.get_by_role("button", name="Capture").click()
            expect(page.get_by_role("alert")).to_contain_text("the cookies file:1: expected 7 tab-separated fields")

            page.get_by_label("URLs to capture, one a line").fill(f"{WHOAMI}?via=page\n")
            page.get_by_label("Case").fill("CASE-42")
            page.get_by_label("Platform").select_option("generic")
            page.get_by_label("Storage state file (JSON)").set_input_files(
                {"name": "state.json", "mimeType": "application/json", "buffer": json.dumps(state).encode()})
            page.screenshot(path=SCREENSHOTS / "jobs-login.png", full_page=True)
            page.get_by_role("button", name="Capture").click()
            expect(page.get_by_text("Captures are running")).to_be_visible()
        finally:
            browser.close()
    with service.client() as api:
        submitted = next(j for j in api.get("/jobs").json()["jobs"] if j["url"].endswith("?via=page"))
        job = wait_for(api, submitted["id"])
        check_logged_in_capture(service, api, job, secret, f"sid={secret}")
    assert stored_logins(service) == 0
    assert secret.encode() not in database_bytes(service)
    assert secret not in (service.store.parent / "serve.log").read_text()


def queue_with_logins(db: Database, urls: int) -> tuple[JobQueue, list[Job]]:
    """A queue with ``urls`` capture jobs submitted with one upload, all claimed by workers."""
    with db.session() as session:
        who = Principal.of(add_user(session, "alice", "analyst", ["CASE-42"], PASSWORD))
    queue = JobQueue(db)
    body = CaptureBody(urls=[f"{WHOAMI}?{n}" for n in range(urls)], case="CASE-42")
    queue.submit_captures(who, body, None, b"sealed")
    claimed = [queue.claim() for _ in range(urls)]
    assert None not in claimed
    return queue, cast("list[Job]", claimed)


def uploads_left(db: Database) -> int:
    with db.session() as session:
        return sum(session.scalar(select(func.count()).select_from(table)) or 0 for table in (LoginUpload, JobLogin))


def test_material_goes_with_the_last_job_that_needed_it_taken_over_or_not(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'jobs.db'}").create()
    queue, (first, second) = queue_with_logins(db, 2)
    assert queue.finish(first.id, COMPLETED)
    assert queue.sealed_logins(first.id) is None and queue.sealed_logins(second.id) == b"sealed"
    time.sleep(0.01)
    # Its worker was killed; the bundle it sealed ends it, and the material goes with it.
    assert queue.take_over(0.0, lambda _job: ("01a2aaaa-aaaa-7aaa-8aaa-aaaaaaaaaaaa", "complete")) == [second.id]
    assert queue.sealed_logins(second.id) is None
    assert uploads_left(db) == 0


@pytest.mark.postgres
def test_jobs_ending_at_once_on_postgresql_leave_no_material() -> None:
    with postgres_server() as url:
        db = Database(url).create()
        queue, jobs = queue_with_logins(db, 12)
        with ThreadPoolExecutor(len(jobs)) as pool:  # every job's worker ends it at the same moment
            assert all(pool.map(lambda job: queue.finish(job.id, COMPLETED), jobs))
        assert uploads_left(db) == 0
        db.engine.dispose()


def test_sealed_material_needs_the_service_key() -> None:
    signer = Signer("service", Ed25519PrivateKey.generate())
    logins = {"*": LoginMaterial(), "x": LoginMaterial(cookies=[{"name": "auth_token", "value": SECRET,
                                                                 "domain": ".x.com", "path": "/"}])}
    sealed = seal(signer, logins)
    assert SECRET.encode() not in sealed
    assert unseal(signer, sealed) == logins
    with pytest.raises(ArchiverError, match="sealed under another signing key"):
        unseal(Signer("other", Ed25519PrivateKey.generate()), sealed)
