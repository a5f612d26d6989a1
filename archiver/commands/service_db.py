"""The options ``serve``, ``users`` and ``tokens`` share to find the service's database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from archiver.service.database import Database, default_url


def database_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option("--db", "db_url", envvar="ARCHIVER_DB", metavar="URL",
                           help="SQLAlchemy URL of the service database (sqlite:///FILE or "
                                "postgresql://...). Default: <store>.service.db beside a local store; "
                                "$ARCHIVER_DB.")(command)
    return click.option("--store", default="./evidence", show_default=True,
                        help="The evidence store the service serves.")(command)


def open_database(store: str, db_url: str | None) -> Database:
    return Database(db_url or default_url(store)).create()
