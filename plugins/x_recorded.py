"""A post or profile completed from X's GraphQL answers that the capture recorded.

What the page shows is read first; the answers fill what it lacked and replace rounded counts
with X's exact ones. Text and author are the page's when both say something different: a note
names both, so that a page and an answer that disagree are never silently reconciled.
Media only the answers name are listed here and loaded by the plugin, so their bytes are
recorded and hashed like those the page showed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from archiver.models import Media, Post

from . import x_graphql
from .answered_account import Account, Answer, fill, fill_counts, merge_account, merge_author, same_text
from .x_graphql import Article, Tweet
from .x_microdata import same_file
from .x_profile import set_avatar

if TYPE_CHECKING:
    from archiver.page_context import PageContext


async def fill_from_answers(ctx: PageContext, post: Post, sources: dict[str, str],
                            notes: list[str]) -> None:
    if post.kind == "profile":
        handle = urlsplit(post.canonical_url or "").path.strip("/")
        pattern = x_graphql.answers_pattern(x_graphql.PROFILE_OPERATIONS)
        for url, answer in await ctx.recorded_json(pattern):
            if (user := x_graphql.find_account(answer, handle)) is not None:
                fill_profile(post, x_graphql.read_account(user), network(url), sources, notes)
                return
    elif post.kind in ("post", "article") and post.post_id:
        pattern = x_graphql.answers_pattern(x_graphql.POST_OPERATIONS)
        for url, answer in await ctx.recorded_json(pattern):
            if (result := x_graphql.find_tweet(answer, post.post_id)) is not None:
                fill_post(post, x_graphql.read_tweet(result), network(url), sources, notes)
                return


def network(url: str) -> str:
    return f"network:{x_graphql.operation_of(url)}"


def fill_post(post: Post, tweet: Tweet, source: str, sources: dict[str, str],
              notes: list[str]) -> None:
    answer = Answer("X", source)
    merge_author(post, tweet.author, answer, sources, notes)
    text, lang, links = tweet.text, tweet.lang, tweet.links
    if tweet.article is not None:
        fill_article(post, tweet.article, source, sources, notes)
        # An Article post's own text is only the t.co link to the Article: X states its language
        # as "zxx" (no linguistic content) and its one link is the Article's own address.
        text, lang, links = None, None, []
    elif post.text is not None and text is not None and not same_text(post.text, text):
        notes.append(answer.differs("text", post.text, text))
    for field, value in (("published_at", tweet.published_at), ("text", text),
                         ("language", lang), ("reply_to", tweet.reply_to),
                         ("quoted", tweet.quoted)):
        fill(post, field, value, source, sources)
    for field, values in (("mentions", tweet.mentions), ("hashtags", tweet.hashtags), ("links", links)):
        if not getattr(post, field) and values:
            setattr(post, field, values)
            sources[field] = source
    fill_counts(post.counts, {f: tweet.counts.get(f) for f in ("replies", "reposts", "likes", "views")},
                source, sources)
    if uncounted := [f"{tweet.counts[f]} {f}" for f in ("quotes", "bookmarks") if f in tweet.counts]:
        notes.append(f"X's {source} answer also counts {' and '.join(uncounted)} "
                     "(the post schema has no field for them)")
    add_media(post, tweet.media, source, sources)


def fill_article(post: Post, article: Article, source: str, sources: dict[str, str],
                 notes: list[str]) -> None:
    """An Article's title, its text when the page showed no body (whole, else the preview), its cover."""
    post.kind = "article"
    fill(post, "title", article.title, source, sources)
    if post.text is None and article.body:
        post.text = article.body
        sources["text"] = source
    elif post.text is None and article.preview:
        post.text = article.preview
        sources["text"] = source
        notes.append(f"the Article's text is the preview X's {source} answer holds, "
                     "not its whole body")
    if article.cover:
        add_media(post, [Media(kind="image", url=article.cover, note="Article cover")],
                  source, sources)


def fill_profile(post: Post, account: Account, source: str, sources: dict[str, str],
                 notes: list[str]) -> None:
    if not merge_account(post, account, Answer("X", source), sources, notes):
        return
    if sources.get("author.avatar_url") == source and post.author.avatar_url:
        set_avatar(post, post.author.avatar_url, source, sources)
    fill(post, "title", post.author.display_name, sources.get("author.display_name", source), sources)


def add_media(post: Post, media: list[Media], source: str, sources: dict[str, str]) -> None:
    """The answer's media the page did not list (the same picture at another size is listed)."""
    listed = {same_file(m.url) for m in post.media}
    added = [m for m in media if same_file(m.url) not in listed]
    if added:
        post.media.extend(added)
        sources["media"] = f"{sources['media']}; {source}" if "media" in sources else source
