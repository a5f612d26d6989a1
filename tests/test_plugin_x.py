"""The X plugin: URL forms, and captures of real saved x.com pages served on their own URLs."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from PIL import Image, ImageDraw

from archiver.manifest import Manifest
from archiver.platforms import Platforms
from archiver.plugin_manager import get_plugin_manager
from archiver.plugins import x_graphql
from archiver.plugins.x import snowflake_time
from archiver.recorded import json_responses

from support.bundles import media_matches_bundle
from support.pages import drop_connection, redirect_to

FIXTURES = Path(__file__).parent / "fixtures" / "x"
TRUMP = "/realDonaldTrump/status/1222907250383245320"
UASMART = "/UaSmart/status/934106870834454529"
PHOTO = "https://pbs.twimg.com/media/DPadOKpXcAIL-NW?format=jpg&name=medium"
UASMART_OG_IMAGE = "https://pbs.twimg.com/media/DPadOKpXcAIL-NW.jpg:large"
VERGE = "/verge/status/957383241714970624"
VERGE_OG_IMAGE = "https://pbs.twimg.com/media/DRg1OMRVwAEuwTK.jpg:large"
VERGE_POSTER = "https://pbs.twimg.com/media/DRg1OMRVwAEuwTK.jpg"
FORBES = "/Forbes/status/2016058596782670275"
KIKO_GIF = "/Kikobeats/status/880139124791029763"
KIKO_GIF_POSTER = "https://pbs.twimg.com/tweet_video_thumb/DDbh3WCXYAAZfz9.jpg:large"
KIKO_GIF_VIDEO = "https://video.twimg.com/tweet_video/DDbh3WCXYAAZfz9.mp4"
KIKO_GIF_PLAYER_POSTER = "https://pbs.twimg.com/tweet_video_thumb/DDbh3WCXYAAZfz9.jpg"
BROKEN_PHOTO = "https://pbs.twimg.com/media/BROKEN-PHOTO?format=jpg&name=medium"
KIKO_AVATAR = "https://pbs.twimg.com/profile_images/2000931726244106244/Ty7-KT2j_400x400.jpg"
JAVI_AVATAR = "https://pbs.twimg.com/profile_images/1581679886267301888/BHGZpOc6_200x200.jpg"
JAVI_AVATAR_LARGE = "https://pbs.twimg.com/profile_images/1581679886267301888/BHGZpOc6_400x400.jpg"
MICRODATA = "/ada_archive/status/2040000000000000001"
# X's own server-rendered microdata layout, saved by the shotweet project (see SOURCES.txt).
JACK = "/jack/status/20"
DERBEDER = "/derbederdusler/status/1770888775830262034"
DERBEDER_PHOTO = "https://pbs.twimg.com/media/GJN19MHXQAAeNDq.jpg"
HANAMIYA = "/hanamiya_nina/status/2085376885190725922"
HARBOUR_VIDEO = "https://video.twimg.com/amplify_video/2040000000000000001/vid/avc1/720x1280/harbour.mp4"
HARBOUR_POSTER = "https://pbs.twimg.com/amplify_video_thumb/2040000000000000001/img/harbour.jpg"
ARTICLE = "/fieldnotes/status/2041000000000000005"
ARTICLE_COVER = "https://pbs.twimg.com/media/ArticleCover01?format=jpg&name=large"
REPLY = "/reply_desk/status/2042000000000000009"
REPLY_PHOTO = "https://pbs.twimg.com/media/ReplyPhoto01?format=jpg&name=small"


def jpeg(width: int = 600, height: int = 400) -> bytes:
    image = Image.new("RGB", (width, height), (240, 240, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, width - 40, height // 2), fill=(30, 120, 200))
    draw.ellipse((width // 4, height // 3, width // 2, height - 20), fill=(200, 60, 20))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture(scope="module", autouse=True)
def x_site(https_server: Any) -> None:
    def page(name: str) -> bytes:
        return (FIXTURES / name).read_bytes()

    site = https_server.site("x.com")
    site.add(TRUMP, page("metascraper-x__post.html"))
    site.add(UASMART, page("metascraper-x__post-image.html"))
    site.add("/someone/status/1600000000000000000", "")
    site.routes["/someone/status/1600000000000000000"] = redirect_to(
        "https://x.com/i/flow/login?redirect_after_login=%2Fsomeone%2Fstatus%2F1600000000000000000")
    site.add("/i/flow/login", page("synthetic__login-flow.html"))
    site.add("/gone_user/status/1700000000000000000", page("synthetic__post-unavailable.html"))
    site.add("/suspended_acct", page("synthetic__account-suspended.html"))
    # The og-only page names twitter.com in og:url: serve it there.
    https_server.site("twitter.com").add(TRUMP, page("metascraper-x__post-og.html"))
    https_server.site("twitter.com").add(UASMART, page("metascraper-x__post-image-og.html"))
    site.add(VERGE, page("metascraper-x__post-video-og.html"))
    # The same video post rendered (2025), served beside it: its player streams from a blob:.
    site.add(FORBES, page("metascraper-x__post-link-2026-excerpt.html"))
    site.routes[f"{VERGE}?rendered"] = lambda handler: handler.send(  # type: ignore[attr-defined]
        200, page("metascraper-x__post-video-2025-excerpt.html"), "text/html; charset=utf-8")
    https_server.site("twitter.com").add(KIKO_GIF, page("metascraper-x__post-gif-og.html"))
    # The same GIF post rendered (2025): its player names the MP4 and the poster.
    site.add(KIKO_GIF, page("metascraper-x__post-gif-2025-excerpt.html"))
    https_server.site("video.twimg.com").add(
        KIKO_GIF_VIDEO.removeprefix("https://video.twimg.com"), b"\0\0\0\x18ftypmp42" + bytes(64),
        "video/mp4")
    for og_image in (UASMART_OG_IMAGE, VERGE_OG_IMAGE, KIKO_GIF_POSTER):
        https_server.site("pbs.twimg.com").add(og_image.removeprefix("https://pbs.twimg.com"),
                                               jpeg(), "image/jpeg")
    https_server.site("pbs.twimg.com").add("/media/DPadOKpXcAIL-NW", jpeg(), "image/jpeg")
    # The same post whose photo request fails: the server closes the connection unanswered.
    site.routes[f"{UASMART}?photo=broken"] = lambda handler: handler.send(  # type: ignore[attr-defined]
        200, page("metascraper-x__post-image.html").replace(b"DPadOKpXcAIL-NW", b"BROKEN-PHOTO"),
        "text/html; charset=utf-8")
    https_server.site("pbs.twimg.com").routes["/media/BROKEN-PHOTO"] = drop_connection
    # Profiles: a rendered one (its JSON-LD and header) and the og-only one X gives bots.
    site.add("/Kikobeats", page("metascraper-x__profile-excerpt.html"))
    https_server.site("twitter.com").add("/javilop", page("metascraper-x__profile-og.html"))
    site.add("/javilop", page("metascraper-x__profile-video-2025-excerpt.html"))
    # The microdata layout, an Article and a reply: synthetic (see SOURCES.txt).
    site.add(MICRODATA, page("synthetic__post-microdata.html"))
    site.add(ARTICLE, page("synthetic__article.html"))
    site.add("/fieldnotes/article/2041000000000000005", page("synthetic__article.html"))
    site.add(REPLY, page("synthetic__reply-thread.html"))
    site.add(JACK, page("shotweet__new-layout-plain.html"))
    site.add(DERBEDER, page("shotweet__new-layout-media.html"))
    site.add(HANAMIYA, page("shotweet__new-layout-quote.html"))
    for shown in ("/media/GJN19MHXQAAeNDq", "/media/GJN19MHXQAAeNDq.jpg", "/media/HPCtj7KbYAERp3f"):
        https_server.site("pbs.twimg.com").add(shown, jpeg(), "image/jpeg")
    pbs = https_server.site("pbs.twimg.com")
    for url in (KIKO_AVATAR, JAVI_AVATAR, HARBOUR_POSTER, ARTICLE_COVER, REPLY_PHOTO,
                KIKO_GIF_PLAYER_POSTER, VERGE_POSTER, JAVI_AVATAR_LARGE):
        pbs.add(url.removeprefix("https://pbs.twimg.com").split("?")[0], jpeg(), "image/jpeg")
    https_server.site("video.twimg.com").add(
        HARBOUR_VIDEO.removeprefix("https://video.twimg.com"), b"\0\0\0\x18ftypmp42" + bytes(64),
        "video/mp4")


# ---------------------------------------------------------------- URLs (no browser)


def match(url: str) -> Any:
    return Platforms.from_plugins(get_plugin_manager()).claim(url).match


@pytest.mark.parametrize(("url", "canonical", "kind", "post_id"), [
    ("https://x.com/jack/status/20", "https://x.com/jack/status/20", "post", "20"),
    ("https://twitter.com/jack/status/20?s=20&t=abc", "https://x.com/jack/status/20", "post", "20"),
    ("http://www.twitter.com/jack/status/20/", "https://x.com/jack/status/20", "post", "20"),
    ("https://mobile.twitter.com/jack/status/20", "https://x.com/jack/status/20", "post", "20"),
    ("https://www.x.com/UaSmart/status/934106870834454529/photo/1",
     "https://x.com/UaSmart/status/934106870834454529", "post", "934106870834454529"),
    ("https://x.com/a_b/status/1222907250383245320/video/1",
     "https://x.com/a_b/status/1222907250383245320", "post", "1222907250383245320"),
    ("https://twitter.com/jack/statuses/20", "https://x.com/jack/status/20", "post", "20"),
    ("https://x.com/i/web/status/1222907250383245320",
     "https://x.com/i/web/status/1222907250383245320", "post", "1222907250383245320"),
    ("https://twitter.com/i/status/42", "https://x.com/i/web/status/42", "post", "42"),
    ("https://x.com/realDonaldTrump", "https://x.com/realDonaldTrump", "profile", None),
    ("https://twitter.com/jack/", "https://x.com/jack", "profile", None),
    ("https://x.com/home", "https://x.com/home", "page", None),
    ("https://x.com/explore", "https://x.com/explore", "page", None),
    ("https://x.com/search?q=evidence", "https://x.com/search?q=evidence", "page", None),
    ("https://x.com/settings", "https://x.com/settings", "page", None),
    ("https://x.com/login", "https://x.com/login", "page", None),
    ("https://x.com/fieldnotes/article/2041000000000000005?s=20",
     "https://x.com/fieldnotes/article/2041000000000000005", "article", "2041000000000000005"),
    ("https://x.com/i/flow/login", "https://x.com/i/flow/login", "page", None),
])
def test_x_urls(url: str, canonical: str, kind: str, post_id: str | None) -> None:
    found = match(url)
    assert (found.platform, found.canonical_url, found.kind, found.post_id) == (
        "x", canonical, kind, post_id)
    assert found.extra_urls == ()


@pytest.mark.parametrize("url", [
    "https://x.com.evil.example/jack/status/20",
    "https://evil-x.com/jack/status/20",
    "https://twitter.com.evil.example/jack",
    "https://notx.com/jack/status/20",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "ftp://x.com/jack/status/20",
])
def test_lookalikes_are_not_x(url: str) -> None:
    assert match(url).platform == "generic"


def test_snowflake_time() -> None:
    assert snowflake_time("1222907250383245320") == "2020-01-30T15:39:43.666Z"
    assert snowflake_time("934106870834454529") == "2017-11-24T17:10:07.530Z"
    # pre-2010 sequential ids carry no time
    assert snowflake_time("20") is None
    assert snowflake_time(None) is None


# ---------------------------------------------------------------- captures




def test_rendered_post(capture: Any) -> None:
    result = capture(f"https://x.com{TRUMP}?s=20")
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["platform"], post["kind"], post["post_id"]) == ("x", "post", "1222907250383245320")
    assert post["canonical_url"] == f"https://x.com{TRUMP}"
    assert (post["author"]["handle"], post["author"]["display_name"], post["author"]["url"]) == (
        "realDonaldTrump", "Donald J. Trump", "https://x.com/realDonaldTrump")
    assert post["published_at"] == "2020-01-30T15:39:43.000Z"
    assert post["text"].startswith("“Schiff blasted for not focusing on California homeless.” "
                                   "@foxandfriends  His District is in terrible shape.")
    assert post["text"].endswith("In my opinion he is mentally deranged!")
    assert post["language"] == "en"
    assert post["mentions"] == ["foxandfriends"] and post["hashtags"] == []
    assert post["counts"] == {"likes": 76091, "reposts": 15635, "replies": 18151, "views": None,
                              "followers": None, "following": None, "members": None, "posts": None}
    assert post["media"] == [] and post["quoted"] is None and post["reply_to"] is None
    extraction = post["extraction"]
    assert extraction["plugin"] == "x"
    assert extraction["sources"]["published_at"] == "dom:time[datetime]"
    assert extraction["sources"]["text"] == 'dom:[data-testid="tweetText"]'
    post_shot = Manifest.load(Path(result.location) / "manifest.json").artifact("post.png")
    assert post_shot is not None
    assert post_shot.extra["selector"].startswith('article[data-testid="tweet"]:has(')


def test_rendered_post_with_photo(capture: Any) -> None:
    result = capture(f"https://x.com{UASMART}")
    assert result.status == "complete", result.reason
    post = result.post
    assert post["post_id"] == "934106870834454529"
    assert (post["author"]["handle"], post["author"]["display_name"]) == ("UaSmart", "SmartUA")
    assert post["published_at"] == "2017-11-24T17:10:07.000Z"
    assert post["text"] == ("Y terminamos el dia con Cultura de empresa con @patoroco, "
                            "@flopezluis, Katia, Angélica en @codemotion_es #codemotion2017")
    assert post["language"] == "es"
    assert post["mentions"] == ["patoroco", "flopezluis", "codemotion_es"]
    assert post["hashtags"] == ["codemotion2017"]
    counts = post["counts"]
    assert (counts["replies"], counts["reposts"], counts["likes"]) == (0, 1, 5)
    assert [m["url"] for m in post["media"]] == [PHOTO]
    photo = post["media"][0]
    assert photo["kind"] == "image" and photo["width"] == 600 and photo["height"] == 400
    assert len(photo["pdq"]) == 64
    media_matches_bundle(result)


def test_og_only_page(capture: Any) -> None:
    result = capture(f"https://twitter.com{TRUMP}")
    assert result.status == "complete", result.reason
    post = result.post
    assert result.canonical_url == f"https://x.com{TRUMP}"
    assert (post["author"]["handle"], post["author"]["display_name"]) == (
        "realDonaldTrump", "Donald J. Trump")
    assert post["text"].startswith("“Schiff blasted for not focusing on California homeless.”")
    # no <time> in the og-only page: the time comes from the id
    assert post["published_at"] == "2020-01-30T15:39:43.666Z"
    sources = post["extraction"]["sources"]
    assert sources["published_at"] == "snowflake"
    assert sources["text"] == "meta:og:description"
    # og:image is the author's avatar, not post media
    assert post["media"] == []


@pytest.mark.parametrize(("url", "author", "published", "text", "image"), [
    (f"https://twitter.com{UASMART}", ("UaSmart", "SmartUA"), "2017-11-24T17:10:07.530Z",
     "Y terminamos el dia con Cultura de empresa con @patoroco, @flopezluis, Katia, Ang\u00e9lica "
     "en @codemotion_es #codemotion2017", UASMART_OG_IMAGE),
    (f"https://x.com{VERGE}", ("verge", "The Verge"), "2018-01-27T22:42:06.802Z",
     "Is it bad to blow into game cartridges?", VERGE_OG_IMAGE),
])
def test_og_only_page_with_post_media(capture: Any, url: str, author: tuple[str, str],
                                      published: str, text: str, image: str) -> None:
    """Two more real og-only pages, whose og:image is the post's picture, not an avatar."""
    result = capture(url)
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["author"]["handle"], post["author"]["display_name"]) == author
    assert (post["published_at"], post["text"]) == (published, text)
    assert [(m["kind"], m["url"], m["captured"]) for m in post["media"]] == [
        ("image", image, True)]
    assert post["extraction"]["sources"]["media"] == "meta:og:image"
    media_matches_bundle(result)


