"""``archiver config``: the settings in effect, and where each one comes from."""

from __future__ import annotations

import json
from typing import Any

import click

from archiver.config import BY_KEY, load_config


@click.group()
def config() -> None:
    """Settings that stand in for flags: config.toml and $ARCHIVER_* variables."""


@config.command("show")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: file, found, settings.")
def show(as_json: bool) -> None:
    """Print every setting's value in effect and where it comes from (a flag still wins over it)."""
    found = load_config()
    if as_json:
        click.echo(json.dumps({
            "file": str(found.path), "found": found.found,
            "settings": {key: {"value": shown(value.value), "origin": value.origin, "env": BY_KEY[key].env}
                         for key, value in found.values.items()},
        }, ensure_ascii=False))
        return
    click.echo(f"config file: {found.path}{'' if found.found else ' (none there)'}")
    for key, value in found.values.items():
        text = value.value if isinstance(value.value, str) else json.dumps(shown(value.value))
        click.echo(f"{key:<22} {text:<40} {value.origin}")


def shown(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
