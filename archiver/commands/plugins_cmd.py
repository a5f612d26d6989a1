"""``archiver plugins``: the registered plugins, the platforms each brings, the hooks it implements."""

from __future__ import annotations

import json

import click
import pluggy

from archiver.commands.common import plugin_manager
from archiver.platforms import Platform
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
    platforms = platforms_by_plugin(pm)
    rows = []
    for info in plugin_versions(pm):
        plugin = pm.get_plugin(info["name"])
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
        rows.append({**info, "builtin": info["name"] in builtins, "enabled": True,
                     "platforms": platforms.get(info["name"], []), "hooks": hooks})
    disabled = set((ctx.find_root().obj or {}).get("disabled_plugins", ())) | disabled_from_env()
    rows += [{"name": n, "builtin": n in builtins, "enabled": False, "platforms": [], "hooks": []}
             for n in sorted(disabled)]
    if not show_all:
        rows = [r for r in rows if not r["builtin"]]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = "" if row["enabled"] else " (disabled)"
        version = row.get("version") or ""
        brings = f"platforms {', '.join(row['platforms'])}; " if row["platforms"] else ""
        click.echo(f"{row['name']} {version}{state}: {brings}hooks {', '.join(row['hooks'])}")


def platforms_by_plugin(pm: pluggy.PluginManager) -> dict[str, list[str]]:
    """The names of the platforms each plugin registers."""
    found: dict[str, list[str]] = {}
    for impl in pm.hook.register_platforms.get_hookimpls():
        registered: list[Platform] = []
        impl.function(register=registered.append)
        found[impl.plugin_name] = [platform.name for platform in registered]
    return found
