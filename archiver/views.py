"""What the browser shows: screenshots and the rendered DOM."""

from __future__ import annotations

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from archiver.capture import Capture
from archiver.secrets import scrub

SHOT_TIMEOUT_MS = 30_000


async def full_screenshot(page: Page, capture: Capture) -> bytes | None:
    cap = capture.settings.screenshot_max_height
    try:
        height = int(await page.evaluate(
            "() => Math.max(document.documentElement.scrollHeight,"
            " document.body ? document.body.scrollHeight : 0)"
        ))
    except PlaywrightError:
        height = 0
    info: dict[str, object] = {"page_height": height, "height_cap": cap}
    try:
        if height > cap:
            info["truncated"] = True
            capture.notes.append(f"full-page screenshot cut at {cap}px of {height}px")
            shot = await page.screenshot(
                full_page=True, timeout=SHOT_TIMEOUT_MS,
                clip={"x": 0, "y": 0, "width": capture.settings.viewport_width, "height": cap},
            )
        else:
            info["truncated"] = False
            shot = await page.screenshot(full_page=True, timeout=SHOT_TIMEOUT_MS)
    except PlaywrightError as exc:
        capture.limits_hit.append(f"screenshot failed: {str(exc).splitlines()[0]}")
        return None
    capture.extra["screenshot"] = info
    return shot


async def element_screenshot(page: Page, selector: str, capture: Capture) -> bytes | None:
    try:
        element = await page.query_selector(selector)
        if element is None:
            capture.notes.append(f"post element {selector!r} not found for its screenshot")
            return None
        return await element.screenshot(timeout=SHOT_TIMEOUT_MS)
    except PlaywrightError as exc:
        capture.notes.append(f"post screenshot failed: {str(exc).splitlines()[0]}")
        return None


async def dom_snapshot(page: Page, secrets: list[str]) -> bytes | None:
    try:
        html = await page.content()
    except PlaywrightError:
        return None
    return scrub(html, secrets).encode("utf-8")
