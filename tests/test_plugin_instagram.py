"""Instagram plugin: URL forms; real posts, carousels, profiles and stories; login and missing pages."""

from __future__ import annotations

import io
import json
import re
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from PIL import Image

from archiver.platforms import Platforms
from archiver.plugin_manager import get_plugin_manager

from support.bundles import media_matches_bundle

FIXTURES = Path(__file__).parent / "fixtures" / "instagram"
PHOTO = "metascraper-instagram__post-with-photo.html"
VIDEO = "metascraper-instagram__post-with-video.html"
IGTV = "metascraper-instagram__igtv-excerpt.html"
REEL = "metascraper-instagram__reel-excerpt.html"
# Excerpts of real pages (see SOURCES.txt): a 2021 rendered post, a 2021 carousel's server page,
# profiles of 2024 (logged out) and 2021 (rendered), a 2024 story.
RENDERED_POST = "metascraper-instagram__post-2021-rendered-excerpt.html"
# A second rendered logged-out page of 2021 (a photo of 2017) that also carries window._sharedData.
RENDERED_TESLA = "metascraper-instagram__post-2021-tesla-rendered-excerpt.html"
CAROUSEL = "metascraper-instagram__carousel-2021-excerpt.html"
PROFILE = "metascraper-instagram__profile-excerpt.html"
RENDERED_PROFILE = "metascraper-instagram__profile-2021-rendered-excerpt.html"
STORY = "metascraper-instagram__story-excerpt.html"
# Real answers of Instagram's API (see SOURCES.txt), fetched by a hand-written page shell as the
# web app's scripts fetch them: a profile (2022, and 2021 in the app API's form), the stories of
# an account (2020), a video post and a carousel (2022), three highlights of an account (2020).
PROFILE_ANSWER = "instagram-user-feed__profile.json"
USER_INFO_ANSWER = "instagram-user-feed__profile-alternative.json"
STORIES_ANSWER = "instagram-user-feed__stories.json"
MEDIA_ANSWER = "instagram-user-feed__media-2.json"
CAROUSEL_ANSWER = "instagram-user-feed__media.json"
HIGHLIGHTS_ANSWER = "instagram-user-feed__highlights-stories.json"
# The stories query of the web app of 2020: GraphQL by query hash, the account's id as reel.
STORIES_URL = ("/graphql/query/?query_hash=303a4ae99711322310f25250d988f3b7&variables=%7B%22reel_ids"
               "%22%3A%5B%22625833324%22%5D%2C%22precomposed_overlay%22%3Afalse%7D")
# The highlights query of the same client: the highlight's id in highlight_reel_ids.
HIGHLIGHT_URL = "/graphql/query/?query_hash=5ec1d322b38839230f8e256e1f638d5f&variables=" + quote(
    json.dumps({"reel_ids": [], "tag_names": [], "location_ids": [],
                "highlight_reel_ids": ["18137590444014024"], "precomposed_overlay": False,
                "show_story_viewer_list": True, "story_viewer_fetch_count": 50,
                "story_viewer_cursor": "", "stories_video_dash_manifest": False},
               separators=(",", ":")), safe="")
ANSWER_URLS = {
    "/api/v1/users/web_profile_info/?username=robertdowneyjr": PROFILE_ANSWER,
    "/api/v1/users/1518284433/info/": USER_INFO_ANSWER,
    STORIES_URL: STORIES_ANSWER,
    "/api/v1/media/2307774091974900767/info/": MEDIA_ANSWER,
    "/api/v1/media/2317006284167526179/info/": CAROUSEL_ANSWER,
    HIGHLIGHT_URL: HIGHLIGHTS_ANSWER,
}
# SYNTHETIC (see SOURCES.txt): the real markers of Instagram's login page and missing post.
LOGIN_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Login \u2022 Instagram</title></head>
<body><main><form id="loginForm">
<input name="username" aria-label="Phone number, username, or email">
<input name="password" type="password"><button type="submit">Log in</button></form></main>
</body></html>"""
MISSING_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Instagram</title></head><body><main>
<h2>Sorry, this page isn't available.</h2><div>The link you followed may be broken, or the page may
have been removed. <a href="/">Go back to Instagram.</a></div></main></body></html>"""
FAKE_MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 2048


