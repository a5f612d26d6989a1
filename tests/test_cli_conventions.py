"""The command line as users of yt-dlp and the AWS CLI expect it: one-line errors for mistakes that
used to pass silently, settings from a config file, --json everywhere, -q, --version, completion."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from archiver.errors import EXIT_ENVIRONMENT, EXIT_OK, EXIT_USAGE

ARCHIVER = str(Path(sys.executable).parent / "archiver")
FIXTURE_BUNDLE = Path(__file__).parent / "fixtures/bundles/release-0.1.0/01a23377-63d2-7904-802c-27daba687011"
COOKIES = ("# Netscape HTTP Cookie File\n"
           "#HttpOnly_.x.com\tTRUE\t/\tTRUE\t1999999999\tauth_token\tTOKENVALUE\n")


def run(*args: str, home: Path, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """``archiver ARGS`` with its own config folder (keys, config.toml) at ``home``."""
    environ = {**os.environ, "ARCHIVER_CONFIG_DIR": str(home), **env}
    for name in ("ARCHIVER_CONFIG", "ARCHIVER_STORE", "ARCHIVER_CASE", "ARCHIVER_OPERATOR", "ARCHIVER_BROWSER",
                 "ARCHIVER_TSA", "ARCHIVER_COOKIES", "ARCHIVER_REQUIRE_CASE_OPERATOR"):
        if name not in env:
            environ.pop(name, None)
    return subprocess.run([ARCHIVER, *args], capture_output=True, text=True, cwd=cwd, env=environ, timeout=120)


def one_line_error(done: subprocess.CompletedProcess[str], code: int = EXIT_USAGE) -> str:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == code and len(lines) == 1 and lines[0].startswith("archiver: error: "), done.stderr
    return lines[0]


def bundle_copy(tmp_path: Path) -> Path:
    """The release fixture in a store of its own (commands append custody events to it)."""
    target = tmp_path / "store" / FIXTURE_BUNDLE.name
    shutil.copytree(FIXTURE_BUNDLE, target)
    shutil.copytree(FIXTURE_BUNDLE.parent / ".archiver", target.parent / ".archiver")
    for path in target.parent.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


# -- mistakes that are refused in one line, before a key is made or anything stored ------------------

def test_an_unclosed_ipv6_address_is_a_one_line_usage_error(tmp_path: Path) -> None:
    line = one_line_error(run("capture", "https://[::1", "--store", str(tmp_path / "ev"), home=tmp_path))
    assert "Invalid IPv6 URL" in line and not (tmp_path / "ev").exists()


@pytest.mark.parametrize(("content", "expected"), [
    (None, "is a folder; --cookies takes a cookies.txt file"),
    (b"\x89PNG\r\n\x1a\n\xff\xfe\xfd", "is neither UTF-8 nor UTF-16 text"),
    (b".x.com\tTRUE\t/\tTRUE\t0\tauth SECRETVALUE\n", ":1: expected 7 tab-separated fields, got 6"),
])
def test_a_bad_cookies_file_is_named_before_the_signing_key_is_made(tmp_path: Path, content: bytes | None,
                                                                   expected: str) -> None:
    cookies = tmp_path / "cookies.txt"
    if content is None:
        cookies.mkdir()
    else:
        cookies.write_bytes(content)
    home = tmp_path / "home"
    line = one_line_error(run("capture", "https://x.com/a/status/1", "--cookies", str(cookies), "--store",
                              str(tmp_path / "ev"), home=home))
    assert expected in line and "SECRETVALUE" not in line
    assert not (home / "keys").exists() and not (tmp_path / "ev").exists()


def test_an_unknown_cookie_platform_is_refused_and_aliases_are_accepted(tmp_path: Path) -> None:
    cookies = tmp_path / "cookies.txt"
    cookies.write_text(COOKIES)
    line = one_line_error(run("capture", "https://x.com/a/status/1", "--cookies", f"foo={cookies}",
                              "--store", str(tmp_path / "ev"), home=tmp_path))
    assert "--cookies foo=" in line and "unknown platform 'foo'; known: " in line
    assert "x (twitter)" in line and "facebook (fb)" in line
    # A file where the store should be: the command gets as far as checking the store, past the logins.
    (tmp_path / "file").write_text("")
    past = run("capture", "https://x.com/a/status/1", "--cookies", f"twitter={cookies}", "--store",
               str(tmp_path / "file" / "ev"), "--case", "C", "--operator", "O", home=tmp_path)
    assert "is not a folder" in one_line_error(past, EXIT_ENVIRONMENT)


@pytest.mark.parametrize(("store", "meant"), [("s3:/bucket/case", "s3://bucket/case"), ("s3:bucket", "s3://bucket")])
def test_a_mistyped_store_uri_is_refused_not_made_a_folder(tmp_path: Path, store: str, meant: str) -> None:
    for command in (["capture", "https://example.org/", "--store", store], ["ls", store]):
        line = one_line_error(run(*command, home=tmp_path / "home", cwd=tmp_path))
        assert f"looks like a mistyped URI: did you mean {meant}?" in line
    assert not [path.name for path in tmp_path.iterdir() if path.name.startswith("s3")]


def test_a_missing_browser_is_blamed_on_the_variable_that_named_it(tmp_path: Path) -> None:
    done = run("capture", "https://example.org/", "--store", str(tmp_path / "ev"), home=tmp_path / "home",
               ARCHIVER_BROWSER="/nope")
    assert one_line_error(done).endswith("$ARCHIVER_BROWSER /nope does not exist")
    assert not (tmp_path / "home" / "keys").exists()


def test_keys_show_of_a_missing_key_names_it_in_the_command_to_run(tmp_path: Path) -> None:
    line = one_line_error(run("keys", "show", "--name", "nosuch", home=tmp_path))
    assert line.endswith("run 'archiver keys init --name nosuch'")


def test_ls_of_a_folder_that_is_no_store_and_show_of_a_missing_bundle(tmp_path: Path) -> None:
    (tmp_path / "randomdir").mkdir()
    assert "randomdir is not a store" in one_line_error(run("ls", str(tmp_path / "randomdir"), home=tmp_path))
    store = bundle_copy(tmp_path).parent
    assert run("ls", str(store), home=tmp_path).returncode == EXIT_OK
    assert one_line_error(run("show", "/nonexistent", home=tmp_path)).endswith("no such bundle folder: /nonexistent")
    assert "is a store, not a bundle" in one_line_error(run("show", str(store), home=tmp_path))


def test_sizes_take_units_and_show_them(tmp_path: Path) -> None:
    from archiver.commands.byte_size import ByteSize

    size = ByteSize()
    assert [size.convert(text, None, None) for text in ("1048576", "512M", "1G", "1.5GiB", "2kb")] == [
        2**20, 512 * 2**20, 2**30, 3 * 2**29, 2048]
    helped = run("capture", "--help", home=tmp_path)
    assert "--max-bytes SIZE" in helped.stdout and "[default: 512M]" in helped.stdout
    line = one_line_error(run("capture", "https://example.org/", "--max-bytes", "1X", home=tmp_path))
    assert "--max-bytes '1X' is not a size" in line


def test_disable_plugin_after_the_command_and_unknown_names(tmp_path: Path) -> None:
    after = run("plugins", "--all", "--disable-plugin", "example", home=tmp_path)
    assert after.returncode == EXIT_OK and "example  (disabled)" in after.stdout
    line = one_line_error(run("plugins", "--disable-plugin", "exampel", home=tmp_path))
    assert "no plugin named 'exampel' to disable" in line and "example" in line.split("installed:")[1]
    from_env = run("plugins", home=tmp_path, ARCHIVER_DISABLE_PLUGINS="nope")
    assert "no plugin named 'nope'" in one_line_error(from_env)


# -- the config file and ARCHIVER_* ------------------------------------------------------------------

def test_config_show_says_where_each_setting_comes_from(tmp_path: Path) -> None:
    config = tmp_path / "elsewhere.toml"
    config.write_text('case = "CASE-7"\noperator = "From File"\ntsa = ["https://tsa.example/"]\n'
                      '[cookies]\nx = "~/cookies-x.txt"\n')
    shown = run("--config", str(config), "config", "show", "--json", home=tmp_path,
                ARCHIVER_OPERATOR="From Env")
    assert shown.returncode == EXIT_OK, shown.stderr
    answer = json.loads(shown.stdout)
    settings = {key: (value["value"], value["origin"]) for key, value in answer["settings"].items()}
    assert answer["file"] == str(config) and answer["found"]
    assert settings["case"] == ("CASE-7", str(config))
    assert settings["operator"] == ("From Env", "$ARCHIVER_OPERATOR")
    assert settings["store"] == ("./evidence", "default")
    assert settings["tsa"] == (["https://tsa.example/"], str(config))
    assert settings["cookies"] == ([f"x={Path.home()}/cookies-x.txt"], str(config))
    assert settings["require_case_operator"] == (False, "default")
    table = run("config", "show", home=tmp_path, ARCHIVER_CONFIG=str(config)).stdout
    assert f"config file: {config}\n" in table and "CASE-7" in table


def test_config_values_become_the_flags_defaults_and_a_flag_wins(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('store = "/from/config"\noperator = "J. Doe"\n')
    helped = run("capture", "--help", home=tmp_path).stdout
    assert "[default: /from/config]" in helped
    assert "[default: ./evidence]" in run("capture", "--help", home=tmp_path / "none").stdout
    (tmp_path / "file").write_text("")
    flagged = run("capture", "https://example.org/", "--store", str(tmp_path / "file" / "ev"), home=tmp_path)
    assert str(tmp_path / "file" / "ev") in one_line_error(flagged, EXIT_ENVIRONMENT)


def test_a_bad_config_file_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('stor = "./evidence"\n')
    assert "unknown setting 'stor'" in one_line_error(run("ls", str(tmp_path), home=tmp_path))
    (tmp_path / "config.toml").write_text('store = \n')
    assert "not valid TOML" in one_line_error(run("ls", str(tmp_path), home=tmp_path))
    (tmp_path / "config.toml").write_text('require_case_operator = "maybe"\n')
    assert "expected true or false" in one_line_error(run("ls", str(tmp_path), home=tmp_path))
    missing = run("--config", str(tmp_path / "nope.toml"), "ls", str(tmp_path), home=tmp_path)
    assert "no such config file" in one_line_error(missing)


def test_require_case_operator_refuses_a_capture_for_nobody(tmp_path: Path) -> None:
    done = run("capture", "https://example.org/", "--case", "C", "--store", str(tmp_path / "ev"),
               home=tmp_path / "home", ARCHIVER_REQUIRE_CASE_OPERATOR="true")
    line = one_line_error(done)
    assert "--operator required (require_case_operator, from $ARCHIVER_REQUIRE_CASE_OPERATOR)" in line
    assert not (tmp_path / "home" / "keys").exists() and not (tmp_path / "ev").exists()


@pytest.mark.browser
def test_a_capture_from_settings_with_units_alias_and_utf16_cookies(tmp_path: Path,
                                                                   tls_args: list[str]) -> None:
    """One capture through the settings file, without --case: warned about, and everything recorded."""
    cookies = tmp_path / "cookies.txt"
    cookies.write_text(COOKIES, encoding="utf-16")  # what Windows exports write
    store = tmp_path / "from-config"
    (tmp_path / "config.toml").write_text(f'store = "{store}"\noperator = "J. Doe"\n'
                                          f'[cookies]\ntwitter = "{cookies}"\n')
    done = run("capture", "https://example.org/article", "--max-bytes", "1G", "--json",
               "--disable-plugin", "example", *tls_args, home=tmp_path)
    assert done.returncode == EXIT_OK, done.stderr
    assert "archiver: warning: no --case: the manifest records none" in done.stderr
    (result,) = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    manifest = json.loads((store / result["bundle_id"] / "manifest.json").read_text())
    assert manifest["operator"] == "J. Doe" and manifest["case_id"] is None
    assert manifest["settings"]["max_capture_bytes"] == 2**30
    assert manifest["settings"]["platform_logins"] == [{"platform": "x", "kind": "cookies", "file": str(cookies)}]
    quiet = run("-q", "capture", "https://example.org/article", "--json", *tls_args, home=tmp_path)
    assert quiet.returncode == EXIT_OK and "warning" not in quiet.stderr


# -- --json, -q, -v, --version, completion, install-browser ------------------------------------------

def test_report_export_push_keys_and_custody_answer_in_json(tmp_path: Path) -> None:
    bundle = bundle_copy(tmp_path)
    home = tmp_path / "home"
    keys = run("keys", "init", "--json", home=home)
    assert json.loads(keys.stdout)["fingerprint"].startswith("sha256:"), keys.stderr
    assert json.loads(run("keys", "show", "--json", home=home).stdout)["public_key"].startswith("-----BEGIN")
    exported_key = json.loads(run("keys", "export-public", "--json", home=home).stdout)
    assert exported_key["name"] == "default"
    report = run("report", str(bundle), "-o", str(tmp_path / "r.html"), "--json", home=home)
    answer = json.loads(report.stdout)
    assert (answer["result"], answer["format"], answer["report"]) == ("OK", "html", str(tmp_path / "r.html"))
    assert answer["custody_event"].endswith("-reported.json")
    wacz = run("export", str(bundle), "--wacz", str(tmp_path / "b.wacz"), "--json", home=home)
    assert json.loads(wacz.stdout)["wacz"] == str(tmp_path / "b.wacz"), wacz.stderr
    pushed = run("push", str(bundle), "--store", str(bundle.parent), "--json", home=home)
    assert json.loads(pushed.stdout)["location"] == str(bundle), pushed.stderr
    added = run("custody", "add", str(bundle), "--event", "transferred", "--to", "Court", "--json",
                home=home)
    assert json.loads(added.stdout)["event"] == "transferred", added.stderr


def test_quiet_silences_notes_and_verbose_contradicts_it(tmp_path: Path) -> None:
    bundle = bundle_copy(tmp_path)
    noted = run("report", str(bundle), "-o", str(tmp_path / "a.html"), home=tmp_path / "a")
    assert "archiver: note: created signing key 'default'" in noted.stderr
    quiet = run("-q", "report", str(bundle), "-o", str(tmp_path / "b.html"), home=tmp_path / "b")
    assert quiet.returncode == EXIT_OK and quiet.stderr == ""
    assert "-v and -q contradict" in one_line_error(run("-v", "-q", "plugins", home=tmp_path))
    verbose = run("-v", "plugins", home=tmp_path)
    assert f"archiver: archiver.config: settings file {tmp_path / 'config.toml'} (none there)" in verbose.stderr


def test_version_and_shell_completion(tmp_path: Path) -> None:
    from importlib.metadata import version

    assert run("--version", home=tmp_path).stdout == f"archiver, version {version('evidence-archiver')}\n"
    script = run(home=tmp_path, _ARCHIVER_COMPLETE="bash_source").stdout
    assert "_archiver_completion" in script and "complete " in script
    words = run(home=tmp_path, _ARCHIVER_COMPLETE="bash_complete", COMP_WORDS="archiver install-b",
                COMP_CWORD="1").stdout
    assert words.split() == ["plain,install-browser"]


def test_install_browser_without_a_download_names_the_debian_packages(tmp_path: Path) -> None:
    done = run("-q", "install-browser", home=tmp_path, PLAYWRIGHT_DOWNLOAD_HOST="http://127.0.0.1:9",
               PLAYWRIGHT_BROWSERS_PATH=str(tmp_path / "browsers"))
    line = one_line_error(done, EXIT_ENVIRONMENT)
    assert line.endswith("sudo apt-get install chromium-headless-shell chromium")
