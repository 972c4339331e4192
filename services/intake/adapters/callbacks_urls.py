"""Where a callback may go (issue 9): a URL the allow-list names, over https (http only where an
allow-list entry names it, host and all), to addresses on the public internet, unless a network is
named in INTAKE_CALLBACK_ALLOW_PRIVATE_NETWORKS.

The addresses are checked when a delivery connects, not when the URL is subscribed: a name can
resolve elsewhere tomorrow. The connection goes to the address that was checked, resolved once, so
a name that answers a public address to the check and 127.0.0.1 to a second lookup (DNS
rebinding) reaches nothing; TLS still verifies the certificate against the URL's host name.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from casekit.errors import Undecodable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _refuse(reason: str, rule: str) -> Undecodable:
    return Undecodable(reason, path="/url", rule=rule)


def canonical_url(url: str) -> str:
    """The URL as it will be requested, so the allow-list is checked against what we connect to.

    Userinfo is refused: `http://127.0.0.1:80@evil.example/` would match `http://127.0.0.1:`.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise _refuse("not a URL", "url") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise _refuse("an http or https URL with a host is required", "url")
    if parsed.userinfo or parsed.fragment:
        raise _refuse("a callback URL may carry neither credentials nor a fragment", "url")
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    port = f":{parsed.port}" if parsed.port is not None else ""
    return f"{parsed.scheme}://{host}{port}{parsed.raw_path.decode('ascii')}"


def allowed(url: str, allowlist: Iterable[str]) -> bool:
    """A prefix matches only at a boundary: `https://hooks.example.org` allows neither
    `https://hooks.example.org.evil.example/` nor `https://hooks.example.orgx/`. Every entry names
    its scheme and host (settings check it), so plain http goes only where an entry says http."""
    for prefix in allowlist:
        if url.startswith(prefix):
            rest = url[len(prefix) :]
            if prefix.endswith(("/", ":")) or not rest or rest[0] in "/:?":
                return True
    return False


@dataclass(frozen=True)
class NetworkPolicy:
    """Which addresses a delivery may connect to: public unicast ones, and the networks allowed."""

    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def of(cls, networks: Iterable[str]) -> NetworkPolicy:
        return cls(tuple(ipaddress.ip_network(network) for network in networks))

    def refusal(self, address: IPAddress) -> str | None:
        """Why this address is refused, or None."""
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
        if any(address in network for network in self.allowed_networks):
            return None
        for kind in ("loopback", "unspecified", "link_local", "multicast", "reserved", "private"):
            if getattr(address, f"is_{kind}"):
                return f"{address} is a {kind.replace('_', '-')} address"
        if not address.is_global:  # shared (100.64/10), documentation, benchmarking ranges…
            return f"{address} is not a public address"
        return None


class RefusedAddress(Exception):
    """A callback host resolves to an address the policy refuses: nothing was sent."""


async def resolve(host: str, port: int) -> list[IPAddress]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found = [ipaddress.ip_address(info[4][0]) for info in infos]
    return list(dict.fromkeys(found))  # each address once, in the resolver's order


class CheckedBackend(httpcore.AsyncNetworkBackend):
    """Resolves a host once, refuses it if any address is refused, connects to a checked one."""

    def __init__(self, policy: NetworkPolicy) -> None:
        self.policy = policy
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await resolve(host, port)
        except OSError as error:
            raise httpcore.ConnectError(f"{host}: {error}") from None
        # Every address, not only the first: a name answering a public and a private address could
        # be served the private one by the next connection attempt.
        refusals = [why for address in addresses if (why := self.policy.refusal(address))]
        if refusals:
            raise RefusedAddress(f"{host} resolves to {refusals[0]}")
        failure: Exception = httpcore.ConnectError(f"{host}: no address")
        for address in addresses:
            try:
                return await self.inner.connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except httpcore.ConnectError as error:
                failure = error
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise RefusedAddress("callbacks never go to a Unix socket")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def checked_transport(policy: NetworkPolicy, limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """httpx's transport with the connection pool on CheckedBackend. httpx takes no network
    backend of its own, so its pool is replaced; its request and error mapping stay as they are."""
    transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=False)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=CheckedBackend(policy),
    )
    return transport


def literal_refusal(url: str, policy: NetworkPolicy) -> str | None:
    """At subscription: a URL whose host is an address the policy refuses never works; say so now."""
    host = httpx.URL(url).host
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None  # a name: checked at each delivery, when it is resolved
    return policy.refusal(address)
