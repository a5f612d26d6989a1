"""The ``archiver`` command line (installed as ``archiver.cli``)."""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import sys
from pathlib import Path

import click

from archiver.config import CONFIG_ENV, FILE_NAME, load_config
from archiver.errors import EXIT_CODES, EXIT_INTERRUPTED, ArchiverError
from archiver.plugin_manager import PROJECT, get_plugin_manager

# Built-in commands by name, imported only when used: `archiver verify` need not load
# Playwright, mitmproxy or the PDF code.
BUILTIN_COMMANDS = {
    "capture": "capture_cmd", "verify": "verify_cmd", "show": "show_cmd", "plugins": "plugins_cmd",
    "push": "push_cmd", "ls": "ls_cmd", "keys": "keys_cmd", "custody": "custody_cmd",
    "timestamp": "timestamp_cmd", "report": "report_cmd", "export": "export_cmd", "ledger": "ledger_cmd",
    "bank": "bank_cmd", "index": "index_cmd", "match": "match_cmd", "mirrors": "mirrors_cmd",
    "scheduler": "scheduler_cmd", "worker": "worker_cmd",
    "serve": "serve_cmd", "users": "users_cmd", "tokens": "tokens_cmd",
    "config": "config_cmd", "install-browser": "install_browser_cmd",
}
DISABLE_OPTION = "--disable-plugin"
DISABLED = "archiver.disabled_plugins"


class ArchiverGroup(click.Group):
    """Built-in commands load on first use; plugin commands are added when asked for,
    honouring --disable-plugin."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # --disable-plugin belongs to the tool, so it may come after the command as well.
        disabled, rest = split_disabled(args)
        ctx.meta[DISABLED] = [value for _option, value in disabled]
        return super().parse_args(ctx, [*(arg for pair in disabled for arg in pair), *rest])

    def _load_plugin_commands(self, ctx: click.Context) -> None:
        if getattr(self, "_plugins_loaded", False):
            return
        self._plugins_loaded = True
        get_plugin_manager(ctx.meta.get(DISABLED, ())).hook.register_commands(cli=self)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands(ctx)
        return sorted({*BUILTIN_COMMANDS, *super().list_commands(ctx)})

    def invoke(self, ctx: click.Context) -> object:
        # Ctrl-C is no failure of the command ("Aborted!", exit 1, as click says): it exits 130,
        # as a shell reports it. ``capture`` reports what its batch finished before this.
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("archiver: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = BUILTIN_COMMANDS.get(cmd_name)
        if module is not None:
            loaded = importlib.import_module(f"archiver.commands.{module}")
            command = getattr(loaded, cmd_name.replace("-", "_"))
            return command if isinstance(command, click.Command) else None
        self._load_plugin_commands(ctx)
        return super().get_command(ctx, cmd_name)


def split_disabled(args: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """``--disable-plugin NAME`` pairs anywhere before ``--``, and the other arguments in order."""
    pairs: list[tuple[str, str]] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest += args[index:]
            break
        if arg == DISABLE_OPTION and index + 1 < len(args):
            pairs.append((arg, args[index + 1]))
            index += 2
            continue
        if arg.startswith(f"{DISABLE_OPTION}="):
            pairs.append((DISABLE_OPTION, arg.split("=", 1)[1]))
        else:
            rest.append(arg)
        index += 1
    return pairs, rest


@click.group(cls=ArchiverGroup, epilog="\b\nExit codes (every command):\n" + "\n".join(
    f"  {code}  {meaning}" for code, meaning in EXIT_CODES.items()))
@click.version_option(package_name="evidence-archiver")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help=f"Settings file (default: {FILE_NAME} beside the signing keys, "
                   "~/.config/evidence-archiver/; also $ARCHIVER_CONFIG). See 'archiver config show'.")
@click.option("-v", "--verbose", count=True, help="Say more on stderr (-vv: debugging detail).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr: no progress, notes or warnings.")
@click.option(DISABLE_OPTION, "disabled_plugins", multiple=True, metavar="NAME",
              help="Turn off a plugin, before or after the command (repeatable; also "
                   "$ARCHIVER_DISABLE_PLUGINS).")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, verbose: int, quiet: bool,
        disabled_plugins: tuple[str, ...]) -> None:
    """Capture web posts as verifiable evidence bundles, and verify them."""
    if verbose and quiet:
        raise ArchiverError("-v and -q contradict each other")
    if config_path is not None:
        os.environ[CONFIG_ENV] = str(config_path)  # read again wherever a setting is needed
    config = load_config()
    ctx.default_map = config.default_map()
    ctx.obj = {"disabled_plugins": disabled_plugins, "verbosity": -1 if quiet else verbose}
    set_log_level(verbose, quiet)
    logging.getLogger(f"{PROJECT}.config").info("settings file %s%s", config.path,
                                                "" if config.found else " (none there)")


def set_log_level(verbose: int, quiet: bool) -> None:
    if quiet:
        logging.getLogger(PROJECT).setLevel(logging.ERROR)
    elif verbose:
        level = logging.INFO if verbose == 1 else logging.DEBUG
        logging.basicConfig(format="archiver: %(name)s: %(message)s")
        logging.getLogger(PROJECT).setLevel(level)


def main() -> None:
    try:
        returned = cli.main(prog_name="archiver", standalone_mode=False)
        code: int = returned if isinstance(returned, int) else 0
    except click.UsageError as exc:
        # click's own form is three lines (usage, hint, error); every error here is one.
        where = f" (see: {exc.ctx.command_path} --help)" if exc.ctx is not None else ""
        click.echo(f"archiver: error: {exc.format_message()}{where}", err=True)
        code = exc.exit_code
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except (KeyboardInterrupt, click.Abort):
        click.echo("archiver: interrupted", err=True)
        code = EXIT_INTERRUPTED
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
