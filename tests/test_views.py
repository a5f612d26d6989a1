"""The full-page screenshot taken through DevTools: the same pixels as Playwright's own."""

from __future__ import annotations

import io

from PIL import Image, ImageChops

from archiver.views import chromium_full_page_png

TALL_PAGE = """<!doctype html><body style="margin:0;font:16px sans-serif">
<div style="height:2600px;background:linear-gradient(#c00,#00c)"></div>
<p>bottom line, far below the first screen</p></body>"""


def test_devtools_screenshot_has_the_pixels_of_playwrights_full_page_screenshot(engine) -> None:  # type: ignore[no-untyped-def]
    async def both() -> tuple[bytes, bytes | None, bytes | None]:
        context = await engine.engine.browser.new_context(viewport={"width": 800, "height": 600})
        try:
            page = await context.new_page()
            await page.set_content(TALL_PAGE)
            reference = await page.screenshot(full_page=True)
            ours = await chromium_full_page_png(page, 100_000)
            cut = await chromium_full_page_png(page, 1000)
            return reference, ours, cut
        finally:
            await context.close()

    reference, ours, cut = engine.call(both())
    assert ours is not None and cut is not None
    expected = Image.open(io.BytesIO(reference)).convert("RGB")
    got = Image.open(io.BytesIO(ours)).convert("RGB")
    assert got.size == expected.size and got.size[1] > 2600
    assert ImageChops.difference(expected, got).getbbox() is None  # not one pixel differs
    cut_image = Image.open(io.BytesIO(cut)).convert("RGB")
    assert cut_image.size == (expected.size[0], 1000)
    assert ImageChops.difference(expected.crop((0, 0, expected.size[0], 1000)), cut_image).getbbox() is None
