"""The Telegram plugin: URL forms, and captures of real saved t.me pages on their own URLs."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from PIL import Image, ImageDraw

from archiver.manifest import Manifest
from archiver.platforms import Platforms
from archiver.plugin_manager import get_plugin_manager

from support.bundles import media_matches_bundle
from support.pages import drop_connection

FIXTURES = Path(__file__).parent / "fixtures" / "telegram"
CDN = re.compile(r"https://cdn4\.telegram-cdn\.org/file/[^'\"&\s)]+")
ALBUM_VIDEO = "https://cdn4.telegram-cdn.org/file/3fc678ce81.mp4?token=FBehvrwaJkFwTxZPYMEqigkrwI9"


def jpeg(seed: int) -> bytes:
    """A distinct picture per media URL, so each has its own hashes."""
    width, height = 480 + seed % 7 * 20, 360
    image = Image.new("RGB", (width, height), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((30, 30, width - 30, 60 + seed * 9 % 200), fill=(seed * 37 % 255, 90, 160))
    draw.ellipse((seed * 13 % 200, 120, seed * 13 % 200 + 150, 330), fill=(20, seed * 53 % 255, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def respond(body: bytes, content_type: str = "text/html; charset=utf-8") -> Callable[..., None]:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send(200, body, content_type)  # type: ignore[attr-defined]

    return route


@pytest.fixture(scope="module", autouse=True)
def telegram_site(https_server: Any) -> None:
    def page(name: str) -> bytes:
        return (FIXTURES / name).read_bytes()

    site = https_server.site("t.me")
    full = page("any2feed__full.html")
    site.add("/s/topwar_official", full)
    site.add("/s/topwar_official/71000", full)
    site.routes["/anna_news/46908?embed=1"] = respond(
        page("any2feed__message_media_photo_and_video.html"))
    site.add("/oper_goblin/22358", page("synthetic__post-shell-with-embed.html"))
    site.routes["/oper_goblin/22358?embed=1"] = respond(
        page("any2feed__message_media_forwarded_from.html"))
    # As t.me serves it: only telegram.org's widget script would add the iframe, and offline it can't.
    script_only = page("synthetic__post-shell-with-embed.html").replace(
        b'<iframe id="telegram-post-oper_goblin-22358"', b'<iframe hidden data-removed="1"').replace(
        b'src="https://t.me/oper_goblin/22358?embed=1"', b'data-src=""')
    site.add("/oper_goblin/22359", script_only)
    site.routes["/oper_goblin/22359?embed=1"] = respond(
        page("any2feed__message_media_forwarded_from.html").replace(b"22358", b"22359"))
    # The embed widget request fails (the server closes the connection unanswered), for the
    # page's iframe and for the copy the core loads beside it.
    site.add("/oper_goblin/22360", page("synthetic__post-shell-with-embed.html").replace(b"22358", b"22360"))
    site.routes["/oper_goblin/22360?embed=1"] = drop_connection
    site.add("/unlimitedhangout", page("metascraper-telegram__channel.html"))
    site.add("/c/1234567890/89", page("synthetic__private-c-link.html"))
    cdn = https_server.site("cdn4.telegram-cdn.org")
    urls = sorted({u for f in FIXTURES.glob("*.html") for u in CDN.findall(f.read_text())})
    for seed, url in enumerate(urls):
        path = urlsplit(url).path
        if path.endswith(".mp4"):
            cdn.add(path, b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8, "video/mp4")
        else:
            cdn.add(path, jpeg(seed), "image/jpeg")


# ---------------------------------------------------------------- URLs (no browser)


def match(url: str) -> Any:
    return Platforms.from_plugins(get_plugin_manager()).claim(url).match


@pytest.mark.parametrize(("url", "canonical", "kind", "post_id", "extra"), [
    ("https://t.me/durov/43", "https://t.me/durov/43", "post", "durov/43",
     ("https://t.me/durov/43?embed=1",)),
    ("http://telegram.me/durov/43", "https://t.me/durov/43", "post", "durov/43",
     ("https://t.me/durov/43?embed=1",)),
    ("https://www.telegram.me/durov/43/", "https://t.me/durov/43", "post", "durov/43",
     ("https://t.me/durov/43?embed=1",)),
    ("https://t.me/durov/43?single", "https://t.me/durov/43", "post", "durov/43",
     ("https://t.me/durov/43?embed=1",)),
    ("https://t.me/durov/43?embed=1", "https://t.me/durov/43", "post", "durov/43", ()),
    ("https://t.me/s/durov/43", "https://t.me/durov/43", "post", "durov/43", ()),
    ("https://t.me/s/topwar_official", "https://t.me/s/topwar_official", "channel", None, ()),
    ("https://t.me/s/topwar_official?before=71009", "https://t.me/s/topwar_official", "channel",
     None, ()),
    ("https://t.me/topwar_official", "https://t.me/s/topwar_official", "channel", None, ()),
    ("https://telegram.me/durov", "https://t.me/s/durov", "channel", None, ()),
    ("https://t.me/c/1234567890/89", "https://t.me/c/1234567890/89", "post", "c/1234567890/89", ()),
    ("https://t.me/c/1234567890/5/89", "https://t.me/c/1234567890/5/89", "post",
     "c/1234567890/89", ()),
    ("https://t.me/c/1234567890", "https://t.me/c/1234567890", "channel", None, ()),
    ("https://t.me/+AbCdEf123", "https://t.me/+AbCdEf123", "invite", None, ()),
    ("https://t.me/joinchat/AbCdEf123", "https://t.me/joinchat/AbCdEf123", "invite", None, ()),
    ("https://t.me/addstickers/Animals", "https://t.me/addstickers/Animals", "page", None, ()),
])
def test_telegram_urls(url: str, canonical: str, kind: str, post_id: str | None,
                       extra: tuple[str, ...]) -> None:
    found = match(url)
    assert (found.platform, found.canonical_url, found.kind, found.post_id, found.extra_urls) == (
        "telegram", canonical, kind, post_id, extra)


@pytest.mark.parametrize("url", [
    "https://t.me.evil.example/durov/43",
    "https://evil-t.me/durov/43",
    "https://telegram.me.evil.example/durov",
    "https://web.telegram.org/k/#@durov",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
])
def test_lookalikes_are_not_telegram(url: str) -> None:
    assert match(url).platform == "generic"


# ---------------------------------------------------------------- captures




def manifest_of(result: Any) -> Manifest:
    return Manifest.load(Path(result.location) / "manifest.json")


def test_channel_preview_page(capture: Any) -> None:
    # a tall page of twelve posts: scrolling it through takes longer than the tests' default
    result = capture("https://t.me/s/topwar_official", settle_timeout=12)
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["kind"], post["canonical_url"]) == ("channel", "https://t.me/s/topwar_official")
    assert post["title"] == "Военное обозрение"
    assert post["author"] == {"id": None, "handle": "topwar_official",
                              "display_name": "Военное обозрение",
                              "url": "https://t.me/topwar_official"}
    assert post["text"].startswith("Официальный канал сайта topwar.ru")
    assert post["counts"]["followers"] == 109000
    assert post["published_at"] is None and post["media"] == []
    sources = post["extraction"]["sources"]
    assert sources["counts.followers"] == "dom:.tgme_channel_info_counter"
    assert sources["text"] == "dom:.tgme_channel_info_description"


def test_album_post_on_channel_page(capture: Any) -> None:
    result = capture("https://t.me/s/topwar_official/71000", settle_timeout=12)
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["kind"], post["post_id"]) == ("post", "topwar_official/71000")
    assert post["canonical_url"] == "https://t.me/topwar_official/71000"
    assert (post["author"]["handle"], post["author"]["display_name"]) == (
        "topwar_official", "Военное обозрение")
    assert post["published_at"] == "2023-02-28T10:52:36+00:00"
    assert post["text"] == ("Последствия ночного удара БПЛА-камикадзе ВСУ по нефтебазе в Туапсе "
                            "сегодня ночью.")
    assert post["counts"]["views"] == 28700
    assert [m["kind"] for m in post["media"]] == ["image"] * 6
    assert all(m["url"].startswith("https://cdn4.telegram-cdn.org/file/") for m in post["media"])
    assert all(len(m["pdq"]) == 64 for m in post["media"])
    media_matches_bundle(result)
    shot = manifest_of(result).artifact("post.png")
    assert shot is not None and shot.extra["selector"] == '.tgme_widget_message[data-post="topwar_official/71000" i]'


def test_embed_widget_with_video_and_photos(capture: Any) -> None:
    result = capture("https://t.me/anna_news/46908?embed=1")
    assert result.status == "complete", result.reason
    post = result.post
    assert post["post_id"] == "anna_news/46908"
    assert (post["author"]["handle"], post["author"]["display_name"]) == ("anna_news", "ANNA-NEWS")
    assert post["published_at"] == "2023-02-28T06:48:36+00:00"
    assert post["text"].startswith("Ночью над Белгородом сбили 3 беспилотника\n\n"
                                   "Они упали на улицы города.")
    assert post["hashtags"] == ["Белгород", "Беспилотники"]
    assert post["mentions"] == ["anna_news"]
    assert post["counts"]["views"] == 59500
    assert [m["kind"] for m in post["media"]] == ["video", "image", "image"]
    assert post["media"][0]["url"].startswith(ALBUM_VIDEO)
    images = post["media"][1:]
    assert all(m["sha256"] and m["pdq"] for m in images)
    media_matches_bundle(result)


def test_post_page_reads_the_embed_frame(capture: Any) -> None:
    result = capture("https://t.me/oper_goblin/22358")
    assert result.status == "complete", result.reason
    post = result.post
    assert post["post_id"] == "oper_goblin/22358"
    assert post["author"]["display_name"] == "Tynu40k Goblina (oper.ru)"
    assert post["author"]["handle"] == "oper_goblin"
    assert post["forwarded_from"] == {"name": "Пул N3", "url": "https://t.me/dimsmirnov175/44604",
                                      "handle": "dimsmirnov175"}
    assert post["published_at"] == "2023-02-27T07:20:50+00:00"
    assert post["text"] == ("Британская разведка выяснила, почему Ким Чен Ын начал выводить "
                            "дочку в свет")
    assert post["counts"]["views"] == 214400
    assert len(post["media"]) == 1 and post["media"][0]["kind"] == "image"
    media_matches_bundle(result)
    manifest = manifest_of(result)
    assert any("also loaded https://t.me/oper_goblin/22358?embed=1" in n for n in manifest.notes)
    shot = manifest.artifact("post.png")
    assert shot is not None and shot.extra["selector"] == 'iframe[src*="embed=1"]'


def test_channel_contact_page(capture: Any) -> None:
    result = capture("https://t.me/unlimitedhangout")
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["kind"], post["canonical_url"]) == ("channel", "https://t.me/s/unlimitedhangout")
    assert post["title"] == "Unlimited Hangout"
    assert post["author"]["handle"] == "unlimitedhangout"
    assert post["text"] == "Investigative Journalist Whitney Webb\nhttps://unlimitedhangout.com/"
    assert post["counts"]["members"] == 2805


def test_private_link_is_login_required(capture: Any) -> None:
    result = capture("https://t.me/c/1234567890/89")
    assert result.status == "login_required", result.reason
    assert "membership" in result.reason
    assert (manifest_of(result).hint or "").startswith("only members")


def test_post_page_without_widget_iframe_reads_the_embed_loaded_beside_it(capture: Any) -> None:
    result = capture("https://t.me/oper_goblin/22359")
    assert result.status == "complete", result.reason
    post = result.post
    assert post["post_id"] == "oper_goblin/22359"
    assert post["text"].startswith("Британская разведка выяснила")
    assert post["published_at"] == "2023-02-27T07:20:50+00:00"
    assert any("22359?embed=1" in note for note in post["extraction"]["notes"])


def test_post_page_whose_widget_failed_is_partial_and_notes_the_real_source(capture: Any) -> None:
    embed = "https://t.me/oper_goblin/22360?embed=1"
    result = capture("https://t.me/oper_goblin/22360")
    assert result.status == "partial", (result.status, result.reason)
    assert embed in result.reason
    post = result.post
    notes = post["extraction"]["notes"]
    assert not any("read from the embed widget" in note for note in notes), notes
    assert any(embed in note and "og tags" in note and "did not load" in note for note in notes), notes
    assert post["extraction"]["sources"]["text"] == "meta:og:description"
    manifest = manifest_of(result)
    assert not any(note.startswith(f"also loaded {embed}") for note in manifest.notes)
    assert any(f["url"] == embed for f in manifest.network.failed)
