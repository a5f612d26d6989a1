"""The options the commands that run on a Dask cluster share (capture, verify, serve)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

Command = TypeVar("Command", bound=Callable[..., Any])

shared_store_option = click.option(
    "--shared-store", is_flag=True,
    help="With --cluster: every worker mounts the store folder at this same path.")


def allow_plaintext_cluster_option(secrets: str) -> Callable[[Command], Command]:
    """``--allow-plaintext-cluster``, naming the ``secrets`` the command would send."""
    return click.option(
        "--allow-plaintext-cluster", is_flag=True,
        help=f"With --cluster: send {secrets} to a scheduler that is neither tls:// nor on this "
             "machine. Recorded.")
