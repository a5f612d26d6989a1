"""Printing the report's HTML to PDF with the same Chromium the captures use."""

from __future__ import annotations

import asyncio
import html
from pathlib import Path

from playwright.async_api import PdfMargins, Route, async_playwright

from archiver.browser import find_browser, launch

MARGINS: PdfMargins = {"top": "12mm", "bottom": "16mm", "left": "12mm", "right": "12mm"}


def _footer(title: str) -> str:
    return ('<div style="font-size:7pt;width:100%;text-align:center;color:#444;'
            'font-family:DejaVu Sans,Arial,sans-serif">'
            f'{html.escape(title)} &middot; page <span class="pageNumber"></span> of '
            '<span class="totalPages"></span></div>')


async def _refuse(route: Route) -> None:
    await route.abort()


async def _print(document: str, title: str, browser_path: Path | None) -> bytes:
    async with async_playwright() as playwright:
        browser = await launch(playwright, find_browser(playwright, browser_path))
        try:
            # The document is self-contained: no scripts run and nothing is fetched while printing.
            context = await browser.new_context(java_script_enabled=False)
            await context.route("**/*", _refuse)
            page = await context.new_page()
            await page.set_content(document, wait_until="load")
            return await page.pdf(format="A4", print_background=True, margin=MARGINS,
                                  display_header_footer=True, header_template="<span></span>",
                                  footer_template=_footer(title))
        finally:
            await browser.close()


def html_to_pdf(document: str, title: str, browser_path: Path | None = None) -> bytes:
    return asyncio.run(_print(document, title, browser_path))
