"""Webhooks, rate limits and the ZIP download of ``archiver serve``, against a real server process
and a real local HTTP receiver."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import threading
import time
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.service import (
    ARTICLE,
    PASSWORD,
    SCREENSHOTS,
    Service,
    archiver,
    free_port,
    new_service,
    wait_for,
)

HOOK_HOST = "hooks.test"


class Receiver:
    """An HTTP server that answers 500 to the first ``failures`` requests, then 204, and keeps
    every request it got."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.got: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.got.append({"headers": dict(self.headers), "body": body, "time": time.monotonic()})
                self.send_response(500 if len(receiver.got) <= receiver.failures else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self, event: str) -> list[dict[str, Any]]:
        return [r for r in self.got if r["headers"]["X-Archiver-Event"] == event]


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    running = Receiver(failures=2)
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, tls_args: list[str], receiver: Receiver) -> Iterator[Service]:
    users = [("alice", "analyst", "CASE-42"), ("root", "admin", "*"), ("carol", "viewer", "CASE-42")]
    # The receiver is reached by name through the server's --resolve, as a capture would be; the
    # SSRF guard refuses any other loopback address.
    running = new_service(tmp_path_factory.mktemp("hooks"), users,
                          ["--workers", "1", "--rate-limit", "120", *tls_args,
                           "--resolve", f"{HOOK_HOST}:{receiver.port}:127.0.0.1"])
    running.start()
    yield running
    running.stop()


def until(check: Any, timeout: float = 90) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_webhook_is_signed_retried_with_backoff_logged_and_sent_again(service: Service, receiver: Receiver) -> None:
    with service.client("root") as admin, service.client("alice") as alice:
        assert alice.post("/webhooks", json={"url": "https://x.test/", "events": ["capture.completed"],
                                             "case": "CASE-42"}).status_code == 403
        for bad in ({"events": ["capture.done"]}, {"url": "file:///etc/passwd"}, {"case": None}):
            body = {"url": f"http://{HOOK_HOST}:{receiver.port}/hook", "events": ["capture.completed"],
                    "case": "CASE-42", **bad}
            assert admin.post("/webhooks", json=body).status_code == 422, bad
        made = admin.post("/webhooks", json={"url": f"http://{HOOK_HOST}:{receiver.port}/hook", "case": "CASE-42",
                                             "events": ["capture.completed", "capture.failed", "verify.completed"]})
        assert made.status_code == 201
        hook = made.json()
        secret = hook.pop("secret")
        assert "secret" not in json.dumps(admin.get("/webhooks").json())

        job = wait_for(alice, alice.post("/captures", json={"urls": [ARTICLE], "case": "CASE-42",
                                                            "options": {"settle_timeout": 1}}).json()["jobs"][0]["id"])
        assert job["state"] == "completed"
        until(lambda: len(receiver.got) >= 3, timeout=60)
        first, second, third = receiver.got[:3]
        assert {r["headers"]["X-Archiver-Delivery"] for r in (first, second, third)} == {first["headers"]["X-Archiver-Delivery"]}
        # Tried again after 2 s, then 5 s more (five tries would span about a minute).
        assert 1.5 < second["time"] - first["time"] < 4 and 4 < third["time"] - second["time"] < 8
        body = third["body"]
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        assert third["headers"]["X-Archiver-Signature"] == expected
        assert third["headers"]["Host"] == f"{HOOK_HOST}:{receiver.port}"
        event = json.loads(body)
        assert event["event"] == "capture.completed" and event["webhook"] == hook["id"]
        assert event["data"]["job"]["id"] == job["id"] and event["data"]["job"]["bundle_id"] == job["bundle_id"]

        deliveries = admin.get(f"/webhooks/{hook['id']}/deliveries").json()["deliveries"]
        (delivered,) = [d for d in deliveries if d["event"] == "capture.completed"]
        assert delivered["state"] == "delivered" and delivered["attempts"] == 3
        assert [a["status"] for a in delivered["log"]] == [500, 500, 204]
        assert [a["error"] for a in delivered["log"]] == ["HTTP 500", "HTTP 500", None]

        retried = admin.post(f"/webhooks/{hook['id']}/deliveries/{delivered['id']}/retry")
        assert retried.status_code == 202
        again = until(lambda: [r for r in receiver.got[3:] if r["headers"]["X-Archiver-Delivery"] == delivered["id"]])
        assert again[0]["body"] == body and again[0]["headers"]["X-Archiver-Signature"] == expected
        assert admin.post(f"/webhooks/{hook['id']}/deliveries/nope/retry").status_code == 404

        verify = wait_for(alice, alice.post("/verify", json={"bundles": [job["bundle_id"]]}).json()["job"]["id"])
        verified = until(lambda: receiver.events("verify.completed"))
        assert json.loads(verified[0]["body"])["data"]["job"]["id"] == verify["id"]
        assert json.loads(verified[0]["body"])["data"]["job"]["result"] == {"summary": {"bundles": 1, "ok": 1, "not_ok": 0}}
        assert admin.delete(f"/webhooks/{hook['id']}").status_code == 204
        assert admin.get(f"/webhooks/{hook['id']}/deliveries").status_code == 404


def test_webhook_of_a_token_and_the_ssrf_guard(service: Service, receiver: Receiver) -> None:
    with service.client("root") as admin, service.client("alice") as alice:
        refused = admin.post("/webhooks", json={"url": f"http://127.0.0.1:{free_port()}/internal",
                                                "events": ["verify.completed"], "token_id": 1}).json()
        bundle_id = alice.get("/bundles").json()["items"][0]["bundle_id"]
        # alice's token was the first made: this webhook follows her jobs, whatever their case.
        wait_for(alice, alice.post("/verify", json={"bundles": [bundle_id]}).json()["job"]["id"])
        log = until(lambda: [d for d in admin.get(f"/webhooks/{refused['id']}/deliveries").json()["deliveries"]
                             if d["state"] != "pending"])
        assert log[0]["state"] == "failed" and log[0]["attempts"] == 1
        assert "SSRF guard" in log[0]["log"][0]["error"]


