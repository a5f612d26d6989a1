"""``archiver serve``: the evidence service, an HTTP API and web pages over one store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from archiver.cluster import CLUSTER_ENV, ClusterOptions
from archiver.commands.cluster_options import allow_plaintext_cluster_option, shared_store_option
from archiver.commands.common import open_store, plugin_manager
from archiver.commands.outputs import signer as load_signer
from archiver.commands.service_db import database_options, open_database
from archiver.commands.store_command import StoreCommand
from archiver.commands.tsa_options import tsa_urls_option
from archiver.keys import DEFAULT_NAME
from archiver.settings import CaptureSettings, ResolveRule


@click.command(cls=StoreCommand)
@database_options
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback by default: put a TLS proxy in front to share it).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 256),
              help="Jobs run at once (browser contexts on the service's one browser; with --cluster, "
                   "tasks on the cluster at once).")
@click.option("--resolve", multiple=True, metavar="HOST:PORT:ADDR",
              help="Connect to ADDR for HOST:PORT (curl's meaning), for every capture. Recorded.")
@click.option("--insecure", "-k", is_flag=True, help="Accept invalid server certificates. Recorded.")
@click.option("--ca-bundle", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Trust these CA certificates for servers instead of the system's.")
@click.option("--allow-private-networks", is_flag=True,
              help="Turn off the SSRF guard for every capture. Recorded.")
@click.option("--browser-path", type=click.Path(path_type=Path), help="Chromium executable to use.")
@click.option("--key", "key_name", default=DEFAULT_NAME, show_default=True,
              help="Signing key of bundles and custody events.")
@click.option("--tsa", "tsa_urls", multiple=True, metavar="URL",
              help="RFC 3161 TSA for every capture; repeatable. Default: $ARCHIVER_TSA.")
@click.option("--job-lease", default=30.0, show_default=True, type=click.FloatRange(1, 3600),
              help="Seconds after which a job whose worker stopped (a killed instance) is taken over.")
@click.option("--max-upload", default=16 * 1024 * 1024, show_default=True, type=click.IntRange(1024),
              help="Largest request body in bytes (413 beyond).")
@click.option("--rate-limit", default=600, show_default=True, type=click.IntRange(0),
              help="API requests a minute per token, in bursts of as many (429 beyond); 0: no limit.")
@click.option("--cluster", envvar=CLUSTER_ENV, metavar="tcp://HOST:PORT",
              help="Run capture jobs on the workers of this Dask scheduler ('archiver worker'); tls://... "
                   "for TLS. Default: $ARCHIVER_CLUSTER; none: a process of this machine.")
@shared_store_option
@allow_plaintext_cluster_option("login material uploaded with jobs")
@click.pass_context
def serve(ctx: click.Context, /, store: str, db_url: str | None, host: str, port: int, workers: int,
          resolve: tuple[str, ...], insecure: bool, ca_bundle: Path | None, allow_private_networks: bool,
          browser_path: Path | None, key_name: str, tsa_urls: tuple[str, ...], job_lease: float,
          max_upload: int, rate_limit: int, cluster: str | None, shared_store: bool,
          allow_plaintext_cluster: bool, **store_options: Any) -> None:
    """Serve the HTTP API (/api/v1, docs at /api/docs) and the web pages for STORE's evidence."""
    import uvicorn

    from archiver.service.app import create_app
    from archiver.service.bundle_index import BundleIndex
    from archiver.service.capture_process import ProcessExecutor, ProcessSpec
    from archiver.service.executor import CaptureExecutor
    from archiver.service.jobs import JobQueue
    from archiver.service.match_lookup import MatchLookup
    from archiver.service.rate_limits import RateLimiter
    from archiver.service.runner import JobRunner, RunnerConfig
    from archiver.service.state import ServiceState
    from archiver.service.webhook_sender import WebhookSender
    from archiver.service.webhooks import Deliveries, on_job_end

    pm = plugin_manager(ctx)
    backend = open_store(pm, store, store_options)
    backend.check()
    settings = CaptureSettings(
        resolve=tuple(ResolveRule.parse(rule) for rule in resolve), insecure=insecure,
        allow_private_networks=allow_private_networks, ca_bundle=ca_bundle,
        tsa_urls=tsa_urls_option(tsa_urls),
        object_lock=backend.lock.for_manifest() if backend.lock else None)
    db = open_database(store, db_url)
    index = BundleIndex(db, backend)
    index.rescan(force=True)
    queue = JobQueue(db, on_end=on_job_end)
    config = RunnerConfig(pm=pm, store=backend, settings=settings, signer=load_signer(key_name),
                          browser_path=browser_path, workers=workers, lease=job_lease)
    disabled = tuple((ctx.find_root().obj or {}).get("disabled_plugins", ()))
    executor: CaptureExecutor
    if cluster:
        from archiver.service.cluster_executor import ClusterExecutor  # Dask: only for --cluster

        executor = ClusterExecutor(ClusterOptions(cluster, shared_store, allow_plaintext_cluster),
                                   store=backend, location=store, store_options=store_options,
                                   key_name=key_name, disabled_plugins=disabled, signer=config.signer)
    else:
        executor = ProcessExecutor(ProcessSpec(store, store_options, key_name, disabled, browser_path))
    runner = JobRunner(config, queue, index, executor)
    deliveries = Deliveries(db)
    state = ServiceState(db=db, queue=queue, index=index, runner=runner, config=config,
                         limits=RateLimiter(rate_limit), deliveries=deliveries,
                         sender=WebhookSender(deliveries, settings), matching=MatchLookup(backend))
    click.echo(f"archiver: serving {store} on http://{host}:{port} (API docs at /api/docs)", err=True)
    uvicorn.run(create_app(state, max_upload), host=host, port=port, log_level="info", server_header=False)
