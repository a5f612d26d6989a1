"""Facebook's Relay JSON: the data a modern ("Comet") www page is built from.

The server sends each query result as ``{"__bbox": {"result": {"data": ...}}}`` inside
``<script>`` payloads and Facebook's scripts build the DOM from them, so the page's facts
(stories, the profile header, a group's header, a video) are read from this JSON. Every
value keeps its JSON path, which becomes the field's recorded source.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any
from urllib.parse import parse_qs, urlsplit

from archiver.models import Author, FeedEntry, Media, Post

# Only scripts holding one of these can carry what the plugin reads; the rest (hundreds of
# module definitions) are not passed out of the browser.
SCRIPTS_JS = """(markers) => Array.from(document.scripts)
  .map(s => s.text)
  .filter(t => markers.some(m => t.includes(m)))"""
MARKERS = ['"__typename":"Story"', '"profile_header_renderer"', '"__typename":"Group"',
           '"__typename":"Video"', '"videoDeliveryResponseFragment"', '"creation_time"',
           '"feedback"', '"owner_as_page"']

Node = dict[str, Any]
# A story holds the post it shares under ``attached_story`` and the links it shows under its
# attachments: their addresses and facts are another post's.
SHARED = ("attached_story",)
ATTACHED = (*SHARED, "attachments", "all_subattachments")
# Path segments after which a Facebook address names a post, video or reel by its id.
ID_SEGMENTS = ("posts", "permalink", "videos", "reel", "reels")


def iso_from_unix(seconds: int | float | str) -> str:
    return datetime.fromtimestamp(int(seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def walk(node: Any, path: str = "", skip: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Every value under ``node`` with its JSON path, not entering the keys in ``skip``."""
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in skip:
                yield from walk(value, f"{path}.{key}" if path else key, skip)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}[{index}]", skip)


def json_objects(script: str) -> Iterator[Any]:
    """JSON values in a script: the whole text, or each Relay ``{"__bbox": ...}`` payload."""
    try:
        yield json.loads(script)
        return
    except ValueError:
        pass
    decoder = json.JSONDecoder()
    for start in (m.start() for m in re.finditer(r'\{"__bbox":', script)):
        try:
            yield decoder.raw_decode(script, start)[0]
        except ValueError:
            continue


def nodes(scripts: list[str], test: Callable[[Node], bool]) -> Iterator[tuple[str, Node]]:
    """Every dict in the payloads that passes ``test``, with its JSON path."""
    for script in scripts:
        for data in json_objects(script):
            for path, node in walk(data):
                if isinstance(node, dict) and test(node):
                    yield path, node


def first(node: Any, test: Callable[[Node], bool],
          skip: tuple[str, ...] = ()) -> tuple[str, Any] | tuple[None, None]:
    for path, found in walk(node, skip=skip):
        if isinstance(found, dict) and test(found):
            return path, found
    return None, None


def text_of(value: Any) -> str | None:
    """A Relay text field: a plain string or ``{"text": ...}``."""
    if isinstance(value, dict):
        value = value.get("text")
    return value.strip() if isinstance(value, str) and value.strip() else None


def stories(scripts: list[str]) -> list[tuple[str, Node]]:
    """Top-level ``Story`` nodes (with their JSON paths), each post once."""
    found: list[tuple[str, Node]] = []
    seen: set[str] = set()
    for path, node in nodes(scripts, lambda n: n.get("__typename") == "Story"
                            and "comet_sections" in n and bool(n.get("post_id"))):
        if node["post_id"] not in seen:
            seen.add(node["post_id"])
            found.append((path, node))
    return found