def test_rate_limit_per_token(service: Service) -> None:
    with service.client("carol") as carol, service.client("alice") as alice:
        # 120 a minute in bursts of 120: the burst, and the 2 a second that come back meanwhile.
        answers = [carol.get("/jobs").status_code for _ in range(160)]
        assert answers[:100] == [200] * 100 and answers[-1] == 429
        limited = carol.get("/jobs")
        assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 2
        assert alice.get("/jobs").status_code == 200  # another token: its own allowance


def test_zip_holds_every_file_and_verifies(service: Service, tmp_path: Path) -> None:
    with service.client("alice") as alice:
        job = alice.post("/captures", json={"urls": [f"{ARTICLE}?zip"], "case": "CASE-42"}).json()["jobs"][0]
        bundle_id = wait_for(alice, job["id"])["bundle_id"]
        response = alice.get(f"/bundles/{bundle_id}.zip")
        assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
        assert "content-length" not in response.headers  # streamed
        assert httpx.get(f"{service.url}/api/v1/bundles/{bundle_id}.zip").status_code == 401
    with zipfile.ZipFile(io.BytesIO(response.content)) as package:
        names = package.namelist()
        assert all(name.startswith(f"{bundle_id}/") for name in names)
        package.extractall(tmp_path)
    stored = {str(p.relative_to(service.store / bundle_id)) for p in (service.store / bundle_id).rglob("*") if p.is_file()}
    unpacked = {str(p.relative_to(tmp_path / bundle_id)) for p in (tmp_path / bundle_id).rglob("*") if p.is_file()}
    assert unpacked == stored and "manifest.json" in unpacked and "capture.warc.gz" in unpacked
    events = [json.loads((tmp_path / bundle_id / name).read_text()) for name in sorted(unpacked) if name.startswith("custody/")]
    assert events[-1]["event"] == "exported" and events[-1]["actor"] == "alice"
    assert events[-1]["details"]["format"] == "zip"
    # Unpacked away from its store, the bundle is checked against the store's ledger.
    ledger = service.store / ".archiver" / "ledger.jsonl"
    assert archiver("verify", str(tmp_path / bundle_id), "--ledger", str(ledger)).startswith("OK")
    with service.client("carol") as carol:  # a viewer of the case may download it too
        assert carol.get(f"/bundles/{bundle_id}.zip").status_code == 200


@pytest.mark.browser
def test_admin_pages(service: Service, receiver: Receiver) -> None:
    from playwright.sync_api import Page, expect, sync_playwright

    from archiver.browser import LAUNCH_ARGS, find_browser

    def log_in(page: Page, name: str) -> None:
        page.goto(f"{service.url}/login")
        page.get_by_label("User name").fill(name)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(f"{service.url}/jobs")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(find_browser(playwright)), headless=True,
                                             args=list(LAUNCH_ARGS))
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            log_in(page, "root")
            page.get_by_role("link", name="Admin").click()
            page.get_by_label("User name").fill("dave")
            page.get_by_label("Role").select_option("viewer")
            page.get_by_label("Cases (space or comma separated; * for all)").fill("CASE-42, CASE-7")
            page.get_by_label("Password (12 characters or more)").fill(PASSWORD)
            page.get_by_role("button", name="Add user").click()
            expect(page.get_by_role("status")).to_contain_text("Added user dave (viewer)")
            expect(page.get_by_role("row").filter(has_text="dave")).to_contain_text("CASE-42, CASE-7")
            page.screenshot(path=SCREENSHOTS / "admin-users.png", full_page=True)

            page.get_by_role("link", name="API tokens").click()
            page.get_by_label("For user").select_option("dave")
            page.get_by_label("What it is for").fill("review tool")
            page.get_by_role("button", name="Create token").click()
            token = page.get_by_label("API token").input_value()
            page.screenshot(path=SCREENSHOTS / "admin-tokens.png", full_page=True)
            with httpx.Client(base_url=f"{service.url}/api/v1", headers={"Authorization": f"Bearer {token}"}) as dave:
                assert dave.get("/bundles").status_code == 200
                page.get_by_role("row").filter(has_text="review tool").get_by_role("button", name="Revoke").click()
                expect(page.get_by_text("review tool")).to_have_count(0)
                assert dave.get("/bundles").status_code == 401

            page.get_by_role("link", name="Webhooks").click()
            page.get_by_label("URL to POST to").fill(f"http://{HOOK_HOST}:{receiver.port}/from-page")
            page.get_by_label("Follows: a case id, or token:ID for the jobs of one API token").fill("CASE-42")
            page.get_by_label("match.found").uncheck()
            page.get_by_role("button", name="Add webhook").click()
            assert len(page.get_by_label("Secret").input_value()) >= 32
            row = page.get_by_role("row").filter(has_text="/from-page")
            expect(row).to_contain_text("capture.completed, capture.failed, verify.completed")
            page.screenshot(path=SCREENSHOTS / "admin-webhooks.png", full_page=True)
            row.get_by_role("link").click()
            expect(page.get_by_role("heading", name="Deliveries of webhook")).to_be_visible()
            page.screenshot(path=SCREENSHOTS / "admin-deliveries.png", full_page=True)

            viewer = browser.new_context().new_page()
            log_in(viewer, "alice")
            expect(viewer.get_by_role("link", name="Admin")).to_have_count(0)
            assert viewer.goto(f"{service.url}/admin/users").status == 403
        finally:
            browser.close()
