"""Video signals: the PDQ of one frame a second, in vPDQ's form and with vPDQ's match rule.

Meta's vpdq package does not install from PyPI alone (it builds against the system's FFmpeg
development libraries through pkg-config and cmake), so this is an equivalent computed with
PyAV, whose wheels carry FFmpeg: the first frame at or after each whole second, hashed by the
same PDQ as images, written as vPDQ's `hex,quality,timestamp` frames. Rule, as
python-threatexchange's vPDQ matcher: frames of quality < 50 are dropped, frames with the same
hash count once, and two videos match when >= 80% of the query's frames are within distance 31
of some frame of the other.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from archiver.image_signals import PdqRule
from archiver.imagehashes import hamming_hex, pdq_of

SECONDS_PER_FRAME = 1.0
META = PdqRule()
MATCH_SHARE = 0.8
ALGORITHM = "vpdq-equivalent: PDQ of the first frame at or after each second, decoded by PyAV"


@dataclass(frozen=True)
class Frame:
    hex: str
    quality: int
    timestamp: float

    def __str__(self) -> str:
        return f"{self.hex},{self.quality},{round(self.timestamp, 3)}"

    @classmethod
    def parse(cls, text: str) -> Frame:
        hex_digest, quality, timestamp = text.split(",")
        return cls(hex_digest, int(quality), float(timestamp))


@dataclass(frozen=True)
class VideoSignals:
    md5: str
    sha256: str
    frames: tuple[Frame, ...]

    def vpdq(self) -> list[str]:
        """The frames as python-threatexchange writes a vPDQ (a JSON list of these strings)."""
        return [str(frame) for frame in self.frames]


@dataclass(frozen=True)
class VideoMatch:
    query_share: float
    candidate_share: float
    rule: PdqRule
    min_share: float

    def record(self) -> dict[str, Any]:
        return {"query_share": round(self.query_share, 4),
                "candidate_share": round(self.candidate_share, 4),
                "rule": {**self.rule.record(), "min_query_share": self.min_share}}


def video_signals(data: bytes, seconds: float = SECONDS_PER_FRAME) -> VideoSignals | None:
    """The signals of an encoded video, or None if FFmpeg finds no video stream in it."""
    if not has_video(data):
        return None
    frames = tuple(video_frames(data, seconds))
    return VideoSignals(hashlib.md5(data).hexdigest(), hashlib.sha256(data).hexdigest(), frames)


def has_video(data: bytes) -> bool:
    import av

    try:
        with av.open(io.BytesIO(data)) as container:
            return bool(container.streams.video)
    except av.FFmpegError:
        return False


def video_frames(data: bytes, seconds: float = SECONDS_PER_FRAME) -> list[Frame]:
    import av
    from PIL import Image

    found: list[Frame] = []
    next_at = 0.0
    with av.open(io.BytesIO(data), mode="r") as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            if frame.time is None or frame.time < next_at:
                continue
            hex_digest, quality = pdq_of(Image.fromarray(frame.to_ndarray(format="rgb24")))
            found.append(Frame(hex_digest, quality, frame.time))
            while next_at <= frame.time:
                next_at += seconds
    return found


def usable(frames: tuple[Frame, ...] | list[Frame], rule: PdqRule) -> list[Frame]:
    seen: set[str] = set()
    kept = []
    for frame in frames:
        if frame.hex not in seen and rule.accepts(frame.quality):
            seen.add(frame.hex)
            kept.append(frame)
    return kept


def share_matched(frames: list[Frame], others: list[Frame], rule: PdqRule) -> float:
    if not frames:
        return 0.0
    matched = sum(1 for frame in frames
                  if any(hamming_hex(frame.hex, other.hex) <= rule.max_distance for other in others))
    return matched / len(frames)


def match_videos(query: VideoSignals, candidate: VideoSignals, rule: PdqRule = META,
                 min_share: float = MATCH_SHARE) -> VideoMatch | None:
    """A match when at least `min_share` of the query's usable frames match the candidate's."""
    mine, theirs = usable(query.frames, rule), usable(candidate.frames, rule)
    query_share = share_matched(mine, theirs, rule)
    if not mine or query_share < min_share:
        return None
    return VideoMatch(query_share, share_matched(theirs, mine, rule), rule, min_share)
