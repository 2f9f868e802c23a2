"""Fetcher politeness and faults: robots.txt, retries honouring Retry-After, GBK bodies, a
forum that cannot be reached.

Faults are injected with respx; a refused connection is a real one, to a closed loopback port
(closed_port.py). Sleeps are recorded, not slept.
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx
from closed_port import closed_port

from monitor.errors import DisallowedByRobots, FetchError
from monitor.fetch.client import Fetcher, Politeness, retry_after_seconds

BASE = "http://bbs.test"
ROBOTS = (Path(__file__).resolve().parents[1] / "fixtures" / "discuz" / "robots.txt").read_bytes()


class _NoJitter(random.Random):
    def uniform(self, a: float, b: float) -> float:
        return 1.0


def _fetcher(client: httpx.AsyncClient, sleeps: list[float], **kwargs: object) -> Fetcher:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return Fetcher(
        client,
        user_agent="test-agent",
        politeness=Politeness(concurrency=1, min_interval=0.0),
        sleep=sleep,
        rng=_NoJitter(),
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def mock() -> respx.MockRouter:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.get("/robots.txt").respond(200, content=ROBOTS, headers={"content-type": "text/plain"})
        yield router


def test_robots_txt_disallows_the_mobile_api(mock: respx.MockRouter) -> None:
    api = mock.get("/api/mobile/index.php").respond(200, json={})

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            fetcher = _fetcher(client, [])
            with pytest.raises(DisallowedByRobots):
                await fetcher.get(f"{BASE}/api/mobile/index.php?version=4&module=forumdisplay&fid=2")

    asyncio.run(go())
    assert not api.called


def test_retries_on_503_honouring_retry_after_then_succeeds(mock: respx.MockRouter) -> None:
    route = mock.get("/forum.php").mock(
        side_effect=[
            httpx.Response(503, headers={"retry-after": "7"}),
            httpx.Response(429),
            httpx.Response(
                200, content="途乐".encode("gbk"), headers={"content-type": "text/html; charset=gbk"}
            ),
        ]
    )
    sleeps: list[float] = []

    async def go() -> str:
        async with httpx.AsyncClient() as client:
            page = await _fetcher(client, sleeps).get(f"{BASE}/forum.php?mod=forumdisplay&fid=2")
            return page.text

    assert asyncio.run(go()) == "途乐"
    assert route.call_count == 3
    assert sleeps == [7.0, 2.0]


def test_gives_up_after_retries_with_a_clear_error(
    mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    mock.get("/forum.php").mock(side_effect=httpx.ConnectError("[Errno 111] Connection refused"))
    sleeps: list[float] = []

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            await _fetcher(client, sleeps, retries=2).get(f"{BASE}/forum.php?mod=viewthread&tid=2")

    caplog.set_level(logging.INFO, logger="monitor.fetch.client")
    with pytest.raises(FetchError) as raised:
        asyncio.run(go())
    assert raised.value.reason == "connection refused"
    assert sleeps == [1.0, 2.0]
    retried = [r.getMessage() for r in caplog.records if r.getMessage().startswith("retrying")]
    assert retried == [
        f"retrying {BASE}/forum.php?mod=viewthread&tid=2 in 1.0s (connection refused)",
        f"retrying {BASE}/forum.php?mod=viewthread&tid=2 in 2.0s (connection refused)",
    ]


def test_missing_robots_allows_and_a_5xx_robots_is_unreachable_not_disallowed() -> None:
    """RFC 9309: 4xx = no rules; 5xx = crawl nothing — reported as unreachable, with the status."""

    async def go(status: int) -> str:
        with respx.mock(base_url=BASE, assert_all_called=False) as router:
            router.get("/robots.txt").respond(status)
            page = router.get("/forum.php").respond(200, text="ok")
            async with httpx.AsyncClient() as client:
                try:
                    return (await _fetcher(client, [], retries=0).get(f"{BASE}/forum.php?mod=index")).text
                except FetchError as exc:
                    assert not isinstance(exc, DisallowedByRobots)
                    assert not page.called
                    return exc.reason

    assert asyncio.run(go(404)) == "ok"
    assert asyncio.run(go(503)) == f"HTTP 503 at {BASE}/robots.txt"


def test_a_forum_that_refuses_connections_is_unreachable_not_disallowed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A real refused connection (a closed loopback port): the cause, the robots.txt URL, and
    the cause in each retry line."""
    base = f"http://127.0.0.1:{closed_port()}"
    sleeps: list[float] = []

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            await _fetcher(client, sleeps, retries=1).get(f"{base}/forum.php?mod=forumdisplay&fid=2")

    caplog.set_level(logging.INFO, logger="monitor.fetch.client")
    with pytest.raises(FetchError) as raised:
        asyncio.run(go())
    assert not isinstance(raised.value, DisallowedByRobots)
    assert raised.value.reason == f"connection refused at {base}/robots.txt"
    assert sleeps == [1.0]
    assert f"retrying {base}/robots.txt in 1.0s (connection refused)" in caplog.messages


