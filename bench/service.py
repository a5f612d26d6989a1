"""Benchmark of ``archiver serve``: a store of BENCH_BUNDLES (default 10,000) sealed bundles,
BENCH_JOBS (200) capture jobs of a local page submitted at once, and BENCH_CLIENTS (50) clients
polling job status and listing bundles while the captures run, each every BENCH_POLL_INTERVAL
seconds (default 1.0, as a UI polls a capture job; 0.1 is the saturation figure).

Reports p50/p99 latency of the status and list calls while captures run (target p99 <= 100 ms),
capture throughput against the same batch through ``archiver capture`` with as many workers
(target >= 0.9x), and whether every job ended once, with its own bundle.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from bundlegen import make_bundle  # noqa: E402

from archiver.keys import load_or_create  # noqa: E402

from support.certs import make_pki  # noqa: E402
from support.service import free_port  # noqa: E402
from support.webserver import TestServer  # noqa: E402

HOST = "bench.example"
BIN = Path(sys.executable).parent
BUNDLES = int(os.environ.get("BENCH_BUNDLES", "10000"))
JOBS = int(os.environ.get("BENCH_JOBS", "200"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
POLL_INTERVAL = float(os.environ.get("BENCH_POLL_INTERVAL", "1.0"))
PASSWORD = "benchmark password"
TARGET_P99 = 0.100
TARGET_THROUGHPUT = 0.9


def page(server: TestServer) -> list[str]:
    """JOBS distinct URLs of one small post page with an image."""
    from support.pages import png

    site = server.site(HOST)
    site.add("/img.png", png(400, 300), "image/png")
    site.add("/post", "<!doctype html><html lang='en'><head><title>Post</title></head><body><article id='post'>"
                      "<p>" + "A post. " * 200 + "</p><img src='/img.png' width='400'></article></body></html>")
    return [f"https://{HOST}/post?n={n}" for n in range(JOBS)]


def archiver(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([str(BIN / "archiver"), *args], input=stdin, capture_output=True, text=True, env=env,
                          check=False)
    if done.returncode not in (0, 1):  # 1: a capture that was not "complete" (still a bundle)
        raise SystemExit(f"archiver {args[0]}: {done.stderr}")
    return done.stdout.strip()


def generate(store: Path, count: int) -> float:
    signer = load_or_create()[0]
    start = time.perf_counter()
    for number in range(count):
        make_bundle(store, signer)
        if number and number % 1000 == 0:
            print(f"  {number} bundles ({time.perf_counter() - start:.0f} s)", flush=True)
    return time.perf_counter() - start


class Connection:
    """One kept-alive HTTP/1.1 connection of a polling client. httpx spends about 5 ms of CPU a
    call, which on this 2-core machine took CPU from the server it measured; this spends tens of
    microseconds, so the latencies are the server's."""

    def __init__(self, base: str, token: str) -> None:
        url = httpx.URL(base)
        self.host, self.port, self.prefix = url.host, url.port or 80, url.path.rstrip("/")
        self.token = token
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, path: str) -> int:
        """The response's status, once its whole body is read."""
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        try:
            writer.write(f"GET {self.prefix}{path} HTTP/1.1\r\nHost: {self.host}\r\n"
                         f"Authorization: Bearer {self.token}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
            await reader.readexactly(int(length.group(1)) if length else 0)
            return int(head.split(b" ", 2)[1])
        except (OSError, asyncio.IncompleteReadError):
            writer.close()
            self.streams = None
            raise

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()


async def poll(base: str, token: str, job_ids: list[str], stop: asyncio.Event,
               status: list[float], listing: list[float], errors: list[str]) -> None:
    connection = Connection(base, token)
    # Clients that started together would otherwise poll in step, every round a burst.
    await asyncio.sleep(random.uniform(0, POLL_INTERVAL))
    try:
        while not stop.is_set():
            for path in (f"/jobs/{random.choice(job_ids)}",
                         f"/bundles?page={random.randint(1, max(1, BUNDLES // 50))}&per_page=50"):
                start = time.perf_counter()
                try:
                    code = await connection.get(path)
                except (OSError, asyncio.IncompleteReadError) as exc:  # counted, not fatal: the figures say how many
                    errors.append(f"{path}: {type(exc).__name__}")
                    continue
                (status if path.startswith("/jobs") else listing).append(time.perf_counter() - start)
                if code != 200:
                    errors.append(f"{path}: {code}")
            await asyncio.sleep(POLL_INTERVAL)
    finally:
        connection.close()


async def drive(base: str, token: str, urls: list[str]) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as api:
        submitted = await api.post("/captures", json={"urls": urls, "case": "BENCH-JOBS"})
        submitted.raise_for_status()
        job_ids = [job["id"] for job in submitted.json()["jobs"]]
        stop = asyncio.Event()
        status: list[float] = []
        listing: list[float] = []
        errors: list[str] = []
        pollers = [asyncio.create_task(poll(base, token, job_ids, stop, status, listing, errors))
                   for _ in range(CLIENTS)]
        loads = []
        while True:
            await asyncio.sleep(2)
            loads.append(os.getloadavg()[0])
            try:
                jobs = (await api.get("/jobs", params={"case": "BENCH-JOBS", "limit": 1000})).json()["jobs"]
            except httpx.TransportError:
                continue
            if all(job["state"] in ("completed", "failed") for job in jobs) and len(jobs) == len(job_ids):
                break
        stop.set()
        await asyncio.gather(*pollers)
    return {"jobs": jobs, "status": status, "listing": listing, "errors": errors, "loads": loads}


def stop_service(process: subprocess.Popen[bytes]) -> None:
    """The server and the browser it started; killed when it does not stop within a minute."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="archiver-bench-service-"))
    env = {**os.environ, "ARCHIVER_CONFIG_DIR": str(work / "config")}
    os.environ["ARCHIVER_CONFIG_DIR"] = env["ARCHIVER_CONFIG_DIR"]
    pki = make_pki(work, [HOST])
    server = TestServer(pki.server_cert, pki.server_key).start()
    urls = page(server)
    network = ["--resolve", f"{HOST}:443:127.0.0.1:{server.port}", "--ca-bundle", str(pki.ca_cert)]
    store = work / "evidence"
    process = None
    try:
        print(f"generating {BUNDLES} bundles...", flush=True)
        print(f"  {BUNDLES} bundles in {generate(store, BUNDLES):.0f} s", flush=True)
        archiver(env, "users", "add", "bench", "--role", "admin", "--password-stdin", "--store", str(store),
                 stdin=PASSWORD + "\n")
        token = archiver(env, "tokens", "create", "bench", "--store", str(store))
        port = free_port()
        with (work / "serve.log").open("wb") as log:
            process = subprocess.Popen([str(BIN / "archiver"), "serve", "--store", str(store), "--port", str(port),
                                        "--workers", str(WORKERS), "--rate-limit", "0", *network],
                                       stdout=log, stderr=log, env=env, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        start = time.perf_counter()
        while True:
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        print(f"service up in {time.perf_counter() - start:.1f} s (indexing the store's bundles)", flush=True)

        found = asyncio.run(drive(f"{base}/api/v1", token, urls))
        jobs = found["jobs"]
        assert isinstance(jobs, list)
        begun = min(job["started_at"] for job in jobs if job["started_at"])
        ended = max(job["finished_at"] for job in jobs if job["finished_at"])
        service_rate = len(jobs) / (ended - begun)
        bundles = {job["bundle_id"] for job in jobs if job["bundle_id"]}
        lost = len(urls) - sum(job["state"] == "completed" for job in jobs)

        stop_service(process)
        process = None
        listed = work / "urls.txt"
        listed.write_text("\n".join(urls) + "\n")
        start = time.perf_counter()
        archiver(env, "capture", "--from", str(listed), "--case", "BENCH-CLI", "--operator", "bench",
                 "--store", str(work / "cli-store"), "--workers", str(WORKERS), *network)
        cli_rate = len(urls) / (time.perf_counter() - start)

        status, listing, errors = found["status"], found["listing"], found["errors"]
        assert isinstance(status, list) and isinstance(listing, list) and isinstance(errors, list)
        print(json.dumps({"bundles_in_store": BUNDLES, "jobs": len(urls), "clients": CLIENTS,
                          "poll_interval_s": POLL_INTERVAL, "workers": WORKERS,
                          "cpus": os.cpu_count()}))
        for name, values in (("job status", status), ("bundle list", listing)):
            p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
            verdict = "meets" if p99 <= TARGET_P99 else "misses"
            print(f"{name:<12} {len(values):>6} calls  p50 {p50 * 1000:6.1f} ms  p99 {p99 * 1000:6.1f} ms  "
                  f"({verdict} p99 <= {TARGET_P99 * 1000:.0f} ms)")
        ratio = service_rate / cli_rate
        print(f"throughput   service {service_rate:.2f} captures/s, CLI {cli_rate:.2f} captures/s: {ratio:.2f}x "
              f"({'meets' if ratio >= TARGET_THROUGHPUT else 'misses'} >= {TARGET_THROUGHPUT}x)")
        loads = found["loads"]
        assert isinstance(loads, list)
        print(f"load average {min(loads):.1f}-{max(loads):.1f} while the jobs ran (this machine's, all work counted)")
        print(f"jobs         {len(jobs)} ended, {lost} not completed, {len(bundles)} distinct bundles, "
              f"{len(errors)} failed status/list calls{': ' + errors[0] if errors else ''}")
    finally:
        if process is not None:
            stop_service(process)
        server.stop()
        for folder in work.rglob("*"):  # bundles are read-only once sealed
            if folder.is_dir():
                folder.chmod(0o755)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
