"""Handing an alert over from its page, over HTTP on loopback (web_site.py: a real `monitor web`
under uvicorn over a SQLite file, its alert emailed to li_na through a real SMTP server).

The new spokesperson's email comes through the same outbox, and its links act for them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select
from web_site import LINK, Site, free_port, serving, web_config

from monitor.alerting.channels.email import EmailChannel, SmtpSettings
from monitor.alerting.compose import link_signer
from monitor.alerting.outbox import Channels, deliver_pending
from monitor.store.models import Alert, AlertEvent, Delivery
from monitor.web.app import create_app

SIGNIN_LINK = re.compile(r"^ +(https?://\S+/signin/[\w.-]+)\s*$", re.M)
HANDOVER_FORM = re.compile(r'<form method="post" action="">(?:(?!</form>).)*value="handover"', re.S)


def _alert(site: Site) -> Alert:
    alert = site.sessions().get(Alert, site.alert_id)
    assert alert is not None
    return alert


def _handovers(site: Site) -> list[tuple[str, str]]:
    with site.sessions() as session:
        query = select(AlertEvent).where(
            AlertEvent.alert_id == site.alert_id, AlertEvent.kind == "handed_over"
        )
        return [(e.actor, e.detail) for e in session.scalars(query)]


def _options(page: str) -> list[str]:
    select_html = page.split('<select id="handover_to"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]*)"', select_html)


def _send_pending(site: Site) -> None:
    with site.sessions.begin() as session:
        email = EmailChannel(SmtpSettings(host="127.0.0.1", port=site.sink.port, sender="m@test.invalid"))
        channels = Channels(console=None, console_stream=io.StringIO(), email=email)
        deliver_pending(session, site.config, channels, site.now)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None, "no CSRF field on the page"
    return found.group(1)


def _signed_in(client: httpx.Client, site: Site, address: str, base_url: str) -> None:
    before = len(site.sink.messages)
    assert client.post("/signin", data={"email": address}).status_code == 200
    assert site.sink.wait_for(before + 1)
    body = site.sink.messages[before].get_body(("plain",))
    assert body is not None
    [link] = SIGNIN_LINK.findall(body.get_content())
    assert client.post(link.removeprefix(base_url)).status_code == 303


@contextmanager
def _viewer_app(site: Site, tmp_path: Path) -> Iterator[httpx.Client]:
    port = free_port()
    config = web_config(tmp_path, site.base_url, site.sink.port, ("ops@corp.invalid",))
    app = create_app(config, site.sessions, clock=site.clock)
    with serving(app, port), httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        yield client


def test_the_owner_hands_the_alert_over_from_the_link_and_the_new_owner_is_told(site: Site) -> None:
    url = site.link("view")
    page = httpx.get(url).text
    assert HANDOVER_FORM.search(page)
    assert _options(page) == ["", "wang_qiang", "zhao_min"]  # everyone but the owner, to choose from
    assert "王强（客服总监）" in page

    site.now += timedelta(minutes=10)
    done = httpx.post(url, data={"do": "handover", "to": "wang_qiang", "note": "休假到周一"})
    assert done.status_code == 303 and done.headers["location"] == "?done=handover"
    after = httpx.get(url + "?done=handover").text
    assert "已转交 Handed over" in after
    alert = _alert(site)
    assert (alert.spokesperson, alert.backup) == ("wang_qiang", "li_na")
    assert _handovers(site) == [("li_na (web link)", "li_na -> wang_qiang: 休假到周一")]

    _send_pending(site)
    assert site.sink.wait_for(2)
    told = site.sink.messages[1]
    assert site.sink.envelopes[1].rcpt_tos == ("wang.qiang@pr.demo.invalid",)
    text = told.get_body(("plain",))
    assert text is not None
    content = text.get_content()
    assert "转交：" in content and "Handed over" in content
    assert "李娜（公关部发言人）" in content and "休假到周一" in content
    links = dict(LINK.findall(content))
    ack = next(link for label, link in links.items() if label.endswith("Acknowledge"))
    assert httpx.post(ack, data={"do": "ack"}).status_code == 303
    assert _alert(site).acknowledged_by == "wang_qiang (web link)"


def test_handing_over_to_the_owner_or_after_the_close_is_refused(site: Site) -> None:
    url = site.link("view")
    same = httpx.post(url, data={"do": "handover", "to": "li_na"})
    assert same.status_code == 409 and "already with li_na" in same.text
    nobody = httpx.post(url, data={"do": "handover", "to": ""})
    assert nobody.status_code == 409 and "Choose the spokesperson" in nobody.text
    unknown = httpx.post(url, data={"do": "handover", "to": "bob"})
    assert unknown.status_code == 404 and "bob" in unknown.text
    assert httpx.post(url, data={"do": "resolve", "note": "已退款"}).status_code == 303
    assert not HANDOVER_FORM.search(httpx.get(url).text)
    closed = httpx.post(url, data={"do": "handover", "to": "wang_qiang"})
    assert closed.status_code == 409 and "a resolved alert cannot be handed over" in closed.text
    assert _alert(site).spokesperson == "li_na" and _handovers(site) == []
    with site.sessions() as session:
        assert session.scalars(select(Delivery).where(Delivery.kind == "handover")).first() is None


def test_a_copys_link_cannot_hand_the_alert_over(site: Site) -> None:
    with site.sessions.begin() as session:
        session.add(
            Delivery(
                alert_id=site.alert_id,
                channel="email",
                target="zhao.min@pr.demo.invalid",
                kind="copy",
                recipient="zhao_min",
                severity="urgent",
                created_at=site.now,
            )
        )
    signer = link_signer(site.config)
    assert signer is not None
    url = signer.url(site.alert_id, "view", "zhao_min", site.now)
    assert not HANDOVER_FORM.search(httpx.get(url).text)
    refused = httpx.post(url, data={"do": "handover", "to": "zhao_min"})
    assert refused.status_code == 409 and "copy for information" in refused.text
    assert _alert(site).spokesperson == "li_na"


def test_a_signed_in_spokesperson_hands_over_with_the_forms_token_and_a_viewer_cannot(
    site: Site, tmp_path: Path
) -> None:
    client = httpx.Client(base_url=site.base_url)
    site.closing.append(client.close)
    _signed_in(client, site, "wang.qiang@pr.demo.invalid", site.base_url)
    page = client.get(f"/alerts/{site.alert_id}").text
    assert HANDOVER_FORM.search(page) and _options(page) == ["", "wang_qiang", "zhao_min"]
    path = f"/alerts/{site.alert_id}"
    assert client.post(path, data={"do": "handover", "to": "zhao_min"}).status_code == 403  # no token
    assert _alert(site).spokesperson == "li_na"
    done = client.post(path, data={"do": "handover", "to": "wang_qiang", "note": "我来", "csrf": _csrf(page)})
    assert done.status_code == 303 and done.headers["location"] == f"{path}?done=handover"
    assert _alert(site).spokesperson == "wang_qiang"
    assert _handovers(site) == [("wang_qiang (web)", "li_na -> wang_qiang: 我来")]
    assert _options(client.get(path).text) == ["", "li_na", "zhao_min"]

    with _viewer_app(site, tmp_path) as viewer:
        _signed_in(viewer, site, "ops@corp.invalid", site.base_url)
        shown = viewer.get(path).text
        assert not HANDOVER_FORM.search(shown) and '<select id="handover_to"' not in shown
        refused = viewer.post(path, data={"do": "handover", "to": "zhao_min", "csrf": _csrf(shown)})
        assert refused.status_code == 403
    assert _alert(site).spokesperson == "wang_qiang"
