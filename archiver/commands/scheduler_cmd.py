"""``archiver scheduler``: the Dask scheduler of ``--cluster`` batches, run from the archiver's own
environment. Dask wants the same version of itself on the scheduler, the workers and the client,
and pipx puts only ``archiver`` on the PATH, not ``dask``."""

from __future__ import annotations

import os
import sys

import click


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("dask_options", nargs=-1, type=click.UNPROCESSED)
def scheduler(dask_options: tuple[str, ...]) -> None:
    """Run the Dask scheduler that 'archiver worker' and --cluster connect to, until stopped
    (port 8786; its dashboard on 8787). Options (--port, --host, --dashboard-address, --tls-ca-file,
    --tls-cert, --tls-key...) go to 'dask scheduler' as they are."""
    sys.stdout.flush()
    sys.stderr.flush()
    # Replaced, not wrapped: signals, the exit status and the process id are dask scheduler's own.
    os.execv(sys.executable, [sys.executable, "-m", "distributed.cli.dask_scheduler", *dask_options])
