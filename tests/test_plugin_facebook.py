"""Facebook plugin: URL forms, real saved pages (mobile HTML and Comet JSON), walls."""

from __future__ import annotations

import io
import json
import re
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from archiver.models import Post
from archiver.platforms import Platforms
from archiver.plugin_manager import get_plugin_manager
from archiver.plugins import facebook_relay as relay
from archiver.plugins import facebook_video as video
from archiver.plugins import facebook_video_page as video_page

from support.bundles import media_matches_bundle

FIXTURES = Path(__file__).parent / "fixtures" / "facebook"
ALBUM = "facebook-scraper__TestGetPosts.test_get_posts__01.html"
COVER = "facebook-scraper__TestGetPosts.test_smoketest__03.html"
COMET = "garcon__v2_real-page-a-text-story-with-image.html"
ALBUM_URL = "https://m.facebook.com/story.php?story_fbid=3065154550235644&id=119240841493711"
COVER_URL = "https://m.facebook.com/Nintendo/posts/4194934713924283"
COMET_PROFILE = "/people/P%C3%B3%C5%82-%C5%BBartem-P%C3%B3%C5%82-Serio/100028295814975/"
COMET_STORY_FBID = "pfbid0NPAVi78AX53SAGKhpdixFZH9GJ7Y54JaqUxr9hR5TNXaYDW29fKcUKHMM5bLPniXl"
COMET_PERMALINK = f"/permalink.php?story_fbid={COMET_STORY_FBID}&id=100028295814975"
MOBILE_GROUP = "facebook-scraper__TestGetGroupPosts.test_get_group_posts__01.html"
# The same group's page as the same cassette recorded it again on 2021-06-08: no member count,
# an Announcements section first, permalinks on the group's vanity address.
MOBILE_GROUP_2021 = "facebook-scraper__TestGetGroupPosts.test_get_group_posts__01-2021-06-08.html"
# The same profile saved again months later, in Polish ("2,2 tys. polubienia"); a text-only story.
COMET_B = "garcon__v2_real-page-b-text-story.html"
COMET_B_PROFILE = "/profile.php?id=100028295814975"
COMET_B_STORY_FBID = "pfbid0dcnDxDnFgyioPGkFVUBAmULwCScvaTSzro4YSANJo7NiV9GwMRJqDisVM3hc8c19l"
COMET_B_PERMALINK = f"/permalink.php?story_fbid={COMET_B_STORY_FBID}&id=100028295814975"
NAME = "P\u00f3\u0142 \u017bartem P\u00f3\u0142 Serio"
# Real video and reel pages of 2026, minimized by facebed-rusty to the payloads its parser reads.
REEL = "facebed-rusty__reel.html"
REEL_PATH = "/reel/1052271451146452"
PAGE_VIDEO = "facebed-rusty__page_video.html"
PAGE_VIDEO_PATH = "/tintucvtv24/videos/1510336304185822/"
REEL_CDN = "https://scontent-sea5-1.xx.fbcdn.net/"
REEL_ID = "1052271451146452"
SHORT_REEL_PATH = "/share/r/1AbCdEfGhJ/"
SHORT_WATCH_PATH = "/kLmNoPqRs/"
# Synthetic pages (see SOURCES.txt): no real Comet group page, nor a video page of the older
# Video node shape, could be copied here.
COMET_GROUP = "synthetic__comet-group.html"
COMET_VIDEO = "synthetic__comet-video.html"
OG_VIDEO = "synthetic__og-video.html"
VIDEO_CDN = "https://video.xx.fbcdn.net/v/"

LOGIN_WALL = """<!DOCTYPE html><html lang="en"><head><title>Log in to Facebook</title></head>
<body><div id="root"><h2>You must log in to continue.</h2>
<form id="login_form" action="/login/device-based/regular/login/" method="post">
<input name="email" placeholder="Email address or phone number"><input type="password" name="pass">
<button name="login" type="submit">Log in</button></form></div></body></html>"""
NOT_AVAILABLE = """<!DOCTYPE html><html lang="en"><head><title>Facebook</title></head><body>
<div role="main"><h2>This content isn't available right now</h2>
<span>When this happens, it's usually because the owner only shared it with a small group
of people, changed who can see it or it's been deleted.</span>
<a href="/">Go to News Feed</a></div></body></html>"""

# Real pages name dozens of images; on a loaded 2-core machine the default 15 s can run out.
ROOMY = {"navigation_timeout": 40, "settle_timeout": 10, "capture_timeout": 90}


def jpeg(seed: int) -> bytes:
    image = Image.new("RGB", (240, 160), (seed * 37 % 255, 90, 200 - seed * 11 % 200))
    for i in range(0, 240, 30):
        image.paste((255 - i, i, seed * 20 % 255), (i, (seed * 13) % 100, i + 15, 150))
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


def redirect(location: str) -> Any:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.close_connection = True
        handler.send_response(302)
        for name, value in (("Location", location), ("Content-Length", "0"), ("Connection", "close")):
            handler.send_header(name, value)
        handler.end_headers()

    return route


