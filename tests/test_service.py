"""``archiver serve`` as a user meets it: a real server process on loopback, driven over HTTP with
httpx and, for the pages, with Playwright in real Chromium."""

from __future__ import annotations

import hashlib
import io
import json
import signal
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from archiver.browser import LAUNCH_ARGS

from support.service import ARTICLE, PASSWORD, SCREENSHOTS, Service, archiver, new_service, wait_for


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, tls_args: list[str]) -> Iterator[Service]:
    running = new_service(tmp_path_factory.mktemp("service"), [("alice", "analyst", "CASE-42"), ("bob", "viewer", "CASE-7")],
                          ["--workers", "1", "--job-lease", "3", "--max-upload", "65536", *tls_args])
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def captured(service: Service) -> dict[str, Any]:
    """A bundle of the test article, captured through the API by alice in CASE-42."""
    with service.client() as api:
        body = {"urls": [ARTICLE], "case": "CASE-42", "options": {"settle_timeout": 2}}
        first = api.post("/captures", json=body, headers={"Idempotency-Key": "k-1"})
        assert first.status_code == 201, first.text
        again = api.post("/captures", json=body, headers={"Idempotency-Key": "k-1"})
        assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
        assert [j["id"] for j in again.json()["jobs"]] == [j["id"] for j in first.json()["jobs"]]
        other = api.post("/captures", json={**body, "urls": [f"{ARTICLE}?2"]}, headers={"Idempotency-Key": "k-1"})
        assert other.status_code == 409
        job = wait_for(api, first.json()["jobs"][0]["id"])
    assert job["state"] == "completed" and job["capture_status"] == "complete", job
    return job


def test_api_capture_bundle_downloads_and_verify(service: Service, captured: dict[str, Any]) -> None:
    bundle_id = captured["bundle_id"]
    with service.client() as api:
        listed = api.get("/bundles", params={"case": "CASE-42", "q": "example.org"}).json()
        assert bundle_id in [item["bundle_id"] for item in listed["items"]]
        bundle = api.get(f"/bundles/{bundle_id}").json()
        assert bundle["manifest"]["operator"] == "alice" and bundle["manifest"]["case"] == "CASE-42"
        assert bundle["verification"]["result"] == "OK"
        assert bundle["post"] is not None

        shot = next(a for a in bundle["artifacts"] if a["path"] == "screenshot.png")
        png = api.get(f"/bundles/{bundle_id}/files/screenshot.png")
        assert png.headers["content-type"] == "image/png"
        assert "sha256:" + hashlib.sha256(png.content).hexdigest() == shot["sha256"]
        dom = api.get(f"/bundles/{bundle_id}/files/dom.html")
        assert dom.headers["content-disposition"].startswith("attachment")  # never rendered as ours

        report = api.get(f"/bundles/{bundle_id}/report.pdf")
        assert report.status_code == 200 and report.content.startswith(b"%PDF-")
        assert report.headers["x-verification"] == "OK"
        wacz = api.get(f"/bundles/{bundle_id}/capture.wacz")
        assert wacz.status_code == 200
        with zipfile.ZipFile(io.BytesIO(wacz.content)) as package:
            assert {"datapackage.json", "archive/capture.warc.gz"} <= set(package.namelist())

        verify = api.post("/verify", json={"bundles": [bundle_id]})
        assert verify.status_code == 201
        done = wait_for(api, verify.json()["job"]["id"])
        assert done["result"]["summary"] == {"bundles": 1, "ok": 1, "not_ok": 0}

        events = api.get(f"/bundles/{bundle_id}").json()["custody"]
        assert not events["problems"]
        by_event = {e["event"]: e["actor"] for e in events["events"]}
        assert by_event["reported"] == by_event["exported"] == by_event["verified"] == "alice"

        metrics = httpx.get(f"{service.url}/metrics", headers=api.headers).text
        assert 'archiver_jobs{kind="capture",state="completed"} 1' in metrics
        assert 'archiver_bundles_verified{result="OK"} 1' in metrics
    # The CLI agrees: the same bundle, as stored, verifies with its new custody events.
    assert archiver("verify", str(service.store / bundle_id)).startswith("OK")


def test_authentication_and_case_scoping(service: Service, captured: dict[str, Any]) -> None:
    bundle_id, job_id = captured["bundle_id"], captured["id"]
    assert httpx.get(f"{service.url}/health").status_code == 200
    with service.client(None) as anonymous:
        assert anonymous.get("/bundles").status_code == 401
        assert anonymous.get("/bundles", headers={"Authorization": "Bearer arc_wrong"}).status_code == 401
        assert anonymous.get(f"/bundles/{bundle_id}/files/screenshot.png").status_code == 401
        token_in_url = anonymous.get("/bundles", params={"access_token": service.tokens["alice"]})
        assert token_in_url.status_code == 400
    assert httpx.get(f"{service.url}/metrics").status_code == 401
    with service.client("bob") as bob:  # a viewer of CASE-7 only
        for path in (f"/bundles/{bundle_id}", f"/jobs/{job_id}", f"/bundles/{bundle_id}/report.pdf",
                     f"/bundles/{bundle_id}/files/manifest.json"):
            missing = bob.get(path)
            assert missing.status_code == 404, path
        hidden, absent = bob.get(f"/bundles/{bundle_id}"), bob.get("/bundles/01a2aaaa-aaaa-7aaa-8aaa-aaaaaaaaaaaa")
        assert (hidden.status_code, hidden.json()) == (absent.status_code, absent.json())
        assert bob.get("/bundles").json()["total"] == 0
        assert bob.get("/jobs").json()["jobs"] == []
        refused = bob.post("/captures", json={"urls": [ARTICLE], "case": "CASE-7"})
        assert refused.status_code == 403


