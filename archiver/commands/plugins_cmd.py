"""``archiver plugins``: which plugins are registered, and which hooks each implements."""

from __future__ import annotations

import json

import click

from archiver.commands.common import plugin_manager
from archiver.plugin_manager import BUILTIN_PLUGINS, builtin_name, disabled_from_env
from archiver.toolinfo import plugin_versions


@click.command()
@click.option("--all", "show_all", is_flag=True, help="Include built-in plugins.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def plugins(ctx: click.Context, show_all: bool, as_json: bool) -> None:
    """List plugins (third-party only, unless --all)."""
    pm = plugin_manager(ctx)
    builtins = {builtin_name(p) for p in BUILTIN_PLUGINS}
    rows = []
    for info in plugin_versions(pm):
        plugin = pm.get_plugin(info["name"])
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
        rows.append({**info, "builtin": info["name"] in builtins, "enabled": True, "hooks": hooks})
    disabled = set((ctx.find_root().obj or {}).get("disabled_plugins", ())) | disabled_from_env()
    rows += [{"name": n, "builtin": n in builtins, "enabled": False, "hooks": []} for n in sorted(disabled)]
    if not show_all:
        rows = [r for r in rows if not r["builtin"]]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = "" if row["enabled"] else " (disabled)"
        version = row.get("version") or ""
        click.echo(f"{row['name']} {version}{state}: {', '.join(row['hooks'])}")
