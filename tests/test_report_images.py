"""How the report shows images: unchanged when they fit a page, tall ones cut into page-sized parts."""

from __future__ import annotations

import base64
import io

from PIL import Image

from archiver.report_images import MAX_PARTS, PART_ASPECT, show_image


def gradient_png(width: int, height: int) -> bytes:
    image = Image.new("RGB", (width, height))
    image.putdata([(x % 256, (y // 7) % 256, 90) for y in range(height) for x in range(width)])
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def decoded(uri: str) -> Image.Image:
    header, payload = uri.split(",", 1)
    assert header == "data:image/png;base64"
    return Image.open(io.BytesIO(base64.b64decode(payload))).convert("RGB")


def test_small_image_is_embedded_unchanged() -> None:
    data = gradient_png(300, 200)
    shown = show_image("post.png", data)
    assert shown.parts == ["data:image/png;base64," + base64.b64encode(data).decode()]
    assert (shown.width, shown.height) == (300, 200) and "unchanged" in shown.note


def test_tall_screenshot_is_cut_into_page_parts_that_add_up() -> None:
    data = gradient_png(400, 1500)
    original = Image.open(io.BytesIO(data)).convert("RGB")
    shown = show_image("screenshot.png", data)
    part_height = int(400 * PART_ASPECT)
    assert len(shown.parts) == 3 and f"cut into 3 parts of at most {part_height} px" in shown.note
    parts = [decoded(p) for p in shown.parts]
    assert [p.size for p in parts] == [(400, part_height), (400, part_height), (400, 1500 - 2 * part_height)]
    top = 0
    for part in parts:  # stacked again, the parts are the original, pixel for pixel
        assert part.tobytes() == original.crop((0, top, 400, top + part.height)).tobytes()
        top += part.height


def test_very_tall_image_shows_the_top_and_says_so() -> None:
    height = int(100 * PART_ASPECT) * (MAX_PARTS + 3)
    shown = show_image("screenshot.png", gradient_png(100, height))
    assert len(shown.parts) == MAX_PARTS
    assert f"only the top {MAX_PARTS * int(100 * PART_ASPECT)} of {height} px are shown" in shown.note


def test_wide_image_is_scaled_and_garbage_is_not_shown() -> None:
    shown = show_image("media/01.png", gradient_png(2400, 300))
    assert decoded(shown.parts[0]).size == (1600, 200) and "scaled to 1600 px wide" in shown.note
    broken = show_image("media/02.png", b"\x89PNG\r\n\x1a\nnot really")
    assert broken.parts == [] and broken.note.startswith("not displayed")
