"""A forum that answers every page "429, Retry-After: 299" over real loopback HTTP
(hostile_http.py): the fetcher waits at most 5 min of Retry-After per host in any hour, then
rests the host (as for a Retry-After over 5 min) so the rest of the pass fails at once with the
reason instead of sleeping pages × retries × 5 min. Sleeps are recorded, not slept; the clock
is passed in and moved by hand.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler

import pytest
from hostile_http import NOW, Route, answer, app_client, fetcher, reason, serve

from monitor.errors import FetchError
from monitor.fetch.client import HTTPStatusError, Politeness


def over_budget(asked: str) -> str:
    return (
        f"the forum asks us to wait {asked} (Retry-After), "
        "more than is left of the 5 min we wait for a host per 60 min"
    )


OVER_BUDGET = over_budget("5 min")


def _answers(*routes: Route) -> Route:
    """One answer after the other, the last one for ever."""
    queue: Iterator[Route] = iter(routes)
    last = routes[-1]

    def route(handler: BaseHTTPRequestHandler) -> None:
        (next(queue, None) or last)(handler)

    return route


def _fetch_at(
    clock: list[datetime], sleeps: list[float], steps: list[tuple[timedelta, str]]
) -> list[str | FetchError]:
    """Each URL fetched by one fetcher, the clock first moved on by its step."""

    async def go() -> list[str | FetchError]:
        results: list[str | FetchError] = []
        async with app_client() as http:
            made = fetcher(http, sleeps, clock=lambda: clock[0])
            for step, url in steps:
                clock[0] += step
                try:
                    results.append((await made.get(url)).text)
                except FetchError as exc:
                    results.append(exc)
        return results

    return asyncio.run(go())


def test_a_forum_answering_retry_after_299_everywhere_costs_a_pass_5_minutes_not_hours(
    caplog: pytest.LogCaptureFixture,
) -> None:
    busy = {f"/t{n}": answer(429, b"<html>slow down</html>", Retry_After="299") for n in range(10)}
    sleeps: list[float] = []
    caplog.set_level(logging.INFO, logger="monitor.fetch")
    with serve(busy) as forum, serve({}) as other:
        other.routes["/page"] = _answers(answer(503, Retry_After="30"), answer(200, b"fine"))
        urls = [forum.url(f"/t{n}") for n in range(10)] + [other.url("/page")]
        results = _fetch_at([NOW], sleeps, [(timedelta(0), url) for url in urls])
    assert sleeps == [299.0, 30.0]  # one wait for the busy forum, then the other host's own
    first = results[0]
    assert isinstance(first, HTTPStatusError) and first.status == 429 and first.reason == OVER_BUDGET
    assert first.body == b"<html>slow down</html>"
    assert [reason(r) for r in results[1:10]] == [OVER_BUDGET] * 9  # without a request
    assert results[10] == "fine"
    assert sum(forum.asked(f"/t{n}") for n in range(10)) == 2 and forum.asked("/t0") == 2
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warned == [
        f"{forum.url('/t0')} answered HTTP 429 with Retry-After 299: {OVER_BUDGET}; "
        f"127.0.0.1:{forum.port} is not asked again before 2026-11-23 12:04:59 UTC"
    ]


def test_the_budget_is_per_hour_so_a_host_that_calms_down_is_waited_again() -> None:
    """12:00: 299 s waited, then the host rests 299 s. 12:05: rested, asked again — but a
    Retry-After now still goes past the hour's budget, so no wait: it rests again. 13:01: the
    12:00 wait is out of the hour, and a Retry-After is waited again."""
    routes: dict[str, Route] = {
        "/a": answer(429, Retry_After="299"),
        "/b": answer(503, Retry_After="120"),
        "/c": _answers(answer(429, Retry_After="60"), answer(200, b"ok")),
    }
    sleeps: list[float] = []
    with serve(routes) as forum:
        results = _fetch_at(
            [NOW],
            sleeps,
            [
                (timedelta(0), forum.url("/a")),
                (timedelta(minutes=5), forum.url("/b")),
                (timedelta(minutes=56), forum.url("/c")),
            ],
        )
    assert reason(results[0]) == OVER_BUDGET
    assert reason(results[1]) == over_budget("2 min")
    assert results[2] == "ok"
    assert sleeps == [299.0, 60.0]
    assert forum.asked("/a") == 2 and forum.asked("/b") == 1 and forum.asked("/c") == 2


def test_short_retry_afters_are_waited_until_they_add_up_to_the_budget() -> None:
    """Retry-After 100 on every try: 100 + 100 + 100 s waited for the first page; its last answer
    asks for 100 s more than the hour's budget has left, so the host rests and the other pages
    fail at once."""
    routes = {f"/t{n}": answer(503, Retry_After="100") for n in range(3)}
    sleeps: list[float] = []
    with serve(routes) as forum:
        results = _fetch_at([NOW], sleeps, [(timedelta(0), forum.url(f"/t{n}")) for n in range(3)])
    assert sleeps == [100.0, 100.0, 100.0]
    assert [reason(r) for r in results] == [over_budget("2 min")] * 3
    assert forum.asked("/t0") == 4 and forum.asked("/t1") == 0 and forum.asked("/t2") == 0


def test_the_wait_budget_rolls_over_its_window() -> None:
    from monitor.fetch.retry_after import RETRY_AFTER_BUDGET_SECONDS, RETRY_AFTER_WINDOW_SECONDS, WaitBudget

    assert (RETRY_AFTER_BUDGET_SECONDS, RETRY_AFTER_WINDOW_SECONDS) == (300.0, 3600.0)
    budget = WaitBudget()
    assert budget.take(NOW, 200.0) and budget.take(NOW + timedelta(minutes=10), 100.0)
    assert not budget.take(NOW + timedelta(minutes=20), 1.0)  # nothing left: not counted either
    assert budget.spent(NOW + timedelta(minutes=20)) == 300.0
    assert budget.spent(NOW + timedelta(minutes=60)) == 100.0  # the 12:00 wait is out of the hour
    assert budget.take(NOW + timedelta(minutes=60), 200.0)
    assert budget.spent(NOW + timedelta(minutes=130)) == 0.0
    fresh = WaitBudget()
    assert fresh.take(NOW, 0.0) and fresh.spent(NOW) == 0.0  # "Retry-After: 0" costs nothing


def test_pages_side_by_side_share_their_hosts_budget_and_the_queued_ones_are_not_sent() -> None:
    """Two requests at a time, ten pages queued: the first Retry-After is waited, the next
    goes past the budget and rests the host; no page waiting for a slot is sent after that."""
    routes = {f"/t{n}": answer(429, Retry_After="299") for n in range(10)}
    sleeps: list[float] = []

    async def side_by_side(forum_urls: list[str]) -> list[str | FetchError]:
        async with app_client() as http:
            made = fetcher(http, sleeps, politeness=Politeness(2, 0.0))

            async def one(url: str) -> str | FetchError:
                try:
                    return (await made.get(url)).text
                except FetchError as exc:
                    return exc

            return list(await asyncio.gather(*(one(url) for url in forum_urls)))

    with serve(routes) as forum:
        results = asyncio.run(side_by_side([forum.url(f"/t{n}") for n in range(10)]))
        asked = sum(forum.asked(f"/t{n}") for n in range(10))
    assert sleeps == [299.0]
    assert {reason(r) for r in results} == {OVER_BUDGET}
    # the two sent side by side, and at most one more: a page (or t0 again) that took the slot
    # t0's answer freed before t1's answer rested the host — of ten, not 10 × 4
    assert 2 <= asked <= 3
