"""WhatsApp plugin: URL forms and public landing pages (SYNTHETIC fixtures, see SOURCES.txt)."""

from __future__ import annotations

import io
import re
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from archiver.platforms import Platforms
from archiver.plugin_manager import get_plugin_manager

from support.bundles import media_matches_bundle

FIXTURES = Path(__file__).parent / "fixtures" / "whatsapp"
CHANNEL_URL = "https://www.whatsapp.com/channel/0029VaHarbourCityCouncil1Xy"
INVITE_URL = "https://chat.whatsapp.com/Fq3ZtRkWm9B2cXyLpQ7aD1"
RESET_URL = "https://chat.whatsapp.com/Zz9Revoked0000000000AA"
E2E = ("WhatsApp messages are end-to-end encrypted and not on the web; "
       "only the public landing page is captured")


def jpeg(seed: int) -> bytes:
    image = Image.new("RGB", (192, 192), (30, 160 + seed * 30, 90))
    for i in range(0, 192, 24):
        image.paste((255 - i, seed * 80 % 255, i), (i, 20 + seed * 15, i + 12, 170))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def serve(body: bytes | str, content_type: str = "text/html; charset=utf-8") -> Any:
    data = body.encode() if isinstance(body, str) else body

    def route(handler: BaseHTTPRequestHandler) -> None:
        # One exchange per connection: the proxy otherwise waits on idle keep-alive sockets.
        handler.close_connection = True
        handler.send(200, data, content_type, {"Connection": "close"})  # type: ignore[attr-defined]

    return route


@pytest.fixture(scope="module")
def whatsapp_site(https_server: Any) -> None:
    pages = {name: (FIXTURES / name).read_text() for name in
             ("channel.html", "invite.html", "invite-reset.html")}
    https_server.site("www.whatsapp.com").routes["/channel/0029VaHarbourCityCouncil1Xy"] = serve(
        pages["channel.html"])
    chat = https_server.site("chat.whatsapp.com")
    chat.routes["/Fq3ZtRkWm9B2cXyLpQ7aD1"] = serve(pages["invite.html"])
    chat.routes["/Zz9Revoked0000000000AA"] = serve(pages["invite-reset.html"])
    https_server.site("wa.me").routes["/15551234567"] = serve(
        "<html><head><title>Share on WhatsApp</title></head><body><main>"
        "<h3>Chat on WhatsApp with +1 555-123-4567</h3>"
        "<a id='action-button' href='https://api.whatsapp.com/send/?phone=15551234567'>"
        "Continue to Chat</a></main></body></html>")
    urls = set(re.findall(r'https://pps\.whatsapp\.net/[^"\s<>]+', "".join(pages.values())))
    for index, url in enumerate(sorted(urls)):
        path = "/" + url.split("://", 1)[1].partition("/")[2].split("?", 1)[0]
        https_server.site("pps.whatsapp.net").routes[path] = serve(jpeg(index), "image/jpeg")


def match(url: str) -> Any:
    return Platforms.from_plugins(get_plugin_manager()).claim(url).match


@pytest.mark.parametrize(("url", "kind", "post_id", "canonical"), [
    (CHANNEL_URL, "channel", "0029VaHarbourCityCouncil1Xy", CHANNEL_URL),
    ("https://whatsapp.com/channel/0029VaHarbourCityCouncil1Xy/", "channel",
     "0029VaHarbourCityCouncil1Xy", CHANNEL_URL),
    (INVITE_URL, "invite", "Fq3ZtRkWm9B2cXyLpQ7aD1", INVITE_URL),
    ("https://chat.whatsapp.com/invite/Fq3ZtRkWm9B2cXyLpQ7aD1", "invite",
     "Fq3ZtRkWm9B2cXyLpQ7aD1", INVITE_URL),
    ("https://wa.me/15551234567", "profile", "15551234567", "https://wa.me/15551234567"),
    ("https://wa.me/+15551234567?text=hi", "profile", "15551234567", "https://wa.me/15551234567"),
    ("https://api.whatsapp.com/send?phone=15551234567&text=hi", "profile", "15551234567",
     "https://wa.me/15551234567"),
    ("https://api.whatsapp.com/send/?phone=%2B15551234567", "profile", "15551234567",
     "https://wa.me/15551234567"),
    ("https://wa.me/c/15551234567", "catalog", "15551234567", "https://wa.me/c/15551234567"),
])
def test_match_url_forms(url: str, kind: str, post_id: str, canonical: str) -> None:
    found = match(url)
    assert (found.platform, found.kind, found.post_id, found.canonical_url) == (
        "whatsapp", kind, post_id, canonical)


@pytest.mark.parametrize("url", [
    "https://whatsapp.com.evil.example/channel/0029VaHarbourCityCouncil1Xy",
    "https://notwhatsapp.com/channel/0029Va",
    "https://chat.whatsapp.com.evil.example/Fq3ZtRkWm9B2cXyLpQ7aD1",
    "https://wa.me.evil.example/15551234567",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://www.whatsapp.com/download",
])
def test_match_url_refuses_other_pages(url: str) -> None:
    assert match(url).platform == "generic"




def test_channel_landing_page(capture: Any, whatsapp_site: None) -> None:
    result = capture(CHANNEL_URL)
    assert result.status == "complete", result.reason
    post = result.post
    assert post["kind"] == "channel"
    assert post["post_id"] == "0029VaHarbourCityCouncil1Xy"
    assert post["author"]["display_name"] == "Harbour City Council"
    assert post["title"] == "Harbour City Council | WhatsApp Channel"
    assert post["counts"]["followers"] == 1_200_000
    assert post["text"] == ("Official updates from Harbour City Council: road works, waste "
                            "collection and emergencies.")
    assert post["published_at"] is None
    assert len(post["media"]) == 1
    assert post["media"][0]["url"].startswith("https://pps.whatsapp.net/")
    assert post["media"][0]["kind"] == "avatar" and post["media"][0]["captured"] is True
    assert post["author"]["avatar_url"] == post["media"][0]["url"]
    media_matches_bundle(result)
    assert E2E in post["extraction"]["notes"]


def test_group_invite_landing_page(capture: Any, whatsapp_site: None) -> None:
    result = capture(INVITE_URL)
    assert result.status == "complete", result.reason
    post = result.post
    assert post["kind"] == "invite"
    assert post["author"]["display_name"] == "Riverside Allotment Society"
    assert post["counts"]["followers"] is None and post["text"] is None
    assert len(post["media"]) == 1
    media_matches_bundle(result)
    notes = post["extraction"]["notes"]
    assert E2E in notes and "landing page button: 'Join Chat'" in notes


def test_click_to_chat_link(capture: Any, whatsapp_site: None) -> None:
    result = capture("https://wa.me/15551234567")
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["kind"], post["author"]["id"]) == ("profile", "15551234567")
    assert post["author"]["display_name"] is None
    assert post["title"] == "Share on WhatsApp"
    assert any("+1 555-123-4567" in note for note in post["extraction"]["notes"])
    assert post["media"] == []


def test_reset_invite_is_not_found(capture: Any, whatsapp_site: None) -> None:
    result = capture(RESET_URL)
    assert result.status == "not_found", result.reason
