from __future__ import annotations

import re
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


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le"])
def test_cookie_files_in_the_encodings_browsers_export(tmp_path: Path, encoding: str) -> None:
    """Windows exports write UTF-16 with CRLF; some tools a UTF-8 byte-order mark; some no header line."""
    path = tmp_path / "c.txt"
    text = ("#HttpOnly_.x.com\tTRUE\t/\tTRUE\t1999999999\tauth_token\tTOKENVALUE\r\n"
            "x.com\tFALSE\t/p\tFALSE\t\tlang\ten\r\n")
    path.write_bytes(text.encode(encoding))
    assert parse_netscape_cookies(path) == [
        {"name": "auth_token", "value": "TOKENVALUE", "domain": ".x.com", "path": "/", "secure": True,
         "httpOnly": True, "expires": 1999999999},
        {"name": "lang", "value": "en", "domain": "x.com", "path": "/p", "secure": False, "httpOnly": False},
    ]


@pytest.mark.parametrize(("line", "reason"), [
    ("x.com\tTRUE\t/\tFALSE\t0\tname\tSECRETVALUE", "must be TRUE exactly when the domain starts with a dot"),
    (".x.com\tTRUE\t/\tFALSE\tsoon\tname\tSECRETVALUE", "the expiry (fifth field) must be seconds"),
])
def test_what_the_cookie_jar_refuses_is_said_with_the_line_and_without_the_value(
        tmp_path: Path, line: str, reason: str) -> None:
    path = tmp_path / "c.txt"
    path.write_text(f"# Netscape HTTP Cookie File\n{line}\n")
    with pytest.raises(SecretsError, match=f"^{re.escape(str(path))}:2: ") as error:
        parse_netscape_cookies(path)
    assert reason in str(error.value) and "SECRETVALUE" not in str(error.value)
