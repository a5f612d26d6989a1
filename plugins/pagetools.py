"""Page helpers platform plugins share: meta tags, scrolling, waiting for media."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

# The class playwright.async_api re-exports, without loading that whole API (half a second)
# for commands that never open a browser.
from playwright._impl._errors import Error as PlaywrightError

from archiver import __version__
from archiver.models import Post
from archiver.page_context import PageContext

if TYPE_CHECKING:
    from playwright.async_api import Page


META_JS = """() => {
  const out = {};
  for (const m of document.querySelectorAll('meta[property], meta[name], meta[itemprop]')) {
    const key = m.getAttribute('property') || m.getAttribute('name') || m.getAttribute('itemprop');
    if (key && !(key in out)) out[key] = m.getAttribute('content');
  }
  return out;
}"""

SCROLL_JS = """async (maxSteps) => {
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  let steps = 0;
  while (steps < maxSteps && window.scrollY + window.innerHeight < document.body.scrollHeight) {
    window.scrollBy(0, window.innerHeight);
    steps++;
    await sleep(50);
  }
  window.scrollTo(0, 0);
  return steps;
}"""

IMAGES_DONE_JS = """() => Array.from(document.images).every(img => img.complete)"""


async def meta_tags(page: Page) -> dict[str, str]:
    result: dict[str, Any] = await page.evaluate(META_JS)
    return {k: v for k, v in result.items() if isinstance(v, str)}


async def scroll_through(page: Page, max_steps: int = 20) -> None:
    """Scroll a page down and back so lazy images and posts load, within a few seconds."""
    # A page that navigates away mid-scroll has nothing left to scroll.
    with contextlib.suppress(PlaywrightError):
        await page.evaluate(SCROLL_JS, max_steps)


async def wait_for_quiet(page: Page, timeout: float) -> bool:
    """Wait for network idle and loaded images; False when the time ran out first."""
    if timeout <= 0:
        return False
    try:
        await page.wait_for_load_state("networkidle", timeout=timeout * 1000)
        await page.wait_for_function(IMAGES_DONE_JS, timeout=max(timeout * 500, 1000))
    except PlaywrightError:
        return False
    return True


async def first_present(page: Page, *selectors: str) -> str | None:
    """The first selector that matches an element of the page (the post to screenshot)."""
    for selector in selectors:
        if await page.query_selector(selector) is not None:
            return selector
    return None


def note_entity_sources(post: Post, sources: dict[str, str], source: str) -> None:
    """Record where the hashtags, mentions and links that were found came from."""
    for name in ("hashtags", "mentions", "links"):
        if getattr(post, name):
            sources[name] = source


async def first_attribute(page: Page, selector: str, name: str) -> str | None:
    element = await page.query_selector(selector)
    if element is None:
        return None
    return await element.get_attribute(name)


async def settle_generic(page: Page, timeout: float) -> bool:
    """The generic settle: scroll through, then wait for quiet. False if the time ran out."""
    try:
        await asyncio.wait_for(scroll_through(page), timeout=max(timeout / 2, 0.5))
    except TimeoutError:
        return False
    return await wait_for_quiet(page, timeout / 2)




def new_post(ctx: PageContext) -> tuple[Post, dict[str, str], list[str]]:
    """An empty post for this capture, with its extraction record's sources and notes to fill."""
    match = ctx.match
    post = Post(platform=ctx.match.platform, url=ctx.url, canonical_url=match.canonical_url,
                post_id=match.post_id, kind=match.kind)
    sources: dict[str, str] = {}
    notes: list[str] = []
    post.extraction = {"plugin": ctx.match.platform, "version": __version__, "sources": sources,
                       "notes": notes}
    return post, sources, notes
