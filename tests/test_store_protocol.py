"""The store protocol as a third-party store meets it: its own options on the built-in commands, the
values handed to its open_store, and the S3 options and commands coming from the s3 plugin alone."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import click
import pluggy
import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from archiver import hookimpl
from archiver.commands import common
from archiver.errors import EXIT_OK, EXIT_USAGE
from archiver.keys import Signer
from archiver.storage.base import StoreCapabilities, StoreError
from archiver.storage.local import LocalStore

ARCHIVER = str(Path(sys.executable).parent / "archiver")
RELEASE_BUNDLE = Path(__file__).parent / "fixtures/bundles/release-0.1.0/01a23377-63d2-7904-802c-27daba687011"


class EmptyVault:
    """A store with no bundles: all `archiver ls` needs of it."""

    capabilities = StoreCapabilities()

    def __init__(self, location: str) -> None:
        self.location = location

    def bundle_ids(self) -> Iterator[str]:
        return iter(())


class VaultPlugin:
    def __init__(self, option: str) -> None:
        self.option = option
        self.opened: list[tuple[str, dict[str, Any]]] = []

    @hookimpl
    def store_options(self, command: str) -> list[click.Option] | None:
        return [click.Option([self.option])] if command == "ls" else None

    @hookimpl(tryfirst=True)
    def open_store(self, location: str, options: Mapping[str, Any]) -> EmptyVault | None:
        if not location.startswith("vault://"):
            return None
        self.opened.append((location, dict(options)))
        return EmptyVault(location)


def with_plugin(monkeypatch: pytest.MonkeyPatch, plugin: VaultPlugin) -> None:
    """Every plugin manager the commands build also holds ``plugin``, as if it were installed."""
    build = common.get_plugin_manager

    def managers(disabled: Any = ()) -> pluggy.PluginManager:
        pm = build(disabled)
        pm.register(plugin, name="vault")
        return pm

    monkeypatch.setattr(common, "get_plugin_manager", managers)


def archiver(*args: str) -> Result:
    from archiver.cli import cli

    return CliRunner().invoke(cli, list(args))


def test_a_store_plugin_adds_its_option_and_open_store_receives_every_store_option(
        monkeypatch: pytest.MonkeyPatch) -> None:
    vault = VaultPlugin("--vault-region")
    with_plugin(monkeypatch, vault)
    listed = archiver("ls", "vault://cases", "--vault-region", "eu", "--endpoint-url", "http://s3.test")
    assert listed.exit_code == EXIT_OK, listed.output
    assert vault.opened == [("vault://cases", {"vault_region": "eu", "endpoint_url": "http://s3.test"})]
    assert "--vault-region" in archiver("ls", "--help").output
    assert "--vault-region" not in archiver("verify", "--help").output  # asked only for `ls`


def test_two_plugins_adding_the_same_option_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with_plugin(monkeypatch, VaultPlugin("--endpoint-url"))  # the s3 plugin's option
    clash = archiver("ls", "vault://cases")
    assert clash.exit_code == EXIT_USAGE
    assert clash.output.strip() == "archiver: error: storage plugins add --endpoint-url to 'ls' more than once"


def test_s3_options_and_commands_come_from_the_s3_plugin() -> None:
    with_s3 = subprocess.run([ARCHIVER, "capture", "--help"], capture_output=True, text=True, check=True)
    assert "--endpoint-url" in with_s3.stdout and "--retain-days" in with_s3.stdout
    without = subprocess.run([ARCHIVER, "--disable-plugin", "s3", "capture", "--help"], capture_output=True,
                             text=True, check=True)
    assert "--endpoint-url" not in without.stdout and "--retain-days" not in without.stdout
    gone = subprocess.run([ARCHIVER, "--disable-plugin", "s3", "store", "init", "s3://bucket"],
                          capture_output=True, text=True)
    assert gone.returncode == EXIT_USAGE and "No such command 'store'" in gone.stderr


def test_a_lock_asked_of_a_folder_is_refused_before_anything_is_stored(tmp_path: Path) -> None:
    store = tmp_path / "ev"
    for command in (["capture", "https://example.org/", "--store", str(store)],
                    ["push", str(RELEASE_BUNDLE), "--store", str(store)]):
        done = subprocess.run([ARCHIVER, *command, "--retain-days", "1"], capture_output=True, text=True)
        assert done.returncode == EXIT_USAGE, done.stderr
        assert done.stderr.strip().startswith("archiver: error: --retain-days/--legal-hold need an s3:// store")
    assert not store.exists()


def test_a_local_bundle_takes_no_event_before_it_is_sealed(tmp_path: Path) -> None:
    folder = tmp_path / "ev" / RELEASE_BUNDLE.name
    folder.mkdir(parents=True)
    reader = LocalStore(tmp_path / "ev").reader(folder.name)
    with pytest.raises(StoreError, match="has no manifest.json"):
        reader.append_event(event="verified", actor=None, details={},
                            signer=Signer("test", Ed25519PrivateKey.generate()))
    assert not (folder / "custody").exists()