def test_og_text_names_its_mentions_and_hashtags(capture: Any) -> None:
    post = capture(f"https://twitter.com{UASMART}").post
    assert post["mentions"] == ["patoroco", "flopezluis", "codemotion_es"]
    assert post["hashtags"] == ["codemotion2017"]
    assert post["extraction"]["sources"]["mentions"] == "meta:og:description (words of the text)"


def test_og_only_page_of_a_gif_post(capture: Any) -> None:
    """The og:image of a GIF post is its poster (tweet_video_thumb), which the page names."""
    result = capture(f"https://twitter.com{KIKO_GIF}")
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["author"]["handle"], post["author"]["display_name"]) == (
        "Kikobeats", "#!/kiko/beats")
    assert post["text"] == ("Experimenting with Clearbit API + Apple TV 3D Parallax "
                            "https://t.co/Qsm163k4mJ")
    assert post["links"] == ["https://t.co/Qsm163k4mJ"]
    assert post["published_at"] == "2017-06-28T19:01:34.201Z"
    assert [(m["kind"], m["url"], m["note"], m["captured"]) for m in post["media"]] == [
        ("image", KIKO_GIF_POSTER, "video poster", True)]
    media_matches_bundle(result)


def test_rendered_gif_post_keeps_its_video_and_poster(capture: Any) -> None:
    """A real rendered post whose player names its file (a GIF, played as an MP4)."""
    result = capture(f"https://x.com{KIKO_GIF}")
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["kind"], post["post_id"]) == ("post", "880139124791029763")
    assert (post["author"]["handle"], post["author"]["display_name"]) == ("Kikobeats", "Kiko Beats")
    assert post["published_at"] == "2017-06-28T19:01:34.000Z"
    assert post["text"] == "Experimenting with Clearbit API + Apple TV 3D Parallax http://bit.ly/2tVueZ0"
    assert post["links"] == ["https://t.co/Qsm163k4mJ"]
    counts = post["counts"]
    assert (counts["replies"], counts["reposts"], counts["likes"]) == (3, 4, 25)
    assert [(m["kind"], m["url"], m["note"], m["captured"]) for m in post["media"]] == [
        ("video", KIKO_GIF_VIDEO, None, True),
        ("image", KIKO_GIF_PLAYER_POSTER, "video poster", True)]
    assert post["extraction"]["sources"]["media"] == 'dom:[data-testid="tweetPhoto"] img, video'
    media_matches_bundle(result)


