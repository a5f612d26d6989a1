"""An Instagram post as the rendered page shows it in its <article>.

The caption is the first item of the article's comment list, its author in an <h2> (comments
name theirs in an <h3>); the permalink's <time datetime> is the exact time of posting; the
"liked_by" link holds the exact like count; the post's pictures and videos are the article's
<img> and <video> elements other than account avatars. Class names are Instagram's generated
ones and change, so none is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from archiver.models import Media, Post

from .counts import parse_count

if TYPE_CHECKING:
    from playwright.async_api import Page


ARTICLE_JS = """(postId) => {
  const article = document.querySelector('article');
  if (!article) return null;
  const header = article.querySelector('header');
  const author = header && header.querySelector('a[href]');
  const captionAuthor = article.querySelector('li h2');
  const caption = captionAuthor && captionAuthor.parentElement.querySelector(':scope > span');
  const times = Array.from(article.querySelectorAll('time[datetime]'));
  const permalink = times.find(t => {
    const link = t.closest('a[href]');
    return link && link.pathname.endsWith('/' + postId + '/');
  });
  const time = permalink || times[0];
  const likes = article.querySelector('a[href$="/liked_by/"] span');
  const media = [];
  for (const el of article.querySelectorAll('img, video')) {
    if (el.closest('header') || el.getAttribute('data-testid') === 'user-avatar') continue;
    const url = el.currentSrc || el.src;
    // A blob: address is the player's stream, not a file the recorder saw.
    if (url && !url.startsWith('blob:')) media.push([el.tagName === 'VIDEO' ? 'video' : 'image', url]);
  }
  return {author: author ? author.href : null,
          verified: !!(header && header.querySelector('[title="Verified"]')),
          caption: caption ? caption.innerText : null,
          datetime: time ? time.getAttribute('datetime') : null,
          likes: likes ? likes.innerText : null, media};
}"""


async def fill_from_article(page: Page, post: Post, sources: dict[str, str]) -> list[Media]:
    """Fill what the rendered article shows (it beats the meta tags); the media it displays."""
    article: dict[str, Any] | None = await page.evaluate(ARTICLE_JS, post.post_id or "")
    if not article:
        return []
    handle = [s for s in urlsplit(article["author"] or "").path.split("/") if s]
    if handle:
        post.author.handle, sources["author.handle"] = handle[0], "dom:article header a"
    if article["verified"]:
        post.author.verified, sources["author.verified"] = True, "dom:article header [title=Verified]"
    caption = (article["caption"] or "").strip()
    if caption:
        post.text, sources["text"] = caption, "dom:article li h2 + span"
    if article["datetime"]:
        post.published_at, sources["published_at"] = article["datetime"], "dom:article time[datetime]"
    likes = parse_count(article["likes"])
    if likes is not None:
        post.counts.likes, sources["counts.likes"] = likes, "dom:article a[href$=liked_by] span"
    if article["media"]:
        sources["media"] = "dom:article img, video"
    return [Media(kind=kind, url=url) for kind, url in article["media"]]
