"""One request and its response, read whole: a size cap, a deadline, httpx's exceptions told apart.

A response must arrive whole within a deadline — by default :data:`DEADLINE_FACTOR` × the
client's timeout (``fetch.timeout_seconds``: 20 s → 60 s) — or it fails ("page took longer
than 60 s to arrive"): the client's timeout is per read, and a forum that sends one byte a
second would otherwise hold its host for ever. It is not retried. A body larger than the cap,
declared or as it arrives, fails too ("response too large …"), and so does a body that is not
what its ``Content-Encoding`` claims. A redirect's body is never read.

httpx's exceptions never leave here: a network problem asking again may help with (a refused
connection, a timeout) comes back as its cause, to be retried; any other is a :class:`FetchError`
(a :class:`~monitor.fetch.redirects.RedirectError` for a ``Location`` httpx cannot parse; the
address guard's refusal, :class:`~monitor.fetch.addresses.BlockedAddress`, in its own words).
An answer that is not the page (HTTP 404, 500 …) is an :class:`HTTPStatusError` holding its body.
"""

from __future__ import annotations

import asyncio
from typing import TypeAlias

import httpx

from monitor.errors import FetchError
from monitor.fetch.addresses import BlockedAddress
from monitor.fetch.causes import network_cause
from monitor.fetch.redirects import REDIRECT_STATUSES, unparsable_location

DEADLINE_FACTOR = 3.0  # a whole response may take this many times the client's (per read) timeout
DEFAULT_TIMEOUT_SECONDS = 20.0  # for a client built without a timeout
NOT_RETRIED = (httpx.UnsupportedProtocol,)  # asking again cannot help

Answer: TypeAlias = tuple[int, httpx.Headers, bytes]  # status, headers, body


class HTTPStatusError(FetchError):
    """The forum answered, but not with the page (HTTP 404, 500, 503 …). ``body`` is what it
    sent instead, to be kept for diagnosis like a page that could not be read."""

    def __init__(self, url: str, reason: str, *, status: int, body: bytes) -> None:
        super().__init__(url, reason)
        self.status = status
        self.body = body


def again(exc: FetchError, url: str, reason: str) -> FetchError:
    """``exc`` (same kind, same body) for ``url`` with ``reason``."""
    if isinstance(exc, HTTPStatusError):
        return HTTPStatusError(url, reason, status=exc.status, body=exc.body)
    return type(exc)(url, reason)


def default_deadline(client: httpx.AsyncClient) -> float:
    """How long one whole response may take by default: :data:`DEADLINE_FACTOR` × the client's timeout."""
    return DEADLINE_FACTOR * _timeout_of(client)


async def ask(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], *, max_bytes: int, deadline_seconds: float
) -> tuple[Answer | None, str]:
    """One request: (its answer, ""), or (None, the cause) for a network problem worth asking again.

    Raises :class:`FetchError` naming the cause when asking again cannot help.
    """
    try:
        return await read_response(
            client, url, headers, max_bytes=max_bytes, deadline_seconds=deadline_seconds
        ), ""
    except NOT_RETRIED as exc:
        raise FetchError(url, network_cause(exc)) from exc
    except httpx.RemoteProtocolError as exc:
        if unparsable := unparsable_location(url, exc):  # httpx could not even parse it
            raise unparsable from exc
        return None, network_cause(exc)
    except httpx.ConnectError as exc:
        if isinstance(exc.__cause__, BlockedAddress):  # the address will not become public by asking again
            raise FetchError(url, str(exc.__cause__)) from exc
        return None, network_cause(exc)
    except httpx.TransportError as exc:
        return None, network_cause(exc)
    except httpx.HTTPError as exc:  # anything else httpx may raise: not retried
        raise FetchError(url, f"{type(exc).__name__}: {exc}") from exc
    except httpx.InvalidURL as exc:
        raise FetchError(url, f"malformed URL ({exc})") from exc


async def read_response(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], *, max_bytes: int, deadline_seconds: float
) -> Answer:
    """One request and its whole answer, within the deadline (none when it is not positive)."""
    deadline = asyncio.timeout(deadline_seconds if deadline_seconds > 0 else None)
    try:
        async with deadline:
            return await _read_answer(client, url, headers, max_bytes)
    except TimeoutError:
        if not deadline.expired():
            raise
        raise FetchError(url, f"page took longer than {deadline_seconds:g} s to arrive") from None


async def _read_answer(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], max_bytes: int
) -> Answer:
    async with client.stream("GET", url, headers=headers, follow_redirects=False) as response:
        if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
            return response.status_code, response.headers, b""  # its body is never needed
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(url, f"response too large ({declared} bytes > {max_bytes})")
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(url, f"response too large (over {max_bytes} bytes)")
                chunks.append(chunk)
        except httpx.DecodingError as exc:
            encoding = response.headers.get("content-encoding", "compression")
            raise FetchError(url, f"page claims {encoding} but is not") from exc
        return response.status_code, response.headers, b"".join(chunks)


def _timeout_of(client: httpx.AsyncClient) -> float:
    """The client's timeout for one step of a request (the longest it sets)."""
    timeout = client.timeout
    steps = [s for s in (timeout.connect, timeout.read, timeout.write) if s is not None]
    return max(steps) if steps else DEFAULT_TIMEOUT_SECONDS
