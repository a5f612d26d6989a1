"""Shared fixtures: one HTTPS test server, one capture engine (browser + proxy) per session."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from archiver.keys import CONFIG_ENV, Signer, load_or_create  # noqa: E402
from archiver.pipeline import CaptureEngine, CaptureRequest, CaptureResult  # noqa: E402
from archiver.plugin_manager import get_plugin_manager  # noqa: E402
from archiver.settings import CaptureSettings, ResolveRule  # noqa: E402
from archiver.storage.local import LocalStore  # noqa: E402

from support.certs import TestPKI, make_pki  # noqa: E402
from support.hosts import HOSTNAMES  # noqa: E402
from support.seaweed import SeaweedServer, SeaweedUnavailable, weed_binary  # noqa: E402
from support.tsa import TestTSA, start_tsa  # noqa: E402
from support.webserver import TestServer  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPKI:
    return make_pki(tmp_path_factory.mktemp("pki"), HOSTNAMES)


@pytest.fixture(scope="session")
def https_server(pki: TestPKI) -> Iterator[TestServer]:
    server = TestServer(pki.server_cert, pki.server_key).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def http_server() -> Iterator[TestServer]:
    """Plain HTTP on another loopback port: the SSRF guard's target."""
    server = TestServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def resolve_rules(https_server: TestServer) -> tuple[ResolveRule, ...]:
    return tuple(ResolveRule.parse(f"{h}:443:127.0.0.1:{https_server.port}") for h in HOSTNAMES)


@pytest.fixture(scope="session")
def base_settings(pki: TestPKI, resolve_rules: tuple[ResolveRule, ...]) -> CaptureSettings:
    return CaptureSettings(resolve=resolve_rules, ca_bundle=pki.ca_cert, navigation_timeout=15,
                           settle_timeout=5, capture_timeout=45)


@pytest.fixture(scope="session")
def tls_args(resolve_rules: tuple[ResolveRule, ...], pki: TestPKI) -> list[str]:
    """CLI options that reach the test server's example.org pages (``archiver capture ...``)."""
    args = ["--ca-bundle", str(pki.ca_cert)]
    for rule in resolve_rules:
        if rule.host in ("example.org", "cdn.example.org"):
            args += ["--resolve", str(rule)]
    return args


class EngineThread:
    """Runs the capture engine's event loop in a thread so sync tests can share one browser."""

    def __init__(self, engine: CaptureEngine) -> None:
        self.engine = engine
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.call(engine.start())

    def call(self, coroutine: Any, timeout: float = 180) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result(timeout)

    def stop(self) -> None:
        self.call(self.engine.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture(scope="session", autouse=True)
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Signing keys of this test session, never the user's (CLI subprocesses inherit it)."""
    folder = tmp_path_factory.mktemp("config")
    saved = os.environ.get(CONFIG_ENV)
    os.environ[CONFIG_ENV] = str(folder)
    yield folder
    if saved is None:
        os.environ.pop(CONFIG_ENV, None)
    else:
        os.environ[CONFIG_ENV] = saved


@pytest.fixture(scope="session")
def signer(key_dir: Path) -> Signer:
    return load_or_create()[0]


@pytest.fixture(scope="session")
def engine(base_settings: CaptureSettings, tmp_path_factory: pytest.TempPathFactory,
           signer: Signer) -> Iterator[EngineThread]:
    store = LocalStore(tmp_path_factory.mktemp("store"))
    runner = EngineThread(CaptureEngine(get_plugin_manager(), store, base_settings, signer=signer))
    yield runner
    runner.stop()


Capturer = Callable[..., CaptureResult]


@pytest.fixture
def capture(engine: EngineThread, base_settings: CaptureSettings, tmp_path: Path) -> Capturer:
    """capture(url, **settings_overrides) -> CaptureResult, into a store under tmp_path."""
    store = LocalStore(tmp_path / "evidence")

    def run(url: str, case_id: str | None = "CASE-T", operator: str | None = "Tester",
            pm: Any = None, **overrides: Any) -> CaptureResult:
        settings = replace(base_settings, **overrides)
        if pm is not None:
            engine.engine.pm = pm
        try:
            return engine.call(engine.engine.capture(CaptureRequest(url, case_id, operator), settings, store))
        finally:
            engine.engine.pm = get_plugin_manager() if pm is not None else engine.engine.pm

    return run


def copy_bundle(source: str, target: Path) -> Path:
    """A copy of a bundle in a store of its own at ``target``, with its store's ledger."""
    destination = target / Path(source).name
    shutil.copytree(source, destination)
    ledger = Path(source).parent / ".archiver"
    if ledger.is_dir():
        shutil.copytree(ledger, target / ".archiver", dirs_exist_ok=True)
    for path in destination.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return destination


@pytest.fixture(scope="session")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestTSA]:
    """A real RFC 3161 TSA on loopback (tests/support/tsa.py); ``tsa.ca_file`` is its root."""
    server = start_tsa(tmp_path_factory.mktemp("tsa"))
    yield server
    server.stop()


@pytest.fixture(scope="session", autouse=True)
def pages(https_server: TestServer, http_server: TestServer) -> None:
    from support import pages as test_pages

    test_pages.install(https_server, http_server)


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedServer]:
    """One SeaweedFS server (S3) per test process; each test module makes its own buckets."""
    try:
        weed_binary()
    except SeaweedUnavailable as exc:
        pytest.skip(str(exc))
    server = SeaweedServer(tmp_path_factory.mktemp("seaweed")).start()
    yield server
    server.stop()
