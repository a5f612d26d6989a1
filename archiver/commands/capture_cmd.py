"""``archiver capture``: capture URLs into evidence bundles."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from archiver.batch import BatchPolicy
from archiver.browser import chosen_browser
from archiver.captured_before import DownloadArchive, Earlier, complete_in_store
from archiver.cluster import ClusterOptions, check_capture_batch
from archiver.commands.batch_progress import batch_progress
from archiver.commands.batch_report import BatchReport, resume_command
from archiver.commands.byte_size import ByteSize
from archiver.commands.capture_inputs import check_case_operator, parse_logins
from archiver.commands.cluster_options import allow_plaintext_cluster_option, shared_store_option
from archiver.commands.common import open_store, plugin_manager
from archiver.commands.notices import quiet as quiet_tool
from archiver.commands.outputs import signer as load_signer
from archiver.commands.store_command import StoreCommand
from archiver.commands.tsa_options import tsa_urls_option
from archiver.errors import EXIT_OK, ArchiverError
from archiver.keys import Signer
from archiver.netguard import validate_url
from archiver.pipeline import CaptureRequest, CaptureResult, capture_all
from archiver.platforms import Platforms
from archiver.settings import CaptureSettings, ResolveRule
from archiver.url_list import UrlList, read_url_file

if TYPE_CHECKING:
    import pluggy

    from archiver.matcher import Match
    from archiver.storage.base import Store

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
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per URL, as each is done.")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr: result lines and errors only.")
@click.option("--skip-captured", is_flag=True,
              help="Skip URLs whose canonical URL has a complete bundle in --store (resume a batch).")
@click.option("--download-archive", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="Skip the canonical URLs listed in FILE; add each URL captured complete (as yt-dlp's).")
@click.option("--retries", default=0, show_default=True, type=click.IntRange(0, 10),
              help="More tries of a URL that failed transiently (unreachable, reset, timed out, HTTP 5xx "
                   "or 429), after 2, 4, 8... s. Every try is a bundle of its own.")
@click.option("--delay", default=0.0, show_default=True, type=click.FloatRange(0), metavar="SECONDS",
              help="At least this long between the starts of two captures of one host.")
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
@click.option("--cluster", metavar="tcp://HOST:PORT",
              help="Capture on the workers of this Dask scheduler ('archiver worker'); tls://... for TLS. "
                   "Default: $ARCHIVER_CLUSTER, the cluster setting; none: this machine.")
@shared_store_option
@allow_plaintext_cluster_option("--cookies/--storage-state")
@click.pass_context
def capture(ctx: click.Context, /, urls: tuple[str, ...], from_file: Path | None, case_id: str | None,
            operator: str | None, store: str, workers: int, as_json: bool, quiet: bool, skip_captured: bool,
            download_archive: Path | None, retries: int, delay: float, resolve: tuple[str, ...],
            insecure: bool, ca_bundle: Path | None, allow_private_networks: bool, cookies: tuple[str, ...],
            storage_state: tuple[str, ...], browser_path: Path | None, navigation_timeout: float,
            settle_timeout: float, capture_timeout: float, max_bytes: int, screenshot_max_height: int,
            viewport: str, locale: str, timezone: str, user_agent: str | None, key_name: str,
            tsa_urls: tuple[str, ...], cluster: str | None, shared_store: bool, allow_plaintext_cluster: bool,
            **store_options: Any) -> None:
    """Capture URLS into evidence bundles, printing each result as it is done.

    \b
    Statuses: complete, partial, login_required, challenge, not_found, blocked, failed;
    refused (a bad --from line), skipped (--skip-captured, --download-archive),
    interrupted and not_started (Ctrl-C).
    Exit 0 when every capture is complete, 1 when one is not, else 2 when a --from line was
    refused; 130 after Ctrl-C (it prints the command that goes on).
    """
    listed = read_url_file(from_file) if from_file else UrlList([], [])
    targets = [validate_url(url) for url in urls] + listed.urls
    if not targets and not listed.refused:
        raise ArchiverError("no URL given (pass URLs or --from FILE)")
    if cluster and (workers != 1 or browser_path):
        raise ArchiverError("--workers and --browser-path are for this machine; with --cluster each "
                            "'archiver worker' has its own --captures and --browser-path")
    if cluster and (retries or delay):
        raise ArchiverError("--retries and --delay are for captures on this machine, not with --cluster")
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
    signer = load_signer(key_name)
    archive = DownloadArchive(download_archive) if download_archive else None
    earlier = captured_before(targets, pm, backend if skip_captured else None, archive)
    requests = [CaptureRequest(url=url, case_id=case_id, operator=operator)
                for url in targets if url not in earlier]
    quiet = quiet or quiet_tool()  # `archiver -q capture` as well as `archiver capture -q`
    stopped = False
    with batch_progress(len(requests), quiet) as progress, archive or contextlib.nullcontext():
        report = BatchReport(requests, progress, as_json,
                             lambda result: matches_of(backend, result, signer, operator), archive)
        for line in listed.refused:
            report.refused(line)
        for url, (canonical_url, why) in earlier.items():
            report.skipped(url, canonical_url, why)
        try:
            if requests and on_cluster:
                run_on_cluster(ctx, on_cluster, requests, settings, store, store_options, key_name, report)
            elif requests:
                policy = BatchPolicy(retries, delay=delay)
                run_here(requests, pm, backend, settings, browser_path, workers, policy, signer, report)
        except KeyboardInterrupt:
            stopped = True
        finally:
            report.close()  # every result that came in is printed, even when the scheduler was lost
    if stopped:
        raise SystemExit(report.stopped(sys.argv[1:]))
    if not quiet and len(targets) + len(listed.refused) > 1:
        click.echo(f"archiver: {report.summary()}", err=True)
    if report.exit_code() != EXIT_OK:
        raise SystemExit(report.exit_code())


def captured_before(urls: list[str], pm: pluggy.PluginManager, store: Store | None,
                    archive: DownloadArchive | None) -> dict[str, tuple[str, Earlier]]:
    """The URLs to skip: URL -> (its canonical URL, the complete bundle or archive that has it)."""
    if store is None and archive is None:
        return {}
    platforms = Platforms.from_plugins(pm)
    canonical = {url: platforms.claim(url).match.canonical_url for url in urls}
    wanted = set(canonical.values())
    found = {**(archive.listed(wanted) if archive else {}),
             **(complete_in_store(store, wanted) if store else {})}
    return {url: (url_of, found[url_of]) for url, url_of in canonical.items() if url_of in found}


def matches_of(backend: Store, result: CaptureResult, signer: Signer, operator: str | None) -> list[Match]:
    """The capture is sealed and stored whatever happens here: a failure is only reported."""
    from archiver.capture_matches import match_captures  # numpy, image signals: not before the browser

    try:
        return match_captures(backend, [result], signer, operator).get(result.bundle_id or "", [])
    except (ArchiverError, OSError) as exc:
        why = exc.format_message() if isinstance(exc, ArchiverError) else str(exc)
        click.echo(f"archiver: warning: bundle {result.bundle_id} was not matched or indexed: {why}",
                   err=True)
        return []


def run_here(requests: list[CaptureRequest], pm: pluggy.PluginManager, backend: Store,
             settings: CaptureSettings, browser_path: Path | None, workers: int, policy: BatchPolicy,
             signer: Signer, report: BatchReport) -> None:
    """The batch on this machine; Ctrl-C cancels it (the captures loading stop, those sealing
    finish), then raises KeyboardInterrupt here."""
    asyncio.run(capture_all(requests, pm=pm, store=backend, settings=settings, browser_path=browser_path,
                            workers=workers, watcher=report, policy=policy, signer=signer))


def run_on_cluster(ctx: click.Context, cluster: ClusterOptions, requests: list[CaptureRequest],
                   settings: CaptureSettings, store: str, store_options: dict[str, Any], key_name: str,
                   report: BatchReport) -> None:
    from archiver.cluster_capture import capture_on_cluster  # Dask: only for --cluster

    disabled = tuple((ctx.find_root().obj or {}).get("disabled_plugins", ()))
    waiting: dict[str, list[CaptureRequest]] = {}  # a result names its URL, not its request
    for request in requests:
        waiting.setdefault(request.url, []).append(request)
    capture_on_cluster(cluster, requests, settings=settings, store=store, store_options=store_options,
                       key_name=key_name, disabled_plugins=disabled,
                       on_done=lambda result: report.finished(waiting[result.url].pop(0), result),
                       resume_hint=("what finished is kept; to capture what is left: "
                                    f"{resume_command(sys.argv[1:])}"))
