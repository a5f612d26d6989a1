"""The in-process mitmproxy that every browser context of this process talks through."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mitmproxy import options

from archiver.errors import EnvironmentFailure
from archiver.mitm_addons import Master, core, next_layer, proxyserver, tlsconfig
from archiver.recorder import Recorder, pinned_address
from archiver.settings import CaptureSettings

# mitmproxy's own file names in its confdir.
CA_BASENAME = "mitmproxy"


class ProxyError(EnvironmentFailure):
    """The recording proxy could not start."""


def create_certificate_authority(confdir: Path) -> None:
    """Make the per-run CA the proxy signs its certificates with, in mitmproxy's file layout.

    mitmproxy would make an RSA-2048 one on start; an EC P-256 key is made in microseconds
    instead of a tenth of a second, and the browser's handshakes with the proxy are cheaper.
    The browser does not trust this CA (contexts ignore HTTPS errors): the proxy checks the
    real servers' certificates itself.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key_file = confdir / f"{CA_BASENAME}-ca.pem"
    if key_file.exists():
        return
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "evidence-archiver recording proxy"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "evidence-archiver")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=2)).not_valid_after(now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=True,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    confdir.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key_pem + cert_pem)
    (confdir / f"{CA_BASENAME}-ca-cert.pem").write_bytes(cert_pem)


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
        """Route the proxy's upstream connections to the addresses the guard chose for them."""
        system_getaddrinfo = loop.getaddrinfo

        async def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(host, str) and port is not None:
                pinned = pinned_address(host, int(port))
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
