"""Instagram's own API answers, which its web app fetches to build a page: accounts, stories, posts.

The page's scripts ask ``/api/v1/users/web_profile_info/?username=<handle>`` for a profile
(``data.user``: exact counts in ``edge_followed_by`` and friends) or ``/api/v1/users/<id>/info/``
(``user``: ``follower_count`` and friends); the GraphQL endpoint or ``/api/v1/feed/reels_media/``
for stories (``reels_media``: each reel's owner and items, with the time of posting, the picture
and the video files); ``/api/v1/media/<id>/info/`` or GraphQL's ``shortcode__web_info`` for a
post (``items``: caption, author, exact time and counts, every carousel item). Older answers use
GraphQL names (``taken_at_timestamp``, ``display_url``, ``video_resources``), newer ones the
app's (``taken_at``, ``image_versions2``, ``video_versions``); both are read.

Nothing here decides which answer is the page's: callers match the handle, story or shortcode.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from archiver.models import Media

from .answered_account import Account

# The endpoints above, on the web app's host and the API host its older pages used.
ANSWERS = (r"^https://(?:www|i)\.instagram\.com/(?:api/v1/(?:users/|feed/reels_media|media/\d+/info)"
           r"|graphql/query|api/graphql)")


@dataclass
class StoryItem:
    id: str
    published_at: str | None
    expires_at: str | None
    media: list[Media]
    link: str | None
    mentions: list[str]
    hashtags: list[str]


@dataclass
class Reel:
    id: str
    owner: Account
    items: list[StoryItem]


@dataclass
class MediaPost:
    shortcode: str
    id: str
    author: Account
    text: str | None
    published_at: str | None
    likes: int | None
    replies: int | None
    views: int | None
    media: list[Media]
    carousel: int


def endpoint(url: str) -> str:
    """The endpoint an answer came from, as named in ``extraction.sources`` ("network:...")."""
    path = urlsplit(url).path
    if "/web_profile_info/" in path:
        return "web_profile_info"
    if path.startswith("/api/v1/users/"):
        return "users/info"
    if path.startswith("/api/v1/media/"):
        return "media/info"
    if path.startswith("/api/v1/feed/reels_media"):
        return "reels_media"
    return "graphql"


# ---------------------------------------------------------------------------- accounts


def find_account(answer: Any, handle: str) -> Account | None:
    """The account ``handle`` as a profile answer describes it; None for any other account."""
    if not isinstance(answer, dict):
        return None
    user = _data(answer).get("user") or answer.get("user")
    if not isinstance(user, dict) or str(user.get("username", "")).lower() != handle.lower():
        return None
    links = [link["url"] for link in user.get("bio_links") or [] if link.get("url")]
    if user.get("external_url") and user["external_url"] not in links:
        links.insert(0, user["external_url"])
    hd_avatar = (user.get("hd_profile_pic_url_info") or {}).get("url")
    return Account(
        handle=user["username"], name=user.get("full_name") or None,
        id=_text(user.get("id") or user.get("pk")), verified=user.get("is_verified"),
        bio=user.get("biography") or None, links=links,
        avatar=user.get("profile_pic_url_hd") or hd_avatar or user.get("profile_pic_url"),
        followers=_count(user, "edge_followed_by", "follower_count"),
        following=_count(user, "edge_follow", "following_count"),
        posts=_count(user, "edge_owner_to_timeline_media", "media_count"))


def _count(user: dict[str, Any], edge: str, plain: str) -> int | None:
    value = (user.get(edge) or {}).get("count", user.get(plain))
    return value if isinstance(value, int) else None


# ---------------------------------------------------------------------------- stories


def find_reels(answer: Any) -> list[Reel]:
    """Every reel (an account's stories, or a highlight) an answer holds."""
    return [_reel(raw) for raw in _raw_reels(answer) if isinstance(raw, dict) and raw.get("items")]


def _raw_reels(answer: Any) -> Iterator[Any]:
    if not isinstance(answer, dict):
        return
    data = _data(answer) or answer
    yield from data.get("reels_media") or []
    yield from (data.get("xdt_api__v1__feed__reels_media") or {}).get("reels_media") or []
    for key in ("xdt_api__v1__feed__reels_media__connection",
                "xdt_api__v1__feed__reels_media_graphql_connection"):
        yield from (edge.get("node") for edge in (data.get(key) or {}).get("edges") or [])
    if isinstance(data.get("reels"), dict) and not data.get("reels_media"):
        yield from data["reels"].values()


def _reel(raw: dict[str, Any]) -> Reel:
    owner = raw.get("owner") or raw.get("user") or {}
    account = Account(handle=owner.get("username") or "", name=owner.get("full_name") or None,
                      id=_text(owner.get("id") or owner.get("pk")),
                      avatar=owner.get("profile_pic_url"))
    return Reel(id=_text(raw.get("id")) or "", owner=account,
                items=[_story_item(item) for item in raw["items"]])


def _story_item(item: dict[str, Any]) -> StoryItem:
    mentions, hashtags = [], []
    for tappable in item.get("tappable_objects") or []:
        if tappable.get("__typename") == "GraphTappableMention" and tappable.get("username"):
            mentions.append(tappable["username"])
        elif tappable.get("__typename") == "GraphTappableHashtag" and tappable.get("name"):
            hashtags.append(tappable["name"])
    for mention in item.get("reel_mentions") or []:
        if (mention.get("user") or {}).get("username"):
            mentions.append(mention["user"]["username"])
    for sticker in item.get("story_hashtags") or []:
        if (sticker.get("hashtag") or {}).get("name"):
            hashtags.append(sticker["hashtag"]["name"])
    links = [s["story_link"]["url"] for s in item.get("story_link_stickers") or []
             if (s.get("story_link") or {}).get("url")]
    return StoryItem(
        id=str(item.get("pk") or item.get("id") or "").split("_")[0],
        published_at=_time(item.get("taken_at_timestamp") or item.get("taken_at")),
        expires_at=_time(item.get("expiring_at_timestamp") or item.get("expiring_at")),
        media=_media_of(item), link=item.get("story_cta_url") or (links[0] if links else None),
        mentions=mentions, hashtags=hashtags)


# ---------------------------------------------------------------------------- posts


def find_media(answer: Any, shortcode: str) -> MediaPost | None:
    """The post ``shortcode`` as a media answer describes it; None for any other post."""
    if not isinstance(answer, dict):
        return None
    items = answer.get("items") or (_data(answer).get("xdt_api__v1__media__shortcode__web_info") or {}).get(
        "items") or []
    item = next((i for i in items if isinstance(i, dict) and i.get("code") == shortcode), None)
    if item is None:
        return None
    user = item.get("user") or item.get("owner") or {}
    author = Account(handle=user.get("username") or "", name=user.get("full_name") or None,
                     id=_text(user.get("pk") or user.get("id")), verified=user.get("is_verified"))
    children = item.get("carousel_media") or []
    return MediaPost(
        shortcode=shortcode, id=_text(item.get("pk")) or "", author=author,
        text=(item.get("caption") or {}).get("text"),
        published_at=_time(item.get("taken_at")), likes=_int(item.get("like_count")),
        replies=_int(item.get("comment_count")),
        views=_int(item.get("play_count") or item.get("view_count")),
        media=[m for child in (children or [item]) for m in _media_of(child)],
        carousel=len(children))


# ---------------------------------------------------------------------------- shared


def _data(answer: dict[str, Any]) -> dict[str, Any]:
    data = answer.get("data")
    return data if isinstance(data, dict) else {}


def _media_of(item: dict[str, Any]) -> list[Media]:
    """A picture, or a video file and the picture shown before it plays (its poster)."""
    video = _largest(item.get("video_versions") or [], "url", "width") or _largest(
        item.get("video_resources") or [], "src", "config_width")
    image = item.get("display_url") or _original_picture(item)
    media = [Media(kind="video", url=video)] if video else []
    if image:
        media.append(Media(kind="image", url=image, note="video poster" if video else None))
    return media


def _original_picture(item: dict[str, Any]) -> str | None:
    """The picture as posted: its size is the item's own; the other candidates are resized or
    cropped to a square for the grid (the largest of them can be such an upscaled crop)."""
    candidates = [c for c in (item.get("image_versions2") or {}).get("candidates") or [] if c.get("url")]
    size = (item.get("original_width"), item.get("original_height"))
    same = [c for c in candidates if (c.get("width"), c.get("height")) == size]
    return str((same or candidates)[0]["url"]) if candidates else None


def _largest(versions: list[dict[str, Any]], url_key: str, width_key: str) -> str | None:
    with_url = [v for v in versions if v.get(url_key)]
    if not with_url:
        return None
    return str(max(with_url, key=lambda v: v.get(width_key) or 0)[url_key])


def _time(stamp: Any) -> str | None:
    return datetime.fromtimestamp(stamp, UTC).isoformat() if isinstance(stamp, int) and stamp else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) else None


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
