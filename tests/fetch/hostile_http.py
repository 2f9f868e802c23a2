"""A tiny threaded HTTP server per test, to play a hostile forum over real loopback HTTP, and a
fetcher whose sleeps are recorded, not slept, and whose clock is passed in.

Names such as ``forum.test`` reach the server through :class:`Loopback`, a transport that
connects every request to 127.0.0.1 (the Host header keeps the name); a route keyed
``host/path`` answers only for that host, one keyed ``/path`` for any. ``serve(routes, tls=context)``
answers HTTPS instead, the handshake made with that server-side ``ssl.SSLContext``.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from monitor.errors import FetchError
from monitor.fetch.client import Fetcher, Politeness

Route = Callable[[BaseHTTPRequestHandler], None]
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@dataclass
class Server:
    port: int
    routes: dict[str, Route]
    requests: list[tuple[str, str]] = field(default_factory=list)  # (Host header, path)
    stop: threading.Event = field(default_factory=threading.Event)
    scheme: str = "http"
    connections: int = 0  # TCP connections accepted, before any TLS handshake

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def asked(self, path: str, host: str | None = None) -> int:
        return sum(1 for h, p in self.requests if p == path and (host is None or h.split(":")[0] == host))


def answer(status: int, body: bytes = b"", **headers: str) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response_only(status)
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


@contextmanager
def serve(routes: dict[str, Route], tls: ssl.SSLContext | None = None) -> Iterator[Server]:
    server_box: list[Server] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            forum = server_box[0]
            forum.requests.append((self.headers.get("Host", ""), self.path))
            host = self.headers.get("Host", "").split(":")[0]
            route = forum.routes.get(f"{host}{self.path}") or forum.routes.get(self.path)
            (route or answer(404, b"not here"))(self)

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Listener(ThreadingHTTPServer):
        def get_request(self) -> tuple[Any, Any]:
            connection, address = self.socket.accept()
            server_box[0].connections += 1
            if tls is not None:
                connection.settimeout(10)
                connection = tls.wrap_socket(connection, server_side=True, do_handshake_on_connect=False)
            return connection, address

        def finish_request(self, request: Any, client_address: Any) -> None:
            if tls is not None:
                try:  # in the connection's own thread; a failed handshake is not served
                    request.do_handshake()
                except OSError:
                    return
            super().finish_request(request, client_address)

    httpd = Listener(("127.0.0.1", 0), Handler)
    server = Server(httpd.server_address[1], routes, scheme="http" if tls is None else "https")
    server_box.append(server)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join()


class Loopback(httpx.AsyncBaseTransport):
    """Connects every request to 127.0.0.1, whatever host its URL names."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(host="127.0.0.1")
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def app_client(**kwargs: Any) -> httpx.AsyncClient:
    """A client as monitor/app.py builds it (it follows redirects; the fetcher must not let it)."""
    kwargs.setdefault("timeout", 5)
    return httpx.AsyncClient(follow_redirects=True, max_redirects=5, **kwargs)


def fetcher(client: httpx.AsyncClient, sleeps: list[float] | None = None, **kwargs: Any) -> Fetcher:
    recorded = [] if sleeps is None else sleeps

    async def sleep(seconds: float) -> None:
        recorded.append(seconds)

    kwargs.setdefault("politeness", Politeness(1, 0.0))
    kwargs.setdefault("clock", lambda: NOW)
    return Fetcher(client, user_agent="test-agent", sleep=sleep, **kwargs)


def fetch(make: Callable[[httpx.AsyncClient], Fetcher], *urls: str, **client: Any) -> list[str | FetchError]:
    """Each URL's text, or the FetchError it raised (in order, one fetcher)."""

    async def go() -> list[str | FetchError]:
        results: list[str | FetchError] = []
        async with app_client(**client) as http:
            fetch_with = make(http)
            for url in urls:
                try:
                    results.append((await fetch_with.get(url)).text)
                except FetchError as exc:
                    results.append(exc)
        return results

    return asyncio.run(go())


def reason(result: str | FetchError) -> str:
    assert isinstance(result, FetchError), result
    return result.reason
