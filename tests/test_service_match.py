"""``/m/lookup``, ``/mirrors`` and the match page of ``archiver serve``: a store whose captures are
indexed and matched against a hash bank, looked up by users of different cases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_match_index import photo, serve, transformed

from archiver.browser import LAUNCH_ARGS
from archiver.image_signals import image_signals

from support.service import PASSWORD, SCREENSHOTS, Service, archiver, new_service, wait_for
from support.webserver import TestServer as Server


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, tls_args: list[str], https_server: Server
            ) -> Iterator[Service]:
    """coffee captured in CASE-42, astronaut in CASE-7; the bank knows astronaut."""
    root = tmp_path_factory.mktemp("match")
    running = new_service(root, [("alice", "analyst", "CASE-42"), ("bob", "viewer", "CASE-7"), ("root", "admin", "*")],
                          ["--workers", "1", "--max-upload", "2000000", *tls_args])
    signals = image_signals(photo("astronaut"))
    assert signals is not None
    bank = root / "bank.csv"
    bank.write_text(f"signal_type,signal,labels,source\npdq,{signals.pdq.hex},GROUP_A,analyst\n")
    archiver("bank", "import", str(bank), "--name", "TEST_BANK", "--format", "csv", "--store", str(running.store))
    running.start()
    with running.client("root") as admin:
        for name, case in (("coffee", "CASE-42"), ("astronaut", "CASE-7")):
            url = serve(https_server, name, photo(name))
            job = admin.post("/captures", json={"urls": [url], "case": case, "options": {"settle_timeout": 2}}).json()
            done = wait_for(admin, job["jobs"][0]["id"])
            assert done["capture_status"] == "complete", done
    # Indexed by the CLI while the service runs: the service's lookups see the new index.
    archiver("index", str(running.store))
    yield running
    running.stop()


def upload(service: Service, user: str, name: str, data: bytes) -> Any:
    with service.client(user) as api:
        return api.post("/m/lookup", files={"file": (name, data, "image/jpeg")})


def test_upload_finds_near_duplicates_of_visible_cases_only(service: Service) -> None:
    coffee = upload(service, "alice", "coffee-q40.jpg", transformed("coffee", "jpeg-quality-40"))
    assert coffee.status_code == 200, coffee.text
    (hit,) = coffee.json()["bundles"]
    assert hit["case"] == "CASE-42" and hit["how"] == "pdq" and 0 <= int(hit["distance"]) <= 31
    assert hit["artifact"].startswith("media/")

    # astronaut is in CASE-7: alice gets the bank's answer and nothing of the bundle.
    mine = upload(service, "alice", "astronaut.jpg", photo("astronaut")).json()
    assert mine["bundles"] == []
    (entry,) = mine["TEST_BANK"]
    assert entry["bank_content_id"] == 1 and entry["distance"] == "0" and entry["labels"] == ["GROUP_A"]
    assert entry["bank_version"] == "TEST_BANK@v1"
    bobs = upload(service, "bob", "astronaut.jpg", photo("astronaut")).json()
    assert [b["case"] for b in bobs["bundles"]] == ["CASE-7"]


def test_hash_lookup_in_hmas_shape(service: Service) -> None:
    signals = image_signals(photo("astronaut"))
    assert signals is not None
    with service.client("bob") as bob:
        found = bob.get("/m/lookup", params={"signal_type": "pdq", "signal": signals.pdq.hex})
        assert found.status_code == 200
        answer = found.json()
        assert [(e["bank_content_id"], e["distance"]) for e in answer["TEST_BANK"]] == [(1, "0")]
        assert set(answer) == {"TEST_BANK", "bundles"}
        assert bob.get("/m/lookup", params={"signal_type": "pdq", "signal": "xyz"}).status_code == 422
        assert bob.get("/m/lookup", params={"signal_type": "colour", "signal": "00"}).status_code == 422
        not_image = bob.post("/m/lookup", files={"file": ("notes.txt", b"just text", "text/plain")})
        assert not_image.status_code == 422
        too_big = bob.post("/m/lookup", files={"file": ("big.jpg", b"\xff" * 2_100_000, "image/jpeg")})
        assert too_big.status_code == 413


def test_capture_job_reports_the_bank_match(service: Service) -> None:
    with service.client("bob") as bob:
        (job,) = [j for j in bob.get("/jobs").json()["jobs"] if j["case"] == "CASE-7"]
    (match,) = job["result"]["matches"]
    assert match["source"] == "bank" and match["bank"] == "TEST_BANK@v1"


def test_mirrors_answers_for_an_account_the_store_has_not(service: Service) -> None:
    with service.client("alice") as alice:
        missing = alice.get("/mirrors", params={"account": "https://x.com/nobody_here"})
    assert missing.status_code == 404 and "no bundle" in missing.json()["detail"]


@pytest.mark.browser
def test_match_page(service: Service, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from archiver.browser import find_browser

    query = tmp_path / "coffee-flipped.jpg"
    query.write_bytes(transformed("coffee", "flipped"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(find_browser(playwright)), headless=True,
                                             args=list(LAUNCH_ARGS))
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.goto(f"{service.url}/login")
            page.get_by_label("User name").fill("alice")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.get_by_role("link", name="Match").click()
            page.get_by_label("Image or video").set_input_files(str(query))
            page.get_by_role("button", name="Find matches").click()
            expect(page.get_by_role("heading", name="Results for coffee-flipped.jpg (image)")).to_be_visible()
            expect(page.get_by_role("img", name="The uploaded image")).to_be_visible()
            row = page.get_by_role("row").filter(has_text="pdq-")
            expect(row).to_have_count(1)
            thumbnail = row.get_by_role("img")
            expect(thumbnail).to_be_visible()
            assert thumbnail.evaluate("img => img.naturalWidth") > 0  # the bundle's image, served
            page.screenshot(path=SCREENSHOTS / "match.png", full_page=True)
        finally:
            browser.close()
