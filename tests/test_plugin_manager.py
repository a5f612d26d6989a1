"""The plugin manager: specs, built-ins, a real third-party plugin from an entry point."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from archiver import hookspecs
from archiver.plugin_manager import BUILTIN_PLUGINS, first_async_result, get_plugin_manager


def test_builtins_and_entry_point_plugin_are_registered() -> None:
    pm = get_plugin_manager()
    names = {name for name, _ in pm.list_name_plugin()}
    assert {"generic", "local", "x", "telegram"} <= names
    # installed from tests/plugin_example by `make test`, found through its entry point
    assert "example" in names
    assert any(dist.project_name == "archiver-example-plugin" for _p, dist in pm.list_plugin_distinfo())


def test_every_hook_is_specified_with_a_docstring() -> None:
    pm = get_plugin_manager()
    for name in ("match_url", "settle_page", "classify_page", "extract_post", "post_element",
                 "open_store", "register_commands"):
        assert getattr(pm.hook, name).spec is not None
        assert getattr(hookspecs, name).__doc__


def test_third_party_plugin_claims_its_urls_before_the_generic_fallback() -> None:
    pm = get_plugin_manager()
    assert pm.hook.match_url(url="https://plugin-example.test/p/1?x=1").platform == "example"
    assert pm.hook.match_url(url="https://www.youtube.com/watch?v=abc").platform == "generic"


def test_disable_plugin_by_argument_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert get_plugin_manager(["example"]).hook.match_url(url="https://plugin-example.test/p/1").platform == "generic"
    monkeypatch.setenv("ARCHIVER_DISABLE_PLUGINS", "example, x")
    pm = get_plugin_manager()
    assert pm.get_plugin("example") is None and pm.get_plugin("x") is None
    assert pm.hook.match_url(url="https://x.com/jack/status/20").platform == "generic"


def test_fresh_managers_share_no_state() -> None:
    first, second = get_plugin_manager(), get_plugin_manager()
    first.unregister(name="generic")
    assert second.get_plugin("generic") is not None


def test_first_async_result_takes_first_non_none_and_closes_the_rest() -> None:
    ran: list[str] = []

    async def answer(value: str | None) -> str | None:
        ran.append(str(value))
        return value

    result = asyncio.run(first_async_result([answer(None), answer("a"), answer("b")]))
    assert result == "a" and ran == ["None", "a"]


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
