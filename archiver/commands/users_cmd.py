"""``archiver users``: the people who may use ``archiver serve``, their roles and cases."""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from archiver.commands.service_db import database_options, open_database
from archiver.errors import ArchiverError
from archiver.service.tables import User
from archiver.service.users import ROLES, add_user


@click.group()
def users() -> None:
    """Users of the evidence service (archiver serve)."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True,
              help="viewer reads; analyst also captures and verifies; admin sees every case.")
@click.option("--case", "cases", multiple=True, metavar="CASE",
              help="A case the user may see (repeatable); '*' for every case.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (one line).")
@database_options
def add(name: str, role: str, cases: tuple[str, ...], password_stdin: bool, store: str,
        db_url: str | None) -> None:
    """Add a user; asks for the password unless --password-stdin."""
    if not cases and role != "admin":
        raise ArchiverError("give at least one --case (or '*') for a viewer or analyst")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    db = open_database(store, db_url)
    with db.session() as session:
        add_user(session, name, role, list(cases), password)
    click.echo(f"added user {name} ({role}; cases: {', '.join(cases) or 'all'})")


@users.command("list")
@database_options
def list_users(store: str, db_url: str | None) -> None:
    """List users, their roles and cases."""
    db = open_database(store, db_url)
    with db.session() as session:
        for user in session.scalars(select(User).order_by(User.name)):
            cases = ", ".join(user.cases.splitlines()) or "all"
            click.echo(f"{user.name:<24} {user.role:<8} {cases}")
