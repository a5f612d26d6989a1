"""X's GraphQL answers: the posts and accounts X's servers sent the page, as plain values.

X's web app builds every page from GraphQL calls (``TweetDetail`` or ``TweetResultByRestId`` for
a post, ``UserByScreenName`` for a profile, ``UserTweets`` for its timeline) and the capture
records their answers. They state what the page only rounds or hides: exact counts, the video
file behind a ``blob:`` player, the post replied to, the quoted post, an Article's title and
cover, and its whole text when the answer holds its blocks. Two shapes of an account are read:
the older ``legacy`` object and the newer one split into ``core``, ``avatar``, ``profile_bio``,
``relationship_counts`` and ``tweet_counts``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from archiver.models import Media

from .answered_account import Account
from .x_microdata import status_url

POST_OPERATIONS = ("TweetDetail", "TweetResultByRestId", "UserTweets", "UserTweetsAndReplies")
PROFILE_OPERATIONS = ("UserByScreenName", "UserByRestId")
# Only X's own hosts: a page cannot have an answer of its own making read as X's.
ANSWER_URL = re.compile(
    r"^https://(?:api\.)?(?:x|twitter)\.com(?:/i/api)?/graphql/[\w-]+/(?P<operation>\w+)(?:\?|$)")
TWITTER_TIME = "%a %b %d %H:%M:%S %z %Y"
# X's profile header shows the avatar at 400x400 (seen in the real rendered profiles of the
# tests); its answers name the 48x48 "_normal" one.
AVATAR_SIZE = re.compile(r"_normal(\.\w+)$")


def answers_pattern(operations: tuple[str, ...]) -> str:
    """The URL pattern of the recorded answers of ``operations`` (for ``recorded_json``)."""
    return ANSWER_URL.pattern.replace(r"(?P<operation>\w+)", f"(?:{'|'.join(operations)})")


def operation_of(url: str) -> str:
    found = ANSWER_URL.match(url)
    return found["operation"] if found else "graphql"


@dataclass
class Article:
    title: str | None
    preview: str | None
    cover: str | None
    # The whole text, when the answer holds the Article's blocks (a logged-in TweetDetail does).
    body: str | None = None


@dataclass
class Tweet:
    id: str
    author: Account
    published_at: str | None
    text: str | None
    lang: str | None
    # replies, reposts, quotes, likes, bookmarks, views: as X counts them, never rounded
    counts: dict[str, int]
    mentions: list[str]
    hashtags: list[str]
    links: list[str]
    media: list[Media]
    reply_to: str | None
    quoted: str | None
    article: Article | None


# ---------------------------------------------------------------- finding


def tweet_results(node: Any) -> Iterator[dict[str, Any]]:
    """Every post in an answer, wherever it sits (conversation, timeline, retweet, quote)."""
    if isinstance(node, dict):
        if node.get("__typename") == "TweetWithVisibilityResults" and isinstance(node.get("tweet"), dict):
            yield node["tweet"]
        elif node.get("__typename") == "Tweet" and node.get("rest_id"):
            yield node
        for value in node.values():
            yield from tweet_results(value)
    elif isinstance(node, list):
        for value in node:
            yield from tweet_results(value)


def find_tweet(answer: Any, post_id: str) -> dict[str, Any] | None:
    """The post whose id, or whose Article's id, is ``post_id``; None when the answer has none."""
    for result in tweet_results(answer):
        if result["rest_id"] == post_id or article_id(result) == post_id:
            return result
    return None


def article_id(result: dict[str, Any]) -> str | None:
    article = dig(result, "article", "article_results", "result")
    return article.get("rest_id") if isinstance(article, dict) else None


def find_account(answer: Any, handle: str) -> dict[str, Any] | None:
    """The account of a profile answer, when it is the one named ``handle``."""
    user = dig(answer, "data", "user", "result")
    if isinstance(user, dict) and (account_handle(user) or "").lower() == handle.lower():
        return user
    return None


