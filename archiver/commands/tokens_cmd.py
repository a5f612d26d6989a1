"""``archiver tokens``: API tokens of the evidence service's users."""

from __future__ import annotations

import click

from archiver.commands.service_db import database_options, open_database
from archiver.service.users import create_token, find_user


@click.group()
def tokens() -> None:
    """API tokens for the evidence service (archiver serve)."""


@tokens.command("create")
@click.argument("name")
@click.option("--label", default="", help="What the token is for (shown in listings).")
@database_options
def create(name: str, label: str, store: str, db_url: str | None) -> None:
    """Make an API token for user NAME. It is printed once: only its SHA-256 is kept."""
    db = open_database(store, db_url)
    with db.session() as session:
        token = create_token(session, find_user(session, name), label)
    click.echo(token)
