"""The Telegram plugin: URL forms, and captures of real saved t.me pages on their own URLs."""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from archiver.manifest import Manifest
from archiver.platforms import Platforms
from archiver.plugin_manager import get_plugin_manager
from archiver.plugins.telegram_message import seconds

from support.bundles import media_matches_bundle
from support.pages import drop_connection

FIXTURES = Path(__file__).parent / "fixtures" / "telegram"
# Pictures, videos, voice and stickers on the CDN hosts the fixtures name: (host, path).
CDN = re.compile(r"https://(cdn[14]\.(?:telegram-cdn\.org|telesco\.pe))(/file/[^'\"&\s)?]+)")
ALBUM_VIDEO = "https://cdn4.telegram-cdn.org/file/3fc678ce81.mp4?token=FBehvrwaJkFwTxZPYMEqigkrwI9"


def picture(seed: int, kind: str = "JPEG") -> bytes:
    """A distinct picture per media URL, so each has its own hashes."""
    width, height = 480 + seed % 7 * 20, 360
    image = Image.new("RGB", (width, height), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((30, 30, width - 30, 60 + seed * 9 % 200), fill=(seed * 37 % 255, 90, 160))
    draw.ellipse((seed * 13 % 200, 120, seed * 13 % 200 + 150, 330), fill=(20, seed * 53 % 255, 40))
    out = io.BytesIO()
    image.save(out, kind, quality=90)
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
    for embed, name in [("/it_begin/488", "any2feed__message_poll.html"),
                        ("/tchantest/11", "tchan__poll.html"),
                        ("/channel/5", "any2feed__message_sticker.html"),
                        ("/tchantest/9", "tchan__sticker_message.html"),
                        ("/channel/4", "any2feed__message_with_from_author.html"),
                        ("/tchantest/12", "tchan__audio_document.html"),
                        ("/tchantest/13", "tchan__voice_message.html"),
                        ("/oper_goblin/939", "any2feed__message_voice.html"),
                        ("/tchantest/20", "tchan__reply_to_video.html"),
                        ("/tchantest/81", "tchan__link_with_right_preview.html"),
                        ("/CamaradosDeputados/7334", "tchan__text_links_and_preview.html")]:
        site.routes[f"{embed}?embed=1"] = respond(page(name))
    # Post pages whose widget is not to be had: the connection drops, or t.me answers 404.
    site.add("/chollometro/28542", page("metascraper-telegram__post-full-image.html"))
    site.routes["/chollometro/28542?embed=1"] = drop_connection
    site.add("/teslahunt/2351", page("metascraper-telegram__post-right-preview.html"))
    site.routes["/teslahunt/2351?embed=1"] = not_found
    found = sorted({m.groups() for f in FIXTURES.glob("*.html") for m in CDN.finditer(f.read_text())})
    for seed, (host, path) in enumerate(found):
        cdn = https_server.site(host)
        if path.endswith(".mp4"):
            cdn.add(path, b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8, "video/mp4")
        elif path.endswith(".webp"):
            cdn.add(path, picture(seed, "WEBP"), "image/webp")
        elif path.endswith(".ogg"):
            cdn.add(path, b"OggS\x00\x02" + bytes(range(256)) * 4, "audio/ogg")
        elif path.endswith(".tgs"):
            cdn.add(path, gzip.compress(b'{"v":"5.5.2","fr":60,"ip":0,"op":180,"w":512,"h":512}'),
                    "application/x-tgsticker")
        else:
            cdn.add(path, picture(seed), "image/jpeg")


def not_found(handler: BaseHTTPRequestHandler) -> None:
    handler.send(404, b"<html><body>Not found</body></html>", "text/html")  # type: ignore[attr-defined]


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


@pytest.mark.parametrize(("shown", "expected"), [
    ("0:01", 1.0), ("12:05", 725.0), ("1:02:03", 3723.0), ("0:1", None), ("", None), (None, None),
])
def test_player_length_in_seconds(shown: str | None, expected: float | None) -> None:
    assert seconds(shown) == expected


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
    author = post["author"]
    assert (author["handle"], author["display_name"], author["url"]) == (
        "topwar_official", "Военное обозрение", "https://t.me/topwar_official")
    assert post["text"].startswith("Официальный канал сайта topwar.ru")
    assert author["bio"] == post["text"]
    assert post["counts"]["followers"] == 109000
    assert post["extraction"]["counters"] == {"subscribers": 109000, "photos": 19600,
                                              "videos": 15400, "files": 8, "links": 28600}
    assert post["published_at"] is None
    [avatar] = post["media"]
    assert avatar["kind"] == "avatar" and avatar["url"] == author["avatar_url"]
    assert avatar["url"].startswith("https://cdn4.telegram-cdn.org/file/rdlhZu1d4HGvG3QGKRi9Ttlknw")
    assert avatar["captured"] is True and len(avatar["pdq"]) == 64
    media_matches_bundle(result)
    feed = post["feed"]
    assert [e["post_id"].removeprefix("topwar_official/") for e in feed] == [
        "70989", "70990", "70992", "70995", "70996", "70997", "70998", "70999", "71000", "71006",
        "71007", "71008"]
    assert all(e["author"] == "Военное обозрение" and e["url"] == f"https://t.me/{e['post_id']}"
               for e in feed)
    album = next(e for e in feed if e["post_id"] == "topwar_official/71000")
    assert album["published_at"] == "2023-02-28T10:52:36+00:00"
    assert album["text"] == "Последствия ночного удара БПЛА-камикадзе ВСУ по нефтебазе в Туапсе сегодня ночью."
    sources = post["extraction"]["sources"]
    assert sources["counts.followers"] == "dom:.tgme_channel_info_counter"
    assert sources["text"] == "dom:.tgme_channel_info_description"
    assert sources["feed"] == "dom:.tgme_widget_message"


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
    author = post["author"]
    assert author["handle"] == "unlimitedhangout"
    assert post["text"] == author["bio"] == ("Investigative Journalist Whitney Webb\n"
                                             "https://unlimitedhangout.com/")
    assert author["links"] == ["https://unlimitedhangout.com/"]
    assert post["counts"]["members"] == 2805
    [avatar] = post["media"]
    assert avatar["kind"] == "avatar" and avatar["url"] == author["avatar_url"]
    assert avatar["url"].startswith("https://cdn1.telesco.pe/file/c5IC57RIrbwsSZG")
    assert avatar["captured"] is True and len(avatar["pdq"]) == 64
    assert post["extraction"]["sources"]["media.avatar"] == "dom:img.tgme_page_photo_image[src]"
    assert post["feed"] == []


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


@pytest.mark.parametrize(("url", "handle", "name", "text_start"), [
    ("https://t.me/chollometro/28542", "chollometro", "Chollometro", "CHOLLO COMPARTIDO❗️🔥#Amazon\n"),
    ("https://t.me/teslahunt/2351", "teslahunt", "Tesla Hunt", "💥 Reaparición\n\n⬩ Model S P90D 2016"),
])
def test_post_page_without_its_widget_names_the_channel(capture: Any, url: str, handle: str,
                                                        name: str, text_start: str) -> None:
    result = capture(url)
    assert result.status == "partial" and f"{url}?embed=1" in result.reason, result.reason
    post = result.post
    assert (post["kind"], post["post_id"]) == ("post", url.removeprefix("https://t.me/"))
    assert post["author"]["handle"] == handle
    assert post["author"]["url"] == f"https://t.me/{handle}"
    assert post["author"]["display_name"] == name
    assert post["text"].startswith(text_start)
    sources = post["extraction"]["sources"]
    assert sources["author.handle"] == "dom:[data-telegram-post]"
    assert (sources["author.display_name"], sources["text"]) == ("meta:og:title", "meta:og:description")


def test_poll(capture: Any) -> None:
    result = capture("https://t.me/it_begin/488?embed=1")
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["post_id"], post["author"]["display_name"]) == ("it_begin/488", "IT-старт")
    assert post["poll"] == {"question": "Как лучше?",
                            "options": ["Несколько постов в день", "Один пост в несколько дней",
                                        "Свой вариант в комментарии"],
                            "results": ["16%", "83%", "3%"], "total_votes": 222}
    assert post["text"] is None
    assert post["counts"]["views"] == 1100
    assert post["published_at"] == "2023-02-27T16:21:02+00:00"
    assert "poll shown as 'Anonymous Poll'" in post["extraction"]["notes"]
    assert post["extraction"]["sources"]["poll.total_votes"] == "dom:.tgme_widget_message_voters"


