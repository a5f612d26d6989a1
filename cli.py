"""The ``archiver`` command line (installed as ``archiver.cli``)."""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import sys

import click

from archiver.errors import EXIT_CODES
from archiver.plugin_manager import get_plugin_manager

# Built-in commands by name, imported only when used: `archiver verify` need not load
# Playwright, mitmproxy or the PDF code.
BUILTIN_COMMANDS = {
    "capture": "capture_cmd", "verify": "verify_cmd", "show": "show_cmd", "plugins": "plugins_cmd",
    "push": "push_cmd", "ls": "ls_cmd", "keys": "keys_cmd", "custody": "custody_cmd",
    "timestamp": "timestamp_cmd", "report": "report_cmd", "export": "export_cmd", "ledger": "ledger_cmd",
    "bank": "bank_cmd", "index": "index_cmd", "match": "match_cmd", "mirrors": "mirrors_cmd",
    "worker": "worker_cmd",
    "serve": "serve_cmd", "users": "users_cmd", "tokens": "tokens_cmd",
}


class ArchiverGroup(click.Group):
    """Built-in commands load on first use; plugin commands are added when asked for,
    honouring --disable-plugin."""

    def _load_plugin_commands(self, ctx: click.Context) -> None:
        if getattr(self, "_plugins_loaded", False):
            return
        self._plugins_loaded = True
        disabled = _disabled_from_argv(sys.argv[1:])
        get_plugin_manager(disabled).hook.register_commands(cli=self)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands(ctx)
        return sorted({*BUILTIN_COMMANDS, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = BUILTIN_COMMANDS.get(cmd_name)
        if module is not None:
            command = getattr(importlib.import_module(f"archiver.commands.{module}"), cmd_name)
            return command if isinstance(command, click.Command) else None
        self._load_plugin_commands(ctx)
        return super().get_command(ctx, cmd_name)


def _disabled_from_argv(argv: list[str]) -> list[str]:
    names = []
    for index, arg in enumerate(argv):
        if arg == "--disable-plugin" and index + 1 < len(argv):
            names.append(argv[index + 1])
        elif arg.startswith("--disable-plugin="):
            names.append(arg.split("=", 1)[1])
    return names


@click.group(cls=ArchiverGroup, epilog="\b\nExit codes (every command):\n" + "\n".join(
    f"  {code}  {meaning}" for code, meaning in EXIT_CODES.items()))
@click.version_option(package_name="evidence-archiver")
@click.option("--disable-plugin", "disabled_plugins", multiple=True, metavar="NAME",
              help="Turn off a plugin (repeatable; also $ARCHIVER_DISABLE_PLUGINS).")
@click.pass_context
def cli(ctx: click.Context, disabled_plugins: tuple[str, ...]) -> None:
    """Capture web posts as verifiable evidence bundles, and verify them."""
    ctx.obj = {"disabled_plugins": disabled_plugins}


def main() -> None:
    try:
        cli.main(prog_name="archiver", standalone_mode=True)
        code: int = 0
    except KeyboardInterrupt:
        click.echo("archiver: interrupted", err=True)
        code = 130
    except SystemExit as exc:
        code = exit_status(exc.code)
    # Every file is written and closed by now (the commands close what they open). Skip the
    # interpreter's teardown of mitmproxy, numpy, cryptography and the rest, which costs about
    # 0.2 s at every exit; os._exit also skips nothing the kernel has not already got.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    logging.shutdown()
    os._exit(code)


def exit_status(code: object) -> int:
    """The process status ``sys.exit(code)`` would give (a message is printed, status 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    click.echo(str(code), err=True)
    return 1


if __name__ == "__main__":
    main()