def test_rendered_video_post_streamed_from_a_blob(capture: Any) -> None:
    """A real rendered video post: the player streams a blob: and shows its poster as a picture."""
    result = capture(f"https://x.com{VERGE}?rendered")
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["author"]["handle"], post["author"]["display_name"]) == ("verge", "The Verge")
    assert post["author"]["verified"] is True
    assert post["published_at"] == "2018-01-27T22:42:06.000Z"
    assert post["text"] == "Is it bad to blow into game cartridges?"
    counts = post["counts"]
    assert (counts["replies"], counts["reposts"], counts["likes"]) == (15, 64, 122)
    # The poster is shown as a picture over the player: it is the video's poster, listed once.
    assert [(m["kind"], m["url"], m["note"], m["captured"]) for m in post["media"]] == [
        ("image", VERGE_POSTER, "video poster", True)]
    assert any("blob:" in note for note in post["extraction"]["notes"])
    media_matches_bundle(result)


def test_rendered_post_with_a_link_card(capture: Any) -> None:
    """A real rendered post of 2026 whose link is only in its card, not in its text."""
    result = capture(f"https://x.com{FORBES}")
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["author"]["handle"], post["author"]["display_name"]) == ("Forbes", "Forbes")
    assert post["author"]["verified"] is True
    assert post["published_at"] == "2026-01-27T08:00:00.000Z"
    assert post["text"] == ("Is Wellness The New Happy Hour? As Socializing Changes, $22 Billion "
                            "In Liquor Sits Unsold")
    assert post["links"] == ["https://t.co/07aUgF8gJs"]
    assert post["extraction"]["sources"]["links"] == 'dom:[data-testid="card.wrapper"] a'
    counts = post["counts"]
    assert (counts["replies"], counts["reposts"], counts["likes"], counts["views"]) == (3, 1, 7, 3692)
    # The card's picture illustrates the linked page: it is not the post's media.
    assert post["media"] == []


def test_login_redirect_is_login_required(capture: Any) -> None:
    result = capture("https://x.com/someone/status/1600000000000000000")
    assert result.status == "login_required", result.reason
    assert "login" in result.reason


def test_unavailable_post_is_not_found(capture: Any) -> None:
    result = capture("https://x.com/gone_user/status/1700000000000000000")
    assert result.status == "not_found", result.reason
    assert "unavailable" in result.reason


def test_suspended_account_is_blocked(capture: Any) -> None:
    result = capture("https://x.com/suspended_acct")
    assert result.status == "blocked", result.reason
    assert "suspended" in result.reason.lower()


def test_post_whose_photo_failed_is_partial_and_says_so(capture: Any) -> None:
    from click.testing import CliRunner

    from archiver.commands.show_cmd import show
    from archiver.report_sections import post as post_rows

    result = capture(f"https://x.com{UASMART}?photo=broken")
    assert result.status == "partial", (result.status, result.reason)
    assert BROKEN_PHOTO in result.reason and "not captured" in result.reason
    photo = result.post["media"][0]
    assert (photo["url"], photo["captured"], photo["path"]) == (BROKEN_PHOTO, False, None)
    assert photo["failure"]
    folder = Path(result.location)
    assert not (folder / "media").exists()
    manifest = Manifest.load(folder / "manifest.json")
    assert manifest.post is not None and manifest.post["media"][0]["captured"] is False
    assert any(f["url"] == BROKEN_PHOTO for f in manifest.network.failed)
    shown = CliRunner().invoke(show, [str(folder)], env={"COLUMNS": "400"})
    assert shown.exit_code == 0, shown.output
    assert f"NOT captured: {BROKEN_PHOTO}" in " ".join(shown.output.split())
    failed = next(line for line in shown.output.splitlines() if line.strip().startswith("Failed"))
    assert failed.split()[-1] == str(len(manifest.network.failed))
    rows = dict(post_rows(manifest.post))
    assert rows["Media 1"].startswith("image: NOT captured") and BROKEN_PHOTO in rows["Media 1"]


def test_captured_photo_is_marked_captured(capture: Any) -> None:
    from archiver.report_sections import post as post_rows

    result = capture(f"https://x.com{UASMART}")
    photo = result.post["media"][0]
    assert photo["captured"] is True and photo["failure"] is None and photo["path"]
    rows = dict(post_rows(Manifest.load(Path(result.location) / "manifest.json").post or {}))
    assert rows["Media 1"] == f"image: captured as {photo['path']} from {PHOTO}"