def test_quiz_poll_without_votes(capture: Any) -> None:
    result = capture("https://t.me/tchantest/11?embed=1")
    assert result.status == "complete", result.reason
    post = result.post
    assert post["author"]["handle"] == "tchantest"
    assert post["poll"] == {"question": "Let's do a quick poll quizz mode",
                            "options": ["Opt1", "Opt2", "Opt3"], "results": ["0%", "0%", "0%"],
                            "total_votes": 0}
    assert post["text"] is None
    assert "poll shown as 'Anonymous Quiz'" in post["extraction"]["notes"]


def test_picture_sticker_is_fetched_and_hashed(capture: Any) -> None:
    result = capture("https://t.me/tchantest/9?embed=1")
    assert result.status == "complete", result.reason
    post = result.post
    [sticker] = post["media"]
    assert sticker["kind"] == "sticker"
    assert sticker["url"].startswith("https://cdn1.telegram-cdn.org/file/5b5c6e1325.webp?token=chQuhI8")
    assert sticker["captured"] is True and sticker["path"].endswith(".webp")
    assert len(sticker["pdq"]) == 64
    assert post["text"] is None and post["published_at"] == "2023-02-24T07:31:06+00:00"
    media_matches_bundle(result)


def test_animated_sticker_and_signature(capture: Any) -> None:
    result = capture("https://t.me/channel/5?embed=1")
    assert result.status == "complete", result.reason
    post = result.post
    [sticker] = post["media"]
    assert (sticker["kind"], sticker["url"]) == (
        "sticker", "https://cdn4.telegram-cdn.org/file/sticker.tgs?token=H..G")
    assert sticker["captured"] is True and sticker["sha256"]
    assert "Lottie" in sticker["note"]
    assert post["signature"] == "🅰️User"
    assert (post["author"]["display_name"], post["text"]) == ("Mein Leben", None)
    media_matches_bundle(result)


