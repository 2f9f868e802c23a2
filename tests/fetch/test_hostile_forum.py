"""A hostile forum over real loopback HTTP: redirect loops, a body that lies about its gzip, a
page that trickles in, redirects to another host, a malformed Location, a long Retry-After,
error pages. Each is a :class:`FetchError` naming its cause, never an httpx exception, and
the fetcher stays polite (robots.txt and pacing per host, no request while a host rests).

A tiny threaded HTTP server per test (hostile_http.py); names such as ``forum.test`` reach it
through a transport that connects every request to 127.0.0.1 (the Host header keeps the name).
Sleeps of the fetcher are recorded, not slept; the clock is passed in.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from http.server import BaseHTTPRequestHandler

import httpx
import pytest
from hostile_http import NOW, Loopback, Route, Server, answer, app_client, fetch, fetcher, reason, serve

from monitor.errors import DisallowedByRobots, FetchError
from monitor.fetch.client import Fetcher, HTTPStatusError, Politeness, RedirectError

# --- 1. a redirect loop, a body that is not the gzip it claims ------------------------------------


def test_a_redirect_loop_is_a_fetch_failure_naming_the_url() -> None:
    routes: dict[str, Route] = {}
    with serve(routes) as forum:
        routes["/self"] = answer(302, Location=forum.url("/self"))
        routes["/a"] = answer(302, Location="/b")
        routes["/b"] = answer(301, Location=forum.url("/a"))
        results = fetch(lambda c: fetcher(c), forum.url("/self"), forum.url("/a"))
    assert isinstance(results[0], RedirectError)
    assert reason(results[0]) == f"redirect loop at {forum.url('/self')}"
    assert reason(results[1]) == f"redirect loop at {forum.url('/a')}"
    assert forum.asked("/self") == 1 and forum.asked("/a") == 1 and forum.asked("/b") == 1


def test_a_body_that_claims_gzip_but_is_not_is_a_fetch_failure_not_retried() -> None:
    routes = {"/gz": answer(200, b"<html>plain text</html>", Content_Encoding="gzip")}
    with serve(routes) as forum:
        sleeps: list[float] = []
        results = fetch(lambda c: fetcher(c, sleeps), forum.url("/gz"))
    assert reason(results[0]) == "page claims gzip but is not"
    assert forum.asked("/gz") == 1 and sleeps == []


def test_too_many_redirects_is_a_fetch_failure() -> None:
    routes = {f"/r{i}": answer(302, Location=f"/r{i + 1}") for i in range(5)}
    with serve(routes) as forum:
        results = fetch(lambda c: fetcher(c, max_redirects=2), forum.url("/r0"))
    assert (
        reason(results[0])
        == f"more than 2 redirects from {forum.url('/r0')} (the last to {forum.url('/r3')})"
    )
    assert forum.asked("/r3") == 0


def test_the_redirect_limit_is_the_clients_unless_given() -> None:
    async def limits() -> tuple[int, int]:
        async with httpx.AsyncClient(max_redirects=7) as client:
            return fetcher(client)._max_redirects, fetcher(client, max_redirects=1)._max_redirects

    assert asyncio.run(limits()) == (7, 1)


# --- 2. a page that trickles in ----------------------------------------------------------------


def _trickle(forum_stop: Callable[[], bool]) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response_only(200)
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        for _ in range(100000):
            if forum_stop():
                return
            try:
                handler.wfile.write(b"x")
            except OSError:
                return  # the fetcher gave up
            time.sleep(0.02)

    return route


def test_a_page_that_trickles_in_fails_at_the_deadline_not_never() -> None:
    """One byte every 20 ms never trips a 0.1 s read timeout; the whole page must come within
    3 × that (the default deadline), and is not asked again."""
    routes: dict[str, Route] = {}
    with serve(routes) as forum:
        routes["/slow"] = _trickle(forum.stop.is_set)
        started = time.monotonic()
        sleeps: list[float] = []
        results = fetch(lambda c: fetcher(c, sleeps), forum.url("/slow"), timeout=0.1)
        took = time.monotonic() - started
    assert reason(results[0]) == "page took longer than 0.3 s to arrive"
    assert 0.25 < took < 2.0
    assert forum.asked("/slow") == 1 and sleeps == []


def test_the_deadline_is_a_few_times_the_fetch_timeout() -> None:
    async def deadlines() -> list[float]:
        async with httpx.AsyncClient(timeout=20) as a, httpx.AsyncClient(timeout=None) as b:
            return [
                fetcher(a).deadline_seconds,
                fetcher(b).deadline_seconds,
                fetcher(a, deadline_seconds=5).deadline_seconds,
            ]

    assert asyncio.run(deadlines()) == [60.0, 60.0, 5.0]


# --- 3. redirects: another site, the same site, a malformed Location ---------------------------


def test_a_redirect_to_another_site_is_refused_and_that_site_never_asked() -> None:
    with serve({}) as other, serve({}) as forum:
        forum.routes["/thread"] = answer(302, Location=other.url("/elsewhere"))
        results = fetch(lambda c: fetcher(c), forum.url("/thread"))
    assert isinstance(results[0], RedirectError)
    assert reason(results[0]) == (
        f"redirected to another site (127.0.0.1:{other.port}); add it as a source if it is the same forum"
    )
    assert other.requests == []


def test_a_same_site_redirect_is_followed_under_its_own_hosts_robots_and_pacing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """forum.test → www.forum.test: www's robots.txt is read and obeyed, www is paced as its own
    host with the source's politeness, the redirect is logged once, and errors name the URL
    that failed."""
    routes: dict[str, Route] = {
        "www.forum.test/robots.txt": answer(200, b"User-agent: *\nDisallow: /private\n"),
        "www.forum.test/page": answer(200, b"<html>ok</html>", Content_Type="text/html; charset=utf-8"),
        "www.forum.test/gone": answer(404, b"<html>\xe6\xb2\xa1\xe6\x9c\x89</html>"),
    }
    sleeps: list[float] = []
    caplog.set_level(logging.INFO, logger="monitor.fetch.client")
    with serve(routes) as forum:
        site, www = f"http://forum.test:{forum.port}", f"http://www.forum.test:{forum.port}"
        for path in ("/page", "/gone", "/private"):
            routes[f"forum.test{path}"] = answer(301, Location=f"{www}{path}")

        def make(client: httpx.AsyncClient) -> Fetcher:
            made = fetcher(client, sleeps)
            made.set_politeness(f"{site}/", Politeness(1, 5.0))
            return made

        results = fetch(
            make, f"{site}/page", f"{site}/page", f"{site}/gone", f"{site}/private", transport=Loopback()
        )
    assert results[:2] == ["<html>ok</html>", "<html>ok</html>"]
    assert forum.asked("/robots.txt", "www.forum.test") == 1 and forum.asked("/robots.txt", "forum.test") == 1
    gone = results[2]
    assert isinstance(gone, HTTPStatusError) and gone.status == 404
    assert gone.url == f"{site}/gone"
    assert gone.reason == f"HTTP 404 at {www}/gone (redirected from {site}/gone)"
    assert gone.body == "<html>没有</html>".encode()
    assert isinstance(results[3], DisallowedByRobots)
    assert reason(results[3]) == f"disallowed by robots.txt at {www}/private (redirected from {site}/private)"
    assert forum.asked("/private", "www.forum.test") == 0
    # two hosts, each paced on its own with the source's 5 s: every request after a host's first
    # waits (forum.test: robots.txt, /page twice, /gone, /private; www: robots.txt, /page twice, /gone)
    assert len(sleeps) == 4 + 3 and all(4.0 < s <= 5.0 for s in sleeps)
    followed = [m for m in caplog.messages if m.startswith("redirect followed")]
    assert followed == [
        f"redirect followed: {site}/page -> {www}/page (HTTP 301; logged once)",
        f"redirect followed: {site}/gone -> {www}/gone (HTTP 301; logged once)",
    ]


def test_http_to_https_is_the_same_site_and_other_hosts_are_not() -> None:
    from monitor.fetch.client import _same_site

    assert _same_site("http://bbs.example.com/x", "https://bbs.example.com/y")
    assert _same_site("http://bbs.example.com:80/x", "https://www.bbs.example.com/y")
    assert _same_site("https://www.example.com/x", "http://example.com:80/")
    assert not _same_site("http://bbs.example.com/x", "http://passport.example.com/login")
    assert not _same_site("http://example.com/x", "http://example.com:8080/x")
    assert not _same_site("http://127.0.0.1:1/", "http://127.0.0.1:2/")


def test_a_malformed_location_has_its_own_message() -> None:
    routes = {
        "/bad": answer(302, Location="http://[bad"),
        "/space": answer(302, Location="http://exa mple.com/x"),
        "/ftp": answer(302, Location="ftp://files.example.com/x"),
        "/port": answer(302, Location="http://bbs.example.com:b/"),  # one httpx cannot parse either
    }
    with serve(routes) as forum:
        results = fetch(lambda c: fetcher(c), *(forum.url(p) for p in routes))
    assert [reason(r) for r in results] == [
        "malformed redirect (Location: http://[bad)",
        "malformed redirect (Location: http://exa mple.com/x)",
        "redirect to a non-web address (Location: ftp://files.example.com/x)",
        "malformed redirect (Location: Invalid port: 'b')",
    ]
    assert forum.asked("/port") == 1  # not retried
    assert all(isinstance(r, RedirectError) for r in results)


# --- 4. a long Retry-After ------------------------------------------------------------------


def test_a_long_retry_after_fails_at_once_and_rests_the_host_until_then() -> None:
    routes = {
        "/busy": answer(503, b"<html>busy</html>", Retry_After="3600"),
        "/other": answer(200, b"fine"),
    }
    now = [NOW]
    sleeps: list[float] = []

    async def go(forum: Server) -> list[str]:
        reasons = []
        async with app_client() as http:
            made = Fetcher(
                http,
                user_agent="t",
                politeness=Politeness(1, 0.0),
                sleep=lambda s: _record(sleeps, s),
                clock=lambda: now[0],
            )
            for minutes, path in ((0, "/busy"), (1, "/other"), (58, "/busy"), (1, "/other")):
                now[0] += timedelta(minutes=minutes)
                try:
                    reasons.append((await made.get(forum.url(path))).text)
                except FetchError as exc:
                    reasons.append(exc.reason)
                    if path == "/busy" and minutes == 0:
                        assert isinstance(exc, HTTPStatusError) and exc.status == 503
                        assert exc.body == b"<html>busy</html>"
        return reasons

    with serve(routes) as forum:
        results = asyncio.run(go(forum))
    waiting = "the forum asks us to wait 60 min (Retry-After)"
    assert results == [waiting, waiting, waiting, "fine"]  # 12:00, 12:01, 12:59: nothing sent; 13:00
    assert forum.asked("/busy") == 1 and forum.asked("/other") == 1 and forum.asked("/robots.txt") == 1
    assert sleeps == []


async def _record(sleeps: list[float], seconds: float) -> None:
    sleeps.append(seconds)


def test_a_short_retry_after_is_still_waited_and_retried() -> None:
    answers = iter([answer(429, Retry_After="7"), answer(200, b"ok")])
    routes: dict[str, Route] = {"/page": lambda h: next(answers)(h)}
    sleeps: list[float] = []
    with serve(routes) as forum:
        results = fetch(lambda c: fetcher(c, sleeps), forum.url("/page"))
    assert results == ["ok"] and sleeps == [7.0] and forum.asked("/page") == 2


def test_a_long_retry_after_on_robots_txt_rests_the_host_too() -> None:
    routes = {"/robots.txt": answer(503, Retry_After="Mon, 23 Nov 2026 15:00:00 GMT"), "/page": answer(200)}
    with serve(routes) as forum:
        results = fetch(lambda c: fetcher(c), forum.url("/page"), forum.url("/page"))
    assert reason(results[0]) == f"the forum asks us to wait 3 h (Retry-After) at {forum.url('/robots.txt')}"
    assert reason(results[1]) == "the forum asks us to wait 3 h (Retry-After)"
    assert forum.asked("/robots.txt") == 1 and forum.asked("/page") == 0


def test_an_absurd_retry_after_rests_the_host_a_day_and_crashes_nothing() -> None:
    """'Retry-After: 999999999999' overflowed the date and killed the whole pass."""
    routes = {"/busy": answer(429, Retry_After="999999999999")}
    with serve(routes) as forum:
        results = fetch(lambda c: fetcher(c), forum.url("/busy"), forum.url("/busy"))
    capped = "the forum asks us to wait years (Retry-After); it is asked again after 24 h, the longest"
    assert all(reason(r).startswith(capped) for r in results) and len(results) == 2
    assert forum.asked("/busy") == 1


def test_a_retry_after_of_days_says_it_is_asked_again_after_a_day() -> None:
    routes = {"/busy": answer(429, Retry_After=str(5 * 86400))}
    with serve(routes) as forum:
        (result,) = fetch(lambda c: fetcher(c), forum.url("/busy"))
    assert reason(result) == (
        "the forum asks us to wait 5 days (Retry-After); it is asked again after 24 h, "
        "the longest the monitor leaves a forum alone"
    )


def test_requests_waiting_for_the_host_are_not_sent_after_it_asked_to_be_left_alone() -> None:
    """Thread pages queued behind the host's one slot: once an answer says "wait an hour", none of
    them goes out (29 of 29 did)."""
    routes = {f"/t{n}": answer(503, Retry_After="3600") for n in range(5)}

    async def side_by_side(forum: Server) -> list[str | FetchError]:
        async with app_client() as http:
            made = fetcher(http)  # one request at a time per host

            async def one(url: str) -> str | FetchError:
                try:
                    return (await made.get(url)).text
                except FetchError as exc:
                    return exc

            return list(await asyncio.gather(*(one(forum.url(f"/t{n}")) for n in range(5))))

    with serve(routes) as forum:
        results = asyncio.run(side_by_side(forum))
    assert {reason(r) for r in results} == {"the forum asks us to wait 60 min (Retry-After)"}
    assert sum(forum.asked(f"/t{n}") for n in range(5)) == 1


# --- 5. error pages keep what the forum sent ----------------------------------------------------


def test_an_http_error_keeps_the_page_the_forum_sent() -> None:
    body = "<html>抱歉，指定的主题不存在或已被删除</html>".encode("gbk")
    routes = {"/missing": answer(404, body), "/down": answer(500, b"<h1>Internal Server Error</h1>")}
    with serve(routes) as forum:
        results = fetch(lambda c: fetcher(c, retries=0), forum.url("/missing"), forum.url("/down"))
    missing, down = results
    assert isinstance(missing, HTTPStatusError) and isinstance(down, HTTPStatusError)
    assert (missing.reason, missing.status, missing.body) == ("HTTP 404", 404, body)
    assert (down.reason, down.status, down.body) == ("HTTP 500", 500, b"<h1>Internal Server Error</h1>")
