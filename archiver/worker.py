"""The archiver on a Dask worker: ``dask worker SCHEDULER --preload archiver.worker [--captures N]``.

``archiver worker`` starts exactly that. The preload declares the worker's ``capture`` resource
(how many captures it runs at once; a capture task asks for one) and adds the worker plugin that
keeps one capture engine, a browser and a recording proxy, across that worker's tasks.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from distributed.diagnostics.plugin import WorkerPlugin

from archiver.capture_jobs import WORKER_PLUGIN
from archiver.engine_keeper import EngineKeeper

if TYPE_CHECKING:
    import pluggy
    from distributed import Worker

    from archiver.storage.base import Store

CAPTURE_RESOURCE = "capture"
DEFAULT_RECYCLE_AFTER = 100


class ArchiverWorker(WorkerPlugin):
    """Per-worker state of the archiver: the kept capture engine, and the stores tasks opened."""

    def __init__(self, recycle_after: int = DEFAULT_RECYCLE_AFTER, browser_path: Path | None = None) -> None:
        self.recycle_after = recycle_after
        self.browser_path = browser_path
        self._keeper: EngineKeeper | None = None
        self._stores: dict[tuple[str, tuple[tuple[str, Any], ...], tuple[str, ...]], Store] = {}

    def setup(self, worker: Worker) -> None:
        self._keeper = EngineKeeper(self.recycle_after, self.browser_path)

    def teardown(self, worker: Worker) -> None:
        if self._keeper is not None:
            self._keeper.close()

    @property
    def keeper(self) -> EngineKeeper:
        assert self._keeper is not None, "worker plugin not set up"
        return self._keeper

    def store(self, location: str, options: Mapping[str, Any], disabled_plugins: tuple[str, ...]) -> Store:
        """The store at ``location``, opened once per worker (an S3 client is costly to make)."""
        from archiver.commands.common import open_store

        key = (location, tuple(sorted(options.items())), disabled_plugins)
        if key not in self._stores:
            self._stores[key] = open_store(plugin_manager(disabled_plugins), location, options)
        return self._stores[key]


@cache
def plugin_manager(disabled_plugins: tuple[str, ...]) -> pluggy.PluginManager:
    from archiver.plugin_manager import get_plugin_manager

    return get_plugin_manager(disabled_plugins)


@click.command()
@click.option("--captures", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Captures this worker runs at once (its 'capture' resource).")
@click.option("--recycle-after", default=DEFAULT_RECYCLE_AFTER, show_default=True, type=click.IntRange(1),
              help="Start a fresh browser and proxy after this many captures.")
@click.option("--browser-path", type=click.Path(path_type=Path), help="Chromium to use on this worker.")
async def dask_setup(worker: Worker, captures: int, recycle_after: int, browser_path: Path | None) -> None:
    """Dask's preload hook: runs in the worker before it registers with the scheduler."""
    # Before registration, so the scheduler learns the resource with the worker; an explicit
    # `dask worker --resources capture=N` wins.
    state = worker.state
    if CAPTURE_RESOURCE not in state.total_resources:
        state.total_resources[CAPTURE_RESOURCE] = captures
        state.available_resources[CAPTURE_RESOURCE] = captures
    await worker.plugin_add(ArchiverWorker(recycle_after, browser_path), name=WORKER_PLUGIN,
                            catch_errors=False)
