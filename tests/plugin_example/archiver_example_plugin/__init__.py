"""A third-party plugin: claims URLs of plugin-example.test and reads its one post."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from archiver import PageContext, Platform, PlatformMatch, Post, hookimpl

__version__ = "0.0.1"
HOST = "plugin-example.test"


def match_url(url: str) -> PlatformMatch | None:
    if urlsplit(url).hostname != HOST:
        return None
    return PlatformMatch(platform="example", canonical_url=url.split("?")[0], kind="post")


async def extract_post(ctx: PageContext) -> Post | None:
    text = await ctx.page.inner_text("#post")
    return Post(platform="example", url=ctx.url, text=text.strip(),
                extraction={"plugin": "example", "version": __version__, "sources": {"text": "dom:#post"}})


async def post_element(ctx: PageContext) -> str | None:
    return "#post"


@hookimpl
def register_platforms(register: Callable[[Platform], None]) -> None:
    register(Platform(name="example", match_url=match_url, extract_post=extract_post,
                      post_element=post_element))
