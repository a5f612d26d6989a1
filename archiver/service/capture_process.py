"""The service's captures on this machine: one child process keeps the capture engine (a browser
and the recording proxy, as ``archiver worker`` keeps them) and runs the jobs handed to it.

Why a process, and not a thread with an event loop of its own: a capture is Python work as much
as browser work (the recording proxy parses every response, sealing hashes and signs, image
hashes decode the screenshot), and a thread would hold the API's interpreter lock for all of it.
Profiled under the benchmark's load with captures in the server's process, request handlers
waited behind that work; in a process of its own it runs on the other core and the API process
only answers requests and keeps the jobs' records.

The child exits when the server goes away (its end of the pipe closes), so a server killed with
``kill -9`` leaves no capture running that could seal a bundle after another instance took its
job over. A child that dies (a crashed browser taking it along) fails the jobs it held, and the
next job starts a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archiver.service.executor import CaptureCall, Captured, matches_of

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

log = logging.getLogger("archiver.service")
STOP_TIMEOUT_S = 30.0
EXIT_WAIT_S = 5.0
# As `archiver worker`: a fresh browser after this many captures keeps a long-running service's
# memory where it started.
RECYCLE_AFTER = 100


class CaptureProcessLost(RuntimeError):
    """The child stopped while it held this job."""


@dataclass(frozen=True)
class ProcessSpec:
    """What the child opens as the server did (a store or a signer does not travel between processes)."""

    store: str
    store_options: dict[str, Any] = field(default_factory=dict)
    key_name: str = "default"
    disabled_plugins: tuple[str, ...] = ()
    browser_path: Path | None = None


class ProcessExecutor:
    def __init__(self, spec: ProcessSpec) -> None:
        self.spec = spec
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None
        # Each job handed over: the child that holds it, and what its worker awaits.
        self._waiting: dict[int, tuple[Connection, asyncio.Future[Captured]]] = {}
        self._numbers = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._spawning = asyncio.Lock()

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        await asyncio.to_thread(self._spawn)

    async def capture(self, call: CaptureCall) -> Captured:
        async with self._spawning:
            if self._connection is None:
                await asyncio.to_thread(self._spawn)
        connection = self._connection
        assert connection is not None and self._loop is not None
        self._numbers += 1
        number = self._numbers
        waiting: asyncio.Future[Captured] = self._loop.create_future()
        self._waiting[number] = (connection, waiting)
        try:
            try:
                connection.send((number, call))
            except OSError:  # the child has just died; its reader has not said so yet
                raise CaptureProcessLost("the capture process stopped") from None
            return await waiting
        finally:
            self._waiting.pop(number, None)

    async def stop(self) -> None:
        process, connection = self._process, self._connection
        self._process = self._connection = None
        if process is None or connection is None:
            return
        connection.close()  # the child sees the end of its input: it closes the browser and exits
        await asyncio.to_thread(process.join, STOP_TIMEOUT_S)
        if process.is_alive():
            process.kill()
            await asyncio.to_thread(process.join, 5)

    def _spawn(self) -> None:
        # spawn, not fork: the server has threads (request handlers, the database pool) that a
        # forked child would inherit in whatever state they were.
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        process = context.Process(target=serve_captures, args=(theirs, self.spec), name="archiver-captures",
                                  daemon=True)
        process.start()
        theirs.close()
        self._process, self._connection = process, ours
        threading.Thread(target=self._read, args=(ours, process), name="archiver-capture-results",
                         daemon=True).start()

    def _read(self, connection: Connection, process: BaseProcess) -> None:
        """The child's answers, handed to the event loop as they come."""
        assert self._loop is not None
        while True:
            try:
                number, captured, error = connection.recv()
            except (EOFError, OSError):
                break
            self._loop.call_soon_threadsafe(self._settle, number, captured, error)
        process.join(EXIT_WAIT_S)  # for its exit code: gone, or going, once its pipe has closed
        with contextlib.suppress(RuntimeError):  # the server's loop has closed: nothing waits
            self._loop.call_soon_threadsafe(self._lost, connection, process.exitcode)

    def _settle(self, number: int, captured: Captured | None, error: str | None) -> None:
        if number not in self._waiting or (waiting := self._waiting[number][1]).done():
            return
        if captured is None:
            waiting.set_exception(RuntimeError(error or "the capture failed"))
        else:
            waiting.set_result(captured)

    def _lost(self, connection: Connection, exit_code: int | None) -> None:
        for holder, waiting in self._waiting.values():
            if holder is connection and not waiting.done():
                why = f"the capture process stopped (exit code {exit_code})"
                waiting.set_exception(CaptureProcessLost(why))
        if self._connection is connection:  # the next job starts a new child
            self._process = self._connection = None


def serve_captures(connection: Connection, spec: ProcessSpec) -> None:
    """The child: each job on a thread of its own, handed to the one kept engine."""
    from archiver.commands.common import open_store
    from archiver.engine_keeper import EngineKeeper, EngineSpec
    from archiver.keys import load_or_create
    from archiver.pipeline import load_logins
    from archiver.plugin_manager import get_plugin_manager

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the server decides
    store = open_store(get_plugin_manager(spec.disabled_plugins), spec.store, spec.store_options)
    signer = load_or_create(spec.key_name)[0]
    keeper = EngineKeeper(RECYCLE_AFTER, spec.browser_path)
    sending = threading.Lock()

    def run(number: int, call: CaptureCall) -> None:
        engine = EngineSpec(insecure=call.settings.insecure, ca_bundle=call.settings.ca_bundle,
                            key_name=spec.key_name, disabled_plugins=spec.disabled_plugins)
        reply: tuple[int, Captured | None, str | None]
        try:
            logins = load_logins(call.settings) if call.logins is None else call.logins
            result = keeper.capture(engine, call.request, call.settings, store, logins)
            reply = (number, Captured(result, matches_of(store, result, signer, call.request.operator)), None)
        except Exception as exc:  # one job's failure, told to the server; the next job gets a new engine
            log.exception("job %s failed", call.job_id)
            reply = (number, None, f"{type(exc).__name__}: {exc}")
        with sending, contextlib.suppress(OSError):
            connection.send(reply)

    while True:
        try:
            number, call = connection.recv()
        except (EOFError, OSError):
            break
        threading.Thread(target=run, args=(number, call), name=f"archiver-job-{number}", daemon=True).start()
    keeper.close()
