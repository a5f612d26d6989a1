"""Capture benchmark (`make bench`): `archiver capture` against bare Playwright on the same local page.

    python bench/capture.py [--runs N] [--batch-runs N] [--browser PATH ...]

For each browser (default: Debian's chromium-headless-shell and full chromium, those installed;
else the one the archiver would pick), in one run, on the same machine and the same binary:
  (a) a bare Playwright script as a whole process (bench/bare_playwright.py: launch, goto,
      networkidle, full-page screenshot, close): the baseline;
  (a0) the same inside this warm interpreter (no Python start-up, Playwright imported): the
      baseline of earlier versions of this benchmark, kept for comparison;
  (b) `archiver capture` of the same page (whole process: proxy, browser, WARC, hashes, manifest,
      signature, custody log);
  (c) `archiver capture` of 20 such URLs with --workers 2, per URL.
Runs are interleaved (a, a0, b, and every other time c) after one untimed warm-up of each, and the
ratios are the medians of each run's own ratio, so drift in the machine's speed cancels out.
Then, in separate runs (sampling slows what it measures), the memory of (a) and (b): the largest
single process, and the whole process tree (see processtree.py).
Targets: b/a <= 1.10, c/a <= 0.45, whole-tree memory b/a <= 1.2.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from bare_playwright import load_and_screenshot  # noqa: E402
from processtree import Run, run  # noqa: E402

from archiver.browser import DEBIAN_CHROMIUM, DEBIAN_HEADLESS_SHELL, LAUNCH_ARGS  # noqa: E402

from support.certs import make_pki  # noqa: E402
from support.pages import png  # noqa: E402
from support.webserver import TestServer  # noqa: E402

HOST = "bench.example"
URL = f"https://{HOST}/page"
BATCH = 20
BIN = Path(sys.executable).parent
TARGETS = {"b": 1.10, "c": 0.45, "memory": 1.2}


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


@dataclass
class Bench:
    """One browser's commands and figures."""

    browser: Path
    port: int
    ca: Path
    work: Path
    seconds: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in ("a", "a0", "b", "c")})
    ratios: dict[str, list[float]] = field(default_factory=lambda: {"b": [], "c": []})
    memory: dict[str, list[Run]] = field(default_factory=lambda: {"a": [], "b": []})
    runs: int = 0

    def env(self) -> dict[str, str]:
        # A throwaway signing key: the benchmark never touches the operator's own.
        return {**os.environ, "ARCHIVER_CONFIG_DIR": str(self.work / "config")}

    def bare(self) -> list[str]:
        return [sys.executable, str(ROOT / "bench" / "bare_playwright.py"), URL,
                f"{HOST}:127.0.0.1:{self.port}", str(self.browser), *LAUNCH_ARGS]

    def bare_in_process(self) -> float:
        start = time.perf_counter()
        asyncio.run(load_and_screenshot(URL, f"{HOST}:127.0.0.1:{self.port}", str(self.browser),
                                        list(LAUNCH_ARGS)))
        return time.perf_counter() - start

    def archiver(self, urls: int, workers: int = 1) -> list[str]:
        self.runs += 1
        return [str(BIN / "archiver"), "capture", *[URL] * urls, "--store", str(self.work / f"store{self.runs}"),
                "--workers", str(workers), "--browser-path", str(self.browser),
                "--resolve", f"{HOST}:443:127.0.0.1:{self.port}", "--ca-bundle", str(self.ca), "--json"]


def measure(bench: Bench, runs: int, batch_runs: int, memory_runs: int) -> None:
    env = bench.env()
    # Untimed warm-up: page cache, the signing key made on first use.
    run(bench.bare(), env)
    bench.bare_in_process()
    run(bench.archiver(1), env)
    for index in range(runs):
        a = run(bench.bare(), env).seconds
        bench.seconds["a"].append(a)
        bench.seconds["a0"].append(bench.bare_in_process())
        b = run(bench.archiver(1), env).seconds
        bench.seconds["b"].append(b)
        bench.ratios["b"].append(b / a)
        if index % 2 == 0 and len(bench.seconds["c"]) < batch_runs:
            c = run(bench.archiver(BATCH, workers=2), env).seconds / BATCH
            bench.seconds["c"].append(c)
            bench.ratios["c"].append(c / a)
        clean(bench.work, keep="config")
    for _ in range(memory_runs):
        bench.memory["a"].append(run(bench.bare(), env, sample_tree=True))
        bench.memory["b"].append(run(bench.archiver(1), env, sample_tree=True))
        clean(bench.work, keep="config")