# ---------------------------------------------------------------- profiles, layouts, Articles


def test_rendered_profile(capture: Any) -> None:
    result = capture("https://x.com/Kikobeats")
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["kind"], post["title"]) == ("profile", "Kiko Beats")
    author = post["author"]
    assert (author["id"], author["handle"], author["display_name"], author["url"]) == (
        "101198215", "Kikobeats", "Kiko Beats", "https://x.com/Kikobeats")
    # as shown: the layout's indentation gone, the shortened links whole, @vercel on its line
    assert author["bio"] == ("Building web infra & open source\n"
                             "Running microlink.io · unavatar.io\n"
                             "Formerly @vercel ▲")
    assert author["links"] == ["http://microlink.io", "http://unavatar.io", "http://kikobeats.com"]
    assert author["avatar_url"] == KIKO_AVATAR and author["verified"] is None
    # the header shows "3,893 Followers", "406 Following", "23.9K posts"; JSON-LD the exact counts
    counts = post["counts"]
    assert (counts["followers"], counts["following"], counts["posts"]) == (3893, 406, 23961)
    avatar = post["media"][0]
    assert (avatar["kind"], avatar["url"], avatar["captured"]) == ("avatar", KIKO_AVATAR, True)
    assert len(avatar["pdq"]) == 64
    sources = post["extraction"]["sources"]
    assert sources["author.bio"] == 'dom:[data-testid="UserDescription"]'
    assert sources["counts.followers"].endswith("interactionStatistic Follows")
    media_matches_bundle(result)


def test_second_rendered_profile(capture: Any) -> None:
    """A second real rendered profile: a verified account whose header rounds "86.4K Followers"."""
    result = capture("https://x.com/javilop")
    assert result.status == "complete", result.reason
    post = result.post
    assert post["kind"] == "profile"
    author = post["author"]
    # the name keeps the emoji X draws as a picture; the verified badge is read
    assert (author["id"], author["handle"], author["display_name"], author["verified"]) == (
        "16045832", "javilop", "Javi López ⛩️", True)
    assert author["bio"] == ("Comparto tutoriales, herramientas y noticias de IA. Y también chorradas."
                             "\n\nFundador @Magnific_AI (acq. por @freepik)\n\n🗞️ Newsletter: bit.ly/4ahq8i4")
    assert author["links"] == ["https://bit.ly/4ahq8i4"]
    # the header rounds ("86.4K Followers", "1,351 Following", "74.2K posts"); JSON-LD is exact
    counts = post["counts"]
    assert (counts["followers"], counts["following"], counts["posts"]) == (86423, 1351, 74263)
    assert [(m["kind"], m["url"], m["captured"]) for m in post["media"]] == [
        ("avatar", JAVI_AVATAR_LARGE, True)]
    media_matches_bundle(result)


def test_og_only_profile(capture: Any) -> None:
    result = capture("https://twitter.com/javilop")
    assert result.status == "complete", result.reason
    post = result.post
    assert result.canonical_url == "https://x.com/javilop"
    author = post["author"]
    assert (author["handle"], author["display_name"]) == ("javilop", "Javi López ⛩️")
    assert author["bio"] == ("Comparto tutoriales, herramientas y noticias de IA.\n\n"
                             "Fundador @Magnific_AI\n\n"
                             "🔥 Guía IAs: https://t.co/JApwm5Tmfo\n"
                             "🗞️ Newsletter: https://t.co/tMELO1P8Wk")
    assert author["links"] == ["https://t.co/JApwm5Tmfo", "https://t.co/tMELO1P8Wk"]
    # og:image is not shown by the page: the plugin has the browser fetch it
    assert [(m["kind"], m["url"], m["captured"]) for m in post["media"]] == [
        ("avatar", JAVI_AVATAR, True)]
    assert post["counts"]["followers"] is None  # the og-only page states no counts
    assert post["extraction"]["sources"]["author.bio"] == "meta:og:description"


def test_microdata_post_with_video_and_quote(capture: Any) -> None:
    result = capture(f"https://x.com{MICRODATA}")
    assert result.status == "complete", result.reason
    post = result.post
    author = post["author"]
    assert (author["id"], author["handle"], author["display_name"]) == (
        "1500000000000000042", "ada_archive", "Ada Archive")
    assert post["published_at"] == "2026-03-14T06:02:11.000Z"
    assert post["text"] == "Harbour webcam at dawn, 53 seconds."
    assert post["language"] == "en"
    counts = post["counts"]
    assert (counts["likes"], counts["reposts"], counts["replies"], counts["views"]) == (
        1204, 87, 31, 56012)
    assert [(m["kind"], m["url"], m["note"], m["captured"]) for m in post["media"]] == [
        ("video", HARBOUR_VIDEO, None, True), ("image", HARBOUR_POSTER, "video poster", True)]
    # the quoted post's photo is the quoted post's, not this one's
    assert post["quoted"] == "https://x.com/port_authority/status/2039000000000000007"
    sources = post["extraction"]["sources"]
    assert sources["text"] == "dom:article[data-tweet-id] [lang]"
    assert sources["counts.likes"] == "microdata:article[data-tweet-id] interactionStatistic Likes"


HANAMIYA_TEXT = ("📺出演情報✨\n\n皆様！嬉しいお知らせです！\n8/13(木) #バンドリTVLIVE 2026 # 327に出演させて頂きます！\n"
                 "#バンドリ に携わらせていただいてから初の生配信となるので、楽しみではありますが…とても緊張しております…😰\n"
                 "一家Dumb Rock!の魅力をお伝えできるよう精一杯頑張ります…！\n#バンドリ #家団")


@pytest.mark.parametrize(("path", "author", "published", "text", "counts", "links", "media", "hashtags"), [
    (JACK, ("12", "jack", "jack"), "2006-03-21T20:50:14.000Z", "just setting up my twttr",
     (308658, 124816, 17976, None), (None, None), [], []),
    # a reply; its text as X stores it: the reply's @name and the photo's t.co address. The photo's
    # file (microdata) and the resized picture the page shows are one photo.
    (DERBEDER, ("1420469290369789958", "derbederdusler", "𝕯𝖊𝖗𝖇𝖊𝖉𝖊𝖗"), "2024-03-21T19:02:40.000Z",
     "@jack https://t.co/j0vbZrENcJ", (8053, 140, 23, 459559), ("https://x.com/jack/status/20", None),
     [("image", DERBEDER_PHOTO, True)], []),
    # the quoted post's link names its author; its photo is the quoted post's, not this one's
    (HANAMIYA, ("1622948883382013955", "hanamiya_nina", "花宮初奈"), "2026-08-06T14:46:08.000Z",
     HANAMIYA_TEXT, (3308, 889, 106, 113634),
     (None, "https://x.com/bang_dream_info/status/2085364678113497118"), [],
     ["バンドリTVLIVE", "バンドリ", "バンドリ", "家団"]),
])
def test_real_microdata_post(capture: Any, path: str, author: tuple[str, str, str], published: str,
                             text: str, counts: tuple[int | None, ...], links: tuple[str | None, str | None],
                             media: list[tuple[str, str, bool]], hashtags: list[str]) -> None:
    result = capture(f"https://x.com{path}")
    assert result.status == "complete", result.reason
    post = result.post
    shown = post["author"]
    assert (shown["id"], shown["handle"], shown["display_name"], shown["verified"]) == (*author, True)
    assert (post["published_at"], post["text"]) == (published, text)
    got = post["counts"]
    assert (got["likes"], got["reposts"], got["replies"], got["views"]) == counts
    assert (post["reply_to"], post["quoted"]) == links
    assert [(m["kind"], m["url"], m["captured"]) for m in post["media"]] == media
    assert post["hashtags"] == hashtags
    sources = post["extraction"]["sources"]
    assert sources["text"] == "microdata:article[data-tweet-id] articleBody"
    assert sources["author.verified"] == 'dom:article[data-tweet-id] [data-icon^="icon-verified"]'
    if links[0]:
        assert sources["reply_to"] == "microdata:article[data-tweet-id] isPartOf"
    if hashtags:
        assert sources["hashtags"] == 'dom:article[data-tweet-id] div[dir="auto"] a'
    media_matches_bundle(result)


