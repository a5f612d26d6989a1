"""Printed shell commands break only between words, and paste back as the same command."""

from __future__ import annotations

import shlex
import subprocess

import pytest

from archiver.shell_lines import continued, quoted, words

COMMANDS = [
    "openssl pkeyutl -verify -pubin -inkey signer.pub.pem -rawin -in manifest.jcs -sigfile manifest.sig",
    "python3 -c 'import json,sys,rfc8785;sys.stdout.buffer.write(rfc8785.dumps(json.load(sys.stdin.buffer)))'"
    " < manifest.json | cmp - manifest.jcs",
    'printf "%s %s\\n" "a quoted \\"argument\\" with spaces" a\\ b   c',
    "echo '" + "x " * 60 + "' done",
    "wb-manager init c && wb-manager add c capture.warc.gz && wayback",
]


def pasted(printed: str) -> str:
    """What a shell runs: each backslash-newline taken out (POSIX line continuation)."""
    return printed.replace("\\\n", "")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("width", [20, 40, 96])
def test_a_continued_command_is_the_same_command(command: str, width: int) -> None:
    printed = continued(command, width)
    assert shlex.split(pasted(printed)) == shlex.split(command)
    lines = printed.split("\n")
    assert all(line.endswith(" \\") for line in lines[:-1]) and not lines[-1].endswith("\\")
    for line in lines:  # only a word longer than the line may make it longer
        assert len(line) <= width or len(words(line.removesuffix(" \\"))) == 1, line


def test_short_commands_are_left_alone_and_quoted_words_stay_whole() -> None:
    assert continued("sha256sum manifest.json") == "sha256sum manifest.json"
    printed = continued("cmd '" + "y " * 30 + "' tail", width=20)
    assert printed.split("\n") == ["cmd \\", "  '" + "y " * 30 + "' \\", "  tail"]


def test_the_shell_runs_what_was_printed() -> None:
    command = 'printf "[%s]" "two  spaces" one\\ word ' + " ".join(f"w{i}" for i in range(40))
    printed = continued(command, width=30)
    assert "\n" in printed
    ran = subprocess.run(["bash", "-c", printed], capture_output=True, text=True, check=True)
    assert ran.stdout == "[two  spaces][one word]" + "".join(f"[w{i}]" for i in range(40))


def test_a_hostile_value_is_one_word() -> None:
    hostile = "01a2; rm -rf ~ $(id) 'x'"
    printed = continued("archiver verify " + quoted(hostile), width=20)
    assert shlex.split(pasted(printed)) == ["archiver", "verify", hostile]


@pytest.mark.parametrize("broken", ["echo 'open", 'echo "open', "echo trailing\\"])
def test_an_incomplete_command_is_refused(broken: str) -> None:
    with pytest.raises(ValueError, match="not a complete shell command"):
        words(broken)


def test_a_multi_line_command_is_refused() -> None:
    with pytest.raises(ValueError, match="one command on one line"):
        continued("cat <<EOF\nx\nEOF")
