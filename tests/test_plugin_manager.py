"""The plugin manager: specs, built-ins, a real third-party plugin from an entry point."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from archiver import hookspecs
from archiver.models import Classification, PlatformMatch, Status
from archiver.platforms import Platform, PlatformError, Platforms
from archiver.plugin_manager import BUILTIN_PLUGINS, get_plugin_manager


def claim(url: str, *disable: str) -> str:
    return Platforms.from_plugins(get_plugin_manager(disable)).claim(url).platform.name


def test_builtins_and_entry_point_plugin_are_registered() -> None:
    pm = get_plugin_manager()
    names = {name for name, _ in pm.list_name_plugin()}
    assert {"generic", "local", "x", "telegram"} <= names
    # installed from tests/plugin_example by `make test`, found through its entry point
    assert "example" in names
    assert any(dist.project_name == "archiver-example-plugin" for _p, dist in pm.list_plugin_distinfo())


def test_every_hook_is_specified_with_a_docstring() -> None:
    pm = get_plugin_manager()
    for name in ("register_platforms", "open_store", "register_commands", "plugin_info"):
        assert getattr(pm.hook, name).spec is not None
        assert getattr(hookspecs, name).__doc__


def test_third_party_plugin_claims_its_urls_before_the_generic_fallback() -> None:
    pm = get_plugin_manager()
    platforms = Platforms.from_plugins(pm)
    assert platforms.claim("https://plugin-example.test/p/1?x=1").match.canonical_url == "https://plugin-example.test/p/1"
    assert platforms.claim("https://www.youtube.com/watch?v=abc").platform.name == "generic"
    assert platforms.ordered[-1].name == "generic"


def test_disable_plugin_by_argument_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert claim("https://plugin-example.test/p/1", "example") == "generic"
    monkeypatch.setenv("ARCHIVER_DISABLE_PLUGINS", "example, x")
    pm = get_plugin_manager()
    assert pm.get_plugin("example") is None and pm.get_plugin("x") is None
    assert claim("https://x.com/jack/status/20") == "generic"


def test_fresh_managers_share_no_state() -> None:
    first, second = get_plugin_manager(), get_plugin_manager()
    first.unregister(name="generic")
    assert second.get_plugin("generic") is not None


def test_only_the_claiming_platform_runs_then_the_fallback() -> None:
    """A page step reaches the platform that claimed the URL; the fallback answers what it leaves out."""
    calls: list[str] = []

    def claims(host: str, name: str) -> Any:
        return lambda url: PlatformMatch(name, url) if host in url else None

    async def classify(name: str, answer: Classification | None) -> Classification | None:
        calls.append(name)
        return answer

    blocked = Classification(Status.BLOCKED, "from the fallback")
    mine = Platform("mine", claims("mine.test", "mine"),
                    classify_page=lambda ctx, response: classify("mine", None))
    other = Platform("other", claims("other.test", "other"),
                     classify_page=lambda ctx, response: classify("other", None))
    fallback = Platform("generic", claims("", "generic"),
                        classify_page=lambda ctx, response: classify("generic", blocked))
    platforms = Platforms([mine, fallback, other])
    claimed = platforms.claim("https://mine.test/1")
    assert claimed.platform is mine and [p.name for p in platforms.ordered] == ["mine", "other", "generic"]
    answer = asyncio.run(platforms.steps(claimed.platform).classify_page(None, None))  # type: ignore[arg-type]
    assert answer is blocked and calls == ["mine", "generic"]
    calls.clear()
    assert asyncio.run(platforms.steps(claimed.platform).extract_post(None)) is None  # type: ignore[arg-type]
    assert calls == []


def test_two_platforms_of_one_name_are_refused() -> None:
    twin = Platform("x", lambda url: None)
    with pytest.raises(PlatformError, match="two plugins register the platform 'x'"):
        Platforms([twin, Platform("x", lambda url: None)])


def test_no_builtin_platform_filters_by_name() -> None:
    """Dispatch is the core's job: no plugin compares the platform's name to its own."""
    root = Path(__file__).parent.parent
    for path in [*(root / "plugins").glob("*.py"), *(root / "tests" / "plugin_example").rglob("*.py")]:
        assert ".platform !=" not in path.read_text() and ".platform ==" not in path.read_text(), path


def test_builtin_modules_live_under_the_archiver_package() -> None:
    import archiver

    root = Path(archiver.__file__).parent
    for path in BUILTIN_PLUGINS:
        assert path.startswith("archiver.")
    assert (root / "cli.py").exists()
    import importlib.util

    for squatter in ("plugins", "storage", "cli"):
        spec = importlib.util.find_spec(squatter)
        assert spec is None or "site-packages" not in (spec.origin or ""), squatter


def test_third_party_plugin_used_in_a_capture(capture) -> None:  # type: ignore[no-untyped-def]
    result = capture("https://plugin-example.test/p/1")
    assert result.platform == "example" and result.status == "complete"
    assert result.post["text"] == "Example plugin post"
    assert (Path(result.location) / "post.png").exists()


def test_loading_the_plugins_opens_no_browser_library() -> None:
    """Commands that never open a browser (verify, ls, bank) do not pay for importing Playwright."""
    import subprocess
    import sys

    probe = ("import sys; from archiver.plugin_manager import get_plugin_manager; get_plugin_manager(); "
             "print(sorted(m for m in ('playwright.async_api', 'mitmproxy', 'boto3') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
