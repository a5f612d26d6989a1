"""One URL, start to finish: navigate, settle, classify, extract, screenshot, seal the bundle."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Response
from playwright.async_api import TimeoutError as PlaywrightTimeout

from archiver import bundle as names
from archiver.bundle import BundleWriter
from archiver.capture import Capture
from archiver.clock import utc_time
from archiver.contexts import FreshContext
from archiver.custody import append_event
from archiver.faults import reach
from archiver.ids import new_bundle_id
from archiver.imagehashes import start_warm_up
from archiver.manifest import SCHEMA, SCHEMA_VERSION, anchored_view, artifact_uri, capture_record_uri
from archiver.media import collect_media
from archiver.models import Classification, Post, Status
from archiver.navigations import NavigationWatch
from archiver.netguard import BadURLError, validate_url
from archiver.plugin_manager import first_async_result
from archiver.received import failure_of, mark_post_media
from archiver.secrets import LoginMaterial, scrub
from archiver.signing import sign_manifest
from archiver.toolinfo import plugin_versions, tool_info
from archiver.warc import WarcFile

if TYPE_CHECKING:
    from archiver.pipeline import CaptureRequest, CaptureResult, Environment

# Work done after a timeout (screenshot, DOM) gets this long, so a partial capture still has them.
GRACE_SECONDS = 10.0


async def capture_one(request: CaptureRequest, env: Environment,
                      browser_slot: asyncio.Semaphore | None = None,
                      sealing_slot: asyncio.Semaphore | None = None) -> CaptureResult:
    """Capture one URL into a sealed bundle.

    Workers share ``browser_slot`` for the part that uses the browser and ``sealing_slot``
    for the rest, so hashing and sealing one bundle overlaps with loading the next page.
    """
    async with browser_slot or contextlib.nullcontext():
        browsed = await open_and_browse(request, env)
    if not isinstance(browsed, Browsed):
        return browsed
    async with sealing_slot or contextlib.nullcontext():
        return await seal(browsed)


@dataclass
class Browsed:
    """A capture the browser is done with, waiting to be hashed and sealed."""

    request: CaptureRequest
    env: Environment
    capture: Capture
    outcome: Outcome
    login: LoginMaterial
    folder: Path
    writer: BundleWriter
    warc: WarcFile
    started_at: str
    post: Post | None


async def open_and_browse(request: CaptureRequest, env: Environment) -> Browsed | CaptureResult:
    """Start the bundle and its WARC, and record the page in a fresh context."""
    from archiver.pipeline import CaptureResult

    try:
        url = validate_url(request.url)
    except BadURLError as exc:
        return CaptureResult(url=request.url, bundle_id=None, status=Status.FAILED, reason=str(exc))
    match = env.pm.hook.match_url(url=url)
    bundle_id = new_bundle_id()
    folder = env.store.prepare(bundle_id)
    writer = BundleWriter(folder, bundle_id)
    warc = WarcFile(folder / names.WARC)
    started_at = utc_time()
    warc.write_warcinfo({
        "software": f"evidence-archiver {tool_info()['version']}",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "browser": f"{env.browser_info['name']} {env.browser_info['version']}",
        "recorder": "mitmproxy (in-process) via evidence-archiver recorder",
        "isPartOf": bundle_id,
        "description": f"Capture of {url}",
    })
    login = env.login_for(match.platform)
    fresh = await env.contexts.take(env.context_spec(), login.playwright_state())
    secrets = login.secret_values
    traffic = env.proxy.recorder.open(fresh.token, warc, env.settings.max_capture_bytes, env.guard,
                                      secrets=secrets)
    capture = Capture(url=url, match=match, settings=env.settings, bundle_id=bundle_id,
                      traffic=traffic, logged_in=bool(login.playwright_state()), secrets=secrets)
    outcome = Outcome()
    post = await browse(fresh, capture, env, writer, outcome)
    return Browsed(request=request, env=env, capture=capture, outcome=outcome, login=login,
                   folder=folder, writer=writer, warc=warc, started_at=started_at, post=post)


async def seal(browsed: Browsed) -> CaptureResult:
    """Hash what is left, write and sign the manifest, and commit the bundle to its store."""
    from archiver.pipeline import CaptureResult

    request, env, capture, outcome, login = (browsed.request, browsed.env, browsed.capture,
                                             browsed.outcome, browsed.login)
    folder, writer, warc, started_at, post = (browsed.folder, browsed.writer, browsed.warc,
                                              browsed.started_at, browsed.post)
    url, match, bundle_id, traffic = capture.url, capture.match, capture.bundle_id, capture.traffic
    reach("seal")  # the page is recorded (WARC, screenshots); nothing is sealed yet
    await asyncio.gather(*capture.background)
    secrets_list = capture.secrets
    if post is not None:
        await collect_media(post, folder, writer, warc)
        metadata = json.dumps(post.to_dict(), indent=2, ensure_ascii=False).encode()
        writer.add_bytes(names.METADATA, metadata, "application/json")
        warc.write_resource(artifact_uri(bundle_id, names.METADATA), "application/json", metadata)
    status, reason, hint = outcome.verdict(capture)
    if status == Status.LOGIN_REQUIRED and not capture.logged_in:
        option_hint = (f"capture again with a logged-in session: --cookies {match.platform}=cookies.txt "
                       f"or --storage-state {match.platform}=state.json")
        hint = f"{hint}; {option_hint}" if hint else option_hint
    ended_at = utc_time()
    manifest: dict[str, Any] = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "bundle_id": bundle_id,
        "case_id": request.case_id,
        "operator": request.operator,
        "tool": tool_info(),
        "plugins": plugin_versions(env.pm),
        "browser": {**env.browser_info, "user_agent": env.user_agent},
        "requested_url": url,
        "final_url": outcome.final_url,
        "canonical_url": match.canonical_url,
        "platform": match.platform,
        "status": str(status),
        "reason": scrub(reason, secrets_list) if reason else None,
        "hint": hint,
        "started_at": started_at,
        "ended_at": ended_at,
        "settings": {**env.settings.for_manifest(), "service_workers": "blocked",
                     "logged_in": capture.logged_in},
        "account": {"fingerprint": login.account_fingerprint()} if capture.logged_in else None,
        "network": {
            **traffic.summary(),
            "main_document": outcome.main_document,
        },
        "server_ip": (outcome.main_document or {}).get("server_ip"),
        "tls": (outcome.main_document or {}).get("tls"),
        "notes": capture.notes + outcome.notes,
        "post": post.to_dict() if post else None,
    }
    warc.write_json_metadata(capture_record_uri(bundle_id), anchored_view(manifest))
    warc_sha, warc_size = warc.close()
    writer.add_existing(names.WARC, "application/warc", warc_sha, warc_size, records=warc.records)
    manifest["artifacts"] = writer.artifacts
    manifest_sha = writer.write_manifest(manifest)
    timestamp: dict[str, Any] | None = None  # the TSA's answer, or {"error": why there is none}
    if env.signer is not None:
        signature = sign_manifest(folder, manifest, env.signer)
        append_event(folder, event="captured", actor=request.operator, signer=env.signer, details={
            "case_id": request.case_id, "requested_url": url, "status": str(status),
            "started_at": started_at, "ended_at": ended_at, "manifest_sha256": manifest_sha})
        append_event(folder, event="signed", actor=request.operator, signer=env.signer,
                     details=signature)
        if env.settings.tsa_urls:
            from archiver.timestamp import stamp_after_capture

            timestamp = await stamp_after_capture(folder, env.settings.tsa_urls, env.signer, request.operator)
    writer.seal()
    location = env.store.commit(bundle_id, folder)
    return CaptureResult(
        url=url, bundle_id=bundle_id, status=str(status), reason=manifest["reason"],
        platform=match.platform, canonical_url=match.canonical_url, location=location,
        manifest_sha256=manifest_sha, post=manifest["post"], hint=hint, timestamp=timestamp,
    )


async def browse(fresh: FreshContext, capture: Capture, env: Environment, writer: BundleWriter,
                 outcome: Outcome) -> Post | None:
    """Drive the page in its fresh context, which is closed after."""
    navigations = NavigationWatch(fresh.page, capture)
    try:
        await navigations.start()
        post = await drive_page(fresh.page, capture, env, writer, outcome)
    finally:
        await fresh.context.close()
        await capture.traffic.settled(0.2)  # let the proxy finish writing exchanges the context just ended
        env.proxy.recorder.close(fresh.token)
    # Only now is every exchange of the page known (and no navigation can start).
    await navigations.finish()
    mark_post_media(post, capture)
    return post


class Outcome:
    """What happened to the page, gathered as the capture goes."""

    def __init__(self) -> None:
        self.final_url: str | None = None
        self.main_document: dict[str, Any] | None = None
        self.classification: Classification | None = None
        self.failure: str | None = None
        self.not_loaded = False  # no document arrived: nothing to settle, classify or extract
        self.notes: list[str] = []

    def verdict(self, capture: Capture) -> tuple[Status, str | None, str | None]:
        if self.failure:
            return Status.FAILED, self.failure, None
        if self.classification:
            reasons = [self.classification.reason, *capture.limits_hit]
            return self.classification.status, "; ".join(reasons), self.classification.hint
        limits = list(capture.limits_hit)
        if capture.traffic.limit_reason:
            limits.append(capture.traffic.limit_reason)
        if limits:
            return Status.PARTIAL, "; ".join(dict.fromkeys(limits)), None
        return Status.COMPLETE, None, None


async def drive_page(page: Page, capture: Capture, env: Environment, writer: BundleWriter,
                     outcome: Outcome) -> Post | None:
    settings = capture.settings
    hook = env.pm.hook
    response = await navigate(page, capture, outcome)
    # The screenshot will need the hashing libraries; this process is idle while the page settles.
    start_warm_up()
    if outcome.failure or outcome.not_loaded:
        await bounded(record_views(page, capture, writer, env, None), GRACE_SECONDS, capture)
        return None
    await bounded(first_async_result(hook.settle_page(page=page, capture=capture)),
                  capture.remaining(settings.settle_timeout) + 1, capture, "settle")
    try:
        return await inspect_and_record(page, response, capture, env, writer, outcome)
    finally:
        for extra_page in capture.extra_pages.values():
            await extra_page.close()


async def inspect_and_record(page: Page, response: Response | None, capture: Capture, env: Environment,
                             writer: BundleWriter, outcome: Outcome) -> Post | None:
    hook = env.pm.hook
    for extra_url in capture.match.extra_urls:
        await load_extra(page, extra_url, capture, outcome)
    outcome.classification = await bounded(
        first_async_result(hook.classify_page(page=page, response=response, capture=capture)),
        max(capture.remaining(), GRACE_SECONDS), capture, "classification")
    post = await bounded(first_async_result(hook.extract_post(page=page, capture=capture)),
                         max(capture.remaining(), GRACE_SECONDS), capture, "extraction")
    await bounded(record_views(page, capture, writer, env, post),
                  max(capture.remaining(), GRACE_SECONDS * 3), capture, "screenshots and DOM")
    outcome.final_url = page.url
    return post


async def bounded(awaitable: Any, seconds: float, capture: Capture, step: str = "") -> Any:
    """Run one step within its time; a step that runs out is noted and the capture goes on."""
    try:
        return await asyncio.wait_for(awaitable, timeout=max(seconds, 0.5))
    except TimeoutError:
        capture.limits_hit.append(f"{step or 'step'} did not finish within {seconds:.0f}s")
    except PlaywrightError as exc:
        capture.limits_hit.append(f"{step or 'step'} failed: {str(exc).splitlines()[0]}"[:300])
    return None


async def navigate(page: Page, capture: Capture, outcome: Outcome) -> Response | None:
    settings = capture.settings
    response: Response | None = None
    try:
        response = await page.goto(
            capture.url, wait_until="load",
            timeout=capture.remaining(settings.navigation_timeout) * 1000 or 1,
        )
    except PlaywrightTimeout:
        capture.limits_hit.append(f"navigation timeout: page did not load within "
                                  f"{settings.navigation_timeout:g}s")
        outcome.not_loaded = capture.response_facts(capture.url) is None
    except PlaywrightError as exc:
        message = str(exc).splitlines()[0]
        facts = capture.response_facts(capture.url)
        if capture.traffic.limit_reason:
            capture.limits_hit.append(capture.traffic.limit_reason)
            outcome.not_loaded = facts is None
        elif facts is not None and ("ERR_ABORTED" in message or "Download is starting" in message):
            # A PDF or a file the browser does not display (the headless shell has no viewer).
            outcome.notes.append(f"the browser did not render the response "
                                 f"({facts.get('content_type')}); it is recorded in the WARC")
        else:
            outcome.failure = f"navigation failed: {message}"
    outcome.final_url = page.url if page.url != "about:blank" else capture.url
    main = capture.response_facts(response.url) if response is not None else None
    if response is not None and main is None:
        # The browser got an answer the server never sent: the proxy's own error page.
        failed = next((f for f in capture.traffic.failed if f.get("url") == response.url), None)
        blocked = next((b for b in capture.traffic.blocked if b.get("url") == response.url), None)
        if blocked:
            outcome.classification = Classification(Status.BLOCKED, blocked["reason"])
        elif capture.traffic.limit_reason:
            capture.limits_hit.append(capture.traffic.limit_reason)
            outcome.not_loaded = True
        else:
            outcome.failure = f"cannot fetch {response.url}: " + (
                failed.get("error") or failed.get("reason") or "no response" if failed else "no response")
    if main is None and response is None and not outcome.failure:
        main = capture.response_facts(capture.url)
    outcome.main_document = {"url": response.url if response else capture.url, **(main or {})}
    return response


async def load_extra(main_page: Page, url: str, capture: Capture, outcome: Outcome) -> None:
    """Load a page the platform needs beside the main one (same context, same WARC).

    It stays open until the main page is recorded, so plugins can read it
    (``capture.extra_pages[url]``) while extracting.
    """
    page = await main_page.context.new_page()
    capture.extra_pages[url] = page
    try:
        response = await page.goto(
            url, wait_until="load",
            timeout=max(capture.remaining(capture.settings.navigation_timeout), 1) * 1000)
    except PlaywrightError as exc:
        capture.limits_hit.append(f"extra page {url} failed: {str(exc).splitlines()[0]}")
        return
    # A failed request still "loads": the browser shows the proxy's error page for it.
    failure = failure_of(capture.traffic, response.url if response is not None else url)
    if failure is None:
        outcome.notes.append(f"also loaded {url} into this bundle")
    else:
        capture.limits_hit.append(f"extra page {url} did not load: {failure}")


async def record_views(page: Page, capture: Capture, writer: BundleWriter, env: Environment,
                       post: Post | None) -> None:
    """Full-page screenshot, post screenshot and rendered DOM, into the bundle and the WARC."""
    from archiver.views import dom_snapshot, element_screenshot, full_screenshot

    warc = capture.traffic.warc
    # Images are hashed in threads while the browser goes on to the next view and the context
    # closes; seal() waits for them, so what was shot is hashed and listed even when this step
    # is cut short.
    hashing = capture.background
    shot = await full_screenshot(page, capture)
    if shot is not None:
        hashing.append(asyncio.create_task(writer.add_image(
            names.SCREENSHOT, shot, "image/png", **capture.extra.get("screenshot", {}))))
        warc.write_resource(artifact_uri(capture.bundle_id, names.SCREENSHOT), "image/png", shot)
    if post is not None:
        selector = await first_async_result(env.pm.hook.post_element(page=page, capture=capture))
        if selector:
            element = await element_screenshot(page, selector, capture)
            if element is not None:
                hashing.append(asyncio.create_task(writer.add_image(
                    names.POST_SCREENSHOT, element, "image/png", selector=selector)))
                warc.write_resource(artifact_uri(capture.bundle_id, names.POST_SCREENSHOT),
                                    "image/png", element)
    dom = await dom_snapshot(page, capture.secrets)
    if dom is not None:
        writer.add_bytes(names.DOM, dom, "text/html")
        warc.write_resource(artifact_uri(capture.bundle_id, names.DOM), "text/html; charset=utf-8", dom)
