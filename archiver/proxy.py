"""The in-process mitmproxy that every browser context of this process talks through."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path
from typing import Any

from mitmproxy import certs, options

from archiver.mitm_addons import Master, core, next_layer, proxyserver, tlsconfig
from archiver.recorder import Recorder
from archiver.settings import CaptureSettings

# mitmproxy's own file names in its confdir.
CA_BASENAME = "mitmproxy"
CA_KEY_BITS = 2048


class ProxyError(RuntimeError):
    pass


def create_certificate_authority(confdir: Path) -> None:
    """Make the per-run CA the proxy signs its certificates with (mitmproxy would, on start)."""
    if not (confdir / f"{CA_BASENAME}-ca.pem").exists():
        certs.CertStore.create_store(confdir, CA_BASENAME, CA_KEY_BITS)


class RecordingProxy:
    def __init__(self, settings: CaptureSettings, confdir: Path) -> None:
        self.settings = settings
        self.confdir = confdir
        self.recorder = Recorder()
        self._master: Master | None = None
        self._task: asyncio.Task[None] | None = None
        self.port = 0

    async def start(self) -> int:
        opts = options.Options(
            listen_host="127.0.0.1",
            listen_port=0,
            confdir=str(self.confdir),
            key_size=CA_KEY_BITS,
            ssl_insecure=self.settings.insecure,
            # HTTP/1.1 end to end keeps each WARC record byte-faithful to the wire.
            http2=False,
            http3=False,
        )
        if self.settings.ca_bundle:
            opts.update(ssl_verify_upstream_trusted_ca=str(self.settings.ca_bundle))
        self._install_resolver(asyncio.get_running_loop())
        master = Master(opts)
        master.addons.add(
            core.Core(),
            proxyserver.Proxyserver(),
            next_layer.NextLayer(),
            tlsconfig.TlsConfig(),
            self.recorder,
        )
        # Connect upstream only when a request needs it, so every request passes the guard first.
        master.options.update(connection_strategy="lazy")
        logging.getLogger("mitmproxy").setLevel(logging.WARNING)
        self._master = master
        self._task = asyncio.create_task(master.run())
        server = master.addons.get("proxyserver")
        for _ in range(200):
            addrs = server.listen_addrs()
            if addrs:
                self.port = int(addrs[0][1])
                return self.port
            if self._task.done():
                break
            await asyncio.sleep(0.025)
        raise ProxyError("the recording proxy did not start")

    def _install_resolver(self, loop: asyncio.AbstractEventLoop) -> None:
        """Route the proxy's name lookups through the recorder's pinned, guard-checked answers."""
        system_getaddrinfo = loop.getaddrinfo
        recorder = self.recorder

        async def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(host, str) and port is not None:
                pinned = recorder.resolve_pinned(host, int(port))
                if pinned is not None:
                    address, target_port = pinned
                    family = socket.AF_INET6 if ":" in address else socket.AF_INET
                    sockaddr: tuple[Any, ...] = (address, target_port)
                    if family == socket.AF_INET6:
                        sockaddr = (address, target_port, 0, 0)
                    return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr)]
            return await system_getaddrinfo(host, port, *args, **kwargs)

        loop.getaddrinfo = getaddrinfo  # type: ignore[method-assign]

    async def stop(self) -> None:
        if self._master is None or self._task is None:
            return
        self._master.shutdown()
        try:
            await asyncio.wait_for(self._task, timeout=10)
        except (TimeoutError, asyncio.CancelledError):
            self._task.cancel()
        self._master = None

    @property
    def ca_cert_path(self) -> Path:
        return self.confdir / f"{CA_BASENAME}-ca-cert.pem"
