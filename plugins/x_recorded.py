"""A post or profile completed from X's GraphQL answers that the capture recorded.

What the page shows is read first; the answers fill what it lacked and replace rounded counts
with X's exact ones. Text and author are the page's when both say something different: a note
names both, so that a page and an answer that disagree are never silently reconciled.
Media only the answers name are listed here and loaded by the plugin, so their bytes are
recorded and hashed like those the page showed.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from archiver.models import Media, Post

from . import x_graphql
from .x_graphql import Account, Article, Tweet
from .x_microdata import same_file
from .x_profile import set_avatar

if TYPE_CHECKING:
    from archiver.page_context import PageContext

URL_IN_TEXT = re.compile(r"https?://\S+")
# X's profile header shows the avatar at 400x400 (seen in the real rendered profiles of the
# tests); its answers name the 48x48 "_normal" one.
AVATAR_SIZE = re.compile(r"_normal(\.\w+)$")


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
    fill_author(post, tweet.author, source, sources, notes)
    text = tweet.text
    if tweet.article is not None:
        fill_article(post, tweet.article, source, sources, notes)
        text = None  # an Article post's own text is only the t.co link to the Article
    elif post.text is not None and text is not None and words(post.text) != words(text):
        notes.append(f"the page's text {post.text!r} differs from X's {source} answer "
                     f"{text!r}; the page's is kept")
    for field, value in (("published_at", tweet.published_at), ("text", text),
                         ("language", tweet.lang), ("reply_to", tweet.reply_to),
                         ("quoted", tweet.quoted)):
        fill(post, field, value, source, sources)
    for field in ("mentions", "hashtags", "links"):
        if not getattr(post, field) and getattr(tweet, field):
            setattr(post, field, getattr(tweet, field))
            sources[field] = source
    for field in ("replies", "reposts", "likes", "views"):
        if field in tweet.counts:
            setattr(post.counts, field, tweet.counts[field])
            sources[f"counts.{field}"] = source
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


def fill_author(post: Post, account: Account, source: str, sources: dict[str, str],
                notes: list[str]) -> None:
    author = post.author
    for field, shown, stated in (("handle", author.handle, account.handle),
                                 ("display_name", author.display_name, account.name)):
        if shown and stated and words(shown) != words(stated):
            notes.append(f"the page's author {field} {shown!r} differs from X's {source} answer "
                         f"{stated!r}; the page's is kept")
    for field, value in (("id", account.id), ("handle", account.handle),
                         ("display_name", account.name), ("verified", account.verified)):
        fill(author, field, value, source, sources, prefix="author.")


def fill_profile(post: Post, account: Account, source: str, sources: dict[str, str],
                 notes: list[str]) -> None:
    fill_author(post, account, source, sources, notes)
    fill(post.author, "bio", account.bio, source, sources, prefix="author.")
    if not post.author.links and account.links:
        post.author.links = account.links
        sources["author.links"] = source
    if post.author.avatar_url is None and account.avatar:
        set_avatar(post, AVATAR_SIZE.sub(r"_400x400\1", account.avatar), source, sources)
    fill(post, "title", post.author.display_name, sources.get("author.display_name", source), sources)
    for field in ("followers", "following", "posts"):
        if (value := getattr(account, field)) is not None:
            setattr(post.counts, field, value)
            sources[f"counts.{field}"] = source


def fill(target: object, field: str, value: object, source: str, sources: dict[str, str],
         prefix: str = "") -> None:
    """Set ``field`` from the answer when the page left it empty."""
    if getattr(target, field) is None and value is not None:
        setattr(target, field, value)
        sources[f"{prefix}{field}"] = source


def add_media(post: Post, media: list[Media], source: str, sources: dict[str, str]) -> None:
    """The answer's media the page did not list (the same picture at another size is listed)."""
    listed = {same_file(m.url) for m in post.media}
    added = [m for m in media if same_file(m.url) not in listed]
    if added:
        post.media.extend(added)
        sources["media"] = f"{sources['media']}; {source}" if "media" in sources else source


def words(text: str) -> str:
    """A text as compared: links left out (a page shows them shortened), spacing and case ignored."""
    return " ".join(URL_IN_TEXT.sub(" ", html.unescape(text)).split()).casefold()
