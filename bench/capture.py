"""Capture benchmark (`make bench`): archiver against bare Playwright on the same local page.

Measures, in one run and on the same machine:
  (a) bare Playwright: launch Chromium, goto, full-page screenshot, close (the baseline);
  (b) `archiver capture` of the same page (whole process: proxy, browser, WARC, hashes, manifest);
  (c) `archiver capture` of 20 such URLs with --workers 2, reported per URL.
Prints medians and the ratios (b)/(a) and (c)/(a). Targets: <= 1.3x and <= 0.6x.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.certs import make_pki  # noqa: E402
from support.pages import png  # noqa: E402
from support.webserver import TestServer  # noqa: E402

HOST = "bench.example"
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
BATCH = 20
BIN = Path(sys.executable).parent


def realistic_page(server: TestServer) -> None:
    """About 1.1 MB in 31 subresources: images, a script, a stylesheet."""
    site = server.site(HOST)
    images = "".join(f'<img src="/img/{i}.png" width="400" height="300">' for i in range(28))
    site.add("/style.css", "body{font-family:sans-serif}" + "/*pad*/" * 5000, "text/css")
    site.add("/app.js", "window.filler='" + "x" * 150_000 + "';", "application/javascript")
    site.add("/data.json", '{"items": [' + ",".join(str(i) for i in range(5000)) + "]}", "application/json")
    for i in range(28):
        site.add(f"/img/{i}.png", png(400 + i, 300), "image/png")
    site.add("/page", f"""<!doctype html><html lang="en"><head><title>Bench</title>
<link rel="stylesheet" href="/style.css"><script src="/app.js"></script></head>
<body><h1>Benchmark page</h1><p>{'Lorem ipsum dolor sit amet. ' * 2000}</p>{images}
<script>fetch('/data.json')</script></body></html>""")


async def bare_playwright(port: int) -> float:
    from playwright.async_api import async_playwright

    from archiver.browser import LAUNCH_ARGS, find_browser

    start = time.perf_counter()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(find_browser(playwright)), headless=True,
            args=[*LAUNCH_ARGS, f"--host-resolver-rules=MAP {HOST} 127.0.0.1:{port}"])
        context = await browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 900})
        page = await context.new_page()
        await page.goto(f"https://{HOST}/page", wait_until="load")
        await page.wait_for_load_state("networkidle")
        await page.screenshot(full_page=True)
        await browser.close()
    return time.perf_counter() - start


def archiver_capture(urls: list[str], port: int, ca: Path, store: Path, workers: int = 1) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [BIN / "archiver", "capture", *urls, "--store", str(store), "--workers", str(workers),
         "--resolve", f"{HOST}:443:127.0.0.1:{port}", "--ca-bundle", str(ca), "--json"],
        capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"capture failed: {done.stdout[-500:]} {done.stderr[-500:]}")
    return elapsed


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="archiver-bench-"))
    pki = make_pki(work, [HOST])
    server = TestServer(pki.server_cert, pki.server_key).start()
    realistic_page(server)
    url = f"https://{HOST}/page"
    try:
        bare, single, batch = [], [], []
        for run in range(RUNS):
            bare.append(asyncio.run(bare_playwright(server.port)))
            single.append(archiver_capture([url], server.port, pki.ca_cert, work / f"s{run}"))
            if run < max(1, RUNS // 2):
                batch.append(archiver_capture([url] * BATCH, server.port, pki.ca_cert, work / f"b{run}",
                                              workers=2) / BATCH)
        a, b, c = (statistics.median(x) for x in (bare, single, batch))
        print(f"runs: {RUNS} (batch runs: {len(batch)}), page: 1 document + 31 subresources")
        print(f"(a) bare Playwright launch+goto+screenshot  median {a:6.2f} s")
        print(f"(b) archiver capture, one URL               median {b:6.2f} s   ratio b/a = {b / a:.2f} (target <= 1.3)")
        print(f"(c) archiver capture, {BATCH} URLs, --workers 2 median {c:6.2f} s/URL ratio c/a = {c / a:.2f} (target <= 0.6)")
    finally:
        server.stop()
        for path in work.rglob("*"):
            if path.is_file():
                path.chmod(0o644)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
