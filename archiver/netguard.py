"""What the capture may fetch: URL validation and the SSRF guard on resolved addresses."""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from archiver.errors import ArchiverError
from archiver.settings import ResolveRule

ALLOWED_SCHEMES = ("http", "https")


class BadURLError(ArchiverError):
    """A URL that cannot or may not be captured."""


def validate_url(url: str) -> str:
    """Return ``url`` if it is a fetchable http(s) URL, else raise with a one-line reason."""
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError as exc:  # an unclosed [IPv6 address]
        raise BadURLError(f"not a URL ({exc}): {url!r}") from None
    scheme = parts.scheme.lower()
    if not scheme:
        raise BadURLError(f"not a URL (no scheme): {url!r}; use https://...")
    if scheme not in ALLOWED_SCHEMES:
        raise BadURLError(f"refusing {scheme}: URL {url!r}; only http and https can be captured")
    if not parts.hostname:
        raise BadURLError(f"URL has no host: {url!r}")
    try:
        _ = parts.port
    except ValueError as exc:
        raise BadURLError(f"bad port in URL {url!r}: {exc}") from None
    if any(ch.isspace() for ch in text):
        raise BadURLError(f"URL contains whitespace: {url!r}")
    return text


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


# The addresses a name has for a port; raises socket.gaierror when it has none.
Lookup = Callable[[str, int], Awaitable[list[str]]]


# Threads of their own: a DNS server that does not answer (the resolver waits seconds per try)
# must not queue the image hashing and timestamps that share asyncio's default pool.
_LOOKUP_THREADS = ThreadPoolExecutor(max_workers=16, thread_name_prefix="archiver-dns")


async def system_lookup(host: str, port: int) -> list[str]:
    """What the system resolver (DNS, /etc/hosts) says, asked from a worker thread: it blocks."""
    ask = functools.partial(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    infos = await asyncio.get_running_loop().run_in_executor(_LOOKUP_THREADS, ask)
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True)
class Decision:
    address: str | None
    reason: str | None = None
    port: int | None = None
    blocked: bool = False  # True: refused by the SSRF guard; address None otherwise: unresolvable


class AddressGuard:
    """Resolves names for the recorder: ``--resolve`` first, then DNS, then the SSRF rule.

    Addresses named by ``--resolve`` are the operator's explicit choice (labs, tests)
    and are exempt from the private-network rule, as curl's users would expect.
    """

    def __init__(self, resolve: Iterable[ResolveRule] = (), allow_private: bool = False,
                 lookup: Lookup = system_lookup) -> None:
        self.rules = {(rule.host, rule.port): rule.target for rule in resolve}
        self.allow_private = allow_private
        self.lookup = lookup

    async def decide(self, host: str, port: int) -> Decision:
        host = host.lower().strip("[]")
        mapped = self.rules.get((host, port))
        if mapped is not None:
            return Decision(mapped[0], port=mapped[1])
        try:
            addresses = await self.lookup(host, port)
        except (socket.gaierror, UnicodeError) as exc:
            return Decision(None, reason=f"cannot resolve {host}: {exc}")
        if not self.allow_private:
            for address in addresses:
                if not is_public_address(address):
                    reason = f"SSRF guard: {host} resolves to non-public address {address}"
                    return Decision(None, reason=reason, blocked=True)
        return Decision(addresses[0], port=port)