def address_ids(url: str) -> set[str]:
    """The post, photo or video ids a Facebook address names (``story_fbid=``, ``/posts/<id>``...)."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    segments = [s for s in parts.path.split("/") if s]
    return ({value for key in ("story_fbid", "fbid", "v") for value in query.get(key, [])}
            | {after for before, after in pairwise(segments) if before in ID_SEGMENTS})


def story_rank(story: Node, wanted: str) -> int | None:
    """How surely a story is the requested post, best first: 0 by its own id, 1 by its own
    permalink, 2 by a photo or video it shows; None when it is not (a post it shares never
    counts)."""
    if str(story.get("post_id")) == wanted:
        return 0
    if any(isinstance(n, dict) and isinstance(n.get("url"), str) and wanted in address_ids(n["url"])
           for _p, n in walk(story, skip=ATTACHED)):
        return 1
    if any(isinstance(n, dict) and n.get("__typename") in ("Photo", "Video") and n.get("id") == wanted
           for _p, n in walk(story, skip=SHARED)):
        return 2
    return None


def matching_story(found: list[tuple[str, Node]], wanted: str) -> tuple[str, Node] | None:
    """The story that is the requested post: the surest match, then the first in the page."""
    ranked = [(rank, index) for index, (_p, story) in enumerate(found)
              if (rank := story_rank(story, wanted)) is not None]
    return found[min(ranked)[1]] if ranked else None


def _permalink(story: Node) -> str | None:
    _sub, node = first(story, lambda n: isinstance(n.get("url"), str)
                       and ("story_fbid=" in n["url"] or "/posts/" in n["url"]), ATTACHED)
    return node["url"] if node else None


def _time(story: Node) -> tuple[str | None, int | None]:
    sub, node = first(story, lambda n: isinstance(n.get("creation_time"), int), SHARED)
    return (sub, node["creation_time"]) if node else (None, None)


def _message(story: Node) -> tuple[str | None, str | None]:
    sub, node = first(story, lambda n: isinstance(n.get("message"), dict)
                      and isinstance(n["message"].get("text"), str), SHARED)
    return (sub, node["message"]["text"]) if node else (None, None)


def _actor(story: Node) -> tuple[str | None, Node | None]:
    sub, node = first(story, lambda n: isinstance(n.get("actors"), list) and bool(n["actors"]),
                      SHARED)
    return (sub, node["actors"][0]) if node else (None, None)


def fill_from_story(post: Post, path: str, story: Node, sources: dict[str, str]) -> None:
    where = f"json:{path}"
    post.post_id = str(story["post_id"])
    sources["post_id"] = f"{where}.post_id"
    sub, seconds = _time(story)
    if seconds is not None:
        post.published_at = iso_from_unix(seconds)
        sources["published_at"] = f"{where}.{sub}.creation_time"
    sub, text = _message(story)
    if text is not None:
        post.text, sources["text"] = text, f"{where}.{sub}.message.text"
    sub, actor = _actor(story)
    if actor:
        post.author = Author(id=actor.get("id"), display_name=actor.get("name"),
                             url=actor.get("url") or actor.get("profile_url"))
        for key in ("id", "display_name", "url"):
            sources[f"author.{key}"] = f"{where}.{sub}.actors[0]"
    photos = [(p, n) for p, n in walk(story) if isinstance(n, dict)
              and isinstance(n.get("photo_image"), dict) and n["photo_image"].get("uri")]
    post.media = [Media(kind="image", url=n["photo_image"]["uri"],
                        width=n["photo_image"].get("width"), height=n["photo_image"].get("height"))
                  for _p, n in photos]
    if photos:
        sources["media"] = f"{where}.{photos[0][0]}.photo_image.uri"
    fill_counts(post, where, story, sources)


def fill_counts(post: Post, where: str, story: Node, sources: dict[str, str]) -> None:
    sub, node = first(story, lambda n: "comet_ufi_summary_and_actions_renderer" in n, SHARED)
    if not node:
        return
    feedback = node["comet_ufi_summary_and_actions_renderer"].get("feedback") or {}
    base = f"{where}.{sub}.comet_ufi_summary_and_actions_renderer.feedback"
    # Comments: "comment_count.total_count" (2023 pages) or, later, the count of the
    # comment list the page would render ("comment_rendering_instance.comments.total_count").
    for field, keys in (("likes", ("reaction_count", "count")),
                        ("replies", ("comment_count", "total_count")),
                        ("replies", ("comment_rendering_instance", "comments", "total_count")),
                        ("reposts", ("share_count", "count"))):
        value: Any = feedback
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, int) and getattr(post.counts, field) is None:
            setattr(post.counts, field, value)
            sources[f"counts.{field}"] = f"{base}.{'.'.join(keys)}"


def feed_entry(story: Node) -> FeedEntry:
    """A story as a profile's or group's feed lists it."""
    _sub, seconds = _time(story)
    _sub, actor = _actor(story)
    return FeedEntry(url=_permalink(story), post_id=str(story["post_id"]),
                     author=actor.get("name") if actor else None,
                     published_at=iso_from_unix(seconds) if seconds is not None else None,
                     text=_message(story)[1])
