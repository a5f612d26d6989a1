"""``archiver capture``: capture URLs into evidence bundles."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from archiver.browser import chosen_browser
from archiver.cluster import CLUSTER_ENV, ClusterOptions, check_capture_batch
from archiver.commands.byte_size import ByteSize
from archiver.commands.capture_inputs import check_case_operator, parse_logins
from archiver.commands.common import open_store, plugin_manager
from archiver.commands.outputs import signer as load_signer
from archiver.commands.progress import progress_bar
from archiver.commands.store_command import StoreCommand
from archiver.commands.tsa_options import timestamp_note, tsa_urls_option
from archiver.errors import EXIT_PROBLEM, ArchiverError
from archiver.keys import Signer
from archiver.models import Status
from archiver.netguard import validate_url
from archiver.pipeline import CaptureRequest, CaptureResult, capture_all
from archiver.platforms import Platforms
from archiver.settings import CaptureSettings, ResolveRule

if TYPE_CHECKING:
    from archiver.matcher import Match
    from archiver.storage.base import Store

def read_url_file(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ArchiverError(f"cannot read --from file {path}: {exc.strerror}") from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def parse_viewport(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    if not (width.isdigit() and height.isdigit()):
        raise ArchiverError(f"--viewport expects WIDTHxHEIGHT, got {text!r}")
    return int(width), int(height)


@click.command(cls=StoreCommand)
@click.argument("urls", nargs=-1)
@click.option("--from", "from_file", type=click.Path(path_type=Path),
              help="File with one URL a line (# comments).")
@click.option("--case", "case_id", help="Case identifier recorded in the manifest ($ARCHIVER_CASE).")
@click.option("--operator", help="Person running the capture, recorded in the manifest ($ARCHIVER_OPERATOR).")
@click.option("--store", default="./evidence", show_default=True,
              help="Where bundles go: a folder or s3://bucket/prefix ($ARCHIVER_STORE).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 16),
              help="Captures in parallel (browser contexts on one browser).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per URL.")
@click.option("--resolve", multiple=True, metavar="HOST:PORT:ADDR",
              help="Connect to ADDR for HOST:PORT (curl's meaning). Recorded.")
@click.option("--insecure", "-k", is_flag=True, help="Accept invalid server certificates. Recorded.")
@click.option("--ca-bundle", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Trust these CA certificates for servers instead of the system's.")
@click.option("--allow-private-networks", is_flag=True,
              help="Turn off the SSRF guard (loopback/private/link-local fetches). Recorded.")
@click.option("--cookies", multiple=True, metavar="[PLATFORM=]FILE",
              help="Netscape cookies.txt of a logged-in session; PLATFORM= limits it to one "
                   "platform (e.g. x=cookies-x.txt; twitter, fb, ig, tg, wa also work). Repeatable. "
                   "UTF-8 or UTF-16. Never written anywhere.")
@click.option("--storage-state", multiple=True, metavar="[PLATFORM=]FILE",
              help="Playwright storage-state JSON, optionally per platform. Repeatable.")
@click.option("--browser-path", type=click.Path(path_type=Path), help="Chromium executable to use.")
@click.option("--navigation-timeout", default=30.0, show_default=True, type=float, help="Seconds.")
@click.option("--settle-timeout", default=15.0, show_default=True, type=float, help="Seconds.")
@click.option("--timeout", "capture_timeout", default=120.0, show_default=True, type=float,
              help="Seconds for one whole capture.")
@click.option("--max-bytes", default="512M", show_default=True, type=ByteSize(),
              help="Size cap of the network traffic recorded per capture: bytes, or K, M, G "
                   "(powers of 1024).")
@click.option("--screenshot-max-height", default=16384, show_default=True, type=int, help="Pixels.")
@click.option("--viewport", default="1280x900", show_default=True, help="WIDTHxHEIGHT.")
@click.option("--locale", default="en-US", show_default=True)
@click.option("--timezone", default="UTC", show_default=True)
@click.option("--user-agent", default=None, help="Default: desktop Chrome of the browser's version.")
@click.option("--key", "key_name", default="default", show_default=True,
              help="Signing key name (created on first use; see 'archiver keys').")
@click.option("--tsa", "tsa_urls", multiple=True, metavar="URL",
              help="RFC 3161 TSA to timestamp the signed manifest; repeatable (tried in order). "
                   "Default: $ARCHIVER_TSA.")
@click.option("--cluster", envvar=CLUSTER_ENV, metavar="tcp://HOST:PORT",
              help="Capture on the workers of this Dask scheduler ('archiver worker'); tls://... for TLS. "
                   "Default: $ARCHIVER_CLUSTER; none: this machine.")
@click.option("--shared-store", is_flag=True,
              help="With --cluster: every worker mounts the --store folder at this same path.")
@click.option("--allow-plaintext-cluster", is_flag=True,
              help="With --cluster: send --cookies/--storage-state to a scheduler that is neither tls:// "
                   "nor on this machine. Recorded.")
@click.pass_context
def capture(ctx: click.Context, /, urls: tuple[str, ...], from_file: Path | None, case_id: str | None,
            operator: str | None, store: str, workers: int, as_json: bool, resolve: tuple[str, ...],
            insecure: bool, ca_bundle: Path | None, allow_private_networks: bool, cookies: tuple[str, ...],
            storage_state: tuple[str, ...], browser_path: Path | None, navigation_timeout: float,
            settle_timeout: float, capture_timeout: float, max_bytes: int, screenshot_max_height: int,
            viewport: str, locale: str, timezone: str, user_agent: str | None, key_name: str,
            tsa_urls: tuple[str, ...], cluster: str | None, shared_store: bool, allow_plaintext_cluster: bool,
            **store_options: Any) -> None:
    """Capture URLS into evidence bundles. Exit 0 when every capture is complete, 1 otherwise."""
    targets = list(urls) + (read_url_file(from_file) if from_file else [])
    if not targets:
        raise ArchiverError("no URL given (pass URLs or --from FILE)")
    if cluster and (workers != 1 or browser_path):
        raise ArchiverError("--workers and --browser-path are for this machine; with --cluster each "
                            "'archiver worker' has its own --captures and --browser-path")
    for url in targets:
        validate_url(url)
    if not cluster:
        chosen_browser(browser_path)
    pm = plugin_manager(ctx)
    default_cookies, default_state, platform_logins = parse_logins(cookies, storage_state,
                                                                   Platforms.from_plugins(pm))
    on_cluster = ClusterOptions(cluster, shared_store, allow_plaintext_cluster) if cluster else None
    if on_cluster:  # before the store is opened or checked: nothing here depends on it
        check_capture_batch(on_cluster, store, bool(cookies or storage_state))
    width, height = parse_viewport(viewport)
    tsa = tsa_urls_option(tsa_urls)
    backend = open_store(pm, store, store_options)
    settings = CaptureSettings(
        viewport_width=width, viewport_height=height, user_agent=user_agent, locale=locale,
        timezone=timezone, navigation_timeout=navigation_timeout, settle_timeout=settle_timeout,
        capture_timeout=capture_timeout, max_capture_bytes=max_bytes,
        screenshot_max_height=screenshot_max_height,
        resolve=tuple(ResolveRule.parse(rule) for rule in resolve), insecure=insecure,
        allow_private_networks=allow_private_networks, cookies_file=default_cookies,
        storage_state_file=default_state, platform_logins=platform_logins, ca_bundle=ca_bundle,
        tsa_urls=tsa, object_lock=backend.lock.for_manifest() if backend.lock else None,
    )
    backend.check()  # before the browser starts, and before any spool folder is made
    check_case_operator(case_id, operator)
    requests = [CaptureRequest(url=u, case_id=case_id, operator=operator) for u in targets]
    console = Console(stderr=True)
    signer = load_signer(key_name)
    if on_cluster:
        results = run_on_cluster(ctx, on_cluster, requests, settings, store, store_options, key_name, as_json)
    else:
        results = run_with_progress(requests, pm, backend, settings, browser_path, workers, as_json, console,
                                    signer)
    found = matches_of(backend, results, signer, operator)
    for result in results:
        matches = found.get(result.bundle_id or "", [])
        if as_json:
            click.echo(json.dumps({**result.summary(), "matches": [m.to_json() for m in matches]},
                                  ensure_ascii=False))
        else:
            reason = f" ({result.reason})" if result.reason else ""
            click.echo(f"{result.status:<15} {result.bundle_id or '-'}  {result.url}{reason}")
            if result.hint:
                click.echo(f"{'':<15} hint: {result.hint}")
            if result.timestamp:
                click.echo(f"{'':<15} {timestamp_note(result.timestamp, result.location)}")
            for match in matches:
                click.echo(f"{'':<15} matched: {match.line()}")
    if any(r.status != Status.COMPLETE for r in results):
        raise SystemExit(EXIT_PROBLEM)


def matches_of(backend: Store, results: list[CaptureResult], signer: Signer,
               operator: str | None) -> dict[str, list[Match]]:
    """The captures are sealed and stored whatever happens here: a failure is only reported."""
    from archiver.capture_matches import match_captures  # numpy, image signals: not before the browser

    try:
        return match_captures(backend, results, signer, operator)
    except (ArchiverError, OSError) as exc:
        why = exc.format_message() if isinstance(exc, ArchiverError) else str(exc)
        click.echo(f"archiver: warning: the new bundles were not matched or indexed: {why}", err=True)
        return {}


def run_with_progress(requests: list[CaptureRequest], pm, backend, settings, browser_path,  # type: ignore[no-untyped-def]
                      workers: int, as_json: bool, console: Console, signer: Signer) -> list[CaptureResult]:
    show = sys.stderr.isatty() and not as_json
    progress = Progress(TextColumn("[bold]capturing"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console, disable=not show)
    with progress:
        task = progress.add_task("capture", total=len(requests))
        return asyncio.run(capture_all(
            requests, pm=pm, store=backend, settings=settings, browser_path=browser_path,
            workers=workers, on_done=lambda _r: progress.advance(task), signer=signer,
        ))


def run_on_cluster(ctx: click.Context, cluster: ClusterOptions, requests: list[CaptureRequest],
                   settings: CaptureSettings, store: str, store_options: dict[str, Any], key_name: str,
                   as_json: bool) -> list[CaptureResult]:
    from archiver.cluster_capture import capture_on_cluster  # Dask: only for --cluster

    disabled = tuple((ctx.find_root().obj or {}).get("disabled_plugins", ()))
    show = sys.stderr.isatty() and not as_json
    with progress_bar("capturing", len(requests), show) as progress:
        return capture_on_cluster(cluster, requests, settings=settings, store=store,
                                  store_options=store_options, key_name=key_name, disabled_plugins=disabled,
                                  on_done=lambda _r: progress.advance())
