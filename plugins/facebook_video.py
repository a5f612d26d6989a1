"""Facebook videos and reels: the video file, its poster image, title, description and owner.

Comet pages describe the video as a Relay ``Video`` node: the file's addresses
(``browser_native_hd_url``/``browser_native_sd_url``, older ``playable_url_quality_hd``/
``playable_url``), ``preferred_thumbnail.image.uri`` (the poster), ``length_in_second``,
``owner`` and ``publish_time``. Pages served to link previews say it with ``og:video``
and ``og:image``. The player streams the file as ``blob:`` segments, so the plugin has the
browser fetch the file's own address to record its bytes.
"""

from __future__ import annotations

from archiver.models import Author, Media, Post

from . import facebook_relay as relay

FILE_KEYS = ("browser_native_hd_url", "playable_url_quality_hd", "browser_native_sd_url",
             "playable_url")
META_VIDEO = ("og:video:secure_url", "og:video:url", "og:video")


def file_key(node: relay.Node) -> str | None:
    return next((key for key in FILE_KEYS if isinstance(node.get(key), str) and node[key]), None)


def video_node(scripts: list[str], wanted: str | None,
               notes: list[str]) -> tuple[str, relay.Node] | None:
    """The requested video's node; for a short link (``wanted`` unknown), the page's only one.

    A page also holds the videos it would play next, so another id is never taken instead.
    """
    found = list(relay.nodes(scripts, lambda n: n.get("__typename") == "Video"
                             and file_key(n) is not None))
    if wanted is not None:
        chosen = next((pair for pair in found if pair[1].get("id") == wanted), None)
        if chosen is None and found:
            notes.append(f"the page's Video nodes are about other videos "
                         f"({', '.join(sorted({str(n.get('id')) for _p, n in found}))}); "
                         "none was read")
        return chosen
    if len(found) == 1:
        notes.append("the short link names no video id; the page's only Video node was read")
        return found[0]
    if found:
        notes.append(f"the short link names no video id and the page holds {len(found)} Video "
                     "nodes; none was read")
    return None


def media_of(node: relay.Node) -> list[Media]:
    """The video file and its poster (``node`` has a file address: see ``file_key``)."""
    duration = node.get("length_in_second")
    items = [Media(kind="video", url=node[file_key(node) or FILE_KEYS[0]],
                   duration=float(duration) if isinstance(duration, int | float) else None)]
    poster = ((node.get("preferred_thumbnail") or {}).get("image") or {}).get("uri")
    if isinstance(poster, str) and poster:
        items.append(Media(kind="image", url=poster, note="poster"))
    return items


def fill_from_node(post: Post, where: str, node: relay.Node, sources: dict[str, str]) -> None:
    post.media = media_of(node)
    sources["media"] = f"{where}.{file_key(node)}"
    if node.get("id"):
        post.post_id, sources["post_id"] = str(node["id"]), f"{where}.id"
    for field, key in (("title", "title"), ("text", "savable_description")):
        shown = relay.text_of(node.get(key))
        if shown:
            setattr(post, field, shown)
            sources[field] = f"{where}.{key}"
    if isinstance(node.get("publish_time"), int):
        post.published_at = relay.iso_from_unix(node["publish_time"])
        sources["published_at"] = f"{where}.publish_time"
    owner = node.get("owner")
    if isinstance(owner, dict) and owner.get("name"):
        post.author = Author(id=owner.get("id"), display_name=owner["name"], url=owner.get("url"))
        for key in ("id", "display_name", "url"):
            sources[f"author.{key}"] = f"{where}.owner"


def fill_from_meta(post: Post, meta: dict[str, str], sources: dict[str, str]) -> None:
    """The video and poster a link preview names, with its title and description."""
    key = next((k for k in META_VIDEO if meta.get(k)), None)
    if key is None:
        return
    post.media = [Media(kind="video", url=meta[key])]
    sources["media"] = f"meta:{key}"
    if meta.get("og:image"):
        post.media.append(Media(kind="image", url=meta["og:image"], note="poster"))
    for field, tag in (("title", "og:title"), ("text", "og:description")):
        if meta.get(tag):
            setattr(post, field, meta[tag].strip())
            sources[field] = f"meta:{tag}"
