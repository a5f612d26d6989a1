"""Fresh contexts made ahead in a batch: nothing carried over, nothing fetched before its capture."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Error as PlaywrightError

from archiver.contexts import ContextPool
from archiver.pipeline import CaptureRequest

REMEMBER_PAGE = """<!doctype html><title>remember</title><body><p id="seen">?</p><script>
document.getElementById('seen').textContent = 'seen:' + (localStorage.getItem('mark') || 'none')
  + ' cookie:' + (document.cookie || 'none');
localStorage.setItem('mark', 'set-by-an-earlier-capture');
document.cookie = 'mark=set-by-an-earlier-capture; path=/; max-age=3600';
</script></body>"""


@pytest.fixture(scope="module", autouse=True)
def remember_page(https_server) -> None:  # type: ignore[no-untyped-def]
    https_server.site("example.org").add("/remember", REMEMBER_PAGE)


def test_batch_contexts_share_no_state_and_none_are_left_open(engine) -> None:  # type: ignore[no-untyped-def]
    browser = engine.engine.browser
    open_before = len(browser.contexts)
    requests = [CaptureRequest("https://example.org/remember", "CASE-T", "Tester") for _ in range(5)]
    results = engine.call(engine.engine.capture_many(requests, workers=2))
    assert [r.status for r in results] == ["complete"] * 5, [r.reason for r in results]
    for result in results:
        dom = (Path(result.location) / "dom.html").read_text()
        assert "seen:none cookie:none" in dom
    assert len(browser.contexts) == open_before  # the pool made no context beyond the batch


def test_a_context_made_ahead_is_refused_by_the_proxy_until_its_capture_starts(engine) -> None:  # type: ignore[no-untyped-def]
    env = engine.engine.environment()
    pool = ContextPool(engine.engine.browser)
    pool.expect(2)

    async def load_before_any_capture_opened_it() -> tuple[int | None, str]:
        first = await pool.take(env.context_spec(), None)  # also starts making the second one
        second = await pool.take(env.context_spec(), None)
        assert first.token != second.token
        try:
            response = await second.page.goto("https://example.org/remember", timeout=20_000)
            return (response.status if response else None), await second.page.content()
        except PlaywrightError as exc:
            return None, str(exc)
        finally:
            for fresh in (first, second):
                await fresh.context.close()
            await pool.close()

    status, body = engine.call(load_before_any_capture_opened_it())
    assert status in (None, 407), body
    assert "seen:" not in body  # the page itself never arrived