def scripts_of(html: str) -> list[str]:
    return re.findall(r"<script[^>]*>(.*?)</script>", html, re.S)


def query_result(data: dict[str, Any]) -> str:
    """A script holding one Relay query result, as Facebook's pages ship them."""
    return json.dumps({"require": [[{"__bbox": {"result": {"data": data}}}]]})


def serve_images_of(https_server: Any, html: str) -> None:
    """Answer every fbcdn image the page names with a generated JPEG."""
    # Mobile pages write background images with CSS escapes: url('https\3a //scontent...').
    unescaped = re.sub(r"\\([0-9a-fA-F]{1,6}) ?", lambda m: chr(int(m.group(1), 16)), html)
    urls = set(re.findall(r'https://scontent[^"\'\s&<>]*fbcdn\.net/[^"\'\s<>&]+', unescaped))
    urls |= {u.replace("\\/", "/") for u in re.findall(r'https:\\/\\/scontent[^"]+', html)}
    for index, url in enumerate(sorted(urls)):
        host, _, rest = url.split("://", 1)[1].partition("/")
        path = "/" + rest.split("?", 1)[0]
        https_server.site(host).routes[path] = serve(jpeg(index), "image/jpeg")


@pytest.fixture(scope="module")
def facebook_site(https_server: Any) -> None:
    mobile = https_server.site("m.facebook.com")
    www = https_server.site("www.facebook.com")
    album = (FIXTURES / ALBUM).read_text()
    cover = (FIXTURES / COVER).read_text()
    comet = (FIXTURES / COMET).read_text()
    mobile_group = (FIXTURES / MOBILE_GROUP).read_text()
    comet_b = (FIXTURES / COMET_B).read_text()
    mobile.routes["/story.php?story_fbid=3065154550235644&id=119240841493711"] = serve(album)
    mobile.routes["/Nintendo/posts/4194934713924283"] = serve(cover)
    www.routes[COMET_PROFILE] = serve(comet)
    www.routes[COMET_PERMALINK] = serve(comet)
    www.routes[COMET_B_PROFILE] = serve(comet_b)
    www.routes[COMET_B_PERMALINK] = serve(comet_b)
    mobile.routes["/groups/117507531664134/"] = serve(mobile_group)
    # The page's own og:url, in its mobile form (a test arrangement: the cassette asked for the
    # numeric address, which the 2020 page answers here).
    mobile_group_2021 = (FIXTURES / MOBILE_GROUP_2021).read_text()
    mobile.routes["/groups/southamericansincomputing/"] = serve(mobile_group_2021)
    www.routes["/groups/1234567/posts/987654321/"] = serve(LOGIN_WALL)
    www.routes["/SomePage/posts/555"] = serve(NOT_AVAILABLE)
    synthetic = {name: (FIXTURES / name).read_text()
                 for name in (COMET_GROUP, COMET_VIDEO, OG_VIDEO)}
    www.routes["/groups/klawiatury/"] = serve(synthetic[COMET_GROUP])
    www.routes["/Nintendo/videos/1234567890/"] = serve(synthetic[COMET_VIDEO])
    # The same page at another video's address: its only Video node is 1234567890.
    www.routes["/Nintendo/videos/5550001/"] = serve(synthetic[COMET_VIDEO])
    www.routes["/watch/?v=987"] = serve(synthetic[OG_VIDEO])
    reel, page_video = (FIXTURES / REEL).read_text(), (FIXTURES / PAGE_VIDEO).read_text()
    www.routes[REEL_PATH] = serve(reel)
    # The same reel at another reel's address: its payloads name 1052271451146452 only.
    www.routes["/reel/999000111/"] = serve(reel)
    www.routes[PAGE_VIDEO_PATH] = serve(page_video)
    # Short links answer with a redirect to the video's own address (a test arrangement).
    www.routes[SHORT_REEL_PATH] = redirect("https://www.facebook.com" + REEL_PATH)
    https_server.site("fb.watch").routes[SHORT_WATCH_PATH] = redirect(
        "https://www.facebook.com" + REEL_PATH)
    # The same page at the video's /watch/ address (a test arrangement: Facebook answers both
    # addresses with the same query result, data.video.story.attachments[0].media).
    www.routes["/watch/?v=1510336304185822"] = serve(page_video)
    videos = https_server.site("video.xx.fbcdn.net")
    for html in (album, cover, comet, comet_b, mobile_group, mobile_group_2021, *synthetic.values(),
                 reel, page_video):
        serve_images_of(https_server, html)
        for url in re.findall(r'https://video\.xx\.fbcdn\.net(/[^"?]+)', html):
            videos.routes[url] = serve(b"\x00\x00\x00\x18ftypmp42" + url.encode(), "video/mp4")
        # Since 2025 the files are on the scontent hosts too (progressive_urls).
        for host, path in re.findall(r'https://(scontent[^/"]+)(/[^"?]+\.mp4)', html):
            https_server.site(host).routes[path] = serve(
                b"\x00\x00\x00\x18ftypmp42" + path.encode(), "video/mp4")


def match(url: str) -> Any:
    return Platforms.from_plugins(get_plugin_manager()).claim(url).match


