"""`make demo`: serve bundled pages under their real hostnames on loopback HTTPS, capture them
with the real `archiver` command, verify the bundles and print a summary table.

Nothing leaves this machine: every hostname is pointed at the local server with --resolve, and
the server's certificate comes from a throwaway CA passed with --ca-bundle.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from http.server import BaseHTTPRequestHandler
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.certs import make_pki  # noqa: E402
from support.hosts import HOSTNAMES  # noqa: E402
from support.pages import ARTICLE, png  # noqa: E402
from support.tsa import start_tsa  # noqa: E402
from support.webserver import TestServer  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
OUTPUT = ROOT / "demo-evidence"
EXHIBITS = ROOT / "demo-exhibits"  # report and WACZ of the first bundle (never inside a bundle)
BIN = Path(sys.executable).parent

# (url to capture, fixture file served at that URL's path, relative to tests/fixtures)
DEMO_PAGES: list[tuple[str, str | None]] = [
    ("https://example.org/article", None),
    ("https://x.com/UaSmart/status/934106870834454529", "x/metascraper-x__post-image.html"),
    ("https://m.facebook.com/story.php?story_fbid=3065154550235644&id=119240841493711",
     "facebook/facebook-scraper__TestGetPosts.test_get_posts__01.html"),
    ("https://www.instagram.com/p/CPeC-Eenc8l/", "instagram/metascraper-instagram__post-with-photo.html"),
    ("https://t.me/s/topwar_official", "telegram/any2feed__full.html"),
    ("https://www.whatsapp.com/channel/0029VaHarbourCityCouncil1Xy", "whatsapp/channel.html"),
]
PAGE_HOSTS = {"example.org", "x.com", "m.facebook.com", "www.instagram.com", "t.me", "www.whatsapp.com"}
# Every other known host answers any path with a picture, so pages' media can be hashed.
MEDIA_HOSTS = [host for host in HOSTNAMES if host not in PAGE_HOSTS]


def any_image(handler: BaseHTTPRequestHandler) -> None:
    body = png(480, 320, color=(30, 120, 200))
    handler.send_response(200)
    handler.send_header("Content-Type", "image/png")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


BANNED_PHOTO = FIXTURES / "images" / "rocket.jpg"  # a real photograph (SOURCES.txt there)
REUPLOAD_URL = "https://example.org/reupload"


def reupload_page() -> tuple[bytes, bytes]:
    """A page re-posting the banned photo as a mirror account would: flipped and re-encoded."""
    import io

    from PIL import Image, ImageOps

    copy = io.BytesIO()
    ImageOps.mirror(Image.open(BANNED_PHOTO).convert("RGB")).save(copy, "JPEG", quality=60)
    html = (b'<!doctype html><html><head><title>Re-upload</title>'
            b'<meta property="og:title" content="A re-upload"><meta property="og:image" '
            b'content="https://example.org/reupload.jpg"></head><body><h1>A re-upload</h1>'
            b'<img src="/reupload.jpg" width="480"></body></html>')
    return html, copy.getvalue()


def show_a_match(resolve: list[str], ca_cert: Path, tsa_url: str, work: Path) -> bool:
    """Bank the photo's PDQ, index the store, capture the re-upload: the capture names the match."""
    from archiver.image_signals import image_signals

    signals = image_signals(BANNED_PHOTO.read_bytes())
    assert signals is not None
    bank = work / "banned.csv"
    bank.write_text(f"signal_type,signal,labels,source\npdq,{signals.pdq.hex},demo-group,make demo\n")
    print("\nmirror matching: a bank of known content, then a flipped, re-encoded re-upload ...", flush=True)
    for args in (["bank", "import", str(bank), "--name", "DEMO_BANNED", "--format", "csv", "--store", str(OUTPUT)],
                 ["index", str(OUTPUT)]):
        done = subprocess.run([BIN / "archiver", *args], capture_output=True, text=True)
        if done.returncode != 0:
            print(f"demo: archiver {args[0]} failed: {done.stderr.strip()}", file=sys.stderr)
            return False
    captured = subprocess.run(
        [BIN / "archiver", "capture", REUPLOAD_URL, "--store", str(OUTPUT), "--json", "--case", "DEMO-1",
         "--operator", "make demo", "--ca-bundle", str(ca_cert), "--settle-timeout", "8", "--tsa", tsa_url,
         *resolve], capture_output=True, text=True)
    lines = [json.loads(line) for line in captured.stdout.splitlines() if line.startswith("{")]
    matches = [m for line in lines for m in line.get("matches") or [] if m.get("source") == "bank"]
    for match in matches:
        print(f"  {REUPLOAD_URL}: {match['bank']} {', '.join(match['labels'])} by {match['how']} "
              f"at PDQ distance {match['distance']}")
    if not matches:
        print(f"demo: the re-upload matched nothing: {captured.stdout.strip()} {captured.stderr.strip()}",
              file=sys.stderr)
    return bool(matches)


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="archiver-demo-"))
    pages = [(url, fixture) for url, fixture in DEMO_PAGES if fixture is None or (FIXTURES / fixture).exists()]
    hosts = sorted({url.split("/")[2] for url, _ in pages} | set(MEDIA_HOSTS))
    pki = make_pki(work, hosts)
    server = TestServer(pki.server_cert, pki.server_key).start()
    for url, fixture in pages:
        host, path = url.split("/")[2], "/" + url.split("/", 3)[3]
        site = server.site(host)
        body = ARTICLE if fixture is None else (FIXTURES / fixture).read_bytes()
        site.routes[path] = lambda h, body=body: h.send(200, body if isinstance(body, bytes) else body.encode(),
                                                        "text/html; charset=utf-8")
    server.site("example.org").add("/api/data.json", '{"message": "loaded by fetch"}', "application/json")
    reupload_html, reupload_jpeg = reupload_page()
    server.site("example.org").routes["/reupload"] = lambda h: h.send(200, reupload_html, "text/html")
    server.site("example.org").routes["/reupload.jpg"] = lambda h: h.send(200, reupload_jpeg, "image/jpeg")
    for host in MEDIA_HOSTS:
        server.site(host).routes["*"] = any_image
    tsa = start_tsa(work / "tsa", "demo loopback TSA")
    resolve = [arg for host in hosts for arg in ("--resolve", f"{host}:443:127.0.0.1:{server.port}")]
    for folder in (OUTPUT, EXHIBITS):
        if folder.exists():
            for path in folder.rglob("*"):
                path.chmod(0o755 if path.is_dir() else 0o644)
            shutil.rmtree(folder)
    try:
        print(f"capturing {len(pages)} demo pages into {OUTPUT} ...", flush=True)
        done = subprocess.run(
            [BIN / "archiver", "capture", *[u for u, _ in pages], "--store", str(OUTPUT), "--json",
             "--workers", "2", "--case", "DEMO-1", "--operator", "make demo", "--ca-bundle",
             str(pki.ca_cert), "--settle-timeout", "8", "--tsa", tsa.url, *resolve],
            capture_output=True, text=True)
        if done.stderr.strip():
            print(done.stderr.strip(), file=sys.stderr)
        results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        print(f"\n{'platform':<10} {'status':<15} {'author':<24} {'published_at':<26} {'media':>5}  bundle")
        for r in results:
            post = r.get("post") or {}
            print(f"{r['platform'] or '-':<10} {r['status']:<15} {str(post.get('author') or '-')[:24]:<24} "
                  f"{str(post.get('published_at') or '-')[:26]:<26} {post.get('media', 0):>5}  {r['bundle_id']}")
        print("\nverifying every bundle ...", flush=True)
        verified = subprocess.run([BIN / "archiver", "verify", str(OUTPUT), "--tsa-ca", str(tsa.ca_file)],
                                  capture_output=True, text=True)
        print(verified.stdout.strip())
        if verified.returncode != 0 or len(results) != len(pages):
            print("demo: verification failed", file=sys.stderr)
            return 1
        first = results[0]["bundle"]
        EXHIBITS.mkdir()
        report, wacz = EXHIBITS / "report.pdf", EXHIBITS / "capture.wacz"
        for args in (["report", first, "-o", str(report), "--tsa-ca", str(tsa.ca_file), "--operator", "make demo"],
                     ["export", first, "--wacz", str(wacz), "--operator", "make demo"]):
            made = subprocess.run([BIN / "archiver", *args], capture_output=True, text=True)
            if made.returncode != 0:
                print(f"demo: archiver {args[0]} failed: {made.stderr.strip()}", file=sys.stderr)
                return 1
        if not show_a_match(resolve, pki.ca_cert, tsa.url, work):
            return 1
        print(f"\nall {len(results)} bundles verify (signed, timestamped by a loopback TSA).")
        print(f"court report: {report}\nWACZ package: {wacz}")
        print(f"look at one bundle: {BIN / 'archiver'} show {first}")
        return 0
    finally:
        server.stop()
        tsa.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