def test_an_unreachable_robots_txt_is_asked_again_after_a_while(mock: respx.MockRouter) -> None:
    """Not forever "disallow all": a forum that comes back is read again (robots_retry_seconds)."""
    robots = mock.get("/robots.txt").mock(
        side_effect=[
            httpx.ConnectError("[Errno -2] Name or service not known"),
            httpx.Response(200, content=ROBOTS),
        ]
    )
    mock.get("/forum.php").respond(200, text="ok")
    now = [datetime(2026, 11, 23, 12, 0, tzinfo=UTC)]
    url = f"{BASE}/forum.php?mod=forumdisplay&fid=2"

    async def go() -> list[str]:
        answers = []
        async with httpx.AsyncClient() as client:
            fetcher = _fetcher(client, [], retries=0, clock=lambda: now[0], robots_retry_seconds=300)
            for minutes in (0, 4, 1):  # at 12:00, 12:04 (not asked again yet), 12:05
                now[0] += timedelta(minutes=minutes)
                try:
                    answers.append((await fetcher.get(url)).text)
                except FetchError as exc:
                    answers.append(exc.reason)
        return answers

    assert asyncio.run(go()) == [
        f"host name not found at {BASE}/robots.txt",
        f"host name not found at {BASE}/robots.txt",
        "ok",
    ]
    assert robots.call_count == 2


def test_a_url_without_http_fails_at_once(mock: respx.MockRouter) -> None:
    sleeps: list[float] = []

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            await _fetcher(client, sleeps).get("127.0.0.1:8081/forum.php")

    with pytest.raises(FetchError, match="not an http:// or https:// URL"):
        asyncio.run(go())
    assert sleeps == [] and not mock.calls


def test_retry_after_forms() -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("99999") == 300.0
    assert retry_after_seconds("Mon, 23 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_backoff_has_jitter_within_bounds(mock: respx.MockRouter) -> None:
    mock.get("/forum.php").mock(side_effect=[httpx.Response(500), httpx.Response(500), httpx.Response(200)])
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            fetcher = Fetcher(
                client, user_agent="t", politeness=Politeness(1, 0.0), sleep=sleep, rng=random.Random(7)
            )
            await fetcher.get(f"{BASE}/forum.php?mod=index")

    asyncio.run(go())
    assert len(sleeps) == 2
    assert 0.5 <= sleeps[0] <= 1.5 and 1.0 <= sleeps[1] <= 3.0
    assert sleeps[0] != 1.0 or sleeps[1] != 2.0


def test_conditional_get_and_server_date(mock: respx.MockRouter) -> None:
    date = "Mon, 23 Nov 2026 12:07:35 GMT"
    route = mock.get("/forum.php").mock(
        side_effect=[
            httpx.Response(200, text="v1", headers={"etag": '"abc"', "date": date}),
            httpx.Response(304, headers={"date": date}),
        ]
    )

    async def go() -> tuple[object, object]:
        async with httpx.AsyncClient() as client:
            fetcher = Fetcher(
                client,
                user_agent="t",
                politeness=Politeness(1, 0.0),
                clock=lambda: datetime(2026, 11, 23, 12, 7, 40, tzinfo=UTC),
            )
            first = await fetcher.get(f"{BASE}/forum.php?mod=forumdisplay&fid=2", conditional=True)
            second = await fetcher.get(f"{BASE}/forum.php?mod=forumdisplay&fid=2", conditional=True)
            return first, second

    first, second = asyncio.run(go())
    assert route.calls[1].request.headers["if-none-match"] == '"abc"'
    assert "if-none-match" not in route.calls[0].request.headers
    assert first.text == "v1" and not first.not_modified  # type: ignore[attr-defined]
    assert second.not_modified  # type: ignore[attr-defined]
    assert first.now == datetime(2026, 11, 23, 12, 7, 35, tzinfo=UTC)  # type: ignore[attr-defined]


def test_response_size_is_capped(mock: respx.MockRouter) -> None:
    mock.get("/big").respond(200, content=b"x" * 5000)

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            fetcher = Fetcher(client, user_agent="t", politeness=Politeness(1, 0.0), max_bytes=1000)
            await fetcher.get(f"{BASE}/big")

    with pytest.raises(FetchError, match="too large"):
        asyncio.run(go())
