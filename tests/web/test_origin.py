"""Forms sent from another site are refused (login CSRF), over HTTP on loopback and as a pure rule."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from web_site import Site

from monitor.store.models import Alert
from monitor.web.origin import foreign_form, origin_of
from monitor.web.session import COOKIE, session_keys

OWN = frozenset({"https://monitor.example.com"})


@pytest.mark.parametrize(
    ("method", "headers", "refused"),
    [
        ("POST", {"sec-fetch-site": "cross-site"}, True),
        ("POST", {"sec-fetch-site": "same-site"}, True),  # another host of the company's domain
        ("POST", {"sec-fetch-site": "same-origin", "origin": "null"}, False),
        ("POST", {"sec-fetch-site": "none"}, False),
        ("POST", {"sec-fetch-site": "Cross-Site"}, True),
        # Browsers without Sec-Fetch-Site: the Origin header decides.
        ("POST", {"origin": "https://evil.example"}, True),
        ("POST", {"origin": "https://monitor.example.com"}, False),
        ("POST", {"origin": "HTTPS://Monitor.Example.com"}, False),
        ("POST", {"origin": "http://monitor.example.com"}, True),  # not the same scheme
        ("POST", {"origin": "null"}, False),  # our pages send no referrer, so our own forms say null
        ("POST", {}, False),  # curl: not a browser being led by a page
        ("GET", {"sec-fetch-site": "cross-site"}, False),  # following a link never changes anything
        ("HEAD", {"origin": "https://evil.example"}, False),
    ],
)
def test_which_requests_count_as_sent_from_another_site(
    method: str, headers: dict[str, str], refused: bool
) -> None:
    assert (foreign_form(method, headers, OWN) is not None) is refused


def test_an_origin_is_scheme_and_host() -> None:
    assert origin_of("https://Monitor.example.com:8443/alerts?x=1") == "https://monitor.example.com:8443"
    assert origin_of("not a url") == ""


def _signin_link(site: Site) -> str:
    keys = session_keys(site.config)
    assert keys is not None
    return keys.signin_url("li_na", site.now)


def test_a_sign_in_link_submitted_from_another_site_signs_nobody_in(site: Site) -> None:
    link = _signin_link(site)
    forged = httpx.post(link, headers={"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.test"})
    assert forged.status_code == 403
    assert "another site" in forged.text
    assert COOKIE not in forged.cookies
    assert forged.headers["content-security-policy"].startswith("default-src 'none'")

    # The refusal spent nothing: the person can still use their link from the monitor's own page.
    own = httpx.post(link, headers={"Sec-Fetch-Site": "same-origin", "Origin": "null"})
    assert own.status_code == 303 and COOKIE in own.cookies


def test_an_old_browser_is_judged_by_its_origin_header(site: Site) -> None:
    link = _signin_link(site)
    assert httpx.post(link, headers={"Origin": "http://evil.test"}).status_code == 403
    assert httpx.post(link, headers={"Origin": site.base_url}).status_code == 303


def test_an_action_link_posted_from_another_site_does_nothing(site: Site) -> None:
    refused = httpx.post(site.link("ack"), data={"do": "ack"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403
    with site.sessions() as session:
        alert = session.scalars(select(Alert).where(Alert.id == site.alert_id)).one()
        assert alert.acknowledged_at is None

    done = httpx.post(site.link("ack"), data={"do": "ack"}, headers={"Sec-Fetch-Site": "same-origin"})
    assert done.status_code == 303
    with site.sessions() as session:
        alert = session.scalars(select(Alert).where(Alert.id == site.alert_id)).one()
        assert alert.acknowledged_at is not None
