"""docs/cli.md documents every command, every option, every setting and every exit code there is."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from archiver.cli import cli
from archiver.config import SETTINGS
from archiver.errors import EXIT_CODES

CLI_MD = (Path(__file__).parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")


def commands() -> Iterator[tuple[str, click.Command, click.Context]]:
    root = click.Context(cli, info_name="archiver")

    def walk(group: click.Group, path: str, ctx: click.Context) -> Iterator[tuple[str, click.Command,
                                                                                 click.Context]]:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None, name
            sub = click.Context(command, info_name=name, parent=ctx)
            if isinstance(command, click.Group):
                yield from walk(command, f"{path} {name}", sub)
            else:
                yield f"{path} {name}", command, sub

    yield from walk(cli, "archiver", root)


def section(heading: str) -> str:
    parts = CLI_MD.split(f"\n### {heading}\n", 1)
    assert len(parts) == 2, f"docs/cli.md has no section '### {heading}'"
    return parts[1].split("\n### ", 1)[0]


@pytest.mark.parametrize(("path", "command", "ctx"), list(commands()),
                         ids=[path for path, _, _ in commands()])
def test_every_command_and_option_is_documented(path: str, command: click.Command, ctx: click.Context) -> None:
    body = section(path)
    options = {opt for param in command.get_params(ctx) if isinstance(param, click.Option)
               for opt in param.opts if opt.startswith("--") and opt != "--help"}
    assert {opt for opt in options if not re.search(rf"`{re.escape(opt)}[ `]", body)} == set()


def test_every_setting_and_exit_code_is_documented() -> None:
    settings = CLI_MD.split("## Settings", 1)[1].split("\n## ", 1)[0]
    for setting in SETTINGS:
        assert f"| `{setting.key}` | `{setting.env}` |" in settings
    codes = CLI_MD.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    assert {int(code): meaning for code, meaning in re.findall(r"^\| (\d+) \| ([^|]+?) \|$", codes, re.M)} == \
        EXIT_CODES
