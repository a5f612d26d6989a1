"""A real Dask scheduler and real ``archiver worker`` processes on loopback, for --cluster tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from support.webserver import free_port, wait_for_port

ARCHIVER = str(Path(sys.executable).parent / "archiver")
START_TIMEOUT = 90.0


@dataclass
class LocalCluster:
    logs: Path
    port: int = 0
    scheduler: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    # A CA, and a certificate and its key that the scheduler, every worker and the client all use:
    # a tls:// cluster.
    tls: tuple[Path, Path, Path] | None = None

    @property
    def address(self) -> str:
        return f"{'tls' if self.tls else 'tcp'}://127.0.0.1:{self.port}"

    def tls_args(self) -> list[str]:
        if self.tls is None:
            return []
        ca, cert, key = self.tls
        return ["--tls-ca-file", str(ca), "--tls-cert", str(cert), "--tls-key", str(key)]

    def client_env(self) -> dict[str, str]:
        """Dask's settings for a client of this cluster (``archiver ... --cluster``)."""
        if self.tls is None:
            return {}
        ca, cert, key = self.tls
        return {"DASK_DISTRIBUTED__COMM__TLS__CA_FILE": str(ca), "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT": str(cert),
                "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": str(key)}

    def start(self) -> LocalCluster:
        self.port = free_port()
        self.logs.mkdir(parents=True, exist_ok=True)
        with (self.logs / "scheduler.log").open("wb") as log:
            self.scheduler = subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                 "--port", str(self.port), "--no-dashboard", *self.tls_args()], stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, START_TIMEOUT)
        return self

    def add_worker(self, captures: int = 1, nthreads: int = 2, **env: str) -> subprocess.Popen[bytes]:
        """``archiver worker`` without a nanny, so killing its process kills the worker."""
        with (self.logs / f"worker-{len(self.workers)}.log").open("wb") as log:
            worker = subprocess.Popen(
                [ARCHIVER, "worker", "--scheduler", self.address, "--captures", str(captures),
                 "--nthreads", str(nthreads), "--no-nanny", "--host", "127.0.0.1", *self.tls_args()],
                stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env})
        self.workers.append(worker)
        return worker

    def wait_for_capture_workers(self, count: int) -> None:
        """Until ``count`` workers have registered with their ``capture`` resource."""
        from distributed import Client
        from distributed.security import Security

        security = None
        if self.tls is not None:
            ca, cert, key = self.tls
            security = Security(tls_ca_file=str(ca), tls_client_cert=str(cert), tls_client_key=str(key),
                                require_encryption=True)
        deadline = time.monotonic() + START_TIMEOUT
        with Client(self.address, timeout=START_TIMEOUT, set_as_default=False, security=security) as client:
            while time.monotonic() < deadline:
                workers = client.scheduler_info(n_workers=-1)["workers"].values()
                if sum(1 for w in workers if w.get("resources", {}).get("capture")) >= count:
                    return
                time.sleep(0.2)
        raise TimeoutError(f"{count} archiver workers did not register; see {self.logs}")

    def stop(self) -> None:
        # The workers first: a worker told to close by a closing scheduler and by SIGTERM at once
        # can hang in its own close until killed.
        for group in (self.workers, [self.scheduler]):
            for process in group:
                if process is not None and process.poll() is None:
                    process.terminate()
            for process in group:
                if process is None:
                    continue
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def cluster_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and one certificate (with its key) that serves as scheduler, worker and client:
    Dask's TLS checks the chain both ways, not host names."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def certificate(subject: str, key: ec.EllipticCurvePrivateKey, issuer: str, signer: ec.EllipticCurvePrivateKey,
                    ca: bool) -> x509.Certificate:
        def name(text: str) -> x509.Name:
            return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

        return (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer))
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=7))
                .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
                .sign(signer, hashes.SHA256()))

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = certificate("archiver test cluster CA", ca_key, "archiver test cluster CA", ca_key, ca=True)
    paths = (folder / "cluster-ca.pem", folder / "cluster.pem", folder / "cluster-key.pem")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(certificate("archiver test cluster", key, "archiver test cluster CA", ca_key, ca=False)
                         .public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths

