"""An Instagram post as the page's own data (``window._sharedData``) describes it.

Instagram's server pages (up to 2022 at least) carried the whole post in a script:
``entry_data.PostPage[0].graphql.shortcode_media`` with the full caption, the owner (handle,
name, id, verified), the time of posting as a Unix timestamp, exact like and comment counts,
and for a carousel ("GraphSidecar") every item in ``edge_sidecar_to_children``. The page
shows only the first item until scripted, so the items are fetched by the plugin.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from archiver.models import Media, Post

if TYPE_CHECKING:
    from playwright.async_api import Page


SOURCE = "json:window._sharedData"
SHORTCODE_MEDIA_JS = """() => {
  const page = window._sharedData && window._sharedData.entry_data
    && window._sharedData.entry_data.PostPage;
  return (page && page[0] && page[0].graphql && page[0].graphql.shortcode_media) || null;
}"""


async def fill_from_shared_data(page: Page, post: Post, sources: dict[str, str],
                                notes: list[str]) -> list[Media]:
    """Fill what the post's data says; the media items it names, every carousel item included."""
    media: dict[str, Any] | None = await page.evaluate(SHORTCODE_MEDIA_JS)
    if not media:
        return []
    owner = media.get("owner") or {}
    for field, key in (("handle", "username"), ("display_name", "full_name"), ("id", "id"),
                       ("verified", "is_verified")):
        if owner.get(key) not in (None, ""):
            setattr(post.author, field, owner[key])
            sources[f"author.{field}"] = SOURCE
    captions = (media.get("edge_media_to_caption") or {}).get("edges") or []
    if captions:
        post.text, sources["text"] = captions[0]["node"]["text"], SOURCE
    if media.get("taken_at_timestamp"):
        taken = datetime.fromtimestamp(media["taken_at_timestamp"], UTC)
        post.published_at, sources["published_at"] = taken.isoformat(), SOURCE
    for field, key in (("likes", "edge_media_preview_like"), ("replies", "edge_media_to_parent_comment")):
        count = (media.get(key) or {}).get("count")
        if isinstance(count, int):
            setattr(post.counts, field, count)
            sources[f"counts.{field}"] = SOURCE
    children = [edge["node"] for edge in (media.get("edge_sidecar_to_children") or {}).get("edges") or []]
    items = [item for node in (children or [media]) for item in _media_of(node)]
    if children:
        notes.append(f"carousel of {len(children)} items, every one listed in the page's data "
                     f"({SOURCE}) and fetched by the plugin")
    if items:
        sources["media"] = SOURCE
    return items


def _media_of(node: dict[str, Any]) -> list[Media]:
    if node.get("is_video") and node.get("video_url"):
        return [Media(kind="video", url=node["video_url"]),
                Media(kind="image", url=node["display_url"], note="video thumbnail")]
    return [Media(kind="image", url=node["display_url"])] if node.get("display_url") else []
