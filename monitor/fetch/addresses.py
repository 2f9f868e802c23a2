"""Which addresses the crawler may connect to, checked on the connection itself.

A forum is run by someone else, and so is its DNS: its name can answer ``127.0.0.1``,
``10.0.0.5`` or the cloud's ``169.254.169.254`` as easily as its real address, and a name with
a one-second TTL can answer a public address to one lookup and a loopback one to the next (DNS
rebinding). Holding redirects and thread links to the source's site (:mod:`.redirects`) does
not help when the site's own name points inside. So the crawler's HTTP client connects through
:class:`GuardedBackend`, an httpcore network backend that resolves the name once, refuses the
connection when any answer is not a public address, and connects to the very address it
checked — there is no second lookup to rebind. Every connection goes through it: robots.txt,
pages, each redirect hop. TLS is unaffected: httpcore still sends the host name as SNI and
checks the certificate against it, and the ``Host`` header is the URL's
(``tests/fetch/test_addresses_tls.py``, with real certificates; a private CA: ``[fetch] ca_bundle``).

What may be reached besides public addresses is :class:`AddressPolicy`: the networks ops list
in ``[fetch] private_networks`` (an intranet forum), by any name; and a configured source's
``base_url`` written as an IP address and port, or as ``localhost`` and a port (the demo forum on
``http://127.0.0.1:PORT/``: whoever wrote the address meant it; ``localhost`` is taken as
127.0.0.1 and ::1, never asked of DNS), when a URL names that address and port — not when some
forum's name resolves to it, or for another port of it (a Redis on ``127.0.0.1:6379``).

A refused connection is :class:`BlockedAddress` (an ``httpcore.ConnectError``, so any httpx
caller sees a ``ConnectError``); the fetcher reports it as the page's cause and does not retry.
An HTTP proxy from the environment is not used: it would resolve the forum's name where this
check cannot see. A proxy set in ``[fetch] proxy`` is used for every request, and the check is then
the proxy's to make.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]
SETTING = "[fetch] private_networks"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_LOCALHOST = (ipaddress.IPv4Address("127.0.0.1"), ipaddress.IPv6Address("::1"))


class BlockedAddress(httpcore.ConnectError):
    """A connection refused because the host is, or resolves to, an address that is not public."""


@dataclass(frozen=True)
class AddressPolicy:
    """Public addresses and the listed networks, by any name; a source's own address and port, as written."""

    networks: tuple[IPNetwork, ...] = ()
    endpoints: frozenset[tuple[IPAddress, int]] = frozenset()  # (address, port) of base_urls written so

    def allows(self, address: IPAddress, port: int, *, literal: bool) -> bool:
        """True when the crawler may connect to ``address``; ``literal``: the URL wrote the address."""
        if literal and (address, port) in self.endpoints:
            return True
        return public(address) or any(address in network for network in self.networks)

    def why_not(self, host: str, address: IPAddress) -> str:
        """The refusal in words ops can act on: the network to list, as the address alone. The hint
        is in brackets, since the fetcher appends "at URL" to a cause (it would read
        "… private_networks at http://…" otherwise)."""
        what = f"{address} is" if host.strip("[]") == str(address) else f"{host} resolves to {address},"
        single = ipaddress.ip_network(address)
        return (
            f"not connected: {what} {kind(address)} address "
            f'(a forum on your own network: add "{single}" to {SETTING})'
        )


def public(address: IPAddress) -> bool:
    """An address on the public internet (IPv4-mapped IPv6 addresses judged as the IPv4 one)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def kind(address: IPAddress) -> str:
    """``a loopback``, ``a private`` … — what the address is, for the refusal."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for test, words in (
        (address.is_loopback, "a loopback"),
        (address.is_link_local, "a link-local"),
        (address.is_multicast, "a multicast"),
        (address.is_unspecified, "an unspecified"),
        (address.is_private, "a private"),
    ):
        if test:
            return words
    return "a non-public"


def policy_for(networks: Iterable[str], base_urls: Iterable[str]) -> AddressPolicy:
    """The policy for ``[fetch] private_networks`` and the sources' ``base_url`` values."""
    endpoints: set[tuple[IPAddress, int]] = set()
    for url in base_urls:
        parts = urlsplit(url)
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower(), 80)
        endpoints.update((address, port) for address in written_addresses(parts.hostname or ""))
    return AddressPolicy(tuple(ipaddress.ip_network(n, strict=False) for n in networks), frozenset(endpoints))


def written_addresses(host: str) -> list[IPAddress]:
    """The addresses ``host`` names as written, without asking DNS: an IP address, or ``localhost``,
    which is loopback (RFC 6761: never looked up); [] for any other name."""
    if host.lower().rstrip(".") == "localhost":
        return list(_LOCALHOST)
    literal = ip_literal(host)
    return [literal] if literal is not None else []


def ip_literal(host: str) -> IPAddress | None:
    """The address when ``host`` is written as one (``[::1]`` without brackets too), else None."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


async def system_resolve(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for ``host``, in its order of preference."""
    answers = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(sockaddr[0]) for *_, sockaddr in answers))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolve once, check every answer against the policy, connect to a checked address."""

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        resolve: Resolver = system_resolve,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.policy = policy
        self._resolve = resolve
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        literal = bool(written_addresses(host))
        addresses = await self._addresses(host, port, timeout)
        for address in addresses:
            if not self.policy.allows(address, port, literal=literal):
                raise BlockedAddress(self.policy.why_not(host, address))
        failure: Exception | None = None
        for address in addresses:  # the system's order; the next one when an address does not answer
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def _addresses(self, host: str, port: int, timeout: float | None) -> list[IPAddress]:
        written = written_addresses(host)
        if written:
            return written
        try:
            with anyio.fail_after(timeout):
                answers = await self._resolve(host, port)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"timed out looking up {host}") from exc
        except OSError as exc:  # socket.gaierror: the words the fetcher's causes know
            raise httpcore.ConnectError(str(exc)) from exc
        addresses = [address for address in map(ip_literal, answers) if address is not None]
        if not addresses:
            raise httpcore.ConnectError(f"[Errno -2] Name or service not known: {host}")
        return addresses

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress("not connected: the crawler does not use Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, its connection pool built on a :class:`GuardedBackend`.

    httpx does not take a network backend (encode/httpx#3180), so the pool it made is replaced
    with one made the same way plus the backend; ``tests/fetch/test_addresses.py`` checks that
    requests really pass through it.
    """

    def __init__(self, backend: GuardedBackend, *, verify: ssl.SSLContext | bool = True) -> None:
        super().__init__(verify=verify)
        limits = httpx.Limits()
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


def guarded_client(
    policy: AddressPolicy,
    *,
    proxy: str | None = None,
    verify: ssl.SSLContext | bool = True,
    resolve: Resolver = system_resolve,
    **options: Any,
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for crawling: ``options`` as for httpx, connections guarded;
    ``verify``: the certificate check (:func:`monitor.fetch.tls.tls_context`).

    With ``proxy`` (``[fetch] proxy``) every request goes to the proxy instead, unguarded: the
    proxy resolves the forum's name, where no check here can see the address."""
    if proxy is not None:
        return httpx.AsyncClient(proxy=proxy, verify=verify, trust_env=False, **options)
    transport = GuardedTransport(GuardedBackend(policy, resolve=resolve), verify=verify)
    return httpx.AsyncClient(transport=transport, **options)  # a transport: no env proxy
