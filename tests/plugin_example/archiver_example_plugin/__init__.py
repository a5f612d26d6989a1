"""A third-party plugin: claims URLs of plugin-example.test and reads its one post."""

from __future__ import annotations

from urllib.parse import urlsplit

from archiver import PlatformMatch, Post, hookimpl

__version__ = "0.0.1"
HOST = "plugin-example.test"


@hookimpl
def match_url(url: str) -> PlatformMatch | None:
    if urlsplit(url).hostname != HOST:
        return None
    return PlatformMatch(platform="example", canonical_url=url.split("?")[0], kind="post")


@hookimpl
async def extract_post(page, capture) -> Post | None:  # type: ignore[no-untyped-def]
    if capture.platform != "example":
        return None
    text = await page.inner_text("#post")
    return Post(platform="example", url=capture.url, text=text.strip(),
                extraction={"plugin": "example", "version": __version__, "sources": {"text": "dom:#post"}})


@hookimpl
async def post_element(page, capture) -> str | None:  # type: ignore[no-untyped-def]
    return "#post" if capture.platform == "example" else None
