from __future__ import annotations

import pytest

from archiver.settings import CaptureSettings, ResolveRule, SettingsError


@pytest.mark.parametrize(("text", "target"), [
    ("x.com:443:127.0.0.1", ("127.0.0.1", 443)),
    ("X.com:443:127.0.0.1:8443", ("127.0.0.1", 8443)),
    ("x.com:443:[::1]", ("::1", 443)),
    ("x.com:443:[::1]:9000", ("::1", 9000)),
])
def test_resolve_rules_parse(text: str, target: tuple[str, int]) -> None:
    rule = ResolveRule.parse(text)
    assert rule.host == "x.com" and rule.port == 443 and rule.target == target
    assert ResolveRule.parse(str(rule)) == rule


@pytest.mark.parametrize("text", ["x.com", "x.com:443", "x.com:abc:1.2.3.4", "x.com:443:not-an-ip",
                                  "x.com:70000:1.2.3.4", ":443:1.2.3.4"])
def test_bad_resolve_rules_are_refused(text: str) -> None:
    with pytest.raises(SettingsError):
        ResolveRule.parse(text)


def test_manifest_view_names_secret_files_but_not_contents(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cookies = tmp_path / "cookies.txt"
    cookies.write_text("secret")
    view = CaptureSettings(cookies_file=cookies, resolve=(ResolveRule.parse("a.b:443:1.2.3.4"),)).for_manifest()
    assert view["cookies_file"] == str(cookies)
    assert view["resolve"] == ["a.b:443:1.2.3.4"]
    assert "secret" not in str(view)
