"""network_cause: the words a failed request is reported in (health events, logs, `sources add`).

Real failures where a test can have them — a refused loopback connection (closed_port.py) —
and the exceptions httpx raises for the rest, chained as httpx chains them.
"""

from __future__ import annotations

import asyncio
import socket
import ssl

import httpx
import pytest
from closed_port import closed_port

from monitor.fetch.causes import network_cause


def _raised(url: str) -> httpx.TransportError:
    async def go() -> httpx.TransportError:
        async with httpx.AsyncClient(timeout=5) as client:
            try:
                await client.get(url)
            except httpx.TransportError as exc:
                return exc
        raise AssertionError(f"{url} answered")

    return asyncio.run(go())


def _chained(outer: httpx.TransportError, inner: BaseException) -> httpx.TransportError:
    """``outer`` raised from ``inner``, as httpx raises from httpcore's error of the OS's."""
    try:
        try:
            raise inner
        except BaseException as exc:
            raise outer from exc
    except httpx.TransportError as exc:
        return exc


def test_a_refused_connection_is_named_though_httpx_says_all_attempts_failed() -> None:
    error = _raised(f"http://127.0.0.1:{closed_port()}/robots.txt")
    assert network_cause(error) == "connection refused"


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        (
            _chained(httpx.ConnectError("[Errno -2] Name or service not known"), socket.gaierror(-2, "x")),
            "host name not found",
        ),
        (
            _chained(httpx.ConnectError("x"), socket.gaierror(socket.EAI_AGAIN, "Temporary failure")),
            "host name lookup failed (temporary)",
        ),
        (httpx.ConnectError("[Errno -2] Name or service not known"), "host name not found"),  # message only
        (httpx.ConnectError("[Errno 8] nodename nor servname provided, or not known"), "host name not found"),
        (httpx.ConnectError("[Errno 111] Connection refused"), "connection refused"),
        (_chained(httpx.ReadError(""), ConnectionResetError(104, "reset")), "connection reset"),
        (_chained(httpx.ConnectError("x"), OSError(101, "Network is unreachable")), "network unreachable"),
        (httpx.ConnectTimeout(""), "timed out connecting"),
        (httpx.ReadTimeout("The read operation timed out"), "timed out waiting for the answer"),
        (
            _chained(httpx.ConnectError("x"), ssl.SSLCertVerificationError(1, "certificate verify failed")),
            "TLS certificate not accepted (certificate verify failed)",
        ),
        (
            httpx.RemoteProtocolError("Server disconnected without sending a response."),
            "broken answer: Server disconnected without sending a response.",
        ),
        (
            httpx.UnsupportedProtocol("Request URL is missing an 'http://' or 'https://' protocol."),
            "not an http:// or https:// URL",
        ),
        (httpx.ReadError(""), "ReadError"),  # nothing more to say than its kind
    ],
)
def test_causes(error: httpx.TransportError, cause: str) -> None:
    assert network_cause(error) == cause
