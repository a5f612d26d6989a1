"""Facebook accounts (people and Pages) as their profile page shows them.

A Comet profile page holds the header it shows in its Relay JSON
(``profile_header_renderer.user``): the name, id, address, verified badge, the profile
picture, the cover photo and the counts shown under the name ("2.1K likes", "2.1K
followers"). The meta tags say less and say it less reliably: ``og:title`` of a local
business carries the city ("Pół Żartem Pół Serio | Warsaw") and the description packs the
place, the counts and the Page's intro into one line ("<name>, <city>. 2,104 likes · 14
talking about this · 531 were here. <intro>"). The JSON is preferred; the meta tags fill
what it lacks.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from archiver.models import Media, Post

from . import facebook_relay as relay
from .counts import parse_count

# The word after a displayed count, by the Counts field it fills; "following" before
# "follow" so that it is not read as followers.
COUNT_WORDS = (("following", "following"), ("follow", "followers"), ("like", "likes"),
               ("member", "members"))
# The profile tab a count links to, by the Counts field it fills.
LINKED_COUNTS = {"followers": "followers", "following": "following", "friends_likes": "likes",
                 "likes": "likes", "members": "members"}
PICTURE_KEYS = ("profilePicLarge", "profilePic160", "profile_picture", "profilePicMedium")
FB_APP_ID = re.compile(r"^fb://(?:profile|page|group)/\??(?:id=)?(\d+)")
SECTION_PATHS = ("people", "profile.php", "pages", "groups", "pg")


def header_user(scripts: list[str]) -> tuple[str, relay.Node] | None:
    for path, node in relay.nodes(scripts, lambda n: isinstance(n.get("profile_header_renderer"),
                                                                dict)):
        user = node["profile_header_renderer"].get("user")
        if isinstance(user, dict) and user.get("name"):
            return f"{path}.profile_header_renderer.user", user
    return None


def counted(text: str) -> tuple[str, int] | None:
    """("followers", 2100) for "2.1K followers"; None when the words name no count we keep."""
    number = parse_count(text)
    words = re.sub(r"^[\d\s.,'\u00a0\u202f]+[^\d\s]*\s", "", text.strip()).lower()
    for word, field in COUNT_WORDS:
        if word in words and number is not None:
            return field, number
    return None


def counted_by_link(text: str, uri: object) -> tuple[str, int] | None:
    """The count an item names by the tab it links to ("...&sk=followers"), whatever the
    page's language says beside the number ("2,4 tys. obserwujących")."""
    number = parse_count(text)
    tab = re.search(r"[?&]sk=([a-z_]+)", uri) if isinstance(uri, str) else None
    field = LINKED_COUNTS.get(tab.group(1)) if tab else None
    return (field, number) if field and number is not None else None


def fill_from_header(post: Post, where: str, user: relay.Node, sources: dict[str, str],
                     notes: list[str]) -> None:
    author = post.author
    author.display_name, author.id = user["name"], user.get("id")
    author.url = user.get("url")
    author.handle = user.get("username_for_profile") or None
    if isinstance(user.get("is_verified"), bool):
        author.verified = user["is_verified"]
    for key, name in (("display_name", "name"), ("id", "id"), ("url", "url"),
                      ("handle", "username_for_profile"), ("verified", "is_verified")):
        if getattr(author, key) is not None:
            sources[f"author.{key}"] = f"{where}.{name}"
    picture = next((key for key in PICTURE_KEYS
                    if isinstance(user.get(key), dict) and user[key].get("uri")), None)
    if picture:
        author.avatar_url = user[picture]["uri"]
        sources["author.avatar_url"] = f"{where}.{picture}.uri"
        post.media.append(Media(kind="avatar", url=author.avatar_url))
    _sub, cover = relay.first(user.get("cover_photo") or {},
                              lambda n: isinstance(n.get("image"), dict) and n["image"].get("uri"))
    if cover:
        post.media.append(Media(kind="image", url=cover["image"]["uri"], note="cover photo",
                                width=cover["image"].get("width"),
                                height=cover["image"].get("height")))
    if post.media:
        sources["media"] = f"{where}.{picture or 'cover_photo'}"
    social = (user.get("profile_social_context") or {}).get("content") or []
    for index, item in enumerate(social):
        shown = relay.text_of((item or {}).get("text"))
        found = counted(shown) if shown else None
        if shown and not found:
            found = counted_by_link(shown, (item or {}).get("uri"))
        if found:
            setattr(post.counts, found[0], found[1])
            sources[f"counts.{found[0]}"] = f"{where}.profile_social_context.content[{index}]"
            notes.append(f"{found[0]} shown as {shown!r}, stored as {found[1]}")


def page_intro(description: str) -> str | None:
    """The intro a Page's description ends with, after its counts; None without counts."""
    if " \u00b7 " not in description:
        return None
    _counts, dot, intro = description.rsplit(" \u00b7 ", 1)[1].partition(". ")
    return intro.strip() or None if dot else None


def name_from_title(title: str, description: str) -> str:
    """og:title without the " | <city>" a local Page's title adds, when the description agrees."""
    name, bar, _place = title.strip().rpartition(" | ")
    if bar and description.startswith(f"{name}, "):
        return name
    return title.strip()


def handle_from_url(url: str) -> str | None:
    """The vanity name in a profile address (facebook.com/Nintendo); None for numeric ones."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if len(segments) == 1 and segments[0] not in SECTION_PATHS and not segments[0].isdigit():
        return unquote(segments[0])
    return None


def fill_from_meta(post: Post, meta: dict[str, str], sources: dict[str, str]) -> None:
    """What the meta tags add to what the page's data said (they never override it)."""
    author = post.author
    description = (meta.get("og:description") or "").strip()
    if meta.get("og:title") and not author.display_name:
        author.display_name = name_from_title(meta["og:title"], description)
        sources["author.display_name"] = "meta:og:title"
    if description:
        post.text, sources["text"] = description, "meta:og:description"
        intro = page_intro(description)
        if intro and not author.bio:
            author.bio, sources["author.bio"] = intro, "meta:og:description (after the counts)"
    app = FB_APP_ID.match(meta.get("al:android:url") or meta.get("al:ios:url") or "")
    if app and not author.id:
        author.id, sources["author.id"] = app.group(1), "meta:al:android:url"
    if meta.get("og:url") and not author.url:
        author.url, sources["author.url"] = meta["og:url"], "meta:og:url"
    if meta.get("og:image") and not author.avatar_url:
        author.avatar_url, sources["author.avatar_url"] = meta["og:image"], "meta:og:image"
        post.media.insert(0, Media(kind="avatar", url=meta["og:image"]))
        sources.setdefault("media", "meta:og:image")
