"""End-to-end captures with real Chromium through the recording proxy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archiver.hashing import hash_file
from archiver.manifest import Manifest
from archiver.settings import ResolveRule


def manifest_of(result) -> Manifest:  # type: ignore[no-untyped-def]
    return Manifest.load(Path(result.location) / "manifest.json")


def records(warc: Path) -> list[tuple[str, str, object]]:
    out = []
    with warc.open("rb") as stream:
        for record in ArchiveIterator(stream):
            out.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI"), record))
            record.content_stream().read()
    return out


def test_article_bundle_is_complete_and_hashed(capture) -> None:  # type: ignore[no-untyped-def]
    result = capture("https://example.org/article")
    assert result.status == "complete", result.reason
    folder = Path(result.location)
    manifest = manifest_of(result)
    # The model holds every key the writer wrote: serialized again, it gives the file's bytes.
    assert manifest.to_json_bytes() == (folder / "manifest.json").read_bytes()
    paths = {a.path for a in manifest.artifacts}
    assert {"capture.warc.gz", "screenshot.png", "dom.html", "metadata.json", "media/01.png"} <= paths
    for artifact in manifest.artifacts:
        assert (artifact.sha256, artifact.size) == hash_file(folder / artifact.path)
    shot = manifest.artifact("screenshot.png")
    assert shot is not None and shot.perceptual_hashes is not None
    assert len(shot.perceptual_hashes["pdq"]["hash"]) == 64
    assert shot.perceptual_hashes["pdq"]["quality"] >= 0
    assert len(shot.perceptual_hashes["phash"]["hash"]) == 16
    assert manifest.case_id == "CASE-T" and manifest.operator == "Tester"
    assert manifest.server_ip == "127.0.0.1"
    assert manifest.tls is not None and manifest.tls["subject"].endswith("CN=example.org")
    assert manifest.tls["sha256_fingerprint"].startswith("sha256:")
    assert manifest.post is not None and manifest.post["text"] == "Text of the demo post."
    assert manifest.post["published_at"] == "2026-11-01T10:00:00Z"
    # the rendered DOM includes what the page's fetch() added
    assert "loaded by fetch" in (folder / "dom.html").read_text()
    # files are read-only once committed
    assert not (folder / "manifest.json").stat().st_mode & 0o222


def test_warc_has_every_exchange_with_sha256_digests(capture) -> None:  # type: ignore[no-untyped-def]
    result = capture("https://example.org/article")
    warc = Path(result.location) / "capture.warc.gz"
    recs = records(warc)
    kinds = [(t, u) for t, u, _ in recs]
    assert kinds[0][0] == "warcinfo"
    for url in ("https://example.org/article", "https://example.org/api/data.json",
                "https://cdn.example.org/picture.png"):
        assert ("request", url) in kinds and ("response", url) in kinds
    for rec_type, _uri, record in recs:
        if rec_type in ("response", "resource"):
            assert record.rec_headers.get_header("WARC-Payload-Digest").startswith("sha256:")
            assert record.rec_headers.get_header("WARC-Block-Digest").startswith("sha256:")
        if rec_type == "response":
            assert record.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    resources = {u.rsplit(":", 1)[-1] for t, u, _ in recs if t == "resource"}
    assert {"screenshot.png", "dom.html", "metadata.json"} <= resources
    check = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", "-v", str(warc)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout


def test_media_file_equals_warc_payload(capture) -> None:  # type: ignore[no-untyped-def]
    result = capture("https://example.org/article")
    manifest = manifest_of(result)
    assert manifest.post is not None
    media = manifest.post["media"][0]
    digests = {u: r.rec_headers.get_header("WARC-Payload-Digest")
               for t, u, r in records(Path(result.location) / "capture.warc.gz") if t == "response"}
    assert media["sha256"] == digests["https://cdn.example.org/picture.png"]
    assert media["width"] == 320 and media["height"] == 200 and media["pdq"]


def test_redirect_chain_recorded(capture) -> None:  # type: ignore[no-untyped-def]
    result = capture("https://example.org/moved")
    assert result.status == "complete"
    manifest = manifest_of(result)
    assert manifest.final_url == "https://example.org/article"
    recs = records(Path(result.location) / "capture.warc.gz")
    moved = next(r for t, u, r in recs if t == "response" and u == "https://example.org/moved")
    assert moved.http_headers.get_statuscode() == "302"


def test_ssrf_guard_blocks_private_subrequests_and_redirects(capture, http_server) -> None:  # type: ignore[no-untyped-def]
    result = capture("https://example.org/ssrf")
    manifest = manifest_of(result)
    blocked = {b["url"] for b in manifest.network.blocked}
    assert f"http://127.0.0.1:{http_server.port}/secret" in blocked
    assert not any(path.startswith("/secret") for _h, path, _ in http_server.requests)
    warc_bytes = subprocess.run(["zcat", str(Path(result.location) / "capture.warc.gz")],
                                capture_output=True).stdout
    assert b"INTERNAL-SECRET" not in warc_bytes

    redirected = capture("https://example.org/to-metadata")
    assert redirected.status == "blocked"
    blocked = manifest_of(redirected).network.blocked
    assert blocked[0]["url"].startswith("http://169.254.169.254/")


def test_allow_private_networks_is_recorded(capture, http_server) -> None:  # type: ignore[no-untyped-def]
    result = capture("https://example.org/ssrf", allow_private_networks=True)
    manifest = manifest_of(result)
    assert manifest.raw["settings"]["allow_private_networks"] is True
    assert manifest.network.blocked == []


def test_hanging_server_gives_partial_with_reason(capture) -> None:  # type: ignore[no-untyped-def]
    result = capture("https://example.org/hang", navigation_timeout=3)
    assert result.status == "partial"
    assert "navigation timeout" in result.reason
    network = manifest_of(result).network
    cut_off = network.unfinished + [f["url"] for f in network.failed]
    assert "https://example.org/hang" in cut_off


def test_pdf_and_image_responses_are_captured(capture) -> None:  # type: ignore[no-untyped-def]
    pdf = capture("https://example.org/doc.pdf")
    assert pdf.status in ("complete", "partial"), pdf.reason
    recs = records(Path(pdf.location) / "capture.warc.gz")
    body = next(r for t, u, r in recs if t == "response" and u.endswith("/doc.pdf"))
    assert body.http_headers.get_header("Content-Type") == "application/pdf"
    image = capture("https://example.org/image.png")
    assert image.status == "complete"


def test_unreachable_host_fails_clearly(capture) -> None:  # type: ignore[no-untyped-def]
    result = capture("https://unreachable.invalid/x")
    assert result.status == "failed"
    assert "unreachable.invalid" in result.reason


def test_statuses_from_the_page(capture) -> None:  # type: ignore[no-untyped-def]
    assert capture("https://example.org/missing").status == "not_found"
    assert capture("https://example.org/challenge").status == "challenge"
    login = capture("https://example.org/private-redirect")
    assert login.status == "login_required"
    assert "--cookies generic=" in login.hint


def test_size_cap_makes_capture_partial(capture) -> None:  # type: ignore[no-untyped-def]
    result = capture("https://example.org/big", max_capture_bytes=50_000)
    assert result.status == "partial"
    assert "size cap" in result.reason


def test_screenshot_height_cap_is_recorded(capture) -> None:  # type: ignore[no-untyped-def]
    result = capture("https://example.org/tall", screenshot_max_height=4000)
    shot = manifest_of(result).artifact("screenshot.png")
    assert shot is not None and shot.height == 4000
    assert shot.extra["truncated"] is True and shot.extra["height_cap"] == 4000
    assert shot.extra["page_height"] >= 30000


def test_chunked_response_is_stored_consistently(capture) -> None:  # type: ignore[no-untyped-def]
    result = capture("https://example.org/chunked")
    recs = records(Path(result.location) / "capture.warc.gz")
    response = next(r for t, u, r in recs if t == "response" and u.endswith("/chunked"))
    assert response.http_headers.get_header("Transfer-Encoding") is None
    assert response.http_headers.get_header("Content-Length") == str(len(
        b"<html><body><p>chunked body</p></body></html>"))
    assert manifest_of(result).network.normalisations


def test_cookies_are_used_but_never_written(capture, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    secret = "COOKIE-SECRET-VALUE-9f83"
    cookies = tmp_path / "cookies.txt"
    cookies.write_text(f"# Netscape HTTP Cookie File\n.example.org\tTRUE\t/\tTRUE\t0\tsessionid\t{secret}\n")
    result = capture("https://example.org/whoami", cookies_file=cookies)
    folder = Path(result.location)
    dom = (folder / "dom.html").read_text()
    assert "logged in" in dom and f">{len('sessionid=' + secret)}<" in dom  # the server got the cookie
    manifest = manifest_of(result)
    assert manifest.account is not None and manifest.account["fingerprint"].startswith("sha256:")
    assert manifest.settings.logged_in
    assert manifest.network.redactions["cookie"] >= 1
    for path in (p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = subprocess.run(["zcat", str(path)], capture_output=True).stdout
        assert secret.encode() not in data, path
        assert b"SERVERSIDE-SECRET-777" not in data, path


def test_tls_name_is_checked_against_the_hostname(capture, https_server) -> None:  # type: ignore[no-untyped-def]
    # the test certificate does not name this host: without --insecure the capture must fail
    rule = ResolveRule.parse(f"notcovered.example.org:443:127.0.0.1:{https_server.port}")
    result = capture("https://notcovered.example.org/", resolve=(rule,))
    assert result.status == "failed"
    assert "certificate" in result.reason.lower() or "hostname" in result.reason.lower()


def test_media_named_but_not_shown_is_loaded_and_marked_captured(capture, https_server) -> None:  # type: ignore[no-untyped-def]
    https_server.site("example.org").add("/og-only", "<html><head><meta property='og:title' content='t'>"
                                         "<meta property='og:image' content='https://cdn.example.org/"
                                         "picture.png?unshown'></head><body>no image shown</body></html>")
    result = capture("https://example.org/og-only")
    assert result.status == "complete", result.reason
    media = result.post["media"][0]
    assert media["captured"] is True and media["path"] == "media/01.png"
    assert any("loaded by the plugin" in note for note in result.post["extraction"]["notes"])
