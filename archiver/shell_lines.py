"""Shell commands laid out for print: broken into lines only between words, with ``\\`` continuations.

A printed command is copied from a PDF and pasted into a terminal. If the printer wraps it, the line
break lands inside an argument or ends the command early; if the command itself says where it goes on
(a backslash at the end of the line), the pasted text is the same command as the one printed.
"""

from __future__ import annotations

import shlex

# Columns of a command block in the court report (7.5 pt monospace fits about 105 on an A4 page).
WIDTH = 96
INDENT = "  "
CONTINUATION = " \\"


def words(command: str) -> list[str]:
    """``command`` cut where a shell splits words (spaces outside quotes, not escaped), words as written."""
    out: list[str] = []
    current = ""
    quote = ""
    escaped = False
    for char in command:
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":  # between single quotes a backslash is itself
            escaped = True
        elif quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == " ":
            if current:
                out.append(current)
            current = ""
            continue
        current += char
    if quote or escaped:
        raise ValueError(f"not a complete shell command: {command!r}")
    return [*out, current] if current else out


def continued(command: str, width: int = WIDTH) -> str:
    """``command`` in lines of at most ``width`` columns where it can be, each but the last ending in `` \\``.

    A word longer than a line is left whole on a line of its own: a long line is better than a broken word.
    """
    if "\n" in command:
        raise ValueError("one command on one line: lay out a here-document by hand")
    lines: list[str] = []
    line = ""
    for word in words(command):
        if line and len(line) + 1 + len(word) + len(CONTINUATION) > width:
            lines.append(line + CONTINUATION)
            line = INDENT + word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join([*lines, line])


def quoted(value: object) -> str:
    """``value`` as one shell word: a bundle id or file name from a manifest may be hostile."""
    return shlex.quote(str(value))
