"""X Articles: long-form posts with a title, a rich-text body and a cover image.

An Article reuses the post's frame for its author, time and counts but has no ``tweetText``:
its title and body sit in a read view of their own.
"""

from __future__ import annotations

from typing import Any

from archiver.models import Media, Post

READ_VIEW = '[data-testid="twitterArticleReadView"]'
TITLE = '[data-testid="twitter-article-title"]'
BODY = '[data-testid="twitterArticleRichTextView"], [data-testid="longformRichTextComponent"]'

ARTICLE_JS = """(view) => {
  const title = view.querySelector('[data-testid="twitter-article-title"]');
  const body = view.querySelector(
    '[data-testid="twitterArticleRichTextView"], [data-testid="longformRichTextComponent"]');
  // Each paragraph, heading or list item is one Draft.js block; nested blocks are read once.
  const blocks = body ? Array.from(body.querySelectorAll('[data-block="true"]'))
    .filter(b => !b.parentElement.closest('[data-block="true"]'))
    .map(b => (b.innerText || '').trim()).filter(Boolean) : [];
  return {
    title: title ? (title.innerText || '').trim() || null : null,
    body: blocks.length ? blocks.join('\\n\\n') : (body ? (body.innerText || '').trim() || null : null),
    images: Array.from(view.querySelectorAll('img[src*="/media/"]')).map(img => img.src),
  };
}"""


def fill_article(post: Post, data: dict[str, Any], sources: dict[str, str]) -> None:
    """Title, body and images of an X Article; the post's frame gave author, time and counts."""
    post.kind = "article"
    if data["title"]:
        post.title = data["title"]
        sources["title"] = f"dom:{TITLE}"
    if data["body"]:
        post.text = data["body"]
        sources["text"] = f'dom:{READ_VIEW} [data-block="true"]'
    known = {m.url for m in post.media}
    for url in data["images"]:
        if url not in known:
            known.add(url)
            post.media.append(Media(kind="image", url=url))
            sources["media"] = f"dom:{READ_VIEW} img"