@pytest.mark.parametrize(("url", "kind", "post_id", "canonical"), [
    ("https://www.facebook.com/Nintendo/posts/4194934713924283", "post", "4194934713924283",
     "https://www.facebook.com/Nintendo/posts/4194934713924283"),
    ("https://m.facebook.com/Nintendo/posts/4194934713924283?refid=52", "post", "4194934713924283",
     "https://www.facebook.com/Nintendo/posts/4194934713924283"),
    ("https://mbasic.facebook.com/permalink.php?story_fbid=11&id=22", "post", "11",
     "https://www.facebook.com/permalink.php?story_fbid=11&id=22"),
    (ALBUM_URL, "post", "3065154550235644",
     "https://www.facebook.com/story.php?story_fbid=3065154550235644&id=119240841493711"),
    ("https://web.facebook.com/photo/?fbid=4194934717257616&set=a.1", "post", "4194934717257616",
     "https://www.facebook.com/photo/?fbid=4194934717257616"),
    ("https://www.facebook.com/photo.php?fbid=42&id=1", "post", "42",
     "https://www.facebook.com/photo.php?fbid=42"),
    ("https://www.facebook.com/Nintendo/videos/1234567890/", "video", "1234567890",
     "https://www.facebook.com/Nintendo/videos/1234567890/"),
    ("https://www.facebook.com/watch/?v=987", "video", "987",
     "https://www.facebook.com/watch/?v=987"),
    ("https://fb.watch/abcDEF12/", "video", "abcDEF12", "https://fb.watch/abcDEF12/"),
    ("https://www.facebook.com/reel/314159", "video", "314159",
     "https://www.facebook.com/reel/314159/"),
    ("https://www.facebook.com/groups/cats/posts/777/", "post", "777",
     "https://www.facebook.com/groups/cats/posts/777/"),
    ("https://www.facebook.com/groups/cats/", "group", None,
     "https://www.facebook.com/groups/cats/"),
    ("https://www.facebook.com/share/p/1AbCdEf/", "post", "1AbCdEf",
     "https://www.facebook.com/share/p/1AbCdEf/"),
    ("https://fb.com/Nintendo", "profile", None, "https://www.facebook.com/Nintendo"),
    ("https://www.facebook.com/Nintendo/", "profile", None, "https://www.facebook.com/Nintendo"),
    ("https://www.facebook.com/profile.php?id=1000", "profile", None,
     "https://www.facebook.com/profile.php?id=1000"),
])
def test_match_url_forms(url: str, kind: str, post_id: str | None, canonical: str) -> None:
    found = match(url)
    assert (found.platform, found.kind, found.post_id, found.canonical_url) == (
        "facebook", kind, post_id, canonical)


@pytest.mark.parametrize("url", [
    "https://facebook.com.evil.example/Nintendo/posts/1",
    "https://notfacebook.com/Nintendo/posts/1",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://fb.watch.evil.example/abc",
])
def test_match_url_refuses_other_hosts(url: str) -> None:
    assert match(url).platform == "generic"




