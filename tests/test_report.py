"""The court report of a real captured bundle: HTML and PDF, as a user makes them and as a person reads them."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from archiver.manifest import Manifest
from archiver.report import gather, render_html, timestamp_facts
from archiver.report_pdf import html_to_pdf
from archiver.report_sections import setting_warnings
from archiver.storage.local import local_bundle
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


@pytest.fixture(scope="module")
def weakened(https_server, tls_args, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """A capture made with every setting that weakens what a bundle shows."""
    https_server.site("example.org").add("/hostile", HOSTILE_PAGE)
    done = run("capture", "https://example.org/hostile", "--store", str(tmp_path_factory.mktemp("weakened")),
               "--case", "CASE-W", "--operator", "W. Op", "--insecure", "--allow-private-networks", *tls_args,
               "--json")
    assert done.returncode == 0, done.stderr
    return Path(json.loads(done.stdout.splitlines()[-1])["bundle"])


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
    # the test server is reached through --resolve and --ca-bundle: warned before the summary
    assert html.index('<div class="warnings">') < html.index("1. Summary")
    assert html.count("(WARNING: see the top of this report)") == 2
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


def pdf_pages(pdf: Path, *options: str) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))
    return [subprocess.run(["pdftotext", *options, "-f", str(n), "-l", str(n), str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout for n in range(1, pages + 1)]


WEAKENING_OPTIONS = ("--insecure", "--ca-bundle", "--resolve", "--allow-private-networks")


def test_weakening_settings_are_warned_on_page_one_and_by_show(weakened: Path, tmp_path: Path) -> None:
    bundle = copy_bundle(str(weakened), tmp_path / "store")
    out = tmp_path / "w.pdf"
    done = run("report", str(bundle), "-o", str(out))
    assert done.returncode == 0, done.stderr
    first = pdf_pages(out, "-layout")[0]
    assert "WARNING: captured with settings that weaken what this bundle shows" in first
    for option in WEAKENING_OPTIONS:
        assert re.search(rf"^\s*{option}\s", first, re.M), option
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(out), str(tmp_path / "page")],
                   check=True)
    page = Image.open(next(tmp_path.glob("page*.png")))
    assert colour_pixels(page, (166, 99, 0), tolerance=30) > 50  # the amber warning box is on page 1

    shown = run("show", str(bundle))
    assert shown.returncode == 0, shown.stderr
    for option in WEAKENING_OPTIONS:
        assert f"WARNING {option}" in shown.stdout
    as_json = json.loads(run("show", str(bundle), "--json").stdout)
    warnings = as_json.pop("setting_warnings")
    assert as_json == manifest_of(bundle)  # the manifest as it is, and the warnings beside it
    assert [(w["setting"], w["option"]) for w in warnings] == [
        ("insecure", "--insecure"), ("ca_bundle", "--ca-bundle"), ("resolve", "--resolve"),
        ("allow_private_networks", "--allow-private-networks")]
    assert warnings[2]["values"] == manifest_of(bundle)["settings"]["resolve"]


def test_only_weakening_settings_are_warned(original: Path) -> None:
    data = manifest_of(original)
    data["settings"].update(insecure=False, allow_private_networks=False, resolve=[], ca_bundle=None)
    assert setting_warnings(Manifest.from_bytes(json.dumps(data).encode())) == []
    data["settings"]["resolve"] = [f"h{n}.example:443:127.0.0.1" for n in range(5)]
    warning, = setting_warnings(Manifest.from_bytes(json.dumps(data).encode()))
    assert warning.brief() == "h0.example:443:127.0.0.1, h1.example:443:127.0.0.1, h2.example:443:127.0.0.1 " \
                              "and 2 more"
    assert warning.line(most=5).startswith("--resolve h0.example:443:127.0.0.1, ")


def starts(label: str) -> re.Pattern[str]:
    """A table row's label at the start of a line of the page (its first two words: long labels wrap)."""
    return re.compile(r"^\s*" + re.escape(" ".join(label.split()[:2])), re.M)