@pytest.mark.parametrize("path", [ARTICLE, "/fieldnotes/article/2041000000000000005"])
def test_x_article(capture: Any, path: str) -> None:
    result = capture(f"https://x.com{path}")
    assert result.status == "complete", result.reason
    post = result.post
    assert post["kind"] == "article"
    assert (post["author"]["handle"], post["author"]["display_name"]) == ("fieldnotes", "Field Notes")
    assert post["published_at"] == "2026-03-20T18:45:00.000Z"
    assert post["title"] == "How we verify a video in ten steps"
    assert post["text"] == ("Every video that reaches our desk goes through the same checks.\n\n"
                            "1. Find the first upload\n\n"
                            "Search for the earliest copy before anything else.")
    # the like button says only "Like": the counts come from the action bar's label
    counts = post["counts"]
    assert (counts["likes"], counts["reposts"], counts["replies"], counts["views"]) == (
        2378, 512, 41, 380211)
    assert post["extraction"]["sources"]["counts.likes"] == 'dom:[role="group"][aria-label]'
    assert [(m["url"], m["captured"]) for m in post["media"]] == [(ARTICLE_COVER, True)]


def test_reply_with_quoted_card(capture: Any) -> None:
    result = capture(f"https://x.com{REPLY}")
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["author"]["handle"], post["text"]) == (
        "reply_desk", "Which bridge? Photo from the north bank:")
    assert post["reply_to"] == "https://x.com/city_news/status/2042000000000000001"
    # the quote card links nowhere: no address, and a note says a quote is there
    assert post["quoted"] is None
    assert any("@traffic_watch" in note for note in post["extraction"]["notes"])
    assert [m["url"] for m in post["media"]] == [REPLY_PHOTO]
    assert (post["counts"]["likes"], post["counts"]["views"]) == (19, 700)


# ---------------------------------------------------------------- X's GraphQL answers
# Real answers X's GraphQL API gave (twscrape's recorded responses, verbatim), fetched by a
# hand-written minimal page at the post's or profile's own URL, as X's app fetches them.

TWEET_DETAIL = "https://x.com/i/api/graphql/559hs_YZNV4IgA3Z6zIIuw/TweetDetail"
USER_TWEETS = "https://x.com/i/api/graphql/eoJ5zbv51Z_KVl81v9PmLQ/UserTweets"
# The queryIds twscrape 0.15.0 (Dec 2024) and 0.16.0 (Feb 2025) called for the answers they recorded.
XDEV_TIMELINE_2024 = "https://x.com/i/api/graphql/bZ1YnUB32SSAfKXRwDM3jw/UserTweetsAndReplies"
XDEV_TIMELINE_2025 = "https://x.com/i/api/graphql/pZXwh96YGRqmBbbxu7Vk2Q/UserTweetsAndReplies"
XDEV_TIMELINE = {"userId": "2244994945", "count": 20}
USER_BY_SCREEN_NAME = "https://x.com/i/api/graphql/Gb-d6r0vxPOADdG62OEBpQ/UserByScreenName"
USER_BY_REST_ID = "https://x.com/i/api/graphql/xvmVfRLmnr1alc5f2dib0Q/UserByRestId"
FORGED_TWEET_DETAIL = "https://example.org/i/api/graphql/559hs_YZNV4IgA3Z6zIIuw/TweetDetail"
FIGEN_VIDEO = ("https://video.twimg.com/ext_tw_video/1668857866328100864/pu/vid/720x1280/"
               "ENfeGwtfyiYvpNy8.mp4?tag=12")
FIGEN_POSTER = "https://pbs.twimg.com/ext_tw_video_thumb/1668857866328100864/pu/img/nvEZWP1Yu9-6C23H.jpg"
BUITEN_VIDEO = ("https://video.twimg.com/amplify_video/1671753482821328896/vid/720x720/"
                "MORl_6SWAwSsAEuT.mp4?tag=14")
BUITEN_POSTER = "https://pbs.twimg.com/amplify_video_thumb/1671753482821328896/img/3mnaTe96MVljUllm.jpg"
FORTNITE_PHOTO = "https://pbs.twimg.com/media/F1fqNNNakAANOVQ.jpg"
XFREEZE_COVER = "https://pbs.twimg.com/media/HNy_nAybwAAj4Gl.jpg"
MEDIA_COUNT_COVER = "https://pbs.twimg.com/media/GdcHyLmX0AAfv8v.jpg"
BOOKMARKS_COVER = "https://pbs.twimg.com/media/GfDKQXoWAAA17Co.jpg"
XDEV_AVATAR = "https://pbs.twimg.com/profile_images/1683501992314798080/xl1POYLw_400x400.jpg"
# page path -> (the answer's file, the GraphQL address the page fetches, its variables)
ANSWER_PAGES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "/XDevelopers/status/1649191521323995138": (
        "twscrape__raw_tweet_details.json", TWEET_DETAIL, {"focalTweetId": "1649191521323995138"}),
    "/TheBritt2001/status/1671508958299713538": (
        "twscrape__manual_tweet_with_video_1.json", TWEET_DETAIL, {"focalTweetId": "1671508958299713538"}),
    "/morenoagosto/status/1658421690001502208": (
        "twscrape___issue_28_2.json", TWEET_DETAIL, {"focalTweetId": "1658421690001502208"}),
    "/SisuMisu3/status/1677037919880507392": (
        "twscrape___issue_28_1.json", TWEET_DETAIL, {"focalTweetId": "1677037919880507392"}),
    "/TheFigen_/status/1671508600538161153": (
        "twscrape__manual_tweet_with_video_1.json", TWEET_DETAIL, {"focalTweetId": "1671508600538161153"}),
    "/buitengebieden/status/1671753569412820992": (
        "twscrape__manual_tweet_with_video_2.json", TWEET_DETAIL, {"focalTweetId": "1671753569412820992"}),
    "/FortniteStatus/status/1682072224013099008": (
        "twscrape___issue_56.json", TWEET_DETAIL, {"focalTweetId": "1682072224013099008"}),
    "/XFreeze/article/2079756440722665849": (
        "twscrape__raw_user_tweets.json", USER_TWEETS, {"userId": "2244994945", "count": 20}),
    # Articles of 2024 and 2025 in @XDevelopers' timelines: one it quoted and one it reposted
    # (in one answer), one without a cover; and the post quoting the first.
    "/tapshah21/article/1861992192178348263": (
        "twscrape-0.15.0__raw_user_tweets_and_replies.json", XDEV_TIMELINE_2024, XDEV_TIMELINE),
    "/i/article/1869215663413141504": (
        "twscrape-0.15.0__raw_user_tweets_and_replies.json", XDEV_TIMELINE_2024, XDEV_TIMELINE),
    "/XDevelopers/status/1861992871659765767": (
        "twscrape-0.15.0__raw_user_tweets_and_replies.json", XDEV_TIMELINE_2024, XDEV_TIMELINE),
    "/suhemparack/article/1894426290406773113": (
        "twscrape-0.16.0__raw_user_tweets_and_replies.json", XDEV_TIMELINE_2025, XDEV_TIMELINE),
    "/XDevelopers": ("twscrape__raw_user_by_login.json", USER_BY_SCREEN_NAME, {"screen_name": "XDevelopers"}),
    "/XDevelopers?by-id": ("twscrape__raw_user_by_id.json", USER_BY_REST_ID, {"userId": "2244994945"}),
    # Attacks: another post's answer at this post's address; this post's answer from a host not X's.
    "/TheFigen_/status/1671508600538161153?other-post": (
        "twscrape__manual_tweet_with_video_2.json", TWEET_DETAIL, {"focalTweetId": "1671753569412820992"}),
    "/XDevelopers/status/1649191521323995138?forged-host": (
        "twscrape__raw_tweet_details.json", FORGED_TWEET_DETAIL, {"focalTweetId": "1649191521323995138"}),
}


