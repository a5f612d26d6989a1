"""The court report of a real captured bundle: HTML and PDF, as a user makes them and as a person reads them."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from archiver.report import timestamp_facts
from archiver.verify import BundleReport

from conftest import copy_bundle
from support.bundles import capture_into

ARCHIVER = str(Path(sys.executable).parent / "archiver")
HOSTILE_TEXT = '<script>alert("pwned")</script><img src=x onerror=alert(1)> Ünïcödé & co'
HOSTILE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hostile</title>
<meta property="og:title" content="&lt;/title&gt;&lt;h1&gt;INJECTED&lt;/h1&gt;">
<meta property="og:description" content="&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; Ünïcödé &amp; co">
<meta property="og:image" content="https://cdn.example.org/picture.png">
<meta name="author" content="Mallory">
</head><body><article><h1>A hostile post</h1><img src="https://cdn.example.org/picture.png"></article>
</body></html>"""


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ARCHIVER, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def original(engine, base_settings, https_server, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    https_server.site("example.org").add("/hostile", HOSTILE_PAGE)
    return capture_into(engine, base_settings, tmp_path_factory.mktemp("report-store"),
                        "https://example.org/hostile", "CASE-R7", "R. Op")


@pytest.fixture
def bundle(original: Path, tmp_path: Path) -> Path:
    return copy_bundle(str(original), tmp_path / "store")


def manifest_of(bundle: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((bundle / "manifest.json").read_text())


def last_event(bundle: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(sorted((bundle / "custody").iterdir())[-1].read_text())


def test_html_report_holds_the_facts_and_escapes_page_text(bundle: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    done = run("report", str(bundle), "-o", str(out), "--operator", "Clerk K.")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OK")
    html = out.read_text()
    manifest = manifest_of(bundle)
    for artifact in manifest["artifacts"]:
        assert artifact["sha256"].removeprefix("sha256:") in html, artifact["path"]
    pdq = next(a for a in manifest["artifacts"] if a["path"] == "screenshot.png")["perceptual_hashes"]["pdq"]
    assert pdq["hash"] in html
    assert "https://example.org/hostile" in html and "CASE-R7" in html and "R. Op" in html
    assert hashlib.sha256((bundle / "manifest.json").read_bytes()).hexdigest() in html
    # page-derived text is shown as text, never as markup
    assert "<script" not in html.lower() and "<h1>INJECTED" not in html and "onerror=alert(1)>" not in html
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in html
    assert "&lt;/title&gt;&lt;h1&gt;INJECTED&lt;/h1&gt;" in html and "Ünïcödé &amp; co" in html
    # the screenshot is embedded byte for byte
    shot = base64.b64encode((bundle / "screenshot.png").read_bytes()).decode()
    assert f"data:image/png;base64,{shot}" in html
    for needle in ("902(13)", "902(14)", "Signature", "openssl pkeyutl -verify", "warcio check",
                   "openssl ts -verify", "sha256sum -c"):
        assert needle in html
    if not (bundle / "manifest.tsr").exists():
        assert "no trusted timestamp" in html
    # the report is recorded in the custody log, and the chain still holds
    event = last_event(bundle)
    assert event["event"] == "reported" and event["actor"] == "Clerk K."
    assert event["details"]["sha256"] == "sha256:" + hashlib.sha256(out.read_bytes()).hexdigest()
    assert event["details"]["format"] == "html" and event["details"]["verification"] == "OK"
    assert run("verify", str(bundle)).returncode == 0


def test_default_output_and_refusals(bundle: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    events = len(list((bundle / "custody").iterdir()))
    assert run("report", str(bundle), cwd=work).returncode == 0
    default = work / f"{bundle.name}-report.html"
    assert default.is_file()
    before = default.read_bytes()
    again = run("report", str(bundle), cwd=work)
    assert again.returncode == 2 and again.stderr.startswith("archiver: error:") and "already exists" in again.stderr
    assert default.read_bytes() == before
    inside = run("report", str(bundle), "-o", str(bundle / "report.html"))
    assert inside.returncode == 2 and not (bundle / "report.html").exists()
    assert run("report", str(tmp_path / "nothing")).returncode == 2
    assert len(list((bundle / "custody").iterdir())) == events + 1  # only the one report made


def test_tampered_bundle_report_says_so(bundle: Path, tmp_path: Path) -> None:
    dom = bundle / "dom.html"
    dom.write_bytes(dom.read_bytes().replace(b"hostile", b"friendly", 1))
    out = tmp_path / "t.html"
    done = run("report", str(bundle), "-o", str(out))
    assert done.returncode == 1 and done.stdout.startswith("TAMPERED")
    html = out.read_text()
    assert re.search(r'<div class="banner TAMPERED">\s*<div class="verdict">TAMPERED</div>', html)
    assert "FAILED verification" in html
    assert re.search(r'<span class="mono">dom\.html</span>: sha256 sha256:[0-9a-f]{64} != manifest', html)
    assert "DOES NOT VERIFY: size" in html  # and the file's row in the hash table says so
    assert last_event(bundle)["details"]["verification"] == "TAMPERED"


def colour_pixels(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 40) -> int:
    data = image.convert("RGB").tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    return sum(1 for pixel in pixels if all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True)))


def test_pdf_report_reads_and_looks_right(bundle: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    done = run("report", str(bundle), "-o", str(out))  # the format follows the file name
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    manifest = manifest_of(bundle)
    warc = next(a for a in manifest["artifacts"] if a["path"] == "capture.warc.gz")
    assert warc["sha256"].removeprefix("sha256:") in text
    for artifact in manifest["artifacts"]:  # every hash survives the page layout unbroken
        assert artifact["sha256"].removeprefix("sha256:") in text, artifact["path"]
    assert "https://example.org/hostile" in text
    assert HOSTILE_TEXT in text  # shown literally, not run or dropped
    assert "Certification of authenticity" in text and "Name of qualified person" in text
    event = last_event(bundle)
    assert event["details"]["format"] == "pdf"
    assert event["details"]["sha256"] == "sha256:" + hashlib.sha256(out.read_bytes()).hexdigest()

    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(out), str(tmp_path / "page")],
                   check=True)
    page = Image.open(next(tmp_path.glob("page*.png")))
    assert page.width < page.height  # portrait
    dark = sum(1 for pixel in page.convert("L").tobytes() if pixel < 128)
    assert dark > 0.01 * page.width * page.height  # text, not a blank page
    assert colour_pixels(page, (30, 126, 52)) > 20  # the green OK verdict is on page 1


def test_report_shows_the_trusted_timestamp_and_its_check(bundle: Path, tmp_path: Path) -> None:
    from support.tsa import start_tsa

    tsa = start_tsa(tmp_path / "tsa")
    try:
        stamped = run("timestamp", str(bundle), "--tsa", tsa.url)
        assert stamped.returncode == 0, stamped.stderr
        out = tmp_path / "ts.html"
        done = run("report", str(bundle), "-o", str(out), "--tsa-ca", str(tsa.ca_file))
        assert done.returncode == 0, done.stderr
    finally:
        tsa.stop()
    gen_time = json.loads(next((bundle / "custody").glob("*-timestamped.json")).read_text())["details"]["gen_time"]
    html = out.read_text()
    assert re.search(rf"<th>Trusted timestamp \(TSA\)</th><td>{gen_time}</td>", html)
    assert re.search(r"<th>Certificate chain</th><td>chain OK[^<]*</td>", html)
    assert "no trusted timestamp" not in html and "(this bundle has none)" not in html


def test_timestamp_facts_are_labelled_and_absent_without_a_token() -> None:
    plain = BundleReport("b", "here")
    assert timestamp_facts(plain) is None
    plain.timestamp = {"status": "OK", "gen_time": "2026-11-23T10:00:00Z", "tsa": "CN=Test TSA",
                       "serial_number": "1f", "nonce": None}
    assert timestamp_facts(plain) == {"Status": "OK", "Time (TSA genTime, UTC)": "2026-11-23T10:00:00Z",
                                      "Authority (TSA)": "CN=Test TSA", "Serial number": "1f"}
    plain.timestamp = {"status": "none", "detail": "requested; no TSA answered: refused"}
    assert timestamp_facts(plain) is None
