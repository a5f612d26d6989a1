"""``archiver worker``: a Dask worker that captures and verifies for ``--cluster`` batches."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from archiver.cluster import scheduler_host
from archiver.worker import DEFAULT_RECYCLE_AFTER

PROFILER_ENV = "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED"


@click.command(context_settings={"ignore_unknown_options": True})
@click.option("--scheduler", required=True, metavar="tcp://HOST:PORT",
              help="The Dask scheduler (tls://... for TLS; default $ARCHIVER_CLUSTER, the cluster setting).")
@click.option("--captures", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Captures at once on this worker (browser contexts on its one browser).")
@click.option("--nthreads", default=os.cpu_count() or 1, show_default=True, type=click.IntRange(1),
              help="Task threads: verify chunks run on them, captures too (at least --captures).")
@click.option("--recycle-after", default=DEFAULT_RECYCLE_AFTER, show_default=True, type=click.IntRange(1),
              help="Start a fresh browser and proxy after this many captures.")
@click.option("--browser-path", type=click.Path(path_type=Path), help="Chromium to use on this worker.")
@click.argument("dask_options", nargs=-1, type=click.UNPROCESSED)
def worker(scheduler: str, captures: int, nthreads: int, recycle_after: int, browser_path: Path | None,
           dask_options: tuple[str, ...]) -> None:
    """Run a Dask worker for the archiver until stopped. Other options (--tls-ca-file, --tls-cert,
    --tls-key, --no-nanny, --name, --memory-limit...) go to 'dask worker' as they are."""
    scheduler_host(scheduler, "--scheduler")
    preload_options = ["--captures", str(captures), "--recycle-after", str(recycle_after)]
    if browser_path is not None:
        preload_options += ["--browser-path", str(browser_path)]
    # Dask's statistical profiler samples every task thread's stack every 10 ms, which takes the
    # GIL from verify's hashing and costs an idle worker 3% of a core; a user who wants the
    # dashboard's profile turns it back on with this variable.
    os.environ.setdefault(PROFILER_ENV, "False")
    # Replaced, not wrapped: signals, the exit status and the process id are dask worker's own.
    command = [sys.executable, "-m", "distributed.cli.dask_worker", scheduler,
               "--nthreads", str(max(nthreads, captures)), *dask_options,
               "--preload", "archiver.worker", *preload_options]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, command)
