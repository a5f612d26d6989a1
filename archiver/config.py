"""The user's standing choices: a TOML file and ``ARCHIVER_*`` variables under the command-line flags.

Each setting is looked up in this order, the first one given wins: the command-line flag, its
``ARCHIVER_*`` variable, the config file, the built-in default. The file is
``$ARCHIVER_CONFIG`` (``archiver --config FILE`` sets it), else ``config.toml`` in the folder
that also holds the signing keys (``~/.config/evidence-archiver``).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archiver.cluster import CLUSTER_ENV
from archiver.errors import ArchiverError
from archiver.keys import config_dir
from archiver.tsa_urls import TSA_ENV, tsa_urls_from_env

CONFIG_ENV = "ARCHIVER_CONFIG"
FILE_NAME = "config.toml"
DEFAULT = "default"


class ConfigError(ArchiverError):
    """A config file or ``ARCHIVER_*`` value that cannot be used."""


def text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: expected a non-empty string")
    return value


def path_text(value: object, where: str) -> str:
    return os.path.expanduser(text(value, where))


def text_list(value: object, where: str) -> tuple[str, ...]:
    """One string, or a list of them (TSAs are tried in order)."""
    items = value.split() if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ConfigError(f"{where}: expected a string or a list of strings")
    return tuple(items)


def tsa_urls_env(value: str, where: str) -> tuple[str, ...]:
    return tsa_urls_from_env({TSA_ENV: value})


def cookie_files(value: object, where: str) -> tuple[str, ...]:
    """``PLATFORM=FILE`` values as ``--cookies`` takes them: a table of platform to file, or one
    file for every platform."""
    if isinstance(value, str):
        return (path_text(value, where),)
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a file, or a table of platform = file")
    return tuple(f"{platform}={path_text(file, f'{where}.{platform}')}" for platform, file in value.items())


def cookie_files_env(value: str, where: str) -> tuple[str, ...]:
    # Separated like $PATH: a file name may contain spaces or commas.
    return tuple(os.path.expanduser(item) for item in value.split(os.pathsep) if item)


def flag(value: object, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on", "0", "false", "no", "off", ""):
        return value.lower() in ("1", "true", "yes", "on")
    raise ConfigError(f"{where}: expected true or false")


@dataclass(frozen=True)
class Setting:
    key: str
    env: str
    meaning: str
    parse: Callable[[object, str], Any]
    default: Any = None
    # The variable's text, when it is not parsed as a file value would be.
    parse_env: Callable[[str, str], Any] | None = None


SETTINGS = (
    Setting("store", "ARCHIVER_STORE", "capture --store: where bundles go", path_text, "./evidence"),
    Setting("case", "ARCHIVER_CASE", "capture --case", text),
    Setting("operator", "ARCHIVER_OPERATOR", "--operator of capture, report, export, push", text),
    Setting("tsa", TSA_ENV, "--tsa of capture and timestamp (tried in order)", text_list, (), tsa_urls_env),
    Setting("browser", "ARCHIVER_BROWSER", "Chromium to use when --browser-path is not given", path_text),
    Setting("cookies", "ARCHIVER_COOKIES", "capture --cookies: a file per platform", cookie_files, (),
            cookie_files_env),
    Setting("require_case_operator", "ARCHIVER_REQUIRE_CASE_OPERATOR",
            "capture refuses to run without --case and --operator", flag, False),
    Setting("cluster", CLUSTER_ENV, "--cluster of capture and verify, worker --scheduler: a Dask scheduler",
            text),
)
BY_KEY = {setting.key: setting for setting in SETTINGS}

# Where each setting is a default: (command, option name).
OPTIONS = {
    "store": (("capture", "store"),),
    "case": (("capture", "case_id"),),
    "operator": (("capture", "operator"), ("report", "operator"), ("export", "operator"),
                 ("push", "operator")),
    "tsa": (("capture", "tsa_urls"), ("timestamp", "tsa_urls")),
    "cookies": (("capture", "cookies"),),
    "cluster": (("capture", "cluster"), ("verify", "cluster"), ("serve", "cluster"), ("worker", "scheduler")),
}


@dataclass(frozen=True)
class Value:
    value: Any
    origin: str  # "default", "$ARCHIVER_STORE", or the config file's path


@dataclass(frozen=True)
class Config:
    path: Path
    found: bool
    values: dict[str, Value]

    def __getitem__(self, key: str) -> Any:
        return self.values[key].value

    def origin(self, key: str) -> str:
        return self.values[key].origin

    def default_map(self) -> dict[str, dict[str, Any]]:
        """click's ``default_map``: what the flags of each command default to, where not built in."""
        defaults: dict[str, dict[str, Any]] = {}
        for key, options in OPTIONS.items():
            if self.values[key].origin != DEFAULT:
                value = self.values[key].value
                default = list(value) if isinstance(value, tuple) else value  # click's multiple options
                for command, name in options:
                    defaults.setdefault(command, {})[name] = default
        return defaults


def config_file(environ: Mapping[str, str] | None = None) -> tuple[Path, bool]:
    """The config file, and whether the user named it (a named file must exist)."""
    named = (os.environ if environ is None else environ).get(CONFIG_ENV)
    if named:
        return Path(named).expanduser(), True
    return config_dir() / FILE_NAME, False


def load_config(environ: Mapping[str, str] | None = None) -> Config:
    env = os.environ if environ is None else environ
    path, named = config_file(env)
    table = read_table(path, named)
    unknown = sorted(set(table) - set(BY_KEY))
    if unknown:
        raise ConfigError(f"{path}: unknown setting {unknown[0]!r}; known: {', '.join(BY_KEY)}")
    values = {}
    for setting in SETTINGS:
        raw = env.get(setting.env)
        if raw is not None and raw != "":
            parse_env = setting.parse_env or setting.parse
            values[setting.key] = Value(parse_env(raw, f"${setting.env}"), f"${setting.env}")
        elif setting.key in table:
            parsed = setting.parse(table[setting.key], f"{path}: {setting.key}")
            values[setting.key] = Value(parsed, str(path))
        else:
            values[setting.key] = Value(setting.default, DEFAULT)
    return Config(path, path.is_file(), values)


def read_table(path: Path, named: bool) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if named:
            raise ConfigError(f"no such config file: {path} (${CONFIG_ENV} or --config)") from None
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        return tomllib.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
