"""The crawler's address guard (monitor/fetch/addresses.py) over real loopback HTTP (hostile_http.py).

A forum's name that resolves to a loopback, private or link-local address is not connected to
unless ops listed its network; the name is resolved once per connection and the connection goes
to the address that was checked, so a DNS server answering a public address first and
``127.0.0.1`` next (rebinding) gains nothing. The resolver is injected: no test needs real DNS.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import httpcore
import pytest
from demo_forum_config import ForumSource, demo_forum_config
from hostile_http import Server, answer, fetcher, reason, serve

from monitor.app import build
from monitor.config.loader import load_config
from monitor.config.settings import Settings
from monitor.errors import ConfigError, FetchError
from monitor.fetch.addresses import (
    AddressPolicy,
    BlockedAddress,
    GuardedBackend,
    guarded_client,
    policy_for,
)

PUBLIC = "93.184.216.34"


def resolver(answers: dict[str, Iterable[list[str]]], asked: list[str] | None = None) -> Any:
    """Answers each name with the next of its answer lists (the last one again when they run out)."""
    queues: dict[str, Iterator[list[str]]] = {name: iter(lists) for name, lists in answers.items()}
    last: dict[str, list[str]] = {}
    log = [] if asked is None else asked

    async def resolve(host: str, port: int) -> list[str]:
        log.append(host)
        last[host] = next(queues[host], last.get(host, []))
        return last[host]

    return resolve


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        (PUBLIC, True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("127.0.0.2", False),
        ("10.0.0.5", False),
        ("172.16.3.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # the cloud's instance metadata
        ("100.100.100.200", False),  # Alibaba Cloud's metadata, in shared address space
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fc00::1", False),
        ("fe80::1", False),
        ("::ffff:127.0.0.1", False),  # loopback written as IPv6
        ("10.1.2.3", True),  # in the listed network
        ("192.168.7.7", False),  # a source's own address, but reached by a name
    ],
)
def test_public_addresses_and_the_listed_networks_only(address: str, allowed: bool) -> None:
    policy = policy_for(["10.1.0.0/16"], ["http://192.168.7.7:8080/", "https://bbs.example.com/"])
    assert policy.allows(ipaddress.ip_address(address), 8080, literal=False) is allowed


def test_a_source_written_as_an_address_is_reached_at_that_address_and_port_only() -> None:
    policy = policy_for([], ["http://192.168.7.7:8080/", "https://[::1]/", "http://bbs.example.com/"])
    own, loopback = ipaddress.ip_address("192.168.7.7"), ipaddress.ip_address("::1")
    assert policy.allows(own, 8080, literal=True) and policy.allows(loopback, 443, literal=True)
    assert not policy.allows(own, 6379, literal=True)  # another service on the forum's machine
    assert not policy.allows(loopback, 80, literal=True)


class Recording(httpcore.AsyncNetworkBackend):
    """An inner backend that connects nowhere and records where it was asked to connect."""

    def __init__(self) -> None:
        self.connected: list[str] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connected.append(host)
        return httpcore.AsyncMockStream([])

    async def sleep(self, seconds: float) -> None:
        pass


def test_a_rebinding_name_is_resolved_once_per_connection_and_connected_where_checked() -> None:
    asked: list[str] = []
    inner = Recording()
    backend = GuardedBackend(
        AddressPolicy(), resolve=resolver({"rebind.test": [[PUBLIC], ["127.0.0.1"]]}, asked), inner=inner
    )

    async def go() -> None:
        await backend.connect_tcp("rebind.test", 80)  # public: connected to that very address
        with pytest.raises(
            BlockedAddress, match=re.escape("rebind.test resolves to 127.0.0.1, a loopback address")
        ):
            await backend.connect_tcp("rebind.test", 80)

    asyncio.run(go())
    assert inner.connected == [PUBLIC]  # never the name: nothing left to resolve a second time
    assert asked == ["rebind.test", "rebind.test"]  # one lookup per connection, each one checked


def test_a_name_with_one_private_answer_among_public_ones_is_refused() -> None:
    inner = Recording()
    backend = GuardedBackend(
        AddressPolicy(), resolve=resolver({"mixed.test": [[PUBLIC, "10.0.0.5"]]}), inner=inner
    )
    with pytest.raises(BlockedAddress, match=re.escape("10.0.0.5, a private address")):
        asyncio.run(backend.connect_tcp("mixed.test", 80))
    assert inner.connected == []


def _fetch(policy: AddressPolicy, names: dict[str, list[str]], *urls: str) -> list[str | FetchError]:
    async def go() -> list[str | FetchError]:
        results: list[str | FetchError] = []
        resolve = resolver({name: [answers] for name, answers in names.items()})
        async with guarded_client(policy, resolve=resolve, timeout=5, follow_redirects=True) as client:
            reader = fetcher(client)
            for url in urls:
                try:
                    results.append((await reader.get(url)).text)
                except FetchError as exc:
                    results.append(exc)
        return results

    return asyncio.run(go())


@pytest.fixture
def forum() -> Iterator[Server]:
    with serve({"/page": answer(200, b"the forum's page")}) as server:
        yield server


def test_a_forum_name_pointing_at_loopback_is_not_connected_to(forum: Server) -> None:
    [result] = _fetch(AddressPolicy(), {"forum.test": ["127.0.0.1"]}, f"http://forum.test:{forum.port}/page")
    assert "not connected: forum.test resolves to 127.0.0.1, a loopback address" in reason(result)
    assert "[fetch] private_networks" in reason(result)
    assert forum.requests == []  # not even robots.txt


def test_the_refusal_names_the_network_to_list_and_reads_with_the_url_after_it(forum: Server) -> None:
    """The fetcher appends "at URL" to a cause: the hint must not read "… private_networks at URL",
    and it names what to list, within the ~200 characters `sources status` shows of an event."""
    [result] = _fetch(AddressPolicy(), {"forum.test": ["127.0.0.1"]}, f"http://forum.test:{forum.port}/page")
    text = reason(result)
    assert 'add "127.0.0.1/32" to [fetch] private_networks)' in text, text
    assert "private_networks at" not in text, text
    assert text.index("private_networks") < 160, text


def test_a_listed_network_is_reached_by_name_with_its_host_header(forum: Server) -> None:
    policy = policy_for(["127.0.0.0/8"], [])
    results = _fetch(policy, {"forum.test": ["127.0.0.1"]}, f"http://forum.test:{forum.port}/page")
    assert results == ["the forum's page"]
    assert forum.requests[-1] == (f"forum.test:{forum.port}", "/page")


def test_a_sources_own_ip_address_is_reached_without_a_listed_network(forum: Server) -> None:
    url, policy = forum.url("/page"), policy_for([], [forum.url("/")])
    assert _fetch(policy, {}, url) == ["the forum's page"]
    [refused] = _fetch(AddressPolicy(), {}, url)  # the same address, not configured
    assert "not connected: 127.0.0.1 is a loopback address" in reason(refused)
    # another forum's name rebound to the demo forum's address is still a name pointing inside
    [by_name] = _fetch(policy, {"evil.test": ["127.0.0.1"]}, f"http://evil.test:{forum.port}/page")
    assert "evil.test resolves to 127.0.0.1" in reason(by_name)
    assert forum.asked("/page") == 1


def test_a_redirect_to_a_name_pointing_inside_is_not_followed(forum: Server) -> None:
    site = f"http://forum.test:{forum.port}"
    forum.routes["forum.test/old"] = answer(301, Location=f"http://www.forum.test:{forum.port}/page")
    policy = policy_for(["127.0.0.1/32"], [])  # the intranet forum itself is listed
    names = {"forum.test": ["127.0.0.1"], "www.forum.test": ["127.0.0.2"]}  # its www. twin is not
    [result] = _fetch(policy, names, f"{site}/old")
    assert "www.forum.test resolves to 127.0.0.2, a loopback address" in reason(result)
    assert forum.asked("/page") == 0


def test_a_refused_address_is_not_retried(forum: Server) -> None:
    asked: list[str] = []

    async def go() -> None:
        resolve = resolver({"forum.test": [["10.0.0.5"]]}, asked)
        async with guarded_client(AddressPolicy(), resolve=resolve, timeout=5) as client:
            with pytest.raises(FetchError):
                await fetcher(client, retries=3, respect_robots=False).get(
                    f"http://forum.test:{forum.port}/page"
                )

    asyncio.run(go())
    assert asked == ["forum.test"]


def test_private_networks_must_be_networks() -> None:
    assert Settings.model_validate({"fetch": {"private_networks": ["10.1.0.0/16", "::1"]}})
    with pytest.raises((ValueError, ConfigError), match="'intranet' is not a network"):
        Settings.model_validate({"fetch": {"private_networks": ["intranet"]}})


def test_a_proxy_set_in_the_config_carries_every_request_by_the_forums_name(forum: Server) -> None:
    """With ``[fetch] proxy`` the crawler asks the proxy (here the loopback server, answering as a
    proxy would) for the forum's URL by name; nothing is resolved or refused on the crawler's side."""
    forum.routes["http://forum.invalid/page"] = answer(200, b"the forum, by the proxy")
    asked: list[str] = []

    async def go() -> str:
        resolve = resolver({}, asked)
        proxy = forum.url("")
        async with guarded_client(AddressPolicy(), proxy=proxy, resolve=resolve, timeout=5) as client:
            return (await fetcher(client, respect_robots=False).get("http://forum.invalid/page")).text

    assert asyncio.run(go()) == "the forum, by the proxy"
    assert forum.requests == [("forum.invalid", "http://forum.invalid/page")]  # absolute form: a proxy's
    assert asked == []


def test_a_proxy_must_be_an_http_address() -> None:
    assert Settings.model_validate({"fetch": {"proxy": "http://proxy.internal:3128"}}).fetch.proxy
    with pytest.raises((ValueError, ConfigError), match=r"'proxy\.internal:3128' is not a proxy address"):
        Settings.model_validate({"fetch": {"proxy": "proxy.internal:3128"}})


def test_the_pipelines_client_takes_the_configs_proxy(forum: Server, tmp_path: Path) -> None:
    """``monitor run``'s client (App.pipeline) goes through ``[fetch] proxy``: a forum known only by a
    name nobody resolves is read through it."""
    forum.routes["http://forum.invalid/robots.txt"] = answer(200, b"User-agent: *\nAllow: /\n")
    forum.routes["http://forum.invalid/page"] = answer(200, b"the forum, by the proxy")
    source = ForumSource("far", "far forum", "http://forum.invalid/", [2])
    demo_forum_config(tmp_path / "config", [source])
    toml = tmp_path / "config" / "monitor.toml"
    toml.write_text(toml.read_text().replace("[fetch]\n", f'[fetch]\nproxy = "{forum.url("")}"\n'))
    config = load_config(tmp_path / "config", environ={})

    async def go() -> str:
        async with build(config).pipeline() as pipeline:
            return (await pipeline.fetcher.get("http://forum.invalid/page")).text

    assert asyncio.run(go()) == "the forum, by the proxy"
    assert ("forum.invalid", "http://forum.invalid/page") in forum.requests


def test_a_source_written_as_localhost_is_reached_at_its_port_without_asking_dns(forum: Server) -> None:
    """``http://localhost:PORT/`` in sources.yaml is meant as loopback, like ``127.0.0.1``: reached at
    that port without a listed network and without a lookup (RFC 6761); another port of it is not."""
    asked: list[str] = []
    policy = policy_for([], [f"http://localhost:{forum.port}/"])

    async def go(url: str) -> str | FetchError:
        async with guarded_client(policy, resolve=resolver({}, asked), timeout=5) as client:
            try:
                return (await fetcher(client, respect_robots=False).get(url)).text
            except FetchError as exc:
                return exc

    assert asyncio.run(go(f"http://localhost:{forum.port}/page")) == "the forum's page"
    refused = asyncio.run(go(f"http://localhost:{forum.port + 1}/page"))
    assert "not connected: localhost resolves to 127.0.0.1, a loopback address" in reason(refused)
    assert asked == []