def test_mobile_album_post(capture: Any, facebook_site: None) -> None:
    result = capture(ALBUM_URL, **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert post["platform"] == "facebook"
    assert post["post_id"] == "3065154550235644"
    assert post["author"]["display_name"] == "Nintendo"
    assert post["author"]["id"] == "119240841493711"
    assert post["author"]["url"] == "https://www.facebook.com/Nintendo/"
    assert post["published_at"] == "2020-05-13T01:01:18Z"
    assert post["text"].startswith("Check out these themed wallpapers and many more at the link")
    assert post["text"].endswith("https://www.nintendo.com/wallpapers/")
    assert post["counts"]["reposts"] == 281
    assert len(post["media"]) == 4
    media_matches_bundle(result)
    assert post["extraction"]["sources"]["published_at"].startswith("dom:")



def test_mobile_photo_post_with_deferred_html(capture: Any, facebook_site: None) -> None:
    """Author, time and counts are in <code><!-- --> blocks Facebook's missing JS never inserted."""
    result = capture(COVER_URL, **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert post["post_id"] == "4194934713924283"
    assert post["author"]["display_name"] == "Nintendo"
    assert post["author"]["url"] == "https://www.facebook.com/Nintendo/"
    assert post["published_at"] == "2021-06-05T00:33:32Z"
    assert post["text"] is None  # a cover-photo update has no caption
    assert (post["counts"]["likes"], post["counts"]["reposts"]) == (2, 17)
    assert len(post["media"]) == 1
    assert "194757118_4194934717257616" in post["media"][0]["url"]
    media_matches_bundle(result)
    assert "deferred" in post["extraction"]["sources"]["published_at"]


def test_comet_story_from_relay_json(capture: Any, facebook_site: None) -> None:
    result = capture("https://www.facebook.com" + COMET_PERMALINK, **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert post["post_id"] == "1053189635634220"
    assert post["author"]["display_name"] == "P\u00f3\u0142 \u017bartem P\u00f3\u0142 Serio"
    assert post["author"]["id"] == "100028295814975"
    assert post["published_at"] == "2023-01-14T09:34:59Z"
    assert post["text"] == ("Nasza nowo\u015b\u0107 sa\u0142atka z warzyw korzennych \n"
                            "z avocado i hummusem")
    assert (post["counts"]["likes"], post["counts"]["replies"], post["counts"]["reposts"]) == (
        4, 0, 0)
    assert len(post["media"]) == 1
    assert "324664178_697242131899053" in post["media"][0]["url"]
    media_matches_bundle(result)
    assert post["extraction"]["sources"]["published_at"].startswith("json:")


def test_comet_profile_page(capture: Any, facebook_site: None) -> None:
    """The account from the header JSON; the <title>'s " | Warsaw" never reaches the name."""
    result = capture("https://www.facebook.com" + COMET_PROFILE, **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert post["kind"] == "profile"
    author = post["author"]
    assert post["title"] == "P\u00f3\u0142 \u017bartem P\u00f3\u0142 Serio | Warsaw"
    assert author["display_name"] == "P\u00f3\u0142 \u017bartem P\u00f3\u0142 Serio"
    assert author["id"] == "100028295814975"
    assert author["url"] == ("https://www.facebook.com/people/P%C3%B3%C5%82-%C5%BBartem-"
                             "P%C3%B3%C5%82-Serio/100028295814975/")
    assert author["verified"] is False
    assert author["bio"] == "slow bistro, slow catering mg, catering kuchnie \u015bwiata"
    assert (post["counts"]["likes"], post["counts"]["followers"]) == (2100, 2100)
    assert post["text"].startswith(
        "P\u00f3\u0142 \u017bartem P\u00f3\u0142 Serio, Warszawa. 2,104 likes")
    assert post["published_at"] is None
    assert [(m["kind"], m["note"]) for m in post["media"]] == [("avatar", None),
                                                               ("image", "cover photo")]
    assert "295099345_913147066305145" in author["avatar_url"] == post["media"][0]["url"]
    assert "294644408_913147062971812" in post["media"][1]["url"]
    assert all(m["captured"] for m in post["media"])
    media_matches_bundle(result)
    assert [(e["post_id"], e["published_at"], e["author"]) for e in post["feed"]] == [
        ("1053189635634220", "2023-01-14T09:34:59Z", "P\u00f3\u0142 \u017bartem P\u00f3\u0142 Serio")]
    assert post["feed"][0]["url"] == "https://www.facebook.com" + COMET_PERMALINK
    assert post["feed"][0]["text"].startswith("Nasza nowo\u015b\u0107 sa\u0142atka")
    sources = post["extraction"]["sources"]
    assert sources["author.display_name"].endswith("profile_header_renderer.user.name")
    assert sources["counts.followers"].startswith("json:")


def test_comet_profile_page_in_polish(capture: Any, facebook_site: None) -> None:
    """The same Page saved again in Polish: "2,2 tys. polubienia" read by the tab it links to."""
    result = capture("https://www.facebook.com" + COMET_B_PROFILE, **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert post["kind"] == "profile"
    author = post["author"]
    assert author["display_name"] == NAME
    assert author["id"] == "100028295814975"
    assert author["url"] == "https://www.facebook.com" + COMET_PROFILE
    assert author["verified"] is False
    assert author["bio"] == "slow bistro, slow catering mg, catering kuchnie \u015bwiata"
    assert (post["counts"]["likes"], post["counts"]["followers"]) == (2200, 2400)
    sources = post["extraction"]["sources"]
    assert sources["counts.likes"].endswith("profile_social_context.content[0]")
    assert sources["counts.followers"].endswith("profile_social_context.content[1]")
    assert post["text"].startswith(f"{NAME}, Warszawa. 2276 os\u00f3b lubi to")
    assert [(m["kind"], m["note"]) for m in post["media"]] == [("avatar", None),
                                                               ("image", "cover photo")]
    assert all(m["captured"] for m in post["media"])
    media_matches_bundle(result)
    assert [(e["post_id"], e["published_at"], e["author"]) for e in post["feed"]] == [
        ("1416281615991685", "2024-08-13T18:32:55Z", NAME)]
    assert post["feed"][0]["url"] == "https://www.facebook.com" + COMET_B_PERMALINK
    assert post["feed"][0]["text"].startswith("MENU 14 SIERPNIA\nZUPA DNIA\n")


def test_comet_text_story_in_polish(capture: Any, facebook_site: None) -> None:
    """A text-only story; its comment count is the count of the comment list it would render."""
    result = capture("https://www.facebook.com" + COMET_B_PERMALINK, **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert post["post_id"] == "1416281615991685"
    assert (post["author"]["display_name"], post["author"]["id"]) == (NAME, "100028295814975")
    assert post["published_at"] == "2024-08-13T18:32:55Z"
    assert post["text"].startswith("MENU 14 SIERPNIA\nZUPA DNIA\nKALAFIOROWA 10 Z\u0141\n")
    assert post["text"].endswith("CIASTO Z RABARBAREM 16 Z\u0141")
    assert post["media"] == []
    assert (post["counts"]["likes"], post["counts"]["replies"], post["counts"]["reposts"]) == (
        0, 0, 0)
    assert post["extraction"]["sources"]["counts.replies"].endswith(
        "comment_rendering_instance.comments.total_count")


def story(post_id: str, actor: str, text: str, created: int, **more: Any) -> dict[str, Any]:
    """A Comet ``Story`` node; in real pages ``attached_story`` comes before ``comet_sections``."""
    return {"__typename": "Story", "post_id": post_id, **more, "comet_sections": {
        "url": f"https://www.facebook.com/{actor}/posts/{post_id}",
        "actors": [{"name": actor, "id": f"id-{actor}"}], "message": {"text": text},
        "creation_time": created}}


def test_story_sharing_the_requested_post_is_not_read_as_it() -> None:
    """The sharer's story comes first in the page and holds the requested post's address."""
    wanted = "4194934713924283"
    original = story(wanted, "Nintendo", "the original", 1622853212)
    sharer = story("111", "Sharer", "look at this", 1700000000, attached_story=original)
    found = relay.stories([query_result({"node": sharer})])
    assert [s["post_id"] for _p, s in found] == ["111", wanted]
    chosen = relay.matching_story(found, wanted)
    assert chosen is not None
    post, sources = Post(platform="facebook", url="u"), dict[str, str]()
    relay.fill_from_story(post, chosen[0], chosen[1], sources)
    assert (post.post_id, post.author.display_name, post.text) == (wanted, "Nintendo", "the original")
    # Alone, the sharer is not the post it shares, nor a post whose id holds the requested one.
    assert relay.matching_story(found[:1], wanted) is None
    assert relay.matching_story(found[:1], "11") is None


def test_story_sharing_a_post_gives_its_own_facts() -> None:
    """The shared post's time, text and author sit first in the sharer's data; they are not its."""
    sharer = story("111", "Sharer", "look at this", 1700000000,
                   attached_story=story("222", "Nintendo", "the original", 1622853212))
    post, sources = Post(platform="facebook", url="u"), dict[str, str]()
    relay.fill_from_story(post, "node", sharer, sources)
    assert (post.author.display_name, post.text, post.published_at) == (
        "Sharer", "look at this", "2023-11-14T22:13:20Z")
    assert relay.feed_entry(sharer).url == "https://www.facebook.com/Sharer/posts/111"


def test_story_found_by_its_own_permalink_photo_or_video() -> None:
    photo = {"__typename": "Photo", "id": "333",
             "url": "https://www.facebook.com/photo/?fbid=333&set=a.1"}
    clip = {"__typename": "Video", "id": "666", "url": "https://www.facebook.com/x/videos/666/"}
    own = story("111", "Owner", "mine", 1700000000,
                attachments=[{"media": photo}, {"media": clip}])
    found = [("node", own)]
    assert relay.story_rank(own, "111") == 0
    own["post_id"] = "another id"
    assert relay.story_rank(own, "111") == 1  # its own permalink
    assert (relay.story_rank(own, "333"), relay.story_rank(own, "666")) == (2, 2)
    assert relay.matching_story(found, "333") == found[0]
    linked = story("444", "Linker", "read this", 1700000000, attachments=[
        {"url": "https://www.facebook.com/Nintendo/posts/555"}])
    assert relay.matching_story([("node", linked)], "555") is None


def test_comet_group_is_the_group_not_its_first_post(capture: Any, facebook_site: None) -> None:
    result = capture("https://www.facebook.com/groups/klawiatury/", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert post["kind"] == "group"
    assert post["author"]["display_name"] == "Klawiatury Mechaniczne Polska"
    assert post["author"]["id"] == "4091621327828556"
    assert post["author"]["bio"] == "Grupa dla fan\u00f3w klawiatur mechanicznych."
    assert post["counts"]["members"] == 12000
    assert post["published_at"] is None and post["post_id"] is None
    assert [(m["kind"], m["note"]) for m in post["media"]] == [("image", "cover photo")]
    media_matches_bundle(result)
    assert [(e["post_id"], e["author"], e["published_at"]) for e in post["feed"]] == [
        ("4623380861319264", "Ewa Zieli\u0144ska", "2023-01-14T09:34:59Z"),
        ("4623380861319265", "Piotr Wi\u015bniewski", "2023-01-13T09:34:59Z")]
    assert post["feed"][0]["text"] == "Who is going to the meetup on Saturday?"
    assert any("Public group" in note for note in post["extraction"]["notes"])


def test_mobile_group_lists_its_stories(capture: Any, facebook_site: None) -> None:
    """The real logged-out m.facebook.com group page of 2020: no og: tags, a hidden h1."""
    result = capture("https://m.facebook.com/groups/117507531664134/", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert post["kind"] == "group"
    assert post["author"]["display_name"] == "South Americans in Computing"
    assert post["author"]["id"] == "117507531664134"
    assert post["counts"]["members"] == 1631  # only in <meta name="description">
    assert post["author"]["bio"] == post["text"]
    assert post["text"].startswith("Hola!, This group is aimed to create opportunities for South "
                                   "American students in Computer Science and related fields.")
    assert post["text"].endswith("3. Political and religious advertisement are not allowed.")
    assert [(m["kind"], m["note"]) for m in post["media"]] == [("image", "cover photo")]
    assert "/50673330_10158586398537228_6032769720329961472_o.jpg?" in post["media"][0]["url"]
    assert "the group says it is: Public group" in post["extraction"]["notes"]
    media_matches_bundle(result)
    feed = post["feed"]
    assert len(feed) == 21
    assert [e["post_id"] for e in feed[:4]] == [
        "1629606003787605", "2927615973986595", "2927582250656634", "2927022987379227"]
    assert feed[1]["author"] == "Josimar Chire"
    assert feed[1]["url"] == (
        "https://www.facebook.com/groups/117507531664134/permalink/2927615973986595/")
    assert feed[1]["text"] == ("Buenas noches, los esperamos en la tarde para hablar sobre "
                               "proyectos en latinoamericana frente a #covid19 .")
    # "Camilo Thorne shared a link.": the entry is his post, which has no words of its own.
    assert (feed[2]["author"], feed[2]["text"]) == ("Camilo Thorne", None)
    assert feed[2]["url"].endswith("/groups/117507531664134/permalink/2927582250656634/")
    # The text cut with "… More" is read whole.
    assert "achievements to be recognized, increase fairness" in feed[0]["text"]
    # Only relative or yearless times are shown; the one publish_time of data-ft belongs to a
    # shared Page post (attached_story), not to the group post that shares it.
    assert feed[7]["post_id"] == "2907126496035543"
    assert all(e["published_at"] is None for e in feed)
    assert len({e["url"] for e in feed}) == 21


def test_mobile_group_2021_is_the_group_and_its_dated_stories(
        capture: Any, facebook_site: None) -> None:
    """The same group recorded again in 2021: no member count shown, the About cut in og:."""
    result = capture("https://m.facebook.com/groups/southamericansincomputing/", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["kind"], post["post_id"], post["published_at"]) == ("group", None, None)
    assert post["title"] == "South Americans in Computing public group | Facebook"
    author = post["author"]
    assert (author["display_name"], author["id"], author["url"]) == (
        "South Americans in Computing", "117507531664134",
        "https://www.facebook.com/groups/southamericansincomputing/")
    # The page names no member count at all (no "members" anywhere in it).
    assert post["counts"]["members"] is None
    # og:description stops at "achievements to..."; the header's About is whole.
    assert author["bio"] == post["text"]
    assert post["text"].startswith("Hola!, This group is aimed to create opportunities for South "
                                   "American students in Computer Science and related fields.\n\n"
                                   "Hope this will help us to know what we are doing in our work, "
                                   "achievements to be recognized, increase fairness")
    assert post["text"].endswith("\n3. Political and religious advertisement are not allowed.")
    assert "\u2026" not in post["text"] and "More" not in post["text"]
    assert post["extraction"]["sources"]["text"].endswith("(meta:og:description is cut)")
    assert "the group says it is: Public group" in post["extraction"]["notes"]
    assert [(m["kind"], m["note"]) for m in post["media"]] == [("image", "cover photo")]
    assert post["media"][0]["url"].startswith(
        "https://scontent.fhlz2-1.fna.fbcdn.net/v/t1.6435-9/fr/cp0/e15/q65/"
        "50673330_10158586398537228_6032769720329961472_n.jpg?")
    media_matches_bundle(result)
    feed = post["feed"]
    assert len(feed) == 21 and len({e["post_id"] for e in feed}) == 21
    assert all(e["url"] == "https://www.facebook.com/groups/southamericansincomputing/permalink/"
               f"{e['post_id']}/" for e in feed)
    # First, under "Announcements": the story of the About's last change, whose words are the
    # About; it stays a listed story, the group takes neither its id nor its time.
    assert (feed[0]["post_id"], feed[0]["author"], feed[0]["published_at"]) == (
        "1629606003787605", "Omar U. Florez", "2018-04-03T20:02:42Z")
    assert feed[0]["text"] == post["text"]
    # In 2021 data-ft carries each story's own publish_time (shown as "2 June at 01:24").
    assert [(e["post_id"], e["author"], e["published_at"]) for e in (feed[1], feed[-1])] == [
        ("4027350330679815", "Data Science Research Per\u00fa", "2021-06-02T01:24:03Z"),
        ("3969876906427158", "Omar U. Florez", "2021-05-13T20:11:19Z")]
    times = [e["published_at"] for e in feed[1:]]
    assert times == sorted(times, reverse=True)
    # "shared a live video." / "shared a post." with no words of their own.
    assert [i for i, e in enumerate(feed) if e["text"] is None] == [1, 2, 3, 8, 14]
    assert feed[-1]["text"] == "\U0001f4aa\U0001f1f5\U0001f1ea Cesar Beltr\u00e1n Casta\u00f1\u00f3n"
    # Its "\u2026 More" sits inside a link, so the parser moves "More" out of the cut.
    assert feed[12]["post_id"] == "3989292001152315"
    assert feed[12]["text"] == (
        "Amigos, este es es el documento de trabajo de la estrategia nacional de IA que "
        "presentamos la semana pasada: https://cdn.www.gob.pe/uploads/document/file/1899077/"
        "Estrategia%20Nacional%20de%20Inteligencia%20Artificial.pdf.pdf\n\nPor favor, hagan "
        "llegar su feedback a trav\u00e9s del cuestionario hasta antes del 31 de Mayo: "
        "https://www.gob.pe/13517")


def test_comet_video_and_its_poster(capture: Any, facebook_site: None) -> None:
    result = capture("https://www.facebook.com/Nintendo/videos/1234567890/", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["kind"], post["post_id"]) == ("video", "1234567890")
    assert post["title"] == "Unboxing the new console"
    assert post["text"] == "We open the box live."
    assert post["published_at"] == "2021-06-05T00:33:32Z"
    assert (post["author"]["display_name"], post["author"]["id"]) == ("Nintendo", "119240841493711")
    video, poster = post["media"]
    assert (video["kind"], video["duration"]) == ("video", 42.5)
    assert video["url"] == VIDEO_CDN + "t42.1790-2/clip_1234567890_hd.mp4?_nc_cat=1"
    assert (poster["kind"], poster["note"]) == ("image", "poster")
    assert video["captured"] and poster["captured"]
    media_matches_bundle(result)


def test_video_page_at_another_videos_address_is_not_read(capture: Any,
                                                          facebook_site: None) -> None:
    """The page's only Video node is another video's: it is not read as the requested one."""
    result = capture("https://www.facebook.com/Nintendo/videos/5550001/", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert post["post_id"] == "5550001"
    assert post["media"] == []
    assert post["text"] is None and post["author"]["display_name"] is None
    notes = post["extraction"]["notes"]
    assert "the page's Video nodes are about other videos (1234567890); none was read" in notes


@pytest.mark.parametrize("count", [1, 2])
def test_short_link_takes_the_only_video_node(count: int) -> None:
    html = (FIXTURES / COMET_VIDEO).read_text()
    scripts = scripts_of(html) + scripts_of(html.replace("1234567890", "5550001"))[:count - 1]
    notes: list[str] = []
    found = video.video_node(scripts, None, notes)
    if count == 1:
        assert found is not None and found[1]["id"] == "1234567890"
        assert notes == ["the short link names no video id; the page's only Video node was read"]
    else:
        assert found is None
        assert notes == ["the short link names no video id and the page holds 2 Video nodes; "
                         "none was read"]


def test_real_reel_page(capture: Any, facebook_site: None) -> None:
    """A 2026 reel: file, story and counts in three query results, each naming the reel."""
    result = capture("https://www.facebook.com" + REEL_PATH, **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["kind"], post["post_id"]) == ("video", "1052271451146452")
    assert post["author"]["display_name"] == "Crunchyroll"
    assert post["author"]["id"] == "100044527955664"
    assert (post["author"]["handle"], post["author"]["url"]) == (
        "Crunchyroll", "https://www.facebook.com/Crunchyroll")
    assert post["published_at"] == "2026-09-16T20:00:01Z"
    assert post["text"] == ("A new season of anime is almost here \U0001f342 Here's a taste of "
                            "what\u2019s heading to Crunchyroll this October.")
    # "1.9K" shares is Facebook's rounding; the exact count is not in the page.
    assert (post["counts"]["likes"], post["counts"]["replies"], post["counts"]["reposts"]) == (
        20096, 263, 1900)
    assert any("'1.9K'" in note for note in post["extraction"]["notes"])
    video, poster = post["media"]
    assert video["url"] == REEL_CDN + (
        "o1/v/t2/f2/m412/AQOWKX-gBNHH4-PMSu9DBXiQARMyKctWLLqbfcn4CqeRo9Bgz-FmMmqELVZTCpYLMaUMhw1A"
        "NkscMUCFLq2VtWCq8z8rZLg80es2t_hVhg.mp4")
    assert (poster["note"], poster["url"]) == ("poster", REEL_CDN + (
        "v/t15.5256-10/813836993_1001931902859966_4094317501569580252_n.jpg"))
    assert video["captured"] and poster["captured"]
    media_matches_bundle(result)
    sources = post["extraction"]["sources"]
    assert sources["post_id"].endswith("data.video.creation_story.attachments[0].media.id")
    assert sources["author.display_name"].endswith("data.actors[0]")
    assert sources["counts.likes"].endswith("fb_reel_react_button.story.feedback.unified_reactors.count")
    assert sources["media"].endswith("videoDeliveryResponseResult.progressive_urls")


def test_reel_page_about_another_reel_is_not_taken(capture: Any, facebook_site: None) -> None:
    result = capture("https://www.facebook.com/reel/999000111/", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert post["post_id"] == "999000111"
    assert post["media"] == []
    assert post["author"]["display_name"] is None and post["text"] is None
    assert post["published_at"] is None and post["counts"]["likes"] is None
    assert "no video found in the page" in post["extraction"]["notes"]


@pytest.mark.parametrize(("fixture", "wanted", "drop", "other"), [
    # A Page video naming no id, beside a result about another video under "node".
    (PAGE_VIDEO, "1510336304185822", None, {"node": {
        "__typename": "Video", "id": "777",
        "creation_story": {"message": {"text": "ANOTHER VIDEO'S CAPTION"}}}}),
    # The reel without its file, beside another reel's file under "playback_video".
    (REEL, REEL_ID, "videoDeliveryResponseFragment", {"playback_video": {
        "id": "999", "videoDeliveryResponseFragment": {"videoDeliveryResponseResult": {
            "progressive_urls": [{"progressive_url": "https://scontent.xx.fbcdn.net/OTHER.mp4"}]}}}}),
    # The reel without its story, beside a result naming no video.
    (REEL, REEL_ID, '"actors"', {"story": {"message": {"text": "WHOSE CAPTION?"}}}),
])
def test_video_page_takes_nothing_from_another_video(fixture: str, wanted: str, drop: str | None,
                                                     other: dict[str, Any]) -> None:
    scripts = [s for s in scripts_of((FIXTURES / fixture).read_text())
               if drop is None or drop not in s]
    scripts.append(query_result(other))
    post, sources, notes = Post(platform="facebook", url="u"), dict[str, str](), list[str]()
    read = video_page.read(scripts, wanted, post, sources, notes)
    assert read == (drop != "videoDeliveryResponseFragment")
    assert post.text is None and "text" not in sources
    assert all("OTHER" not in m.url for m in post.media)


@pytest.mark.parametrize("short", ["https://www.facebook.com" + SHORT_REEL_PATH,
                                   "https://fb.watch" + SHORT_WATCH_PATH])
def test_short_link_reads_the_reel_it_leads_to(capture: Any, facebook_site: None,
                                               short: str) -> None:
    result = capture(short, **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["kind"], post["post_id"]) == ("video", REEL_ID)
    assert post["author"]["display_name"] == "Crunchyroll"
    assert post["text"].startswith("A new season of anime is almost here")
    assert [m["kind"] for m in post["media"]] == ["video", "image"]
    assert all(m["captured"] for m in post["media"])
    assert post["extraction"]["sources"]["post_id"].endswith("attachments[0].media.id")
    assert (f"the short link led to https://www.facebook.com/reel/{REEL_ID}/; the video there "
            "was read") in post["extraction"]["notes"]


@pytest.mark.parametrize("path", [PAGE_VIDEO_PATH, "/watch/?v=1510336304185822"])
def test_real_page_video(capture: Any, facebook_site: None, path: str) -> None:
    """A Page's video of 2026 whose payloads name no video id: read as the page's only video."""
    result = capture("https://www.facebook.com" + path, **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["kind"], post["post_id"]) == ("video", "1510336304185822")
    assert (post["author"]["display_name"], post["author"]["id"]) == ("VTV24", "223790994475363")
    assert post["published_at"] == "2026-09-25T12:40:04Z"
    assert post["text"] is None  # the minimized page kept no caption
    assert (post["counts"]["likes"], post["counts"]["replies"], post["counts"]["reposts"]) == (
        101741, 9629, None)
    video, poster = post["media"]
    assert video["url"] == REEL_CDN + (
        "o1/v/t2/f2/m412/AQOJM-4P0I5-ttD36D1UWeKPRpJI5DDWUfQgs6v-Pc9skuBgI8yqWrMIwu7U4kioaU1rtmC"
        "Xr1d0M3HzlkhNvPYqIJxf47tN7-_XEKHszA.mp4")
    assert poster["url"] == REEL_CDN + (
        "v/t15.5256-10/820458074_1130285573017533_2999738044800276065_n.jpg")
    assert video["captured"] and poster["captured"]
    media_matches_bundle(result)
    sources = post["extraction"]["sources"]
    assert sources["author.id"].endswith("data.owner.owner_as_page")
    assert sources["published_at"].endswith(
        "media.creation_story.comet_sections.metadata[0].story.creation_time")
    assert "post_id" not in sources
    assert "the page's only video names no id; it was read as the requested one" in (
        post["extraction"]["notes"])


def test_video_named_only_by_meta_tags(capture: Any, facebook_site: None) -> None:
    result = capture("https://www.facebook.com/watch/?v=987", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["title"], post["text"]) == ("Mario Kart highlights",
                                             "The best moments of the weekend tournament.")
    assert [(m["kind"], m["url"]) for m in post["media"]] == [
        ("video", VIDEO_CDN + "t42.9040-2/og_987_n.mp4?_nc_cat=1"),
        ("image", "https://scontent.xx.fbcdn.net/v/t15.5256-10/og_poster_987_n.jpg?_nc_cat=1")]
    assert post["extraction"]["sources"]["media"] == "meta:og:video:secure_url"
    media_matches_bundle(result)


@pytest.mark.parametrize(("path", "status"), [
    ("/groups/1234567/posts/987654321/", "login_required"),
    ("/SomePage/posts/555", "not_found"),
])
def test_walls_are_not_complete(capture: Any, facebook_site: None, path: str, status: str) -> None:
    result = capture("https://www.facebook.com" + path)
    assert result.status == status, result.reason
    assert result.post["extraction"]["plugin"] == "facebook"
