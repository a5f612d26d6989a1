"""The capture benchmark's baseline: a bare Playwright script doing what a capture's browser does.

    python bench/bare_playwright.py URL HOST:ADDR:PORT EXECUTABLE [CHROMIUM_FLAG ...]

Launches EXECUTABLE headless with the given flags, maps HOST to ADDR:PORT, opens a context, loads
URL, waits for the network to go quiet, takes a full-page screenshot and closes. It imports
nothing of the archiver, so timed as a whole process it costs what a user's own script would.
"""

from __future__ import annotations

import asyncio
import sys

from playwright.async_api import async_playwright


async def load_and_screenshot(url: str, host_map: str, executable: str, flags: list[str]) -> None:
    host, addr, port = host_map.split(":")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=executable, headless=True,
            args=[*flags, f"--host-resolver-rules=MAP {host} {addr}:{port}"])
        context = await browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 900})
        page = await context.new_page()
        await page.goto(url, wait_until="load")
        await page.wait_for_load_state("networkidle")
        await page.screenshot(full_page=True)
        await browser.close()


if __name__ == "__main__":
    asyncio.run(load_and_screenshot(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]))
