"""Commands that open a store, with the options storage plugins add to them (``store_options``).

Why each plugin adds real options rather than the core taking a generic ``--store-option
key=value``: users already type ``--endpoint-url URL`` and ``--retain-days 30``; a plugin's
options then show in ``--help`` and are parsed and type-checked by click like any other; and
the core keeps no list of what any backend accepts. The command takes their values as keyword
arguments and hands them, untouched, to ``open_store``, where each backend reads its own.
"""

from __future__ import annotations

from collections import Counter

import click

from archiver.commands.common import plugin_manager
from archiver.errors import ArchiverError


class StoreCommand(click.Command):
    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = [*self.params, *added_options(ctx, self.name or "")]
        uses = Counter(opt for param in params for opt in param.opts)
        clashing = sorted(opt for opt, count in uses.items() if count > 1)
        if clashing:  # a plugin's mistake: click would let the last one silently win
            raise ArchiverError(f"storage plugins add {', '.join(clashing)} to '{self.name}' more than once")
        help_option = self.get_help_option(ctx)
        return [*params, help_option] if help_option else params


def added_options(ctx: click.Context, command: str) -> list[click.Parameter]:
    """The plugins' options, asked once per command line (click reads the parameters several times)."""
    key = f"archiver.store_options.{command}"
    if key not in ctx.meta:
        answers = plugin_manager(ctx).hook.store_options(command=command)
        ctx.meta[key] = [option for options in answers if options for option in options]
    added: list[click.Parameter] = ctx.meta[key]
    return added
