from __future__ import annotations

from pathlib import Path

import pytest

from archiver.secrets import SecretsError, load_login_material, parse_netscape_cookies, scrub


def test_netscape_cookies_parse(tmp_path: Path) -> None:
    path = tmp_path / "c.txt"
    path.write_text("# Netscape HTTP Cookie File\n"
                    "#HttpOnly_.x.com\tTRUE\t/\tTRUE\t1999999999\tauth_token\tTOKENVALUE\n"
                    ".x.com\tTRUE\t/\tFALSE\t0\tlang\ten\n")
    cookies = parse_netscape_cookies(path)
    assert cookies[0] == {"name": "auth_token", "value": "TOKENVALUE", "domain": ".x.com", "path": "/",
                          "secure": True, "httpOnly": True, "expires": 1999999999}
    material = load_login_material(path, None)
    fingerprint = material.account_fingerprint()
    assert fingerprint and fingerprint.startswith("sha256:") and "TOKENVALUE" not in fingerprint


def test_malformed_cookie_line_error_does_not_echo_the_value(tmp_path: Path) -> None:
    path = tmp_path / "c.txt"
    path.write_text(".x.com TRUE / TRUE 0 auth SECRETVALUE\n")
    with pytest.raises(SecretsError) as error:
        parse_netscape_cookies(path)
    assert "SECRETVALUE" not in str(error.value)


def test_scrub_removes_secret_values() -> None:
    assert scrub("a TOKENVALUE b", ["TOKENVALUE"]) == "a [REDACTED] b"
