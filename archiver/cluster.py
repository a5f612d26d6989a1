"""The Dask cluster a batch runs on when ``--cluster`` (or ``$ARCHIVER_CLUSTER``) names a scheduler.

Without one nothing here is imported: batches run on this machine as they always did. The
scheduler keeps its state in memory only, so what a batch leaves behind stays ours: the bundles
in the store and the ``--report`` file that ``--resume`` reads.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterator
from concurrent.futures import CancelledError
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from archiver.commands.notices import quiet
from archiver.errors import ArchiverError, EnvironmentFailure

if TYPE_CHECKING:
    from distributed import Client

CLUSTER_ENV = "ARCHIVER_CLUSTER"
CONNECT_TIMEOUT_S = 30


class ClusterLost(EnvironmentFailure):
    """The scheduler went away mid-batch; what was done is kept, the rest is not."""


def scheduler_host(address: str, option: str = "--cluster") -> str:
    from distributed.comm.addressing import get_address_host

    try:
        return str(get_address_host(address))
    except (ValueError, TypeError):
        raise ArchiverError(f"{option} {address!r}: expected a scheduler address such as "
                            "tcp://HOST:8786 or tls://HOST:8786") from None


def is_loopback(address: str) -> bool:
    host = scheduler_host(address).strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_encrypted(address: str) -> bool:
    return address.startswith("tls://")


def check_secrets_transport(address: str, has_secrets: bool, allow_plaintext: bool) -> None:
    """Login material goes to workers only encrypted, or to a scheduler on this machine."""
    if has_secrets and not (is_encrypted(address) or is_loopback(address) or allow_plaintext):
        raise ArchiverError(f"--cookies/--storage-state would travel unencrypted to the workers of "
                            f"{address}: use a tls:// scheduler, or --allow-plaintext-cluster "
                            "(recorded in every manifest)")


def check_store_reachable(location: str, address: str, shared: bool) -> None:
    """Every worker writes or reads the store: a folder of this machine only works for a
    scheduler on this machine, unless the user says every worker mounts it at the same path."""
    if "://" in location and not location.startswith("file://"):
        return
    if not (shared or is_loopback(address)):
        raise ArchiverError(f"store {location} is a folder of this machine, which the workers of "
                            f"{address} cannot reach: use an s3:// store, or --shared-store if every "
                            "worker mounts it at this same path")


def connect(address: str) -> Client:
    """A client of the scheduler; TLS settings come from Dask's configuration
    (``DASK_DISTRIBUTED__COMM__TLS__*``), as for any Dask client."""
    from distributed import Client

    scheduler_host(address)
    check_tls_settings(address)
    # Dask's client logs its reconnection attempts with tracebacks when the scheduler goes away;
    # scheduler_watch says that in one line instead.
    for name in ("distributed", "distributed.client"):  # Dask's configuration sets both
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise EnvironmentFailure(f"cannot reach the cluster scheduler {address}: "
                                 f"{' '.join(str(exc).split())}") from None
    if not quiet():
        info = client.scheduler_info()
        where = f"; dashboard {client.dashboard_link}" if info.get("services", {}).get("dashboard") else ""
        # scheduler_info lists at most 5 workers; nthreads names them all
        click.echo(f"archiver: cluster {address} ({len(client.nthreads())} workers){where}", err=True)
    return client


def check_tls_settings(address: str) -> None:
    """A tls:// scheduler needs this client's CA and certificate, which Dask reads from its
    configuration; without them Dask fails deep in its connection code, and then hangs a minute."""
    if not is_encrypted(address):
        return
    from distributed.security import Security

    tls = Security().get_tls_config_for_role("client")
    # the key may be in the certificate's file
    given = {"CA_FILE": tls["ca_file"], "CLIENT__CERT": tls["cert"], "CLIENT__KEY": tls["key"] or tls["cert"]}
    missing = [f"DASK_DISTRIBUTED__COMM__TLS__{name}" for name, value in given.items() if not value]
    if missing:
        raise ArchiverError(f"--cluster {address} is TLS: set {', '.join(missing)} (the CA, this client's "
                            "certificate and key; see docs/scale.md)")


@contextmanager
def scheduler_watch(address: str, resume_hint: str) -> Iterator[None]:
    """Turn the loss of the scheduler mid-batch into one line saying how to go on."""
    from distributed.comm.core import CommClosedError

    try:
        yield
    except (CancelledError, CommClosedError) as exc:
        raise ClusterLost(f"lost the cluster scheduler {address} ({type(exc).__name__}); "
                          f"{resume_hint}") from None


@dataclass(frozen=True)
class ClusterOptions:
    """What ``--cluster``, ``--shared-store`` and ``--allow-plaintext-cluster`` say."""

    address: str
    shared_store: bool = False
    allow_plaintext: bool = False


def store_for_workers(location: str, cluster: ClusterOptions) -> str:
    """The store's location as every worker names it: a folder by its absolute path."""
    check_store_reachable(location, cluster.address, cluster.shared_store)
    if "://" in location and not location.startswith("file://"):
        return location
    return str(Path(location.removeprefix("file://")).resolve())


def check_capture_batch(cluster: ClusterOptions, store: str, has_logins: bool) -> None:
    """Before anything is captured: the workers can reach the store, and get logins safely."""
    check_store_reachable(store, cluster.address, cluster.shared_store)
    check_secrets_transport(cluster.address, has_logins, cluster.allow_plaintext)