def answer_shell(api: str, head: str = "") -> bytes:
    """A hand-written page that does only what X's app does first: fetch the GraphQL answer."""
    return (f'<!doctype html><html><head><meta charset="utf-8">{head}</head><body>'
            f'<main role="main"></main><script>fetch({json.dumps(api)}, '
            '{credentials: "include"});</script></body></html>').encode()


def answer_address(api: str, variables: dict[str, Any]) -> str:
    return f"{api}?variables={quote(json.dumps(variables, separators=(',', ':')))}"


@pytest.fixture(scope="module", autouse=True)
def x_answers(https_server: Any) -> None:
    for path, (name, api, variables) in ANSWER_PAGES.items():
        address = urlsplit(answer_address(api, variables))
        shell = answer_shell(address.geturl())
        serve(https_server.site("x.com"), path, shell, "text/html; charset=utf-8")
        answer = (FIXTURES / name).read_bytes()
        site = https_server.site(address.hostname)
        site.routes[f"{address.path}?{address.query}"] = lambda handler, body=answer: handler.send(
            200, body, "application/json; charset=utf-8", {"Access-Control-Allow-Origin": "https://x.com",
                                                           "Access-Control-Allow-Credentials": "true"})
    # The same post as a page that states another author and text than X's answer.
    forged = ('<meta property="og:title" content="Someone Else (@someone_else) on X">'
              '<meta property="og:description" content="A text X never sent">')
    serve(https_server.site("x.com"), "/XDevelopers/status/1649191521323995138?page-differs",
          answer_shell(answer_address(TWEET_DETAIL, {"focalTweetId": "1649191521323995138"}), forged),
          "text/html; charset=utf-8")
    serve(https_server.site("x.com"), "/XDevelopers?page-differs",
          answer_shell(answer_address(USER_BY_SCREEN_NAME, {"screen_name": "XDevelopers"}), forged),
          "text/html; charset=utf-8")
    for url in (FIGEN_POSTER, BUITEN_POSTER, FORTNITE_PHOTO, XFREEZE_COVER, MEDIA_COUNT_COVER,
                BOOKMARKS_COVER, XDEV_AVATAR):
        https_server.site("pbs.twimg.com").add(urlsplit(url).path, jpeg(), "image/jpeg")
    for url in (FIGEN_VIDEO, BUITEN_VIDEO):
        https_server.site("video.twimg.com").add(urlsplit(url).path, b"\0\0\0\x18ftypmp42" + bytes(64),
                                                 "video/mp4")


def serve(site: Any, path: str, body: bytes, content_type: str) -> None:
    if "?" in path:
        site.routes[path] = lambda handler: handler.send(200, body, content_type)
    else:
        site.add(path, body, content_type)


def recorded_answer_urls(result: Any) -> list[str]:
    """The GraphQL answers the bundle's WARC holds, read as the plugin reads them."""
    warc = Path(result.location) / "capture.warc.gz"
    return [url for url, _body in json_responses(warc, warc.stat().st_size, "/graphql/", limit=10)]


def network_sources(post: dict[str, Any]) -> dict[str, str]:
    return {k: v for k, v in post["extraction"]["sources"].items() if v.startswith("network:")}


@pytest.mark.parametrize(("path", "author", "published", "text", "reply_to", "counts"), [
    ("/XDevelopers/status/1649191521323995138",
     ("2244994945", "XDevelopers", "Developers", True), "2023-04-20T23:21:13.000Z",
     "On 3/29 we announced that deprecations across our legacy Twitter API access tiers would be "
     "completed by 4/29.  Unwinding Premium is one step closer to full deprecation of those legacy tiers.",
     "https://x.com/XDevelopers/status/1649191520250245121", (8, 46, 73, 213102)),
    ("/TheBritt2001/status/1671508958299713538",
     ("134796366", "TheBritt2001", "Britt J. L. Halliburton", False), "2023-06-21T13:22:45.000Z",
     "Yeah, Nanjing is a great city, great place to visit.",
     "https://x.com/TheFigen_/status/1671508600538161153", (4, 0, 137, 52017)),
])
def test_reply_read_from_x_answer(capture: Any, path: str, author: tuple[Any, ...], published: str,
                                  text: str, reply_to: str, counts: tuple[int, ...]) -> None:
    """A reply whose page shows nothing yet: X's TweetDetail answer gives the post and its parent."""
    result = capture(f"https://x.com{path}")
    assert result.status == "complete", result.reason
    post = result.post
    got = post["author"]
    assert (got["id"], got["handle"], got["display_name"], got["verified"]) == author
    assert (post["published_at"], post["text"], post["language"]) == (published, text, "en")
    assert post["reply_to"] == reply_to
    got_counts = post["counts"]
    assert (got_counts["replies"], got_counts["reposts"], got_counts["likes"], got_counts["views"]) == counts
    sources = post["extraction"]["sources"]
    assert sources["reply_to"] == sources["counts.likes"] == "network:TweetDetail"
    assert sources["published_at"] == "network:TweetDetail"  # not the snowflake


def test_reply_answer_counts_what_the_schema_has_no_field_for(capture: Any) -> None:
    post = capture("https://x.com/XDevelopers/status/1649191521323995138").post
    assert ("X's network:TweetDetail answer also counts 37 quotes and 13 bookmarks "
            "(the post schema has no field for them)") in post["extraction"]["notes"]


@pytest.mark.parametrize(("path", "handle", "text", "quoted", "views"), [
    ("/morenoagosto/status/1658421690001502208", "morenoagosto", "Se sabe si le permiten pinganillo??",
     "https://x.com/SisuMisu3/status/1658407192859492355", 67),
    ("/SisuMisu3/status/1677037919880507392", "SisuMisu3",
     "Tengo fé en que todo saldrá bien.\nNi como esperamos pero nos librará de este sin sentido .",
     "https://x.com/PShermanV/status/1677035434214412289", 75),
])
def test_quoted_post_read_from_x_answer(capture: Any, path: str, handle: str, text: str, quoted: str,
                                        views: int) -> None:
    result = capture(f"https://x.com{path}")
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["author"]["handle"], post["text"], post["language"]) == (handle, text, "es")
    assert post["quoted"] == quoted and post["reply_to"] is None
    assert post["counts"]["views"] == views
    assert post["extraction"]["sources"]["quoted"] == "network:TweetDetail"


@pytest.mark.parametrize(("path", "handle", "video", "poster", "counts"), [
    ("/TheFigen_/status/1671508600538161153", "TheFigen_", FIGEN_VIDEO, FIGEN_POSTER,
     (534, 4063, 30817, 3443243)),
    ("/buitengebieden/status/1671753569412820992", "buitengebieden", BUITEN_VIDEO, BUITEN_POSTER,
     (349, 3569, 40178, 4204051)),
])
def test_video_file_and_poster_read_from_x_answer(capture: Any, path: str, handle: str, video: str,
                                                  poster: str, counts: tuple[int, ...]) -> None:
    """The highest-bitrate MP4 X names, which a player streams from a blob:, and its poster."""
    result = capture(f"https://x.com{path}")
    assert result.status == "complete", result.reason
    post = result.post
    assert post["author"]["handle"] == handle
    assert [(m["kind"], m["url"], m["note"], m["captured"]) for m in post["media"]] == [
        ("video", video, None, True), ("image", poster, "video poster", True)]
    got = post["counts"]
    assert (got["replies"], got["reposts"], got["likes"], got["views"]) == counts
    assert post["extraction"]["sources"]["media"] == "network:TweetDetail"
    media_matches_bundle(result)