def test_signed_channel_post(capture: Any) -> None:
    result = capture("https://t.me/channel/4?embed=1")
    assert result.status == "complete", result.reason
    post = result.post
    assert post["signature"] == "🅰️rkadiy Ivanov"
    assert post["author"]["display_name"] == "Channel title"
    assert post["text"] == "test"
    assert post["published_at"] == "2023-02-28T16:38:34+00:00"
    assert post["extraction"]["sources"]["signature"] == "dom:.tgme_widget_message_from_author"


def test_reply_names_the_replied_message_and_its_author(capture: Any) -> None:
    result = capture("https://t.me/tchantest/20?embed=1")
    assert result.status == "complete", result.reason
    post = result.post
    assert post["reply_to"] == "https://t.me/tchantest/19"
    assert post["text"] == "Reply to a video (not recorded in telegram)"
    assert post["author"]["display_name"] == "tchan's test channel 👍"
    # the replied video's thumbnail is the other message's picture, not this one's
    assert post["media"] == []
    notes = post["extraction"]["notes"]
    assert "replies to https://t.me/tchantest/19, a message by \"tchan's test channel 👍\" shown as 'Video'" in notes
    assert post["extraction"]["sources"]["reply_to"] == "dom:a.tgme_widget_message_reply[href]"


def test_link_and_its_preview_at_another_address(capture: Any) -> None:
    result = capture("https://t.me/tchantest/81?embed=1")
    assert result.status == "complete", result.reason
    post = result.post
    assert post["text"] == "link with preview https://python.org/"
    assert post["links"] == ["https://python.org/", "https://www.python.org/"]
    # the preview's picture belongs to python.org's page, not to the message
    assert post["media"] == []
    assert ("link preview of https://www.python.org/: site 'Python.org', title 'Welcome to Python.org'"
            in post["extraction"]["notes"])


