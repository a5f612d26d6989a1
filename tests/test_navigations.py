"""Pages that navigate away after loading: the first document stays the evidence, and the status says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from archiver.commands.show_cmd import show
from archiver.manifest import Manifest
from archiver.report_sections import network

from support.webserver import free_port

METADATA = "http://169.254.169.254/latest/meta-data/"
FIRST = "<p id='first'>FIRST-DOCUMENT</p>"


def page(navigation: str) -> str:
    return f"<!doctype html><html><head>{navigation}</head><body>{FIRST}</body></html>"


@pytest.fixture(scope="module")
def closed_port() -> int:
    return free_port()  # nothing listens there: a navigation to it cannot load


@pytest.fixture(scope="module", autouse=True)
def navigating_pages(https_server: Any, closed_port: int) -> None:
    site = https_server.site("example.org")
    site.add("/refresh-to-metadata", page(f'<meta http-equiv="refresh" content="0;url={METADATA}">'))
    site.add("/refresh-to-closed", page(
        f'<meta http-equiv="refresh" content="0;url=http://127.0.0.1:{closed_port}/gone">'))
    site.add("/script-on-load", page(
        f"<script>addEventListener('load', () => {{ location.href = '{METADATA}'; }});</script>"))
    # While the page settles (which waits for 500 ms of network quiet, so it is still going).
    site.add("/script-later", page(
        f"<script>addEventListener('load', () => setTimeout(() => {{ location = '{METADATA}'; }}, 200));"
        "</script>"))


def bundle_of(result: Any) -> tuple[Path, Manifest]:
    folder = Path(result.location)
    return folder, Manifest.load(folder / "manifest.json")


def assert_first_document_kept(result: Any, target: str, requested: str) -> dict[str, Any]:
    assert result.status == "partial", (result.status, result.reason)
    assert f"navigation to {target}" in result.reason
    assert "the screenshot and DOM are of the first document" in result.reason
    folder, manifest = bundle_of(result)
    dom = (folder / "dom.html").read_text()
    assert "FIRST-DOCUMENT" in dom and "SSRF guard" not in dom
    assert manifest.final_url == requested
    assert manifest.artifact("screenshot.png") is not None
    navigation = manifest.network.navigations[0]
    assert navigation["url"] == target
    assert navigation["time"].endswith("Z")
    assert navigation["outcome"].startswith("stopped")
    return navigation


def test_meta_refresh_to_a_guarded_address_keeps_the_first_document(capture: Any) -> None:
    url = "https://example.org/refresh-to-metadata"
    result = capture(url)
    navigation = assert_first_document_kept(result, METADATA, url)
    assert "SSRF guard" in navigation["guard"]
    # show and the court report name it too
    folder, manifest = bundle_of(result)
    shown = CliRunner().invoke(show, [str(folder)], env={"COLUMNS": "400"})
    assert f"stopped: {METADATA} at {navigation['time']}" in shown.output
    assert dict(network(manifest))["Navigations stopped"].startswith(METADATA)


def test_meta_refresh_to_an_unreachable_address_without_the_guard(capture: Any, closed_port: int) -> None:
    url = "https://example.org/refresh-to-closed"
    target = f"http://127.0.0.1:{closed_port}/gone"
    result = capture(url, allow_private_networks=True)
    navigation = assert_first_document_kept(result, target, url)
    assert navigation["guard"] is None
    # never fetched: the browser did not go there
    assert not any(f["url"] == target for f in bundle_of(result)[1].network.failed)


@pytest.mark.parametrize("path", ["/script-on-load", "/script-later"])
def test_script_navigation_after_load_keeps_the_first_document(capture: Any, path: str) -> None:
    url = f"https://example.org{path}"
    result = capture(url)
    assert_first_document_kept(result, METADATA, url)
    with (Path(result.location) / "capture.warc.gz").open("rb") as stream:
        targets = [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(stream)]
    assert METADATA not in targets  # stopped in the browser: never fetched


def test_page_without_navigation_lists_none(capture: Any) -> None:
    result = capture("https://example.org/article")
    assert result.status == "complete", result.reason
    assert bundle_of(result)[1].network.navigations == []


def test_without_devtools_playwright_routing_stops_it(capture: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.async_api import BrowserContext
    from playwright.async_api import Error as PlaywrightError

    async def no_devtools(self: Any, page: Any) -> Any:
        raise PlaywrightError("no DevTools in this browser")

    monkeypatch.setattr(BrowserContext, "new_cdp_session", no_devtools)
    url = "https://example.org/refresh-to-metadata"
    assert_first_document_kept(capture(url), METADATA, url)
