"""Signals on real photographs (tests/fixtures/images, SOURCES.txt there): each transformed copy
made here matches its original, no two different photographs match; text and video signatures."""

from __future__ import annotations

import hashlib
import io
import itertools
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageOps

from archiver.crop_windows import cuts
from archiver.image_signals import DIHEDRAL, ImageSignals, PdqRule, image_signals, match_images
from archiver.text_signature import normalise, similar_texts, text_signature, text_similarity
from archiver.video_signals import Frame, match_videos, video_signals

IMAGES = Path(__file__).parent / "fixtures" / "images"
PHOTOS = sorted(p.name for p in IMAGES.iterdir() if p.suffix in (".jpg", ".png"))
Transform = Callable[[Image.Image], Image.Image]


def encoded(image: Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def cut(image: Image.Image, left: float, top: float, right: float, bottom: float) -> Image.Image:
    width, height = image.size
    return image.crop((round(width * left), round(height * top),
                       round(width * (1 - right)), round(height * (1 - bottom))))


def banner(image: Image.Image) -> Image.Image:
    """A mirror channel's name in a band across the bottom, as re-posters stamp them."""
    marked = image.copy()
    width, height = marked.size
    pen = ImageDraw.Draw(marked)
    pen.rectangle((0, height - height // 12, width, height), fill=(0, 0, 0))
    pen.text((10, height - height // 14), "t.me/mirror_channel_2", fill=(255, 255, 255),
             font_size=max(10, height // 20))
    return marked


TRANSFORMS: dict[str, Transform] = {
    "jpeg-quality-40": lambda im: Image.open(io.BytesIO(encoded(im, quality=40))),
    "resized-to-half": lambda im: im.resize((im.width // 2, im.height // 2)),
    "trimmed-1-percent": lambda im: cut(im, 0.005, 0.005, 0.005, 0.005),
    "text-banner": banner,
    "flipped": lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
    "rotated-90": lambda im: im.transpose(Image.Transpose.ROTATE_90),
    "greyscale": lambda im: im.convert("L").convert("RGB"),
    "thin-border": lambda im: ImageOps.expand(im, border=4, fill=(255, 255, 255)),
}
# 10% cut off two sides: each pair of adjacent sides, and each pair of opposite sides.
for first, second in itertools.combinations(range(4), 2):
    sides = [0.0] * 4
    sides[first] = sides[second] = 0.10
    TRANSFORMS[f"cut-10-percent-{'LTRB'[first]}{'LTRB'[second]}"] = (
        lambda im, s=tuple(sides): cut(im, *s))


@cache
def original(name: str) -> ImageSignals:
    signals = image_signals((IMAGES / name).read_bytes())
    assert signals is not None
    return signals


def test_fixtures_are_at_least_six_real_photographs() -> None:
    assert len(PHOTOS) >= 6
    listed = (IMAGES / "SOURCES.txt").read_text()
    assert all(name in listed for name in PHOTOS)


@pytest.mark.parametrize("transform", TRANSFORMS)
def test_a_transformed_copy_matches_its_original(transform: str) -> None:
    for name in PHOTOS:
        with Image.open(IMAGES / name) as opened:
            copy = TRANSFORMS[transform](opened.convert("RGB"))
        query = image_signals(encoded(copy))
        assert query is not None
        found = match_images(query, original(name))
        assert found is not None, f"{transform} of {name} did not match"
        assert found.distance <= 31 and found.rule == PdqRule(31, 50)
        if transform.startswith("cut-"):
            assert found.how == "pdq-window"


def test_no_two_different_photographs_match() -> None:
    pairs = list(itertools.combinations(PHOTOS, 2))
    assert len(pairs) == 28
    for a, b in pairs:
        assert match_images(original(a), original(b)) is None, (a, b)
        assert match_images(original(b), original(a)) is None, (b, a)


def test_signals_of_an_image() -> None:
    data = (IMAGES / "coins.png").read_bytes()
    signals = original("coins.png")
    assert signals.sha256 == hashlib.sha256(data).hexdigest()
    assert len(signals.md5) == 32 and len(signals.pdq.hex) == 64 and signals.pdq.hex.islower()
    assert signals.pdq.labelled() == "pdq:" + signals.pdq.hex
    assert len(signals.dihedral) == len(DIHEDRAL) == 8 and signals.dihedral[0] == signals.pdq.hex
    assert [w.cut for w in signals.windows] == cuts((0.10,)) and len(signals.windows) == 11
    record = signals.record()
    assert record["pdq_dihedral"]["original"] == signals.pdq.hex
    # The exact copy matches by its digest before any perceptual hash.
    found = match_images(signals, signals)
    assert found and found.how == "sha256" and found.distance == 0


def test_leading_zeros_are_kept() -> None:
    """Some tools write PDQ as an integer and lose its leading zeros; ours is always 64 digits,
    and some of these hashes do start with a zero digit."""
    hexes = [original(name).pdq.hex for name in PHOTOS]
    assert all(len(h) == 64 for h in hexes)
    assert any(h.startswith("0") for signals in map(original, PHOTOS) for h in signals.dihedral)


def test_quality_below_the_rule_is_not_matched() -> None:
    flat, png = Image.new("RGB", (300, 200), (128, 128, 128)), io.BytesIO()
    flat.save(png, "PNG")
    signals, other = image_signals(encoded(flat)), image_signals(png.getvalue())
    assert signals and other and signals.pdq.quality < 50 and signals.sha256 != other.sha256
    assert match_images(signals, other) is None
    assert match_images(signals, other, PdqRule(max_distance=31, min_quality=0)) is not None


def test_undecodable_bytes_have_no_image_signals() -> None:
    assert image_signals(b"<html>not an image</html>") is None


ARABIC = ("الإعلانُ الرسمي للدولة الإسلامية، ولاية خراسان: بيان رقم ١٢٣ https://t.me/amaq_x @amaq",
          "الاعلان الرسمى للدوله الاسلاميه - ولايـــة خراسان بيان رقم 123 http://bit.ly/3xYz")
URDU = ("یہ ہماری آواز ہے، ۱۲ جولائی کو سب شامل ہوں۔ جماعت کا پیغام",
        "يه هماري آواز هے ١٢ جولائي كو سب شامل هوں جماعت كا پيغام")
PASHTO = ("زموږ پیغام ټولو ته ورسوئ، ۲۰۲۴ کال کې",
          "زموږ پيغام ټولو ته ورسوي ٢٠٢٤ كال كې")
LATIN = ("JOIN the Caliphate's voice — Résumé of today's statement: https://x.com/a/1",
         "join the caliphates voice resume of todays statement www.example.org/post")
UNRELATED = (
    "توقعات الطقس ليوم غد: أمطار خفيفة على المناطق الساحلية",
    "کراچی میں آج موسم گرم رہے گا اور بارش کا امکان نہیں",
    "Match report: the home side won two goals to one after extra time",
    "وزارة الصحة تعلن عن حملة تطعيم جديدة للأطفال في المدارس",
)


@pytest.mark.parametrize("pair", [ARABIC, URDU, PASHTO, LATIN], ids=["arabic", "urdu", "pashto", "latin"])
def test_a_re_typed_post_matches(pair: tuple[str, str]) -> None:
    a, b = map(text_signature, pair)
    assert similar_texts(a, b), (normalise(pair[0]), normalise(pair[1]), text_similarity(a, b))


def test_unrelated_posts_do_not_match() -> None:
    texts = [ARABIC[0], URDU[0], PASHTO[0], LATIN[0], *UNRELATED]
    for a, b in itertools.combinations(texts, 2):
        assert text_similarity(text_signature(a), text_signature(b)) < 0.2, (a, b)


def test_normalisation() -> None:
    assert normalise("أإآٱ ى ی ک ہ ة ـــ ٣ ۴ 5 https://a.b/c @someone Café") == "اااا ي ي ك ه ه 3 4 5 cafe"


def test_text_signature_round_trips_as_hex() -> None:
    signature = text_signature(URDU[0])
    assert type(signature).from_hex(signature.hex()) == signature


def slideshow(names: list[str], size: tuple[int, int]) -> bytes:
    """An H.264 video showing each photo for one second, slowly zooming (so frames differ)."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for name in names:
            with Image.open(IMAGES / name) as opened:
                photo = opened.convert("RGB")
            for step in range(10):
                frame = cut(photo, step / 200, step / 200, step / 200, step / 200).resize(size)
                container.mux(stream.encode(av.VideoFrame.from_image(frame)))
        container.mux(stream.encode())
    return buffer.getvalue()


def test_a_re_encoded_video_matches_and_another_does_not() -> None:
    video = video_signals(slideshow(PHOTOS[:5], (320, 240)))
    smaller = video_signals(slideshow(PHOTOS[:5], (160, 120)))
    other = video_signals(slideshow(PHOTOS[3:], (320, 240)))
    assert video and smaller and other
    assert [round(frame.timestamp) for frame in video.frames] == [0, 1, 2, 3, 4]
    assert all(Frame.parse(text) == frame for text, frame in zip(video.vpdq(), video.frames, strict=True))
    found = match_videos(smaller, video)
    assert found and found.query_share == 1.0 and found.record()["rule"]["min_query_share"] == 0.8
    # Two of five photos shared: 40% of the query's frames, below the 80% rule.
    assert match_videos(other, video) is None
    assert match_videos(other, video, min_share=0.4) is not None
    assert video_signals(b"<html>not a video</html>") is None
