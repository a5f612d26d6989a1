"""Mirror accounts: names across scripts, the signals compared one by one, the rank order, and
a scenario in real Chromium (a banned channel on Telegram, its mirror on X, an unrelated account)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageOps

from archiver.accounts import KnownAccount, known_accounts
from archiver.bank import Bank, BankEntry
from archiver.bank_table import bank_table
from archiver.bundle_signals import Account, BundleSignals, file_signals
from archiver.matcher import Rules
from archiver.mirror_candidates import link_key, rank
from archiver.name_similarity import AS_WRITTEN, SKELETON, similarity

IMAGES = Path(__file__).parent / "fixtures" / "images"
FIXTURES = Path(__file__).parent / "fixtures"
ARCHIVER = str(Path(sys.executable).parent / "archiver")


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def photo(name: str) -> Image.Image:
    with Image.open(IMAGES / name) as image:
        return image.convert("RGB")


def crop(image: Image.Image, left: float, top: float) -> Image.Image:
    width, height = image.size
    return image.crop((round(width * left), round(height * top), width, height))


# The banned account's pictures, and the mirror's copies of them: the avatar re-encoded, one
# post re-encoded smaller, one flipped, one with 10% cut off two sides.
ORIGINALS: dict[str, Callable[[], bytes]] = {
    "avatar": lambda: jpeg(photo("astronaut.jpg")),
    "post-1": lambda: jpeg(photo("chelsea.jpg")),
    "post-2": lambda: jpeg(photo("coffee.jpg")),
    "post-3": lambda: jpeg(photo("rocket.jpg")),
}
COPIES: dict[str, Callable[[], bytes]] = {
    "avatar": lambda: jpeg(photo("astronaut.jpg").resize((400, 400)), quality=60),
    "post-1": lambda: jpeg(photo("chelsea.jpg").reduce(2), quality=40),
    "post-2": lambda: jpeg(ImageOps.mirror(photo("coffee.jpg"))),
    "post-3": lambda: jpeg(crop(photo("rocket.jpg"), 0.10, 0.10)),
}
UNRELATED: dict[str, Callable[[], bytes]] = {
    "avatar": lambda: jpeg(photo("camera.png")),
    "post-1": lambda: jpeg(photo("coins.png")),
}


def archiver(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ARCHIVER, *args], capture_output=True, text=True, timeout=600)


@cache
def picture(kind: str, name: str) -> bytes:
    return {"original": ORIGINALS, "copy": COPIES, "unrelated": UNRELATED}[kind][name]()


# ---------------------------------------------------------------- names (no browser)


@pytest.mark.parametrize(("ours", "theirs", "via"), [
    ("القلم ميديا", "Al Qalam Media", SKELETON),
    ("طالبان", "Taliban", SKELETON),
    ("Военное обозрение", "Voennoe obozrenie", SKELETON),
    ("al_qalam.media", "AlQalamMedia", AS_WRITTEN),
    ("القلم", "القَلَم", AS_WRITTEN),  # diacritics
])
def test_the_same_name_written_differently_is_alike(ours: str, theirs: str, via: str) -> None:
    found = similarity(ours, theirs)
    assert (found.score, found.via) == (100, via)


@pytest.mark.parametrize(("ours", "theirs"), [
    ("القلم ميديا", "Kiko Beats"), ("Al Bayan", "Garden Club"), ("طالبان", "Javi López")])
def test_different_names_are_not_alike(ours: str, theirs: str) -> None:
    assert similarity(ours, theirs).score < 50


def test_links_compare_without_scheme_www_or_trailing_slash() -> None:
    assert link_key("https://www.Qalam.example/join/") == link_key("http://qalam.example/join")
    assert link_key("https://qalam.example/join?x=1") != link_key("https://qalam.example/join")


# ---------------------------------------------------------------- ranking (no browser)


def bundle(number: int, platform: str, handle: str, name: str, files: dict[str, bytes],
           bio: str | None = None, links: tuple[str, ...] = ()) -> BundleSignals:
    artifacts = []
    for index, (label, data) in enumerate(files.items()):
        path = f"media/{index:02d}.jpg"
        found = file_signals(path, data, "avatar" if label == "avatar" else "image")
        assert found is not None
        artifacts.append(found)
    return BundleSignals(f"bundle-{number}", platform, f"2026-01-0{number}T00:00:00Z",
                         f"https://{platform}.example/{handle}", Account(platform, handle, name),
                         {"bio": bio, "links": list(links), "url": f"https://{platform}.example/{handle}"},
                         tuple(artifacts), None, None)


@cache
def scenario_accounts() -> list[KnownAccount]:
    return known_accounts([
        bundle(1, "telegram", "qalam_media", "القلم ميديا",
               {name: picture("original", name) for name in ORIGINALS},
               bio="قناة القلم الرسمية https://qalam.example", links=("https://qalam.example/",)),
        bundle(2, "x", "qalam_media2", "Al Qalam Media", {"avatar": picture("copy", "avatar")},
               bio="قناة القلم الرسمية", links=("http://www.qalam.example",)),
        bundle(3, "x", "Qalam_Media2", "Al Qalam Media",  # the same account: handles are case-insensitive
               {name: picture("copy", name) for name in ("post-1", "post-2", "post-3")}),
        bundle(4, "instagram", "garden_club", "Garden Club",
               {name: picture("unrelated", name) for name in UNRELATED}, bio="Roses and tulips."),
    ])


def test_accounts_group_bundles_by_platform_and_handle() -> None:
    accounts = scenario_accounts()
    assert [(a.platform, a.handle, len(a.bundles), len(a.avatars), len(a.media)) for a in accounts] == [
        ("telegram", "qalam_media", 1, 1, 3), ("x", "Qalam_Media2", 2, 1, 3), ("instagram", "garden_club", 1, 1, 1)]


def test_the_mirror_ranks_first_with_each_signal_and_the_unrelated_account_stays_below() -> None:
    banned, mirror, unrelated = scenario_accounts()
    first, second = rank(banned, scenario_accounts(), [], Rules())
    assert first.account is mirror and second.account is unrelated
    assert first.above_threshold and not second.above_threshold
    assert (len(first.matched_items), len(first.items), first.media_share) == (3, 3, 1.0)
    how = {e.counterpart.signals.path: e.match["how"] for e in first.items if e.counterpart and e.match}
    assert how["media/01.jpg"] == "pdq"
    assert how["media/02.jpg"] == "pdq-flip-horizontal"
    assert how["media/03.jpg"] == "pdq-window"
    assert first.avatar is not None and first.avatar.matched and first.avatar.distance <= 31
    assert first.display_name is not None and first.display_name.via == SKELETON
    assert first.display_name.score == 100
    assert first.handle is not None and first.handle.score > 90
    assert first.bio is not None and first.bio.score > 0.5
    assert first.shared_links == ("http://www.qalam.example",)
    # the unrelated account: nothing matches, and the distances say how far apart it is
    assert not second.matched_items and second.avatar is not None and second.avatar.distance > 31
    assert second.shared_links == ()
    assert second.display_name is not None and second.display_name.score < 50


def test_a_bank_match_counts_for_the_candidate_and_names_the_bank_version() -> None:
    banned, mirror, unrelated = scenario_accounts()
    original = file_signals("x.jpg", picture("original", "post-2"))
    assert original is not None and original.pdq is not None
    bank = Bank("QALAM", 3, "2026-01-01T00:00:00Z", {}, (
        BankEntry("pdq", original.pdq, ("Qalam",), "analyst"),
        BankEntry("md5", original.digests["md5"], ("Qalam",), "analyst")))
    # Compared with an account that shares none of its media: only the bank links the mirror.
    [found] = rank(unrelated, [unrelated, mirror], [bank_table(bank)], Rules())
    assert found.above_threshold and len(found.matched_items) == 1
    [hit] = [match.to_json() for match in found.matched_items[0].bank_hits]
    assert (hit["bank"], hit["how"], hit["labels"]) == ("QALAM@v3", "pdq-flip-horizontal", ["Qalam"])
    assert hit["distance"] <= 31


def test_an_account_without_bundles_or_a_target_that_is_neither_url_nor_bundle_is_bad_input(
        tmp_path: Path) -> None:
    (tmp_path / "evidence").mkdir()
    for target, said in [("https://x.com/nobody", "no bundle of the x account at https://x.com/nobody"),
                         (str(tmp_path / "nothing"), "is neither a bundle folder nor an account's URL")]:
        found = archiver("mirrors", target, "--store", str(tmp_path / "evidence"))
        assert found.returncode == 2 and said in found.stderr, found.stderr
        assert len(found.stderr.splitlines()) == 1


# ---------------------------------------------------------------- the scenario, in real Chromium

BANNED = "qalam_media"
MIRROR = "qalam_media2"
UNRELATED_HANDLE = "garden_club"
TELEGRAM_PHOTO = b"https://cdn4.telegram-cdn.org/file/keYrQp0kfuA"
CDN = "cdn4.telegram-cdn.org"


def fixture(platform: str, name: str) -> bytes:
    return (FIXTURES / platform / name).read_bytes()


def serve(handler: Any, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
    handler.send(200, body, content_type)


@pytest.fixture(scope="module")
def mirror_sites(https_server: Any) -> dict[str, list[str]]:
    """Real saved pages of each platform, re-labelled: the banned channel's page and three posts
    on Telegram, the mirror's profile and three posts on X, an unrelated X account and post.
    Returns the URLs to capture, by account."""
    telegram, x, pbs = https_server.site("t.me"), https_server.site("x.com"), https_server.site("pbs.twimg.com")
    cdn4 = https_server.site(CDN)
    urls: dict[str, list[str]] = {BANNED: [], MIRROR: [], UNRELATED_HANDLE: []}
    channel = fixture("telegram", "metascraper-telegram__channel.html")
    avatar = re.search(rb"https://cdn1\.telesco\.pe(/file/[^\"' )]+\.jpg)", channel)
    assert avatar is not None
    telegram.add(f"/{BANNED}", channel.replace(b"unlimitedhangout", BANNED.encode()).replace(
        b"Unlimited Hangout", "القلم ميديا".encode()))
    https_server.site("cdn1.telesco.pe").add(avatar.group(1).decode(), picture("original", "avatar"), "image/jpeg")
    urls[BANNED].append(f"https://t.me/{BANNED}")
    embed = fixture("telegram", "any2feed__message_media_forwarded_from.html")
    for number in (1, 2, 3):
        photo_path = f"/file/qalam-post-{number}.jpg"
        page = re.sub(re.escape(TELEGRAM_PHOTO) + rb"[^'\"&\s)?]+", f"https://{CDN}{photo_path}".encode(), embed)
        page = page.replace(b"oper_goblin", BANNED.encode()).replace(b"22358", f"{100 + number}".encode()).replace(
            b"Tynu40k Goblina (oper.ru)", "القلم ميديا".encode())
        telegram.routes[f"/{BANNED}/{100 + number}?embed=1"] = lambda h, body=page: serve(h, body)
        cdn4.add(photo_path, picture("original", f"post-{number}"), "image/jpeg")
        urls[BANNED].append(f"https://t.me/{BANNED}/{100 + number}?embed=1")
    profile = fixture("x", "metascraper-x__profile-excerpt.html")
    x.add(f"/{MIRROR}", profile.replace(b"Kikobeats", MIRROR.encode()).replace(b"Kiko Beats", b"Al Qalam Media")
          .replace(b"Ty7-KT2j", b"Mirror-Avatar"))
    pbs.add("/profile_images/2000931726244106244/Mirror-Avatar_400x400.jpg", picture("copy", "avatar"),
            "image/jpeg")
    urls[MIRROR].append(f"https://x.com/{MIRROR}")
    post = fixture("x", "metascraper-x__post-image.html")
    for number in (1, 2, 3):
        post_id = f"180000000000000000{number}"
        x.add(f"/{MIRROR}/status/{post_id}", post.replace(b"UaSmart", MIRROR.encode())
              .replace(b"934106870834454529", post_id.encode()).replace(b"DPadOKpXcAIL-NW", f"Mirror{number}".encode()))
        pbs.add(f"/media/Mirror{number}", picture("copy", f"post-{number}"), "image/jpeg")
        urls[MIRROR].append(f"https://x.com/{MIRROR}/status/{post_id}")
    x.add(f"/{UNRELATED_HANDLE}", profile.replace(b"Kikobeats", UNRELATED_HANDLE.encode())
          .replace(b"Kiko Beats", b"Garden Club").replace(b"Ty7-KT2j", b"Garden-Avatar"))
    pbs.add("/profile_images/2000931726244106244/Garden-Avatar_400x400.jpg", picture("unrelated", "avatar"),
            "image/jpeg")
    x.add(f"/{UNRELATED_HANDLE}/status/1900000000000000001", post.replace(b"UaSmart", UNRELATED_HANDLE.encode())
          .replace(b"934106870834454529", b"1900000000000000001").replace(b"DPadOKpXcAIL-NW", b"Garden1"))
    pbs.add("/media/Garden1", picture("unrelated", "post-1"), "image/jpeg")
    urls[UNRELATED_HANDLE] += [f"https://x.com/{UNRELATED_HANDLE}",
                               f"https://x.com/{UNRELATED_HANDLE}/status/1900000000000000001"]
    return urls


@pytest.mark.browser
def test_a_mirror_on_another_platform_is_ranked_first_with_its_evidence(
        mirror_sites: dict[str, list[str]], capture: Any, tmp_path: Path) -> None:
    for handle, urls in mirror_sites.items():
        for url in urls:
            result = capture(url)
            assert result.status == "complete", (url, result.reason)
            assert result.post["author"]["handle"] == handle, url
    store = tmp_path / "evidence"
    banned_photo = file_signals("coffee.jpg", picture("original", "post-2"))
    assert banned_photo is not None
    (tmp_path / "bank.txt").write_text(f"pdq {banned_photo.pdq}\n")
    imported = archiver("bank", "import", str(tmp_path / "bank.txt"), "--name", "QALAM_MEDIA", "--format", "te",
                        "--store", str(store))
    assert imported.returncode == 0, imported.stderr
    found = archiver("mirrors", f"https://t.me/{BANNED}", "--store", str(store), "--json")
    assert found.returncode == 0, found.stderr
    answer = json.loads(found.stdout)
    assert answer["account"]["platform"] == "telegram" and len(answer["account"]["bundles"]) == 4
    first, second = answer["candidates"]
    assert (first["platform"], first["handle"], first["above_threshold"]) == ("x", MIRROR, True)
    assert (first["media"]["matched"], first["media"]["total"], first["media"]["matched_banks"]) == (3, 3, 1)
    assert answer["banks"] == ["QALAM_MEDIA@v1"]
    assert sorted(item["match"]["how"] for item in first["media"]["items"]) == [
        "pdq", "pdq-flip-horizontal", "pdq-window"]
    assert first["avatar"]["matched"] and first["avatar"]["distance"] <= 31
    assert first["display_name_similarity"]["score"] == 100  # القلم ميديا / Al Qalam Media
    assert (second["handle"], second["above_threshold"], second["media"]["matched"]) == (
        UNRELATED_HANDLE, False, 0)
    assert second["avatar"]["distance"] > 31
    # The same from a bundle of the account, with the referral package in both forms.
    bundle = store / answer["account"]["bundles"][0]
    for name in ("mirrors.html", "mirrors.pdf"):
        made = archiver("mirrors", str(bundle), "--report", str(tmp_path / name))
        assert made.returncode == 0, made.stderr
        assert f"1  x/{MIRROR}  ABOVE  media 3/3 matched (100%" in made.stdout
        assert f"2  x/{UNRELATED_HANDLE}  below  media 0/1 matched" in made.stdout
    html = (tmp_path / "mirrors.html").read_text()
    assert html.count("<img") >= 2 * 3 + 2 + 1  # each matched pair, the avatar pair, the account's avatar
    assert "bundle verified when this report was made: <span class=\"OK\">OK</span>" in html
    assert "Bank QALAM_MEDIA@v1: pdq-flip-horizontal, distance 0" in html
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "mirrors.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Mirror-account referral" in text and f"x/{MIRROR}" in text and "pdq-flip-horizontal" in text
    for item in first["media"]["items"]:  # both bundle ids and hashes of every matched pair
        for side in ("item", "account_item"):
            assert item[side]["bundle_id"] in text and item[side]["sha256"][:40] in text.replace("\n", "")
    pages = tmp_path / "page"
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "4", "-l", "4", str(tmp_path / "mirrors.pdf"),
                    str(pages)], check=True)
    assert list(tmp_path.glob("page*.png"))
