"""Redirects of robots.txt over real loopback HTTP (hostile_http.py): followed hop by hop on the
same site only, at most five hops (RFC 9309 §2.3.1.2). A redirect off the site — a forum
pointing the monitor at ``http://10.0.0.5/`` or ``localhost`` — is not followed: robots.txt is
read as unavailable, no rules, as after too many redirects or a loop, and the log names where
it pointed. Nothing is asked of the other host.
"""

from __future__ import annotations

import logging

import pytest
from hostile_http import Loopback, Route, answer, fetch, fetcher, reason, serve

from monitor.errors import DisallowedByRobots

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"
DISALLOW_PRIVATE = b"User-agent: *\nDisallow: /private\n"


def _pages() -> dict[str, Route]:
    return {"/page": answer(200, b"ok"), "/private": answer(200, b"secret")}


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.5:{port}/robots.txt",  # an address inside the network
        "http://localhost:{port}/robots.txt",
        "http://passport.forum.test:{port}/robots.txt",  # another host of the same domain
        "http://forum.test:{other_port}/robots.txt",  # another port: another site
    ],
)
def test_a_robots_txt_redirect_off_the_site_is_not_followed_and_means_no_rules(
    target: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="monitor.fetch")
    with serve({}) as other, serve(_pages()) as forum:
        # whatever host the redirect leads to (on this port or the other) answers "crawl nothing"
        other.routes["/robots.txt"] = forum.routes["/robots.txt"] = answer(200, DISALLOW_ALL)
        off_site = target.format(port=forum.port, other_port=other.port)
        forum.routes["forum.test/robots.txt"] = answer(301, Location=off_site)
        site = f"http://forum.test:{forum.port}"
        results = fetch(
            lambda c: fetcher(c), f"{site}/page", f"{site}/private", f"{site}/page", transport=Loopback()
        )
    assert results == ["ok", "secret", "ok"]
    assert forum.asked("/robots.txt") == 1 and other.requests == []  # read once, like a 404
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warned == [
        "robots.txt read as absent (no rules): redirected to another site, not followed: "
        f"{site}/robots.txt -> {off_site}"
    ]


def test_a_robots_txt_redirect_off_the_site_after_a_same_site_hop_is_not_followed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="monitor.fetch")
    with serve(_pages()) as forum:
        site, www = f"http://forum.test:{forum.port}", f"http://www.forum.test:{forum.port}"
        internal = f"http://10.0.0.5:{forum.port}/robots.txt"
        forum.routes["forum.test/robots.txt"] = answer(301, Location=f"{www}/robots.txt")
        forum.routes["www.forum.test/robots.txt"] = answer(302, Location=internal)
        forum.routes["10.0.0.5/robots.txt"] = answer(200, DISALLOW_ALL)
        results = fetch(lambda c: fetcher(c), f"{site}/private", transport=Loopback())
    assert results == ["secret"]
    assert forum.asked("/robots.txt", "www.forum.test") == 1 and forum.asked("/robots.txt", "10.0.0.5") == 0
    assert (
        "robots.txt read as absent (no rules): redirected to another site, not followed: "
        f"{www}/robots.txt -> {internal}"
    ) in caplog.messages


@pytest.mark.parametrize(("hops", "obeyed"), [(5, True), (6, False)])
def test_robots_txt_redirects_on_the_same_site_are_followed_up_to_five_hops(hops: int, obeyed: bool) -> None:
    """forum.test → www.forum.test → … → the rules: five hops followed (RFC 9309 §2.3.1.2),
    whatever ``fetch.max_redirects`` allows pages; one more and robots.txt is unavailable."""
    with serve(_pages()) as forum:
        site, www = f"http://forum.test:{forum.port}", f"http://www.forum.test:{forum.port}"
        forum.routes["forum.test/robots.txt"] = answer(301, Location=f"{www}/robots-1.txt")
        for hop in range(1, hops):
            forum.routes[f"www.forum.test/robots-{hop}.txt"] = answer(
                302, Location=f"/robots-{hop + 1}.txt" if hop % 2 else f"{site}/robots-{hop + 1}.txt"
            )
            forum.routes[f"forum.test/robots-{hop}.txt"] = forum.routes[f"www.forum.test/robots-{hop}.txt"]
        forum.routes[f"/robots-{hops}.txt"] = answer(200, DISALLOW_PRIVATE)
        results = fetch(
            lambda c: fetcher(c, max_redirects=1), f"{site}/page", f"{site}/private", transport=Loopback()
        )
    assert results[0] == "ok"
    if obeyed:
        assert isinstance(results[1], DisallowedByRobots)
        assert reason(results[1]) == "disallowed by robots.txt"
    else:
        assert results[1] == "secret"
    assert forum.asked(f"/robots-{hops}.txt") == (1 if obeyed else 0)


def test_a_robots_txt_redirect_loop_means_no_rules() -> None:
    """Past the redirects a crawler follows, robots.txt is unavailable (RFC 9309 §2.3.1.2)."""
    with serve(_pages()) as forum:
        forum.routes["/robots.txt"] = answer(302, Location="/robots.txt")
        looping = fetch(lambda c: fetcher(c), forum.url("/private"))
    assert looping == ["secret"]
