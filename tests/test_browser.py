"""Which Chromium the tool drives."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from archiver import browser
from archiver.browser import BrowserNotFoundError, find_browser


def fake_playwright(executable: Path) -> SimpleNamespace:
    return SimpleNamespace(chromium=SimpleNamespace(executable_path=str(executable)))


@pytest.fixture
def debian(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    shell, full = tmp_path / "chromium-headless-shell", tmp_path / "chromium"
    monkeypatch.setattr(browser, "DEBIAN_HEADLESS_SHELL", shell)
    monkeypatch.setattr(browser, "DEBIAN_CHROMIUM", full)
    monkeypatch.delenv("ARCHIVER_BROWSER", raising=False)
    monkeypatch.setenv("ARCHIVER_CONFIG", str(tmp_path / "config.toml"))
    (tmp_path / "config.toml").write_text("")
    return shell, full


def test_order_playwright_download_then_headless_shell_then_full_browser(debian, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shell, full = debian
    downloaded = tmp_path / "ms-playwright" / "chrome"
    playwright = fake_playwright(downloaded)
    with pytest.raises(BrowserNotFoundError, match="run 'archiver install-browser'.*apt-get install "
                                                   "chromium-headless-shell chromium"):
        find_browser(playwright)  # type: ignore[arg-type]
    full.touch()
    assert find_browser(playwright) == full  # type: ignore[arg-type]
    shell.touch()
    assert find_browser(playwright) == shell  # type: ignore[arg-type]
    downloaded.parent.mkdir()
    downloaded.touch()
    assert find_browser(playwright) == downloaded  # type: ignore[arg-type]


def test_browser_path_and_environment_override_and_must_exist(debian, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    shell, _full = debian
    shell.touch()
    chosen = tmp_path / "my-chrome"
    with pytest.raises(BrowserNotFoundError, match="does not exist"):
        find_browser(fake_playwright(tmp_path / "none"), chosen)  # type: ignore[arg-type]
    chosen.touch()
    assert find_browser(fake_playwright(tmp_path / "none"), chosen) == chosen  # type: ignore[arg-type]
    monkeypatch.setenv("ARCHIVER_BROWSER", str(chosen))
    assert find_browser(fake_playwright(tmp_path / "none")) == chosen  # type: ignore[arg-type]


def test_a_missing_browser_is_blamed_on_where_it_was_named(debian, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    playwright = fake_playwright(tmp_path / "none")
    (tmp_path / "config.toml").write_text('browser = "/nope/from-config"\n')
    with pytest.raises(BrowserNotFoundError, match=f"^browser in {tmp_path / 'config.toml'}: /nope/from-config "
                                                   "does not exist$"):
        find_browser(playwright)  # type: ignore[arg-type]
    monkeypatch.setenv("ARCHIVER_BROWSER", "/nope/from-env")
    with pytest.raises(BrowserNotFoundError, match=r"^\$ARCHIVER_BROWSER /nope/from-env does not exist$"):
        find_browser(playwright)  # type: ignore[arg-type]
    with pytest.raises(BrowserNotFoundError, match="^--browser-path /nope/flag does not exist$"):
        find_browser(playwright, Path("/nope/flag"))  # type: ignore[arg-type]
