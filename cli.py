"""The ``archiver`` command line (installed as ``archiver.cli``)."""

from __future__ import annotations

import sys

import click

from archiver.commands import (
    capture_cmd,
    custody_cmd,
    keys_cmd,
    ls_cmd,
    plugins_cmd,
    push_cmd,
    show_cmd,
    verify_cmd,
)
from archiver.plugin_manager import get_plugin_manager

EXIT_USAGE = 2


class ArchiverGroup(click.Group):
    """Adds plugin commands on first use, honouring --disable-plugin."""

    def _load_plugin_commands(self, ctx: click.Context) -> None:
        if getattr(self, "_plugins_loaded", False):
            return
        self._plugins_loaded = True
        disabled = _disabled_from_argv(sys.argv[1:])
        get_plugin_manager(disabled).hook.register_commands(cli=self)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands(ctx)
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
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


@click.group(cls=ArchiverGroup)
@click.version_option(package_name="evidence-archiver")
@click.option("--disable-plugin", "disabled_plugins", multiple=True, metavar="NAME",
              help="Turn off a plugin (repeatable; also $ARCHIVER_DISABLE_PLUGINS).")
@click.pass_context
def cli(ctx: click.Context, disabled_plugins: tuple[str, ...]) -> None:
    """Capture web posts as verifiable evidence bundles, and verify them."""
    ctx.obj = {"disabled_plugins": disabled_plugins}


cli.add_command(capture_cmd.capture)
cli.add_command(verify_cmd.verify)
cli.add_command(show_cmd.show)
cli.add_command(plugins_cmd.plugins)
cli.add_command(push_cmd.push)
cli.add_command(ls_cmd.ls)
cli.add_command(keys_cmd.keys)
cli.add_command(custody_cmd.custody)


def main() -> None:
    try:
        cli.main(prog_name="archiver", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("archiver: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