def test_downloads_stay_inside_the_bundle(service: Service, captured: dict[str, Any]) -> None:
    bundle_id = captured["bundle_id"]
    with service.client() as api:
        for path in ("..%2F..%2Fevidence.service.db", "%2e%2e/%2e%2e/evidence.service.db",
                     "/etc/passwd", "custody", "manifest.json/"):
            assert api.get(f"/bundles/{bundle_id}/files/{path}").status_code == 404, path
        # httpx would normalise dots away; send them as typed.
        raw = httpx.Request("GET", f"{service.url}/api/v1/bundles/{bundle_id}/files/x", headers=api.headers)
        raw.url = raw.url.copy_with(raw_path=f"/api/v1/bundles/{bundle_id}/files/../../../evidence.service.db".encode())
        assert api.send(raw).status_code == 404


def test_network_safety_and_limits_are_not_the_api_users(service: Service) -> None:
    with service.client() as api:
        for option in ({"allow_private_networks": True}, {"insecure": True}, {"resolve": ["a:1:127.0.0.1"]},
                       {"ca_bundle": "/etc/ssl"}):
            refused = api.post("/captures", json={"urls": [ARTICLE], "case": "CASE-42", "options": option})
            assert refused.status_code == 422, option
        assert api.post("/captures", json={"urls": ["file:///etc/passwd"], "case": "CASE-42"}).status_code == 422
        huge = api.post("/captures", json={"urls": [ARTICLE] * 10, "case": "CASE-42", "pad": "x" * 70000})
        assert huge.status_code == 413

        def chunked() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            yield b'{"urls": ["' + b"x" * 70000 + b'"], "case": "CASE-42"}'

        assert api.post("/captures", content=chunked(), headers={"content-type": "application/json"}
                        ).status_code == 413
        headers = api.get("/jobs").headers
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_restart_after_kill_ends_each_job_once(service: Service) -> None:
    with service.client() as api:
        slow = api.post("/captures", json={"urls": ["https://example.org/hang"], "case": "CASE-42",
                                           "options": {"navigation_timeout": 6, "settle_timeout": 1}})
        job_id = slow.json()["jobs"][0]["id"]
        deadline = time.monotonic() + 60
        while api.get(f"/jobs/{job_id}").json()["step"] != "capturing":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        service.stop(signal.SIGKILL)
        service.start()
        job = wait_for(api, job_id)
    # At least the killed attempt and one more; a loaded machine may let a lease lapse once more.
    # What must hold whatever the count: one end, one sealed bundle.
    assert job["state"] == "completed" and job["attempt"] >= 2 and job["capture_status"] == "partial"
    sealed = [p for p in service.store.iterdir()
              if (p / "manifest.json").is_file()
              and json.loads((p / "manifest.json").read_text())["requested_url"].endswith("/hang")]
    assert [p.name for p in sealed] == [job["bundle_id"]]


@pytest.mark.browser
def test_web_pages(service: Service, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from archiver.browser import find_browser

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(find_browser(playwright)), headless=True,
                                             args=list(LAUNCH_ARGS))
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
            page = context.new_page()
            page.goto(f"{service.url}/jobs")
            expect(page).to_have_url(f"{service.url}/login")
            page.screenshot(path=SCREENSHOTS / "login.png")
            page.get_by_label("User name").fill("alice")
            page.get_by_label("Password").fill("not the password")
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_role("alert")).to_contain_text("Wrong user name or password")
            page.get_by_label("User name").fill("alice")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            expect(page).to_have_url(f"{service.url}/jobs")
            cookie = next(c for c in context.cookies() if c["name"] == "archiver_session")
            assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"

            page.get_by_label("URLs to capture, one a line").fill(f"{ARTICLE}?via=web\n")
            page.get_by_label("Case").fill("CASE-42")
            page.get_by_role("button", name="Capture").click()
            expect(page.get_by_text("Captures are running")).to_be_visible()
            page.screenshot(path=SCREENSHOTS / "jobs-running.png")
            link = page.get_by_role("link", name="complete")
            expect(link.first).to_be_visible(timeout=120_000)  # the page refreshes itself meanwhile
            page.screenshot(path=SCREENSHOTS / "jobs.png")
            link.first.click()
            expect(page.get_by_role("status")).to_contain_text("Verification: OK")
            expect(page.get_by_role("img", name="Full-page screenshot")).to_be_visible()
            page.screenshot(path=SCREENSHOTS / "bundle.png", full_page=True)

            with page.expect_download() as report:
                page.get_by_role("button", name="Download court report (PDF)").click()
            assert Path(report.value.path()).read_bytes().startswith(b"%PDF-")
            with page.expect_download() as wacz:
                page.get_by_role("button", name="Download WACZ").click()
            assert zipfile.is_zipfile(wacz.value.path())

            page.get_by_role("link", name="Bundles").click()
            expect(page.get_by_role("row")).not_to_have_count(0)
            page.screenshot(path=SCREENSHOTS / "bundles.png")

            # A form posted without the session's CSRF token is refused, with the session cookie.
            forged = httpx.post(f"{service.url}/jobs", data={"urls": ARTICLE, "case": "CASE-42"},
                                headers={"Cookie": f"archiver_session={cookie['value']}"})
            assert forged.status_code == 403
            login_forged = httpx.post(f"{service.url}/login", data={"name": "alice", "password": PASSWORD})
            assert login_forged.status_code == 403
        finally:
            browser.close()
