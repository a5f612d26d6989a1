"""One URL, start to finish: navigate, settle, classify, extract, screenshot, seal the bundle."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Response
from playwright.async_api import TimeoutError as PlaywrightTimeout

from archiver import bundle as names
from archiver.bundle import BundleWriter
from archiver.capture import Capture
from archiver.capture_types import CaptureRequest, CaptureResult, Environment
from archiver.clock import utc_time
from archiver.contexts import FreshContext
from archiver.ids import new_bundle_id
from archiver.imagehashes import start_warm_up
from archiver.manifest import artifact_uri
from archiver.models import Classification, Post, Status
from archiver.navigations import NavigationWatch
from archiver.netguard import BadURLError, validate_url
from archiver.outcome import Outcome
from archiver.page_context import PageContext
from archiver.received import failure_of, mark_post_media
from archiver.sealing import Browsed, seal
from archiver.toolinfo import tool_info
from archiver.warc import WarcFile

T = TypeVar("T")

# Work done after a timeout (screenshot, DOM) gets this long, so a partial capture still has them.
GRACE_SECONDS = 10.0


async def capture_one(request: CaptureRequest, env: Environment,
                      browser_slot: contextlib.AbstractAsyncContextManager[object] | None = None,
                      sealing_slot: asyncio.Semaphore | None = None,
                      on_start: Callable[[str, Path], None] | None = None) -> CaptureResult:
    """Capture one URL into a sealed bundle.

    Workers share ``browser_slot`` for the part that uses the browser and ``sealing_slot``
    for the rest, so hashing and sealing one bundle overlaps with loading the next page.
    ``on_start(bundle_id, folder)`` is called once the bundle folder exists.

    Cancelled while the page loads, the capture stops and leaves its bundle unsealed (``ls``
    says interrupted); cancelled once the page is recorded, it is sealed first (see ``to_the_end``).
    """
    async with browser_slot or contextlib.nullcontext():
        browsed = await open_and_browse(request, env, on_start)
    if not isinstance(browsed, Browsed):
        return browsed

    async def sealed() -> CaptureResult:
        async with sealing_slot or contextlib.nullcontext():
            return await seal(browsed)

    return await to_the_end(sealed())


async def to_the_end(work: Awaitable[T]) -> T:
    """Await ``work`` to its end even when the caller is cancelled meanwhile.

    A recorded page takes seconds to seal; stopping in the middle would leave a bundle sealed
    but unsigned. The caller sees the cancellation as ``current_task().cancelling()``.
    """
    task = asyncio.ensure_future(work)
    while True:
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled():
                raise



async def open_and_browse(request: CaptureRequest, env: Environment,
                          on_start: Callable[[str, Path], None] | None = None) -> Browsed | CaptureResult:
    """Start the bundle and its WARC, and record the page in a fresh context."""
    try:
        url = validate_url(request.url)
    except BadURLError as exc:
        return CaptureResult(url=request.url, bundle_id=None, status=Status.FAILED, reason=str(exc))
    claim = env.platforms.claim(url)
    match = claim.match
    bundle_id = new_bundle_id()
    folder = env.store.prepare(bundle_id)
    if on_start:
        on_start(bundle_id, folder)
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
    capture = Capture(url=url, match=match, steps=env.platforms.steps(claim.platform), settings=env.settings,
                      bundle_id=bundle_id, traffic=traffic, logged_in=bool(login.playwright_state()),
                      secrets=secrets)
    outcome = Outcome()
    post = await browse(fresh, capture, env, writer, outcome)
    return Browsed(request=request, env=env, capture=capture, outcome=outcome, login=login,
                   folder=folder, writer=writer, warc=warc, started_at=started_at, post=post)


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


async def drive_page(page: Page, capture: Capture, env: Environment, writer: BundleWriter,
                     outcome: Outcome) -> Post | None:
    settings = capture.settings
    response = await navigate(page, capture, outcome)
    # The screenshot will need the hashing libraries; this process is idle while the page settles.
    start_warm_up()
    if outcome.failure or outcome.not_loaded:
        await bounded(record_views(page, capture, writer, env, None), GRACE_SECONDS, capture)
        return None
    await bounded(capture.steps.settle_page(PageContext(page, capture)),
                  capture.remaining(settings.settle_timeout) + 1, capture, "settle")
    try:
        return await inspect_and_record(page, response, capture, env, writer, outcome)
    finally:
        for extra_page in capture.extra_pages.values():
            await extra_page.close()


async def inspect_and_record(page: Page, response: Response | None, capture: Capture, env: Environment,
                             writer: BundleWriter, outcome: Outcome) -> Post | None:
    ctx = PageContext(page, capture)
    for extra_url in capture.match.extra_urls:
        await load_extra(page, extra_url, capture, outcome)
    outcome.classification = await bounded(
        capture.steps.classify_page(ctx, response),
        max(capture.remaining(), GRACE_SECONDS), capture, "classification")
    post = await bounded(capture.steps.extract_post(ctx),
                         max(capture.remaining(), GRACE_SECONDS), capture, "extraction")
    await bounded(record_views(page, capture, writer, env, post),
                  max(capture.remaining(), GRACE_SECONDS * 3), capture, "screenshots and DOM")
    outcome.final_url = page.url
    return post


async def bounded(awaitable: Awaitable[T], seconds: float, capture: Capture, step: str = "") -> T | None:
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
        selector = await capture.steps.post_element(PageContext(page, capture))
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
