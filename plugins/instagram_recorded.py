"""A profile, story or post completed from the Instagram API answers the capture recorded.

What the page shows (rendered, in its data or in meta tags) is read first; the answers fill
what it lacked, and replace counts and dates the meta tags only show rounded. Only an answer
about the page's own account, story or post is used: the handle, the story's id or the post's
shortcode must be the page's. Where the page and the answer disagree on the author or the
text, the page's is kept and a note names both. Media only the answers name are returned for
the plugin to load, so their bytes are recorded and hashed like those the page showed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from archiver.models import FeedEntry, Media, Post

from . import instagram_api
from .answered_account import Answer, fill, fill_counts, merge_account, merge_author, same_text
from .instagram_api import MediaPost, Reel, StoryItem

if TYPE_CHECKING:
    from archiver.page_context import PageContext

WWW = "https://www.instagram.com"


async def fill_account(ctx: PageContext, post: Post, sources: dict[str, str],
                       notes: list[str]) -> None:
    """A profile's exact counts, id, bio, links and avatar from a profile answer."""
    if not post.author.handle:
        return
    for url, answer in await ctx.recorded_json(instagram_api.ANSWERS):
        account = instagram_api.find_account(answer, post.author.handle)
        if account is not None:
            merge_account(post, account, _answer(url), sources, notes, _shown_exactly)
            return


async def fill_story(ctx: PageContext, post: Post, sources: dict[str, str],
                     notes: list[str]) -> list[Media]:
    """The story's own items (time, picture or video, link, mentions) from a stories answer."""
    for url, answer in await ctx.recorded_json(instagram_api.ANSWERS):
        for reel in instagram_api.find_reels(answer):
            items = _items_of_page(reel, post)
            if items:
                return _fill_story(post, reel, items, _answer(url), sources, notes)
    return []


async def fill_post(ctx: PageContext, post: Post, sources: dict[str, str],
                    notes: list[str]) -> list[Media]:
    """Caption, author, exact time and counts, and every media item from a post answer."""
    if not post.post_id:
        return []
    for url, answer in await ctx.recorded_json(instagram_api.ANSWERS):
        found = instagram_api.find_media(answer, post.post_id)
        if found is not None:
            return _fill_post(post, found, _answer(url), sources, notes)
    return []


def network(url: str) -> str:
    return f"network:{instagram_api.endpoint(url)}"


def _answer(url: str) -> Answer:
    return Answer("Instagram", network(url))


def _shown_exactly(source: str) -> bool:
    """A count the page rendered is exact; its meta tags round it ("1.2M Followers")."""
    return not source.startswith("meta:")


# ---------------------------------------------------------------------------- stories


def _items_of_page(reel: Reel, post: Post) -> list[StoryItem]:
    """The items the page is about: its story (/stories/<handle>/<id>/), all of a highlight's
    (/stories/highlights/<id>/) or all of an account's (/stories/<handle>/)."""
    if _is_highlight(post):
        return reel.items if reel.id in (post.post_id, f"highlight:{post.post_id}") else []
    if (reel.owner.handle or "").lower() != (post.author.handle or "").lower():
        return []
    if post.post_id is None:
        return reel.items
    return [item for item in reel.items if item.id == post.post_id]


def _is_highlight(post: Post) -> bool:
    return "/stories/highlights/" in (post.canonical_url or "")


def _fill_story(post: Post, reel: Reel, items: list[StoryItem], answer: Answer,
                sources: dict[str, str], notes: list[str]) -> list[Media]:
    merge_account(post, reel.owner, answer, sources, notes, _shown_exactly)
    source = answer.source
    # A page without a story's id lists them all, even when the reel holds one item.
    listing = post.post_id is None or _is_highlight(post)
    if listing:
        post.feed = [FeedEntry(url=f"{WWW}/stories/{reel.owner.handle}/{item.id}/", post_id=item.id,
                               author=reel.owner.handle, published_at=item.published_at)
                     for item in items]
        sources["feed"] = source
        # Every item's files are the page's media: each says which story of the listing it is.
        for item in items:
            for medium in item.media:
                medium.note = f"story {item.id}" + (f", {medium.note}" if medium.note else "")
    else:
        item = items[0]
        fill(post, "published_at", item.published_at, source, sources)
        if item.expires_at:
            notes.append(f"Instagram's {source} answer says the story expires at {item.expires_at}")
    links = [item.link for item in items if item.link]
    for field, values in (("links", links), ("mentions", [m for i in items for m in i.mentions]),
                          ("hashtags", [h for i in items for h in i.hashtags])):
        if values and not getattr(post, field):
            setattr(post, field, list(dict.fromkeys(values)))
            sources[field] = source
    media = [m for item in items for m in item.media]
    if media:
        sources["media"] = source
    return media


# ---------------------------------------------------------------------------- posts


def _fill_post(post: Post, found: MediaPost, answer: Answer, sources: dict[str, str],
               notes: list[str]) -> list[Media]:
    merge_author(post, found.author, answer, sources, notes)
    source = answer.source
    if post.text is not None and found.text is not None and not same_text(post.text, found.text):
        notes.append(answer.differs("caption", post.text, found.text))
    fill(post, "text", found.text, source, sources)
    # A meta tag's date has no time of day: the answer's exact time replaces it.
    if found.published_at and (post.published_at is None
                               or sources.get("published_at", "").startswith("meta:")):
        post.published_at, sources["published_at"] = found.published_at, source
    fill_counts(post.counts, {"likes": found.likes, "replies": found.replies, "views": found.views},
                source, sources, _shown_exactly)
    if found.carousel:
        notes.append(f"carousel of {found.carousel} items, every one listed in Instagram's "
                     f"{source} answer and fetched by the plugin")
    notes.append(f"Instagram media id {found.id} ({source})")
    if found.media:
        sources.setdefault("media", source)
    return found.media