def test_long_post_read_from_its_note(capture: Any) -> None:
    """A post longer than 280 characters: its whole text is the answer's note_tweet."""
    result = capture("https://x.com/FortniteStatus/status/1682072224013099008")
    assert result.status == "complete", result.reason
    post = result.post
    assert post["text"].startswith("Your one-stop shop for everything live status for #Fortnite!")
    assert post["text"].endswith("Visit the Status page for server status: https://t.co/X55I5IuFkk")
    assert post["links"] == ["http://fn.gg/support", "http://fn.gg/accounts",
                             "https://trello.com/b/Bs7hgkma/fortnite-community-issues",
                             "https://status.epicgames.com"]
    assert (post["hashtags"], post["mentions"]) == (["Fortnite"], ["FortniteStatus"])
    assert [(m["kind"], m["url"], m["captured"]) for m in post["media"]] == [
        ("image", FORTNITE_PHOTO, True)]
    media_matches_bundle(result)


def test_article_read_from_x_answer(capture: Any) -> None:
    """A real Article in a UserTweets answer: title, the preview X sends, the cover."""
    result = capture("https://x.com/XFreeze/article/2079756440722665849")
    assert result.status == "complete", result.reason
    post = result.post
    assert post["kind"] == "article"
    assert (post["author"]["id"], post["author"]["handle"], post["author"]["display_name"]) == (
        "1818311005698678784", "XFreeze", "X Freeze")
    assert post["title"] == ("Turn your X account into a programmable intelligence system using "
                             "the X API and Grok Build")
    assert post["text"].startswith("Your X account can now become a programmable intelligence system.")
    assert post["text"].endswith("tell yourself you will come back later\nBut after")
    assert post["published_at"] == "2026-07-22T02:32:30.000Z"
    counts = post["counts"]
    assert (counts["replies"], counts["reposts"], counts["likes"], counts["views"]) == (22, 43, 251, 68715)
    assert [(m["kind"], m["url"], m["note"], m["captured"]) for m in post["media"]] == [
        ("image", XFREEZE_COVER, "Article cover", True)]
    sources = post["extraction"]["sources"]
    assert sources["title"] == sources["text"] == "network:UserTweets"
    assert any("preview" in note for note in post["extraction"]["notes"])
    media_matches_bundle(result)


@pytest.mark.parametrize(("path", "author", "title", "preview", "published", "counts", "cover"), [
    # Read at its post's id; the answer holds it only as the post @XDevelopers quoted.
    ("/tapshah21/article/1861992192178348263", ("2347355456", "tapshah21", "Tapan Shah", True),
     "New media_count metric in the X API V2 endpoints (with various examples)",
     'A new metric, "media_count" , is now returned as part of the existing public_metrics for developer '
     "APIs returning User objects.\nThe media_count metric is essentially the total number of videos and",
     "2024-11-28T04:35:07.000Z", (8, 8, 57, 73179), MEDIA_COUNT_COVER),
    # The same answer's other Article, read at the Article's own id (the address its post links to);
    # the answer holds it only as the post @XDevelopers reposted.
    ("/i/article/1869215663413141504", ("2347355456", "tapshah21", "Tapan Shah", True),
     "Programmatically fetch bookmark folders and posts within",
     "Bookmark folders and posts belonging to a folder can now be fetched programatically on your own or "
     "through authorized 3rd party developer apps!\nThe following 2 external API endpoints are now live:\nGET",
     "2024-12-18T03:35:11.000Z", (4, 20, 53, 21190), BOOKMARKS_COVER),
    # An Article without a cover: its answer has no cover_media at all.
    ("/suhemparack/article/1894426290406773113", ("857699969263964161", "suhemparack", "Suhem Parack", True),
     "Getting data for Posts with media using the X API v2",
     "The Problem\nIn the X API v2, whenever a Post was a repost or quote of a post that contained images, "
     "videos etc., the lookup or search endpoints did not return the information for the media in the",
     "2025-02-25T16:36:39.000Z", (3, 68, 37, 28973), None),
])
def test_older_articles_read_from_x_answers(capture: Any, path: str, author: tuple[Any, ...], title: str,
                                            preview: str, published: str, counts: tuple[int, ...],
                                            cover: str | None) -> None:
    """Real Articles of 2024 and 2025 in @XDevelopers' timelines: the one asked for, not its neighbour."""
    result = capture(f"https://x.com{path}")
    assert result.status == "complete", result.reason
    post = result.post
    assert post["kind"] == "article"
    got = post["author"]
    assert (got["id"], got["handle"], got["display_name"], got["verified"]) == author
    assert (post["title"], post["text"], post["published_at"]) == (title, preview, published)
    # The Article post's own text is only a link to the Article: neither its "zxx" language
    # nor that link is the Article's.
    assert (post["language"], post["links"]) == (None, [])
    got_counts = post["counts"]
    assert (got_counts["replies"], got_counts["reposts"], got_counts["likes"], got_counts["views"]) == counts
    assert [(m["kind"], m["url"], m["note"], m["captured"]) for m in post["media"]] == (
        [("image", cover, "Article cover", True)] if cover else [])
    sources = post["extraction"]["sources"]
    assert sources["title"] == sources["text"] == sources["published_at"] == "network:UserTweetsAndReplies"
    assert ("media" in sources) == (cover is not None)
    media_matches_bundle(result)


def test_post_quoting_an_article_is_not_read_as_the_article(capture: Any) -> None:
    """The answer holds the Article inside the post quoting it: that post keeps its own text."""
    result = capture("https://x.com/XDevelopers/status/1861992871659765767")
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["kind"], post["title"], post["author"]["handle"]) == ("post", None, "XDevelopers")
    assert (post["text"], post["published_at"]) == ("New media count metrics in X API v2 🚢",
                                                     "2024-11-28T04:37:49.000Z")
    assert post["quoted"] == "https://x.com/tapshah21/status/1861992192178348263"
    assert post["media"] == [] and post["counts"]["likes"] == 235


# A TweetDetail answer of an Article holding its blocks, HAND-WRITTEN in the shape of the real
# one twscrape recorded (tests/mocked-data/article.json in its repository, too large to copy and
# not in a release; see SOURCES.txt): paragraphs, a heading, a code block (an atomic block whose
# entity is MARKDOWN), a picture and a divider; the entity map a list of key/value pairs. Its
# texts and ids are invented but for the code block's, which is the real Article's.
LONGFORM = "/longform_lab/status/2075000000000000001"
LONGFORM_COVER = "https://pbs.twimg.com/media/LongformCover01.jpg"
LONGFORM_CODE = "```bash\niex (irm https://hermes-agent.nousresearch.com/install.ps1)\n\n```"


def draft_block(key: str, text: str, kind: str = "unstyled", entity: int | None = None) -> dict[str, Any]:
    ranges = [] if entity is None else [{"key": entity, "length": 1, "offset": 0}]
    return {"data": {}, "entityRanges": ranges, "inlineStyleRanges": [], "key": key, "text": text,
            "type": kind}


