"""The exported WACZ replays in ReplayWeb.page (npm ``replaywebpage``, tests/replayweb/) in real Chromium."""

from __future__ import annotations

import html
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archiver.browser import LAUNCH_ARGS, find_browser

from support.bundles import capture_into
from support.rangeserver import RangeServer

ARCHIVER = str(Path(sys.executable).parent / "archiver")
REPLAYWEB = Path(__file__).parent / "replayweb" / "node_modules" / "replaywebpage"
URL = "https://example.org/article"
TEXT = "Text of the demo post."

pytestmark = pytest.mark.browser


def embedding_page(source: str, url: str) -> str:
    # replaybase "/": the service worker is /sw.js with the whole origin as its scope.
    return (f'<!doctype html><html><head><meta charset="utf-8"><script src="/ui.js"></script></head>'
            f'<body style="margin:0"><replay-web-page source="{html.escape(source)}" url="{html.escape(url)}" '
            f'replaybase="/" embed="replayonly" style="display:block;width:100vw;height:100vh">'
            f"</replay-web-page></body></html>")


def replayed_text(server: RangeServer, shot: Path, timeout: float = 90) -> str:
    """The text of the frame that replays ``URL``, once it shows ``TEXT`` (or what it shows at the end)."""
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(find_browser(playwright)), headless=True,
                                             args=list(LAUNCH_ARGS))
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.goto(f"{server.url}/index.html")
            text, deadline = "", time.monotonic() + timeout
            while time.monotonic() < deadline and TEXT not in text:
                page.wait_for_timeout(500)
                texts = []
                # ReplayWeb.page nests the archived page in iframes inside shadow roots: every frame.
                for frame in page.frames:
                    try:
                        texts.append(frame.evaluate("document.body ? document.body.innerText : ''"))
                    except Error:
                        continue  # a frame navigating away meanwhile
                text = "\n".join(texts)
            page.screenshot(path=str(shot))
            return text
        finally:
            browser.close()


def serve_and_replay(wacz: Path, tmp_path: Path) -> str:
    index = tmp_path / "index.html"
    index.write_text(embedding_page("/exhibit.wacz", URL))
    # ReplayWeb.page may send the top page back to "/" while its service worker takes over: the
    # embedding page is served there too, so the replay starts again instead of "not found".
    files = {"/": index, "/index.html": index, "/ui.js": REPLAYWEB / "ui.js", "/sw.js": REPLAYWEB / "sw.js",
             "/exhibit.wacz": wacz}
    with RangeServer(files) as server:
        text = replayed_text(server, tmp_path / "replay.png")
        assert any(rng for path, rng in server.requests if path == "/exhibit.wacz"), server.requests
    return text


@pytest.fixture(scope="module")
def exported(engine, base_settings, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    if not (REPLAYWEB / "sw.js").is_file():
        pytest.fail("ReplayWeb.page is not installed: run 'make test' (npm ci in tests/replayweb)")
    folder = tmp_path_factory.mktemp("replayweb")
    bundle = capture_into(engine, base_settings, folder / "store", URL, "CASE-R", "R. Op")
    out = folder / "exhibit.wacz"
    done = subprocess.run([ARCHIVER, "export", str(bundle), "--wacz", str(out)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return out


def test_replaywebpage_shows_the_captured_page(exported: Path, tmp_path: Path) -> None:
    text = serve_and_replay(exported, tmp_path)
    assert "Archived Page Not Found" not in text
    assert TEXT in text, text[-2000:]
    assert (tmp_path / "replay.png").stat().st_size > 0