def test_text_links_whose_words_are_not_their_address(capture: Any) -> None:
    result = capture("https://t.me/CamaradosDeputados/7334?embed=1")
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["author"]["handle"], post["author"]["display_name"]) == (
        "CamaradosDeputados", "Câmara dos Deputados")
    assert post["links"] == ["http://bit.ly/3Tq1C4G", "http://bit.ly/3PCX1vn", "http://bit.ly/3tkdScB",
                             "http://bit.ly/3A1c4c4", "http://bit.ly/3A3EoKS", "http://bit.ly/3zWxOpw",
                             "https://bit.ly/2UBmLNC"]
    assert post["hashtags"] == ["Punição_ampliada", "Poda_de_árvores", "Tarifas_de_transmissão"]
    assert post["counts"]["views"] == 1200
    assert post["published_at"] == "2022-11-09T22:43:54+00:00"
    assert post["text"] == (
        "_\n\n✍️ CÂMARA APROVA\n_\n\n\n"
        "🔸 Projeto que aumenta penas para crimes sexuais contra crianças\n#Punição_ampliada\n"
        "🗳 Opine sobre esta proposta clicando aqui!\n____\n\n"
        "🔸Projeto que facilita corte ou poda de árvore quando houver risco de acidente.\n#Poda_de_árvores\n"
        "🗳 Opine sobre esta proposta clicando aqui!\n____\n\n"
        "🔸Proposta que susta resoluções da Aneel sobre tarifas de transmissão.\n#Tarifas_de_transmissão\n"
        "🗳 Opine sobre esta proposta clicando aqui!\n\n\n____\n\n"
        "📬 Convide seus contatos do WhatsApp a conhecerem nosso canal clicando aqui!\n____")
    assert ("link preview of http://bit.ly/3Tq1C4G: site 'Portal da Câmara dos Deputados', title "
            "'Câmara aprova projeto que aumenta penas para crimes sexuais contra crianças; acompanhe - "
            "Notícias'") in post["extraction"]["notes"]


def test_music_file_is_named_but_not_offered(capture: Any) -> None:
    result = capture("https://t.me/tchantest/12?embed=1")
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["text"], post["published_at"]) == ("Povo hebreu", "2023-02-24T07:33:58+00:00")
    assert post["media"] == []
    assert ("an audio file is attached, named 'AUD-20130329-WA0000' (portadosfundos); "
            "t.me's preview does not offer the file") in post["extraction"]["notes"]


def test_voice_message_with_its_length(capture: Any) -> None:
    result = capture("https://t.me/tchantest/13?embed=1")
    assert result.status == "complete", result.reason
    post = result.post
    [voice] = post["media"]
    assert (voice["kind"], voice["duration"]) == ("audio", 1.0)
    assert voice["url"].startswith("https://cdn1.telegram-cdn.org/file/29881a3f30.ogg?token=RPh7-yUn9te932hRlz")
    assert voice["url"].endswith("MSHoYI4COLZMt_4wwx1A")
    assert voice["captured"] is True and voice["sha256"]
    assert (post["text"], post["published_at"]) == (None, "2023-02-24T07:34:05+00:00")
    assert post["extraction"]["sources"]["media.duration"] == "dom:.tgme_widget_message_voice_duration"
    media_matches_bundle(result)


def test_voice_forwarded_from_an_account_without_a_link(capture: Any) -> None:
    result = capture("https://t.me/oper_goblin/939?embed=1")
    assert result.status == "complete", result.reason
    post = result.post
    assert post["forwarded_from"] == {"name": "Спортивный Екб", "url": None, "handle": None}
    assert ("forwarded from an account Telegram does not link to: only its name is shown"
            in post["extraction"]["notes"])
    [voice] = post["media"]
    assert (voice["kind"], voice["duration"]) == ("audio", 1660.0)
    assert voice["url"].startswith("https://cdn4.telegram-cdn.org/file/e7ba63f364.ogg?token=Meja24JdK")
    assert voice["captured"] is True and voice["sha256"]
    assert post["mentions"] == ["kakberadio", "kakberadiobot"]
    assert (post["published_at"], post["counts"]["views"]) == ("2018-04-24T15:28:46+00:00", 746)
    assert post["text"] == ("Обсудили:\n\n- Сталина не забыть\n- Плохие фильмы\n- Смешные переводы\n"
                            "можно, матерные - нет\n\nСлушайте: @kakberadio\nПишите нам: @kakberadiobot")
    media_matches_bundle(result)