def shell(answer: str, head: str = "") -> str:
    """SYNTHETIC (see SOURCES.txt): a page that only fetches one API answer, as Instagram's
    scripts do; the app's header is the one its web client sends."""
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{head}
<title>Instagram</title></head><body><main></main><script>
fetch({answer!r}, {{headers: {{"X-IG-App-ID": "936619743392459"}}}}).then(r => r.json());
</script></body></html>"""


SHELLS = {
    "/robertdowneyjr/": shell("/api/v1/users/web_profile_info/?username=robertdowneyjr"),
    "/robertdowneyjr/?hl=en": shell("/api/v1/users/1518284433/info/"),
    "/stories/starwars/2313478624923545316/": shell(STORIES_URL),
    "/p/CAG3E8-A3wf/": shell("/api/v1/media/2307774091974900767/info/"),
    "/p/CAnqPB-Jzcj/": shell("/api/v1/media/2317006284167526179/info/"),
    "/stories/highlights/18137590444014024/": shell(HIGHLIGHT_URL),
    "/stories/starwars/": shell(STORIES_URL),
    # Attacks: each page fetches an answer about another account, story, highlight or post.
    "/cristiano/": shell("/api/v1/users/web_profile_info/?username=robertdowneyjr"),
    "/stories/jaimelorentelo/2313478624923545316/": shell(STORIES_URL),
    "/p/CAG3E8-B4xg/": shell("/api/v1/media/2307774091974900767/info/"),
    "/stories/highlights/17999999999999999/": shell(HIGHLIGHT_URL),
    # The post's page names another author and caption than the answer about the same post.
    "/p/CAG3E8-A3wf/?hl=es": shell(
        "/api/v1/media/2307774091974900767/info/",
        '<meta name="twitter:title" content="Lopez Fans (@jlofans) \u2022 Instagram video">'
        '<meta property="og:title" content="Lopez Fans on Instagram: \u201cSee you soon\u201d">'),
}

# Real pages name dozens of images; on a loaded 2-core machine the default 15 s can run out.
ROOMY = {"navigation_timeout": 40, "settle_timeout": 10, "capture_timeout": 90}


def jpeg(seed: int) -> bytes:
    image = Image.new("RGB", (320, 320), (200, seed * 50 % 255, 60))
    for i in range(0, 320, 40):
        image.paste((i % 255, 255 - i % 255, seed * 70 % 255), (i, 40 + seed * 9, i + 20, 280))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def serve(body: bytes | str, content_type: str = "text/html; charset=utf-8",
          status: int = 200, headers: dict[str, str] | None = None) -> Any:
    data = body.encode() if isinstance(body, str) else body

    def route(handler: BaseHTTPRequestHandler) -> None:
        # One exchange per connection: the proxy otherwise waits on idle keep-alive sockets.
        handler.close_connection = True
        handler.send(status, data, content_type,  # type: ignore[attr-defined]
                     {"Connection": "close", **(headers or {})})

    return route


@pytest.fixture(scope="module")
def instagram_site(https_server: Any) -> None:
    www = https_server.site("www.instagram.com")
    # Two pages of one post or account are told apart by the page's own ?hl= alternate.
    pages = {"/p/CPeC-Eenc8l/": PHOTO, "/p/CPQjO5RIIO9/": VIDEO,
             "/p/CPeC-Eenc8l/?hl=en": RENDERED_POST, "/p/COn3M4TnRi1/": CAROUSEL,
             "/p/BWUDBntl3_Z/": RENDERED_TESLA,
             "/pluto__travel/": PROFILE, "/pluto__travel/?hl=en": RENDERED_PROFILE,
             "/stories/jaimelorentelo/2591639087680304855/": STORY, "/tv/CIoLRFIIL50/": IGTV,
             "/reel/CN2VQ1yI_MA/": REEL}
    texts = {name: (FIXTURES / name).read_text() for name in set(pages.values())}
    for path, name in pages.items():
        www.routes[path] = serve(texts[name])
    for path, page in SHELLS.items():
        www.routes[path] = serve(page)
    answers = {name: (FIXTURES / name).read_text() for name in set(ANSWER_URLS.values())}
    for path, name in ANSWER_URLS.items():
        www.routes[path] = serve(answers[name], "application/json; charset=utf-8")
    texts.update(answers)
    www.routes["/p/LoginWall1/"] = serve(
        b"", status=302,
        headers={"Location": "https://www.instagram.com/accounts/login/?next=%2Fp%2FLoginWall1%2F"})
    www.routes["/accounts/login/"] = serve(LOGIN_PAGE)
    www.routes["/p/Gone12345/"] = serve(MISSING_PAGE)
    # Media hosts only: static.cdninstagram.com (Instagram's scripts) stays unanswered.
    cdn = r'https://(?:scontent|instagram)[^"\'\s<>/]*\.(?:cdninstagram\.com|fbcdn\.net)/[^"\'\s<>]+'
    urls = set(re.findall(cdn, "".join(texts.values())))
    for index, url in enumerate(sorted(urls)):
        host, _, rest = url.split("://", 1)[1].partition("/")
        path = "/" + rest.split("?", 1)[0]
        video_file = path.endswith(".mp4")
        body, ctype = (FAKE_MP4, "video/mp4") if video_file else (jpeg(index), "image/jpeg")
        https_server.site(host).routes[path] = serve(body, ctype)


def match(url: str) -> Any:
    return Platforms.from_plugins(get_plugin_manager()).claim(url).match


@pytest.mark.parametrize(("url", "kind", "post_id", "canonical"), [
    ("https://www.instagram.com/p/CPeC-Eenc8l/", "post", "CPeC-Eenc8l",
     "https://www.instagram.com/p/CPeC-Eenc8l/"),
    ("https://instagram.com/p/CPeC-Eenc8l?igsh=abc", "post", "CPeC-Eenc8l",
     "https://www.instagram.com/p/CPeC-Eenc8l/"),
    ("https://instagr.am/p/CPeC-Eenc8l/", "post", "CPeC-Eenc8l",
     "https://www.instagram.com/p/CPeC-Eenc8l/"),
    ("https://www.instagram.com/willyrex/p/CPeC-Eenc8l/", "post", "CPeC-Eenc8l",
     "https://www.instagram.com/p/CPeC-Eenc8l/"),
    ("https://www.instagram.com/reel/C1a2b3c4d5/", "video", "C1a2b3c4d5",
     "https://www.instagram.com/reel/C1a2b3c4d5/"),
    ("https://www.instagram.com/reels/C1a2b3c4d5/", "video", "C1a2b3c4d5",
     "https://www.instagram.com/reel/C1a2b3c4d5/"),
    ("https://www.instagram.com/tv/B7xyzABCD/", "video", "B7xyzABCD",
     "https://www.instagram.com/tv/B7xyzABCD/"),
    ("https://www.instagram.com/stories/willyrex/3141592653589793238/", "story",
     "3141592653589793238", "https://www.instagram.com/stories/willyrex/3141592653589793238/"),
    ("https://www.instagram.com/willyrex/", "profile", None, "https://www.instagram.com/willyrex/"),
    ("https://www.instagram.com/willyrex", "profile", None, "https://www.instagram.com/willyrex/"),
])
def test_match_url_forms(url: str, kind: str, post_id: str | None, canonical: str) -> None:
    found = match(url)
    assert (found.platform, found.kind, found.post_id, found.canonical_url) == (
        "instagram", kind, post_id, canonical)


@pytest.mark.parametrize("url", [
    "https://instagram.com.evil.example/p/CPeC-Eenc8l/",
    "https://notinstagram.com/p/CPeC-Eenc8l/",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
])
def test_match_url_refuses_other_hosts(url: str) -> None:
    assert match(url).platform == "generic"


def test_accounts_pages_are_instagram_but_not_profiles() -> None:
    assert (match("https://www.instagram.com/accounts/login/").kind) == "page"




def test_photo_post_from_meta_tags(capture: Any, instagram_site: None) -> None:
    result = capture("https://www.instagram.com/p/CPeC-Eenc8l/", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert post["post_id"] == "CPeC-Eenc8l"
    assert post["canonical_url"] == "https://www.instagram.com/p/CPeC-Eenc8l/"
    assert post["author"]["handle"] == "willyrex"
    assert post["author"]["display_name"] == "Willyrex"
    assert post["published_at"] == "2021-05-29"
    assert post["text"] == ("Una de mis nuevas sudaderas top!! Per ardua ad astra "
                            "\U0001f680\U0001f680\U0001f680")
    assert (post["counts"]["likes"], post["counts"]["replies"]) == (298_000, 553)
    assert [m["kind"] for m in post["media"]] == ["image"]
    media_matches_bundle(result)
    notes = " ".join(post["extraction"]["notes"])
    assert "only the date" in notes and "2584516297666449189" in notes
    assert post["extraction"]["sources"]["published_at"] == "meta:og:description"


def test_video_post_from_meta_tags(capture: Any, instagram_site: None) -> None:
    result = capture("https://www.instagram.com/p/CPQjO5RIIO9/", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert post["author"]["handle"] == "jaimelorentelo"
    assert post["author"]["display_name"] == "Jaime Lorente"
    assert post["published_at"] == "2021-05-24"
    assert post["text"].startswith("Llega el final....\U0001f525")
    assert post["mentions"] == ["netflixes", "netflix", "vancouvermediaproducciones"]
    assert (post["counts"]["likes"], post["counts"]["replies"]) == (990_000, 8_873)
    assert [m["kind"] for m in post["media"]] == ["video", "image"]
    media_matches_bundle(result)


def test_igtv_video_from_meta_tags(capture: Any, instagram_site: None) -> None:
    """A real IGTV page (2020 video, logged-out page of 2024): its address is /tv/."""
    result = capture("https://www.instagram.com/tv/CIoLRFIIL50/", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["kind"], post["post_id"], post["canonical_url"]) == (
        "video", "CIoLRFIIL50", "https://www.instagram.com/tv/CIoLRFIIL50/")
    author = post["author"]
    assert (author["handle"], author["display_name"], author["id"]) == (
        "jaimelorentelo", "Jaime Lorente", "287586402")
    assert post["extraction"]["sources"]["author.id"] == "meta:instapp:owner_user_id"
    assert post["published_at"] == "2020-12-10"
    assert (post["text"], post["mentions"], post["hashtags"]) == (
        "@primevideoes #romanceelcid", ["primevideoes"], ["romanceelcid"])
    assert (post["counts"]["likes"], post["counts"]["replies"]) == (104_000, 529)
    assert [(m["kind"], m["captured"]) for m in post["media"]] == [("video", True), ("image", True)]
    assert post["media"][0]["url"].startswith(
        "https://scontent-mad2-1.cdninstagram.com/o1/v/t16/f2/m84/AQONFgDqPvk86OMRcPUBPKf85vq1wN7v8v33D7mRFGAGj2dr")
    media_matches_bundle(result)


def test_reel_without_caption_from_meta_tags(capture: Any, instagram_site: None) -> None:
    """A real reel page (2021) with no caption and no video file named: only its cover."""
    result = capture("https://www.instagram.com/reel/CN2VQ1yI_MA/", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["kind"], post["post_id"], post["canonical_url"]) == (
        "video", "CN2VQ1yI_MA", "https://www.instagram.com/reel/CN2VQ1yI_MA/")
    assert (post["author"]["handle"], post["author"]["id"]) == ("jaimelorentelo", "287586402")
    assert (post["published_at"], post["text"]) == ("2021-04-19", None)
    assert (post["counts"]["likes"], post["counts"]["replies"]) == (152_000, 784)
    assert [(m["kind"], m["note"], m["captured"]) for m in post["media"]] == [
        ("image", "video thumbnail", True)]
    assert any("names no video file" in note for note in post["extraction"]["notes"])
    media_matches_bundle(result)


@pytest.mark.parametrize(("path", "status"), [
    ("/p/LoginWall1/", "login_required"),
    ("/p/Gone12345/", "not_found"),
])
def test_walls_are_not_complete(capture: Any, instagram_site: None, path: str, status: str) -> None:
    result = capture("https://www.instagram.com" + path)
    assert result.status == status, result.reason


def test_rendered_post_caption_time_and_likes_come_from_the_article(
        capture: Any, instagram_site: None) -> None:
    result = capture("https://www.instagram.com/p/CPeC-Eenc8l/?hl=en", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert post["kind"] == "post"
    assert post["text"] == "Una de mis nuevas sudaderas top!! Per ardua ad astra \U0001f680\U0001f680\U0001f680"
    assert post["title"].startswith("Willyrex on Instagram: \u201cUna de mis nuevas")
    author = post["author"]
    assert (author["handle"], author["display_name"], author["verified"]) == ("willyrex", "Willyrex", True)
    assert author["url"] == "https://www.instagram.com/willyrex/"
    assert post["published_at"] == "2021-05-29T19:59:33.000Z"
    assert (post["counts"]["likes"], post["counts"]["replies"]) == (255_691, 549)
    sources = post["extraction"]["sources"]
    assert sources["text"].startswith("dom:article")
    assert sources["counts.likes"].startswith("dom:article")
    assert sources["author.display_name"] == "meta:og:title"
    [photo] = post["media"]
    assert photo["kind"] == "image" and "192808438_308120607576085" in photo["url"]
    assert photo["captured"] is True
    media_matches_bundle(result)


def test_rendered_post_with_page_data_prefers_the_article(capture: Any, instagram_site: None) -> None:
    """A rendered page of 2021 with both the article and window._sharedData: what the article
    shows wins, the data fills the rest (name, id, comment count)."""
    result = capture("https://www.instagram.com/p/BWUDBntl3_Z/", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["kind"], post["post_id"]) == ("post", "BWUDBntl3_Z")
    assert post["text"] == "The first Model 3 production car"
    assert post["title"] == "Tesla on Instagram: \u201cThe first Model 3 production car\u201d"
    author = post["author"]
    assert (author["handle"], author["display_name"], author["id"], author["verified"]) == (
        "teslamotors", "Tesla", "297604134", True)
    assert post["published_at"] == "2017-07-09T04:58:10.000Z"
    assert (post["counts"]["likes"], post["counts"]["replies"]) == (159_071, 1_747)
    [photo] = post["media"]
    assert photo["kind"] == "image" and photo["captured"] is True
    assert "/19955323_327280991034910_1996793346030305280_n.jpg" in photo["url"]
    media_matches_bundle(result)
    sources = post["extraction"]["sources"]
    assert (sources["text"], sources["published_at"], sources["counts.likes"], sources["media"]) == (
        "dom:article li h2 + span", "dom:article time[datetime]", "dom:article a[href$=liked_by] span",
        "dom:article img, video")
    assert (sources["author.id"], sources["counts.replies"]) == ("json:window._sharedData",) * 2
    assert "Instagram media id 1554881076849508313" in " ".join(post["extraction"]["notes"])


def test_carousel_lists_every_item_from_the_page_data(capture: Any, instagram_site: None) -> None:
    result = capture("https://www.instagram.com/p/COn3M4TnRi1/", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert post["text"].startswith("\u00bfListos? Nuevo #SORTEO en mi perfil \U0001f4f1\n\nUna vez m\u00e1s")
    assert post["text"].endswith("- Sigue a OPPO @oppomobilees\n\n\u00a1Mucha suerte amig@s!")
    assert (post["hashtags"], post["mentions"]) == (["SORTEO", "OPPOFindX3Neo"], ["oppomobilees"])
    author = post["author"]
    assert (author["handle"], author["display_name"], author["id"], author["verified"]) == (
        "willyrex", "Willyrex", "385669764", True)
    assert post["published_at"] == "2021-05-08T18:57:43+00:00"
    assert (post["counts"]["likes"], post["counts"]["replies"]) == (548_844, 5_659)
    assert [m["kind"] for m in post["media"]] == ["image", "image"]
    assert "183037094_508540027000559" in post["media"][0]["url"]
    assert "182738549_181405120507861" in post["media"][1]["url"]
    assert all(m["captured"] for m in post["media"])
    media_matches_bundle(result)
    assert post["extraction"]["sources"]["media"] == "json:window._sharedData"
    assert "carousel of 2 items" in " ".join(post["extraction"]["notes"])


def test_profile_from_meta_tags(capture: Any, instagram_site: None) -> None:
    result = capture("https://www.instagram.com/pluto__travel/", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert post["kind"] == "profile"
    author = post["author"]
    assert (author["handle"], author["display_name"]) == ("pluto__travel", "Pluto")
    assert author["bio"] == ("Home of travel \u2014 Plan a trip and find the best things to do in one "
                             "simple, fun and beautiful app.")
    counts = post["counts"]
    assert (counts["followers"], counts["following"], counts["posts"]) == (2_362, 136, 224)
    assert author["avatar_url"].startswith(
        "https://scontent-mad2-1.cdninstagram.com/v/t51.2885-19/133834346_403703180893250_")
    [avatar] = post["media"]
    assert (avatar["kind"], avatar["url"], avatar["captured"]) == ("avatar", author["avatar_url"], True)
    assert avatar["pdq"] and len(avatar["pdq"]) == 64
    media_matches_bundle(result)
    sources = post["extraction"]["sources"]
    assert (sources["author.handle"], sources["counts.followers"], sources["author.bio"]) == (
        "meta:og:title", "meta:og:description", "meta:description")


def test_rendered_profile_from_its_header(capture: Any, instagram_site: None) -> None:
    result = capture("https://www.instagram.com/pluto__travel/?hl=en", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert post["kind"] == "profile"
    author = post["author"]
    assert (author["handle"], author["display_name"]) == ("pluto__travel", "Pluto")
    assert author["bio"] == ("Where travel lovers go to escape.\nOur mobile app helps you organise a "
                             "trip, get inspiration and protect yourself all in one place.\n\u2014\u2014")
    assert author["links"] == ["https://linkin.bio/pluto__travel"]
    counts = post["counts"]
    assert (counts["followers"], counts["following"], counts["posts"]) == (2_187, 110, 142)
    assert "/s320x320/133834346_403703180893250_" in author["avatar_url"]
    [avatar] = post["media"]
    assert (avatar["kind"], avatar["captured"]) == ("avatar", True)
    media_matches_bundle(result)
    assert post["extraction"]["sources"]["counts.followers"] == "dom:header ul li"


def test_story_names_its_account(capture: Any, instagram_site: None) -> None:
    result = capture("https://www.instagram.com/stories/jaimelorentelo/2591639087680304855/", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["kind"], post["post_id"]) == ("story", "2591639087680304855")
    author = post["author"]
    assert (author["handle"], author["display_name"]) == ("jaimelorentelo", "Jaime Lorente")
    assert author["url"] == "https://www.instagram.com/jaimelorentelo/"
    counts = post["counts"]
    assert (counts["followers"], counts["following"], counts["posts"]) == (12_000_000, 3_160, 688)
    [avatar] = post["media"]
    assert (avatar["kind"], avatar["captured"]) == ("avatar", True)
    media_matches_bundle(result)
    sources = post["extraction"]["sources"]
    assert (sources["author.handle"], sources["author.display_name"]) == ("meta:og:url", "meta:og:title")
    assert "story's own picture or video" in " ".join(post["extraction"]["notes"])


def test_profile_from_its_web_profile_info_answer(capture: Any, instagram_site: None) -> None:
    """A real answer of 2022: exact counts, id, verified badge, bio and avatar no tag showed."""
    result = capture("https://www.instagram.com/robertdowneyjr/", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    author = post["author"]
    assert (author["handle"], author["display_name"], author["id"], author["verified"]) == (
        "robertdowneyjr", "Robert Downey Jr. Official", "1518284433", True)
    assert author["bio"] == "Get involved: @officialfootprintcoalition \U0001f30e\U0001f64f"
    counts = post["counts"]
    assert (counts["followers"], counts["following"], counts["posts"]) == (52_979_346, 5, 419)
    assert "/143237481_227994098925572_6634984787450078090_n.jpg?stp=dst-jpg_s320x320" in author[
        "avatar_url"]
    [avatar] = post["media"]
    assert (avatar["kind"], avatar["url"], avatar["captured"]) == ("avatar", author["avatar_url"], True)
    media_matches_bundle(result)
    sources = post["extraction"]["sources"]
    assert sources["author.handle"] == "url"
    assert {sources[k] for k in ("counts.followers", "author.id", "author.bio", "author.avatar_url")} == {
        "network:web_profile_info"}


def test_profile_from_its_user_info_answer(capture: Any, instagram_site: None) -> None:
    """The same account a year earlier, in the app API's form: other counts, a website link."""
    result = capture("https://www.instagram.com/robertdowneyjr/?hl=en", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    author = post["author"]
    assert (author["display_name"], author["id"], author["links"]) == (
        "Robert Downey Jr. Official", "1518284433", ["http://www.swau.com/RDJ"])
    assert author["bio"] == "Get involved \u25b6\ufe0f @officialfootprintcoalition \U0001f30e\U0001f64f"
    counts = post["counts"]
    assert (counts["followers"], counts["following"], counts["posts"]) == (50_857_062, 4, 400)
    assert author["avatar_url"].startswith(
        "https://scontent-cdt1-1.cdninstagram.com/v/t51.2885-19/143237481_227994098925572_")
    assert [(m["kind"], m["captured"]) for m in post["media"]] == [("avatar", True)]
    assert post["extraction"]["sources"]["counts.followers"] == "network:users/info"


def test_story_items_from_the_stories_answer(capture: Any, instagram_site: None) -> None:
    """A real stories answer of 2020: the story's time, video, poster, link, mention and tag."""
    result = capture("https://www.instagram.com/stories/starwars/2313478624923545316/", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["kind"], post["post_id"]) == ("story", "2313478624923545316")
    author = post["author"]
    assert (author["handle"], author["id"]) == ("starwars", "625833324")
    assert post["published_at"] == "2020-05-20T20:56:02+00:00"
    assert (post["links"], post["mentions"], post["hashtags"]) == (
        ["https://www.youtube.com/watch?v=-bhq2bxwAzg"], ["geico"], ["ad"])
    assert [(m["kind"], m["note"], m["captured"]) for m in post["media"]] == [
        ("video", None, True), ("image", "video poster", True), ("avatar", None, True)]
    video, poster, avatar = post["media"]
    # The larger of the two files the answer names (640 wide, not 480).
    assert "/99287096_935847843521160_5215738876870573211_n.mp4" in video["url"]
    assert "/e15/100088826_248178139603068_2736940532157996068_n.jpg" in poster["url"]
    assert avatar["url"] == author["avatar_url"]
    media_matches_bundle(result)
    sources = post["extraction"]["sources"]
    assert (sources["published_at"], sources["media"], sources["author.id"]) == (
        "network:graphql",) * 3
    notes = " ".join(post["extraction"]["notes"])
    assert "expires at 2020-05-21T20:56:02+00:00" in notes and "not in a logged-out page" not in notes


def test_account_stories_page_lists_its_stories(capture: Any, instagram_site: None) -> None:
    """The same real answer behind /stories/<user>/: a listing, even of one story."""
    result = capture("https://www.instagram.com/stories/starwars/", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["kind"], post["post_id"], post["published_at"]) == ("story", None, None)
    assert post["feed"] == [{"url": "https://www.instagram.com/stories/starwars/2313478624923545316/",
                             "post_id": "2313478624923545316", "author": "starwars",
                             "published_at": "2020-05-20T20:56:02+00:00", "text": None}]
    assert [(m["kind"], m["note"], m["captured"]) for m in post["media"]] == [
        ("video", "story 2313478624923545316", True),
        ("image", "story 2313478624923545316, video poster", True), ("avatar", None, True)]
    assert (post["links"], post["mentions"], post["hashtags"]) == (
        ["https://www.youtube.com/watch?v=-bhq2bxwAzg"], ["geico"], ["ad"])
    media_matches_bundle(result)
    assert post["extraction"]["sources"]["feed"] == "network:graphql"


def test_video_post_from_its_media_info_answer(capture: Any, instagram_site: None) -> None:
    """A real media answer of 2022: caption, author, exact time and counts, the video file."""
    result = capture("https://www.instagram.com/p/CAG3E8-A3wf/", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    author = post["author"]
    assert (author["handle"], author["display_name"], author["id"], author["verified"]) == (
        "jlo", "Jennifer Lopez", "305701719", True)
    assert post["text"] == ("2 WEEKS until we\u2019re dancin\u2019 again. \U0001f5a4@nbcworldofdance "
                            "#BTS \U0001f4f8")
    assert (post["mentions"], post["hashtags"]) == (["nbcworldofdance"], ["BTS"])
    assert post["published_at"] == "2020-05-13T00:02:39+00:00"
    counts = post["counts"]
    assert (counts["likes"], counts["replies"], counts["views"]) == (600_190, 6_741, 4_048_603)
    assert [(m["kind"], m["note"], m["captured"]) for m in post["media"]] == [
        ("video", None, True), ("image", "video poster", True)]
    # The 720x900 file and the picture as posted, not the grid's square crop.
    assert "/97123416_266521251063435_4033037212785927152_n.mp4" in post["media"][0]["url"]
    assert "stp=dst-webp_e35&" in post["media"][1]["url"]
    media_matches_bundle(result)
    sources = post["extraction"]["sources"]
    assert {sources[k] for k in ("text", "published_at", "counts.likes", "media")} == {
        "network:media/info"}
    assert "Instagram media id 2307774091974900767" in " ".join(post["extraction"]["notes"])


@pytest.mark.parametrize("path", [
    "/cristiano/", "/stories/jaimelorentelo/2313478624923545316/", "/p/CAG3E8-B4xg/",
    "/stories/highlights/17999999999999999/"])
def test_an_answer_about_another_account_story_or_post_is_not_taken(
        capture: Any, instagram_site: None, path: str) -> None:
    result = capture("https://www.instagram.com" + path, **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert post["author"]["id"] is None and post["author"]["display_name"] is None
    assert (post["text"], post["published_at"], post["media"]) == (None, None, [])
    assert post["counts"]["followers"] is None and post["counts"]["likes"] is None
    assert post["feed"] == []
    assert not any(s.startswith("network:") for s in post["extraction"]["sources"].values())


def test_the_pages_author_and_caption_are_kept_against_the_answer(
        capture: Any, instagram_site: None) -> None:
    result = capture("https://www.instagram.com/p/CAG3E8-A3wf/?hl=es", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    author = post["author"]
    assert (author["handle"], author["display_name"], author["id"]) == ("jlofans", "Lopez Fans", None)
    assert post["text"] == "See you soon"
    notes = " ".join(post["extraction"]["notes"])
    assert "page's author 'jlofans' differs from Instagram's network:media/info answer 'jlo'" in notes
    assert "page's caption 'See you soon' differs" in notes
    # What the answer says of the post itself is still taken: it is this post's own answer.
    assert post["published_at"] == "2020-05-13T00:02:39+00:00"
    assert post["counts"]["likes"] == 600_190


def test_carousel_from_its_media_info_answer(capture: Any, instagram_site: None) -> None:
    """A real carousel answer of 2022: every item's picture as posted, fetched and hashed."""
    result = capture("https://www.instagram.com/p/CAnqPB-Jzcj/", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["author"]["handle"], post["author"]["id"]) == ("jlo", "305701719")
    assert post["text"].startswith("Today, #LetsGetLoud for our heroes! \u2764\ufe0f\U0001f90d\U0001f499")
    assert post["text"].endswith("#MemorialDay \U0001f4f8: MTV")
    assert post["hashtags"] == ["LetsGetLoud", "MemorialDay"]
    assert post["published_at"] == "2020-05-25T17:44:54+00:00"
    assert (post["counts"]["likes"], post["counts"]["replies"]) == (820_750, 4_647)
    assert [(m["kind"], m["captured"]) for m in post["media"]] == [("image", True)] * 3
    for item, name in zip(post["media"], ("100999294_588574515099288", "100790095_2929197517155907",
                                          "101163953_554385358611112"), strict=True):
        assert f"/{name}_" in item["url"] and "stp=dst-webp_e35&" in item["url"]
    media_matches_bundle(result)
    assert "carousel of 3 items" in " ".join(post["extraction"]["notes"])


def test_highlight_lists_its_stories_from_the_highlights_answer(
        capture: Any, instagram_site: None) -> None:
    """A real answer of 2020 holding three highlights of one account: the page's highlight is
    listed, every story with its time and picture, fetched and hashed; the other two are not."""
    result = capture("https://www.instagram.com/stories/highlights/18137590444014024/", **ROOMY)
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["kind"], post["post_id"], post["published_at"]) == ("story", "18137590444014024", None)
    author = post["author"]
    assert (author["handle"], author["id"], author["url"]) == (
        "statement.paris", "5670185369", "https://www.instagram.com/statement.paris/")
    feed = post["feed"]
    assert len(feed) == 33
    assert feed[0] == {"url": "https://www.instagram.com/stories/statement.paris/2312546210158288428/",
                       "post_id": "2312546210158288428", "author": "statement.paris",
                       "published_at": "2020-05-19T14:03:30+00:00", "text": None}
    assert (feed[-1]["post_id"], feed[-1]["published_at"]) == (
        "2294528080110938158", "2020-04-24T17:24:40+00:00")
    # A story of another highlight in the same answer.
    assert "2307349576696938734" not in {entry["post_id"] for entry in feed}
    *pictures, avatar = post["media"]
    assert [(m["kind"], m["captured"]) for m in pictures] == [("image", True)] * 33
    assert [m["note"] for m in pictures] == [f"story {entry['post_id']}" for entry in feed]
    # The story as posted (1080x1920), not the smaller renditions the answer also names.
    assert "/e35/p1080x1080/97319400_252408169337368_7321326020837035322_n.jpg" in pictures[0]["url"]
    assert (avatar["kind"], avatar["url"], avatar["captured"]) == ("avatar", author["avatar_url"], True)
    assert "/s150x150/91423391_233818364475423_9121041533334716416_n.jpg" in avatar["url"]
    media_matches_bundle(result)
    assert (post["links"], post["mentions"], post["hashtags"]) == ([], [], [])
    sources = post["extraction"]["sources"]
    assert (sources["feed"], sources["media"], sources["author.handle"]) == ("network:graphql",) * 3