LONGFORM_ANSWER = {"data": {"threaded_conversation_with_injections_v2": {"instructions": [
    {"type": "TimelineClearCache"},
    {"entries": [{"content": {"itemContent": {"tweet_results": {"result": {
        "__typename": "Tweet",
        "article": {"article_results": {"result": {
            "content_state": {
                "blocks": [
                    draft_block("a5iqf", "An agent that runs your chores, from code to calendars."),
                    draft_block("f6tb4", " ", "atomic", 0),
                    draft_block("bddrs", "Phase 1: install", "header-two"),
                    draft_block("35e5s", "On Windows, in PowerShell:"),
                    draft_block("9b9jg", " ", "atomic", 1),
                    draft_block("d6ii2", " ", "atomic", 2),
                    draft_block("f421t", "Then run the setup wizard."),
                ],
                "entityMap": [
                    {"key": "2", "value": {"data": {}, "mutability": "Immutable", "type": "DIVIDER"}},
                    {"key": "1", "value": {"data": {"markdown": LONGFORM_CODE}, "mutability": "Mutable",
                                           "type": "MARKDOWN"}},
                    {"key": "0", "value": {"data": {}, "mutability": "Immutable", "type": "MEDIA"}},
                ],
            },
            "cover_media": {"media_info": {"__typename": "ApiImage", "original_img_url": LONGFORM_COVER}},
            "preview_text": "An agent that runs your chores, from code to",
            "rest_id": "2075000000000000002",
            "title": "A roadmap from install to production",
        }}},
        "core": {"user_results": {"result": {
            "__typename": "User", "core": {"name": "Longform Lab", "screen_name": "longform_lab"},
            "is_blue_verified": True, "rest_id": "1791000000000000003"}}},
        "legacy": {"created_at": "Fri Jul 10 08:34:15 +0000 2026", "favorite_count": 57,
                   "full_text": "https://t.co/LongformLab", "lang": "zxx", "reply_count": 4,
                   "retweet_count": 9},
        "rest_id": "2075000000000000001",
        "views": {"count": "3120", "state": "EnabledWithCount"},
    }}}}, "entryId": "tweet-2075000000000000001"}]},
]}}}


@pytest.fixture(scope="module", autouse=True)
def x_article_answer(https_server: Any) -> None:
    address = urlsplit(answer_address(TWEET_DETAIL, {"focalTweetId": "2075000000000000001"}))
    serve(https_server.site("x.com"), LONGFORM, answer_shell(address.geturl()), "text/html; charset=utf-8")
    https_server.site("x.com").routes[f"{address.path}?{address.query}"] = lambda handler: handler.send(
        200, json.dumps(LONGFORM_ANSWER).encode(), "application/json; charset=utf-8")
    https_server.site("pbs.twimg.com").add(urlsplit(LONGFORM_COVER).path, jpeg(), "image/jpeg")


def test_article_whole_text_read_from_its_blocks(capture: Any) -> None:
    result = capture(f"https://x.com{LONGFORM}")
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["kind"], post["title"]) == ("article", "A roadmap from install to production")
    # every paragraph, the heading and the code block; the picture and the divider have no text
    assert post["text"] == (
        "An agent that runs your chores, from code to calendars.\n\nPhase 1: install\n\n"
        f"On Windows, in PowerShell:\n\n{LONGFORM_CODE.strip()}\n\nThen run the setup wizard.")
    assert post["extraction"]["sources"]["text"] == "network:TweetDetail"
    assert not any("preview" in note for note in post["extraction"]["notes"])
    assert [(m["url"], m["note"], m["captured"]) for m in post["media"]] == [
        (LONGFORM_COVER, "Article cover", True)]


@pytest.mark.parametrize(("query", "operation", "counts"), [
    ("", "UserByScreenName", (695695, 762, 4319)),
    ("?by-id", "UserByRestId", (697752, 763, 4332)),
])
def test_profile_read_from_x_answer(capture: Any, query: str, operation: str,
                                    counts: tuple[int, ...]) -> None:
    """Two answers about one account, recorded at different times: each one's exact counts."""
    result = capture(f"https://x.com/XDevelopers{query}")
    assert result.status == "complete", result.reason
    post = result.post
    assert (post["kind"], post["title"]) == ("profile", "Developers")
    author = post["author"]
    assert (author["id"], author["handle"], author["display_name"], author["verified"]) == (
        "2244994945", "XDevelopers", "Developers", True)
    assert author["bio"] == ("The voice of the X Dev team and your official source for updates, "
                             "news, and events, related to the X API.")
    assert author["links"] == ["https://docs.x.com/"]
    got = post["counts"]
    assert (got["followers"], got["following"], got["posts"]) == counts
    assert [(m["kind"], m["url"], m["captured"]) for m in post["media"]] == [
        ("avatar", XDEV_AVATAR, True)]
    assert post["extraction"]["sources"]["counts.followers"] == f"network:{operation}"
    media_matches_bundle(result)


@pytest.mark.parametrize("path", [
    "/TheFigen_/status/1671508600538161153?other-post",
    "/XDevelopers/status/1649191521323995138?forged-host",
])
def test_answer_not_about_this_post_or_not_from_x_is_not_read(capture: Any, path: str) -> None:
    result = capture(f"https://x.com{path}")
    post = result.post
    assert len(recorded_answer_urls(result)) == 1  # the answer is in the evidence...
    assert network_sources(post) == {}  # ...but nothing of it describes this post
    assert (post["author"]["handle"], post["text"], post["media"]) == (None, None, [])


def test_page_and_answer_that_disagree_keep_the_page_and_say_so(capture: Any) -> None:
    post = capture("https://x.com/XDevelopers/status/1649191521323995138?page-differs").post
    assert (post["author"]["handle"], post["author"]["display_name"], post["text"]) == (
        "someone_else", "Someone Else", "A text X never sent")
    assert (post["author"]["id"], post["author"]["verified"]) == (None, None)  # XDevelopers' own
    notes = post["extraction"]["notes"]
    assert ("the page's author 'someone_else' differs from X's network:TweetDetail answer "
            "'XDevelopers'; the page's is kept and nothing of the answer's account is taken") in notes
    assert any(note.startswith("the page's text 'A text X never sent' differs from X's "
                               "network:TweetDetail answer 'On 3/29 we announced") for note in notes)
    # what the page did not state still comes from the answer
    assert post["reply_to"] == "https://x.com/XDevelopers/status/1649191520250245121"


def test_profile_page_showing_another_handle_takes_nothing_of_the_answers_account(capture: Any) -> None:
    """The answer states @XDevelopers' account, the page shows @someone_else: an id, avatar or
    count of one next to the other's handle would mix two accounts in the evidence."""
    result = capture("https://x.com/XDevelopers?page-differs")
    assert result.status == "complete", result.reason
    post = result.post
    author = post["author"]
    assert (author["handle"], author["display_name"], author["bio"]) == (
        "someone_else", "Someone Else", "A text X never sent")
    assert (author["id"], author["verified"], author["avatar_url"], author["links"]) == (None, None, None, [])
    assert [post["counts"][field] for field in ("followers", "following", "posts")] == [None, None, None]
    assert post["media"] == []
    assert network_sources(post) == {}
    assert ("the page's author 'someone_else' differs from X's network:UserByScreenName answer "
            "'XDevelopers'; the page's is kept and nothing of the answer's account is taken"
            ) in post["extraction"]["notes"]


def test_post_behind_a_visibility_wrapper_is_found() -> None:
    """A real answer that wraps a post in TweetWithVisibilityResults (no browser needed)."""
    answer = json.loads((FIXTURES / "twscrape__manual_tweet_with_video_2.json").read_bytes())
    found = x_graphql.find_tweet(answer, "1667220696295178240")
    assert found is not None
    tweet = x_graphql.read_tweet(found)
    assert (tweet.author.handle, tweet.counts["views"]) == ("tordosweet_co", 8812654)
    assert tweet.media[0].url == ("https://video.twimg.com/amplify_video/1667108665588080640/vid/"
                                  "640x640/EgYM1PGigEWl-QHg.mp4?tag=16")
