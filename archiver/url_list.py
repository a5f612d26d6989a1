"""The URLs of a ``--from`` file, and the lines that cannot be captured, with their ``file:line``
and why."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from archiver.errors import ArchiverError
from archiver.netguard import BadURLError, validate_url


@dataclass(frozen=True)
class RefusedLine:
    source: str  # file:line
    text: str
    reason: str

    def line(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass
class UrlList:
    urls: list[str]
    refused: list[RefusedLine]


def read_url_file(path: Path) -> UrlList:
    """One URL a line; blank lines and ``#`` comments skipped. A bad line is refused with its
    ``file:line``, and the others are kept."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except IsADirectoryError:
        raise ArchiverError(f"--from {path} is a folder; give a file with one URL a line") from None
    except UnicodeDecodeError as exc:
        raise ArchiverError(f"--from {path} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise ArchiverError(f"cannot read --from file {path}: {exc.strerror}") from None
    found = UrlList([], [])
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        source = f"{path}:{number}"
        try:
            found.urls.append(validate_url(line))
        except BadURLError as exc:
            found.refused.append(RefusedLine(source, line, exc.format_message()))
    return found
