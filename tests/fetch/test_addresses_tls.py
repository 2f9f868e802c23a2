"""The address guard (monitor/fetch/addresses.py) over real HTTPS, with certificates from a test CA.

The guard connects to the address it checked, not to the forum's name; TLS must still be about
the name: SNI and the certificate check use ``forum.test``, so a certificate made for it is
accepted and one made for another name is refused. The CA is trusted through ``[fetch]
ca_bundle`` (an intranet forum's private CA), the name is resolved to 127.0.0.1 by an injected
resolver, and the client is ``monitor run``'s own (``App.pipeline``). The server is
hostile_http.py's loopback forum, wrapped in TLS.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme
from demo_forum_config import ForumSource, demo_forum_config
from hostile_http import Server, answer, reason, serve

from monitor.app import build
from monitor.config.loader import load_config
from monitor.errors import ConfigError, FetchError

NAME = "forum.test"


@dataclass
class TlsForum:
    server: Server
    sni: list[str | None]  # the server name each handshake asked for

    def url(self, path: str) -> str:
        return self.server.url(path, host=NAME)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def _forum(ca: trustme.CA, certificate_for: str) -> Iterator[TlsForum]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(certificate_for).configure_cert(context)
    sni: list[str | None] = []
    context.sni_callback = lambda _socket, name, _context: sni.append(name)
    routes = {"/robots.txt": answer(200, b"User-agent: *\nAllow: /\n"), "/page": answer(200, b"over https")}
    with serve(routes, tls=context) as server:
        yield TlsForum(server, sni)


@pytest.fixture
def forum(ca: trustme.CA) -> Iterator[TlsForum]:
    yield from _forum(ca, NAME)


@pytest.fixture
def impostor(ca: trustme.CA) -> Iterator[TlsForum]:
    """A server whose certificate (from the same trusted CA) is for another name."""
    yield from _forum(ca, "other.test")


def _read(
    tmp_path: Path, forum: TlsForum, fetch: dict[str, Any], ca: trustme.CA
) -> tuple[str | FetchError, list[str]]:
    """``monitor run``'s client reading forum.test's page, with these ``[fetch]`` settings; the
    names it looked up."""
    config_dir = tmp_path / "config"
    demo_forum_config(config_dir, [ForumSource("intranet", "intranet forum", forum.url("/"), [2])])
    if fetch.pop("ca_bundle", True):
        ca.cert_pem.write_to_path(str(tmp_path / "intranet-ca.pem"))
        fetch["ca_bundle"] = f'"{(tmp_path / "intranet-ca.pem").as_posix()}"'
    toml = config_dir / "monitor.toml"
    lines = "".join(f"{key} = {value}\n" for key, value in fetch.items())
    toml.write_text(toml.read_text().replace("[fetch]\n", f"[fetch]\n{lines}"))
    config = load_config(config_dir, environ={})
    asked: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"] if host == NAME else []

    async def go() -> str | FetchError:
        app = build(config)
        try:
            async with app.pipeline(resolve=resolve) as pipeline:
                return (await pipeline.fetcher.get(forum.url("/page"))).text
        except FetchError as exc:
            return exc
        finally:
            app.close()

    return asyncio.run(go()), asked


LISTED = {"private_networks": '["127.0.0.1/32"]'}


def test_an_intranet_forum_over_https_is_read_by_its_name_with_its_private_ca(
    tmp_path: Path, forum: TlsForum, ca: trustme.CA
) -> None:
    result, asked = _read(tmp_path, forum, dict(LISTED), ca)
    assert result == "over https"
    assert asked and set(asked) == {NAME}  # resolved by the guard, connected to 127.0.0.1 ...
    assert forum.sni and set(forum.sni) == {NAME}  # ... and the handshake was for the name
    assert forum.server.requests == [
        (f"{NAME}:{forum.server.port}", "/robots.txt"),
        (f"{NAME}:{forum.server.port}", "/page"),
    ]


def test_without_the_ca_bundle_the_private_ca_is_not_trusted(
    tmp_path: Path, forum: TlsForum, ca: trustme.CA
) -> None:
    result, _ = _read(tmp_path, forum, {**LISTED, "ca_bundle": False}, ca)
    assert "TLS certificate not accepted (unable to get local issuer certificate)" in reason(result)
    assert forum.server.requests == []


def test_a_certificate_for_another_name_is_refused(
    tmp_path: Path, impostor: TlsForum, ca: trustme.CA
) -> None:
    result, _ = _read(tmp_path, impostor, dict(LISTED), ca)
    text = reason(result)
    assert f"TLS certificate not accepted (Hostname mismatch, certificate is not valid for '{NAME}'" in text
    assert f"https://{NAME}:{impostor.server.port}/" in text  # the page error names the URL
    assert set(impostor.sni) == {NAME}
    assert impostor.server.requests == []


def test_a_name_pointing_at_an_address_not_listed_is_refused_before_any_tls(
    tmp_path: Path, forum: TlsForum, ca: trustme.CA
) -> None:
    result, asked = _read(tmp_path, forum, {}, ca)  # the CA trusted, 127.0.0.1 not listed
    assert "not connected: forum.test resolves to 127.0.0.1, a loopback address" in reason(result)
    assert asked == [NAME]
    assert forum.server.connections == 0 and forum.sni == []  # no TCP connection, so no handshake


def test_a_ca_bundle_must_hold_certificates(tmp_path: Path) -> None:
    """A CA file that cannot be read stops the config from loading (``check-config`` says it), rather
    than every HTTPS page failing later."""
    config_dir = tmp_path / "config"
    demo_forum_config(config_dir, [ForumSource("intranet", "intranet forum", "https://forum.test/", [2])])
    (tmp_path / "not-a-ca.pem").write_text("not a certificate\n")
    toml = config_dir / "monitor.toml"
    plain = toml.read_text()
    for path, why in (
        (tmp_path / "not-a-ca.pem", "no certificate in it"),
        (tmp_path / "gone.pem", "No such file"),
    ):
        toml.write_text(plain.replace("[fetch]\n", f'[fetch]\nca_bundle = "{path.as_posix()}"\n'))
        with pytest.raises(ConfigError) as raised:
            load_config(config_dir, environ={})
        [problem] = raised.value.problems
        assert "fetch.ca_bundle" in problem and "cannot be read as PEM certificates" in problem, problem
        assert why in problem, problem
