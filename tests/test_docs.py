"""docs/plugins.md documents the plugin contract as the code defines it, no more and no less."""

from __future__ import annotations

import dataclasses
import inspect
import re
import typing
from pathlib import Path

from archiver import hookspecs
from archiver.page_context import PageContext
from archiver.platforms import Platform

PLUGINS_MD = (Path(__file__).parent.parent / "docs" / "plugins.md").read_text()


def documented(section: str) -> dict[str, list[str]]:
    """``### name(arg, arg)`` headings of one ``## section``, as name -> argument names."""
    body = PLUGINS_MD.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return {name: [a.strip() for a in args.split(",") if a.strip()]
            for name, args in re.findall(r"^### (\w+)\(([^)]*)\)$", body, re.MULTILINE)}


def argument_names(function: object) -> list[str]:
    return [p for p in inspect.signature(function).parameters if p != "self"]  # type: ignore[arg-type]


def test_every_hook_is_documented_with_its_signature() -> None:
    specs = {name: argument_names(fn) for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
             if hasattr(fn, "archiver_spec")}
    assert specs, "no hook specs found"
    assert documented("Hooks") == specs


def test_every_platform_step_is_documented_with_its_signature() -> None:
    hints = typing.get_type_hints(Platform)
    steps = {}
    for field in dataclasses.fields(Platform):
        if field.name != "name":
            protocol = next(t for t in typing.get_args(hints[field.name]) or [hints[field.name]]
                            if t is not type(None))
            steps[field.name] = argument_names(protocol.__call__)
    assert documented("The Platform object") == steps


def test_every_page_context_member_is_documented() -> None:
    members = {name for name in dir(PageContext) if not name.startswith("_")} | {"page", "settings"}
    listed = set(re.findall(r"^- `ctx\.(\w+)", PLUGINS_MD, re.MULTILINE))
    assert listed == members


def test_the_example_registers_what_the_docs_say() -> None:
    example = PLUGINS_MD.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec(compile(example, "docs/plugins.md", "exec"), namespace)  # noqa: S102
    registered: list[Platform] = []
    namespace["register_platforms"](registered.append)  # type: ignore[operator]
    (platform,) = registered
    match = platform.match_url("https://news.example/story/42?utm_source=x")
    assert match is not None and match.canonical_url == "https://news.example/story/42"
    assert platform.match_url("https://news.example/about") is None