def dig(node: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


# ---------------------------------------------------------------- accounts


def account_handle(user: dict[str, Any]) -> str | None:
    handle = dig(user, "core", "screen_name") or dig(user, "legacy", "screen_name")
    return handle if isinstance(handle, str) else None


def read_account(user: dict[str, Any]) -> Account:
    legacy = user.get("legacy") or {}
    bio = dig(user, "profile_bio", "description") or legacy.get("description")
    entities = dig(user, "profile_bio", "entities") or legacy.get("entities") or {}
    bio_urls = dig(entities, "description", "urls") or []
    website = [u["expanded_url"] for u in dig(entities, "url", "urls") or [] if u.get("expanded_url")]
    return Account(
        id=user.get("rest_id"),
        handle=account_handle(user),
        name=dig(user, "core", "name") or legacy.get("name"),
        verified=bool(user.get("is_blue_verified") or legacy.get("verified")
                      or dig(user, "verification", "verified")),
        bio=expand(bio, bio_urls) or None,
        links=[u["expanded_url"] for u in bio_urls if u.get("expanded_url")] + website,
        avatar=profile_avatar(dig(user, "avatar", "image_url") or legacy.get("profile_image_url_https")),
        followers=number(dig(user, "relationship_counts", "followers"), legacy.get("followers_count")),
        following=number(dig(user, "relationship_counts", "following"), legacy.get("friends_count")),
        posts=number(dig(user, "tweet_counts", "tweets"), legacy.get("statuses_count")),
    )


def profile_avatar(url: Any) -> str | None:
    return AVATAR_SIZE.sub(r"_400x400\1", url) if isinstance(url, str) and url else None


def expand(text: str | None, urls: list[dict[str, Any]]) -> str | None:
    """``text`` with X's t.co addresses replaced by the addresses they stand for."""
    for url in urls:
        if text and url.get("url") and url.get("expanded_url"):
            text = text.replace(url["url"], url["expanded_url"])
    return text


def number(*values: Any) -> int | None:
    for value in values:
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
    return None


# ---------------------------------------------------------------- posts


def read_tweet(result: dict[str, Any]) -> Tweet:
    legacy = result.get("legacy") or {}
    note = dig(result, "note_tweet", "note_tweet_results", "result") or {}
    # A long post's whole text is its note; the legacy text stops at 280 characters.
    entities = note.get("entity_set") or legacy.get("entities") or {}
    user = dig(result, "core", "user_results", "result") or {}
    return Tweet(
        id=result["rest_id"],
        author=read_account(user),
        published_at=iso_time(legacy.get("created_at")),
        text=note.get("text") or shown_text(legacy),
        lang=legacy.get("lang"),
        counts={name: value for name, key in (
            ("replies", "reply_count"), ("reposts", "retweet_count"), ("quotes", "quote_count"),
            ("likes", "favorite_count"), ("bookmarks", "bookmark_count"))
            if (value := number(legacy.get(key))) is not None}
        | ({"views": views} if (views := number(dig(result, "views", "count"))) is not None else {}),
        mentions=[m["screen_name"] for m in entities.get("user_mentions") or [] if m.get("screen_name")],
        hashtags=[h["text"] for h in entities.get("hashtags") or [] if h.get("text")],
        links=[u["expanded_url"] for u in entities.get("urls") or [] if u.get("expanded_url")],
        media=read_media(legacy),
        reply_to=status_url(legacy.get("in_reply_to_screen_name"), legacy.get("in_reply_to_status_id_str")),
        quoted=quoted_url(result, legacy),
        article=read_article(result),
    )


def shown_text(legacy: dict[str, Any]) -> str | None:
    """The text X shows: without the leading @names of a reply and the trailing media address."""
    text = legacy.get("full_text")
    if not isinstance(text, str):
        return None
    bounds = legacy.get("display_text_range")
    if isinstance(bounds, list) and len(bounds) == 2:
        text = text[bounds[0]:bounds[1]]
    # X escapes &, < and > in this text (and counts its ranges on the escaped form).
    return html.unescape(text)


def iso_time(created_at: Any) -> str | None:
    """X's "Thu Apr 20 23:21:13 +0000 2023" as ISO 8601 UTC, in the form a page's <time> has."""
    try:
        moment = datetime.strptime(str(created_at), TWITTER_TIME)
    except ValueError:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def read_media(legacy: dict[str, Any]) -> list[Media]:
    media: list[Media] = []
    for item in dig(legacy, "extended_entities", "media") or []:
        picture = item.get("media_url_https")
        if item.get("type") in ("video", "animated_gif"):
            variants = [v for v in dig(item, "video_info", "variants") or []
                        if v.get("content_type") == "video/mp4" and v.get("url")]
            if variants:
                best = max(variants, key=lambda v: v.get("bitrate") or 0)
                media.append(Media(kind="video", url=best["url"]))
            if picture:
                media.append(Media(kind="image", url=picture, note="video poster"))
        elif picture:
            media.append(Media(kind="image", url=picture))
    return media


def quoted_url(result: dict[str, Any], legacy: dict[str, Any]) -> str | None:
    quoted = dig(result, "quoted_status_result", "result") or {}
    if quoted.get("__typename") == "TweetWithVisibilityResults":
        quoted = quoted.get("tweet") or {}
    if quoted.get("rest_id"):
        handle = account_handle(dig(quoted, "core", "user_results", "result") or {})
        return status_url(handle, quoted["rest_id"])
    # A quoted post X no longer returns (deleted, withheld) is still named by its id.
    return status_url(None, legacy.get("quoted_status_id_str"))


def read_article(result: dict[str, Any]) -> Article | None:
    article = dig(result, "article", "article_results", "result")
    if not isinstance(article, dict):
        return None
    return Article(title=article.get("title"), preview=article.get("preview_text"),
                   cover=dig(article, "cover_media", "media_info", "original_img_url"),
                   body=article_body(article.get("content_state")))


def article_body(state: Any) -> str | None:
    """An Article's text from its Draft.js blocks, one blank line between blocks.

    Paragraphs, headings and list items are kept as written; a code block is an ``atomic``
    block whose entity is ``MARKDOWN`` and is kept as its markdown. Pictures, embedded posts
    and dividers are atomic blocks without text and are left out. X sends the entity map as a
    list of ``{"key", "value"}`` pairs (Draft.js itself writes an object).
    """
    if not isinstance(state, dict):
        return None
    entity_map = state.get("entityMap") or []
    pairs = entity_map.items() if isinstance(entity_map, dict) else (
        (e.get("key"), e.get("value")) for e in entity_map if isinstance(e, dict))
    entities = {str(key): value for key, value in pairs if isinstance(value, dict)}
    parts: list[str] = []
    for block in state.get("blocks") or []:
        if block.get("type") == "atomic":
            for entity_range in block.get("entityRanges") or []:
                entity = entities.get(str(entity_range.get("key")), {})
                code = dig(entity, "data", "markdown")
                if entity.get("type") == "MARKDOWN" and isinstance(code, str) and code.strip():
                    parts.append(code.strip())
        elif isinstance(text := block.get("text"), str) and text.strip():
            parts.append(text.strip())
    return "\n\n".join(parts) or None
