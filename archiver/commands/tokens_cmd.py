"""``archiver tokens``: API tokens of the evidence service's users."""

from __future__ import annotations

import click

from archiver.commands.service_db import database_options, open_database
from archiver.errors import ArchiverError
from archiver.service.users import create_token, find_user, list_tokens, revoke_token


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


@tokens.command("list")
@database_options
def list_all(store: str, db_url: str | None) -> None:
    """List tokens: id (what a per-token webhook names), user, label; never the token itself."""
    db = open_database(store, db_url)
    with db.session() as session:
        for token in list_tokens(session):
            click.echo(f"{token['id']:>6}  {token['user']:<24} {token['label']}")


@tokens.command("revoke")
@click.argument("token_id", type=int)
@database_options
def revoke(token_id: int, store: str, db_url: str | None) -> None:
    """Revoke the token with id TOKEN_ID (see 'archiver tokens list')."""
    db = open_database(store, db_url)
    with db.session() as session:
        if not revoke_token(session, token_id):
            raise ArchiverError(f"no token {token_id}")
    click.echo(f"revoked token {token_id}")