def report(bench: Bench) -> None:
    version = subprocess.run([str(bench.browser), "--version"], capture_output=True, text=True).stdout.strip()
    s, r = bench.seconds, bench.ratios
    print(f"\nbrowser: {bench.browser} ({version})")
    print(f"runs: {len(s['a'])} (batch runs: {len(s['c'])}); {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    print(f"{'':58} {'median':>7} {'min':>6} {'max':>6}   ratio (target)")
    rows: list[tuple[str, str, str | None]] = [
        ("(a)  bare Playwright script, whole process", "a", None),
        ("(a0) bare Playwright in a warm interpreter (old baseline)", "a0", None),
        ("(b)  archiver capture, one URL", "b", "b"),
        (f"(c)  archiver capture, {BATCH} URLs, --workers 2, per URL", "c", "c"),
    ]
    for name, key, ratio in rows:
        if not s[key]:
            continue
        line = f"{name:58} {statistics.median(s[key]):6.2f}s {min(s[key]):5.2f}s {max(s[key]):5.2f}s"
        if ratio:
            line += "   " + verdict(f"{ratio}/a", statistics.median(r[ratio]), TARGETS[ratio])
            line += f"; {ratio}/a0 {statistics.median(s[key]) / statistics.median(s['a0']):.2f}"
        print(line)
    if bench.memory["a"]:
        a, b = (memory_medians(bench.memory[k]) for k in ("a", "b"))
        print(f"memory, median of {len(bench.memory['a'])} runs' peaks{'':16} {'tree PSS':>9} {'largest process RSS':>20}")
        for name, (tree, largest) in (("(a) bare Playwright script", a), ("(b) archiver capture, one URL", b)):
            print(f"  {name:54} {tree:5.0f} MiB {largest:13.0f} MiB")
        print(f"  {'ratio b/a':54} " + verdict("tree", b[0] / a[0], TARGETS["memory"])
              + f"; largest process {b[1] / a[1]:.2f}")


def memory_medians(runs: list[Run]) -> tuple[float, float]:
    """Whole-tree PSS and largest-process RSS, MiB."""
    return (statistics.median(run.tree_pss_mib or 0.0 for run in runs),
            statistics.median(run.largest_mib for run in runs))


def verdict(label: str, ratio: float, target: float) -> str:
    return f"{label} {ratio:.2f} (<= {target}: {'met' if ratio <= target else 'MISSED'})"


def clean(work: Path, keep: str) -> None:
    """Remove the stores (read-only files: a bundle is sealed) between runs; disk stays small."""
    for store in work.iterdir():
        if store.name != keep and store.is_dir():
            unseal(store)
            shutil.rmtree(store)


def unseal(folder: Path) -> None:
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def default_browsers() -> list[Path]:
    installed = [path for path in (DEBIAN_HEADLESS_SHELL, DEBIAN_CHROMIUM) if path.exists()]
    return installed or [archivers_choice()]


def archivers_choice() -> Path:
    from playwright.async_api import async_playwright

    from archiver.browser import find_browser

    async def choose() -> Path:
        async with async_playwright() as playwright:
            return find_browser(playwright)

    return asyncio.run(choose())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "5")))
    parser.add_argument("--batch-runs", type=int, default=2, help="runs of (c), 20 captures each")
    parser.add_argument("--memory-runs", type=int, default=2)
    parser.add_argument("--browser", type=Path, action="append", help="Chromium to use (repeatable)")
    options = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # each table as it comes
    work = Path(tempfile.mkdtemp(prefix="archiver-bench-"))
    pki = make_pki(work, [HOST])
    server = TestServer(pki.server_cert, pki.server_key).start()
    realistic_page(server)
    print(f"page: 1 document + 31 subresources; {options.runs} runs of (a) and (b) per browser")
    try:
        for browser in options.browser or default_browsers():
            folder = work / browser.name
            folder.mkdir()
            bench = Bench(browser, server.port, pki.ca_cert, folder)
            measure(bench, options.runs, options.batch_runs, options.memory_runs)
            report(bench)
    finally:
        server.stop()
        unseal(work)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