def test_tables_are_kept_together_and_long_ones_repeat_their_header(original: Path, tmp_path: Path) -> None:
    facts = gather(local_bundle(original))
    facts["artifacts"] = facts["artifacts"] * 25  # a hash table longer than a page
    tables = {name: facts[name] for name in ("summary", "when", "tool", "settings", "network", "tls")}
    # Lines of post text before the tables move every page end: each table meets one somewhere.
    for padding in (0, 9, 18, 27):
        facts["post_text"] = "\n".join(f"line {n}" for n in range(padding))
        out = tmp_path / f"p{padding}.pdf"
        out.write_bytes(html_to_pdf(render_html(facts), "tables"))
        pages = pdf_pages(out, "-layout")
        for name, rows in tables.items():
            first, last = starts(rows[0][0]), starts(rows[-1][0])
            assert any(first.search(page) and last.search(page) for page in pages), (padding, name)
        table = next(n for n, page in enumerate(pages) if "6. Artifacts and their hashes" in page)
        verification = next(n for n, page in enumerate(pages) if "7. Verification" in page)
        hashed = [page for page in pages[table:verification + 1] if re.search(r"SHA-256 [0-9a-f]{64}", page)]
        assert len(hashed) >= 2
        assert all(re.search(r"^\s*File\s+Hashes\s*$", page, re.M) for page in hashed)


def printed_command(text: str, start: str) -> str:
    """The command whose first line begins with ``start``, as a shell reads it when pasted."""
    lines = [line.strip() for line in text.splitlines()]
    at = next(n for n, line in enumerate(lines) if line.startswith(start))
    end = at
    while lines[end].endswith("\\"):
        end += 1
    return "\n".join(lines[at:end + 1]).replace("\\\n", "")


CANONICAL_CHECK = "import json,sys,rfc8785;sys.stdout.buffer.write(rfc8785.dumps(json.load(sys.stdin.buffer)))"


def test_printed_commands_paste_as_one_command_each_and_work(bundle: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    assert run("report", str(bundle), "-o", str(out)).returncode == 0
    text = "".join(pdf_pages(out))
    text = text[text.index("9. Re-verifying with stock tools"):text.index("Certification of authenticity")]
    expected = {
        "sha256sum -c": ["sha256sum", "-c", "~/SHA256SUMS"],
        "sha256sum manifest.json": ["sha256sum", "manifest.json"],
        "warcio check": ["warcio", "check", "-v", "capture.warc.gz"],
        "openssl pkeyutl": ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "signer.pub.pem", "-rawin", "-in",
                            "manifest.jcs", "-sigfile", "manifest.sig"],
        "python3 -c": ["python3", "-c", CANONICAL_CHECK, "<", "manifest.json", "|", "cmp", "-", "manifest.jcs"],
        "openssl pkey ": ["openssl", "pkey", "-pubin", "-in", "signer.pub.pem", "-outform", "DER", "|", "sha256sum"],
        "openssl ts -verify": ["openssl", "ts", "-verify", "-data", "manifest.jcs", "-in", "manifest.tsr",
                               "-CAfile", "tsa-ca.pem"],
        "openssl ts -reply": ["openssl", "ts", "-reply", "-in", "manifest.tsr", "-text"],
        "wb-manager": ["wb-manager", "init", "c", "&&", "wb-manager", "add", "c", "capture.warc.gz", "&&", "wayback"],
        "archiver verify": ["archiver", "verify", bundle.name],
    }
    commands = {start: printed_command(text, start) for start in expected}
    assert {start: shlex.split(command) for start, command in commands.items()} == expected
    assert "\\\n" in "\n".join(text.splitlines())  # at least one command goes on over a line end

    # pasted into a shell, in the bundle folder, they verify the bundle
    sums = re.findall(r"^SHA256 \(.+\) = [0-9a-f]{64}$", text, re.M)
    assert len(sums) == len(manifest_of(bundle)["artifacts"])
    home = tmp_path / "home"
    home.mkdir()
    (home / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    env = {**os.environ, "HOME": str(home), "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for start in ("sha256sum -c", "sha256sum manifest.json", "warcio check", "openssl pkeyutl", "python3 -c"):
        done = subprocess.run(["bash", "-c", commands[start]], cwd=bundle, env=env, capture_output=True, text=True)
        assert done.returncode == 0, (start, done.stdout, done.stderr)
        if start == "sha256sum manifest.json":
            assert done.stdout.split()[0] in text.replace("\n", "")  # the hash the report printed
    verified = subprocess.run(["bash", "-c", commands["archiver verify"]], cwd=bundle.parent, env=env)
    assert verified.returncode == 0


def test_a_hostile_bundle_id_is_one_word_in_the_printed_command(original: Path) -> None:
    facts = gather(local_bundle(original))
    facts["bundle_id"] = "x; touch pwned"
    assert "archiver verify &#39;x; touch pwned&#39;</pre>" in render_html(facts)
