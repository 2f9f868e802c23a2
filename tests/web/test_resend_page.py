"""重新发送 Send again on an alert's page: the messages the outbox gave up go back into the outbox, by
the real POST the page's own form makes (its CSRF token, the signed-in session), as
``monitor alerts resend ID`` would, the person who pressed it on the trail, a flash line saying what
was re-queued; a form from another site, a viewer, a copy's link, and a stale form for an alert
resolved long ago change nothing.

The site (web_site.py) is a real `monitor web` over a SQLite file with one alert whose email went out;
test_undelivered_page.py's ``_failing`` queues two more by the real outbox code against a mail server
that is down, and gives zhao_min's up. The site's own SMTP server (a real one on loopback) is up: once
re-queued, the real outbox sends the message there.
"""

from __future__ import annotations

import io
from datetime import timedelta

import httpx
from bs4 import BeautifulSoup
from sqlalchemy import select
from test_dashboard import _app_with, _link_from_mail, _signed_in
from test_undelivered_page import _failing
from web_site import Site

from monitor.alerting import lifecycle
from monitor.alerting.channels.email import EmailChannel, SmtpSettings
from monitor.alerting.compose import link_signer
from monitor.alerting.outbox import Channels, deliver_pending
from monitor.store.models import Alert, AlertEvent, Delivery

ZHAO_MIN = "zhao.min@pr.demo.invalid"


def _form(page: str) -> dict[str, str]:
    """The fields the page's 重新发送 form posts, as a browser would send them (the pressed button's too)."""
    form = BeautifulSoup(page, "html.parser").select_one("form.resend")
    assert form is not None, "no 重新发送 Send again form on the page"
    fields = {str(i["name"]): str(i["value"]) for i in form.find_all("input")}
    button = form.find("button")
    assert button is not None
    return fields | {str(button["name"]): str(button["value"])}


def _given_up(site: Site) -> Delivery:
    with site.sessions() as session:
        return session.scalars(
            select(Delivery).where(Delivery.recipient == "zhao_min", Delivery.channel == "email")
        ).one()


def _requeued_events(site: Site) -> list[AlertEvent]:
    with site.sessions() as session:
        return list(session.scalars(select(AlertEvent).where(AlertEvent.kind == "requeued")))


def _flash(page: str) -> str:
    flash = BeautifulSoup(page, "html.parser").select_one(".flash")
    assert flash is not None, "no flash line"
    return flash.get_text()


def test_send_again_requeues_the_given_up_message_names_it_and_the_outbox_sends_it(site: Site) -> None:
    _failing(site)
    client = _signed_in(site)
    page = client.get(f"/alerts/{site.alert_id}")
    button = BeautifulSoup(page.text, "html.parser").select_one("form.resend button")
    assert button is not None and button.get_text() == "重新发送 Send again"
    assert button.find_previous("p").get_text() == (
        "渠道修好了吗？重新发送已放弃的消息（1 条已放弃 1 given up），监测系统会在下一轮发件时发送。 "
        "Fixed the channel? Send the message given up again (1 条已放弃 1 given up): "
        "the monitor sends it on its next outbox run."
    )
    fields = _form(page.text)
    assert fields["do"] == "resend" and "force" not in fields and fields["csrf"]

    pressed = client.post(f"/alerts/{site.alert_id}", data=fields)
    assert pressed.status_code == 303
    assert pressed.headers["location"] == f"/alerts/{site.alert_id}?done=resend&sent={_given_up(site).id}"
    after = client.get(pressed.headers["location"])
    assert _flash(after.text) == (
        "已重新发送 Sent again: 1 message re-queued — 邮件 email to 赵敏（副总裁） (上报 leadership); "
        "the monitor sends it on its next outbox run."
    )
    message = _given_up(site)
    assert (message.status, message.attempts, message.last_error) == ("pending", 0, "")
    [event] = _requeued_events(site)
    assert (event.actor, event.detail) == (
        "li_na (web)",
        "re-queued by li_na (web): email to zhao_min (to_leadership)",
    )
    assert "re-queued by li_na (web): email to zhao_min (to_leadership)" in after.text  # on the trail
    # only wang_qiang's, being retried, is still not delivered: no message given up, no button
    assert "form" in after.text and 'class="resend"' not in after.text

    sent_before = len(site.sink.messages)
    up = EmailChannel(SmtpSettings(host="127.0.0.1", port=site.sink.port, sender="m@test.invalid"))
    with site.sessions.begin() as session:
        deliver_pending(
            session, site.config, Channels(None, io.StringIO(), up), site.now + timedelta(hours=1)
        )
    assert site.sink.wait_for(sent_before + 1)
    assert any(ZHAO_MIN in envelope.rcpt_tos for envelope in site.sink.envelopes[sent_before:])
    assert _given_up(site).status == "sent"
    # the same address again (a reload, a forged count): it names only what the database holds
    again = client.get(f"/alerts/{site.alert_id}?done=resend&sent={message.id},999999")
    assert "1 message re-queued — 邮件 email to 赵敏（副总裁）" in _flash(again.text)


def test_a_form_from_another_site_or_a_foreign_token_re_queues_nothing(site: Site) -> None:
    _failing(site)
    client = _signed_in(site)
    fields = _form(client.get(f"/alerts/{site.alert_id}").text)
    cross = client.post(
        f"/alerts/{site.alert_id}",
        data=fields,
        headers={"Origin": "http://evil.test", "Sec-Fetch-Site": "cross-site"},
    )
    assert cross.status_code == 403 and "not sent from the monitor&#x27;s own page" in cross.text
    forged = client.post(f"/alerts/{site.alert_id}", data=fields | {"csrf": "x" * 32})
    assert forged.status_code == 403
    assert _given_up(site).status == "failed" and _requeued_events(site) == []


def test_a_viewer_sees_no_button_and_cannot_post_one(site: Site, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _failing(site)
    with _app_with(site, tmp_path, site.base_url, site.sink.port, viewers=("ops@corp.invalid",)) as client:
        assert client.post("/signin", data={"email": "ops@corp.invalid"}).status_code == 200
        assert client.post(_link_from_mail(site, 2).removeprefix(site.base_url)).status_code == 303
        page = client.get(f"/alerts/{site.alert_id}")
        assert "消息未送达 Not delivered" in page.text and 'class="resend"' not in page.text
        csrf = BeautifulSoup(page.text, "html.parser").select_one('input[name="csrf"]')
        token = str(csrf["value"]) if csrf is not None else ""
        refused = client.post(f"/alerts/{site.alert_id}", data={"do": "resend", "csrf": token})
        assert refused.status_code == 403 and "only spokespeople" in refused.text
    assert _given_up(site).status == "failed"


def test_an_alert_resolved_long_ago_asks_before_sending_again(site: Site) -> None:
    _failing(site)
    with site.sessions.begin() as session:
        alert = session.get(Alert, site.alert_id)
        assert alert is not None
        assert lifecycle.resolve(session, alert, "li_na", site.now, "已退款，客户满意")
    early = _signed_in(site)
    assert "force" not in _form(early.get(f"/alerts/{site.alert_id}").text)  # resolved minutes ago
    site.now += timedelta(days=2)
    client = _signed_in(site)
    page = client.get(f"/alerts/{site.alert_id}")
    form = BeautifulSoup(page.text, "html.parser").select_one("form.resend")
    assert form is not None, page.text
    assert form.get_text(" ", strip=True) == (
        "已结案一天以上：此告警于 2026-11-23 20:05 结案，已放弃的消息（1 条已放弃 1 given up）"
        "送到时早已无法处理。 "
        "This alert was resolved at 2026-11-23 20:05, more than a day ago: the message "
        "given up (1 条已放弃 1 given up) would arrive long after anyone could act on it. "
        "仍然重新发送 Send again anyway"
    )
    fresh = {name: value for name, value in _form(page.text).items() if name != "force"}
    stale = client.post(f"/alerts/{site.alert_id}", data=fresh)  # the plain button, of a page open since
    assert stale.status_code == 409
    problem = BeautifulSoup(stale.text, "html.parser").select_one(".problem")
    assert problem is not None and problem.get_text().startswith(
        "告警已于 2026-11-23 20:05 结案 Alert #1 was resolved at 2026-11-23 20:05, more than a day ago"
    )
    assert _given_up(site).status == "failed" and _requeued_events(site) == []
    anyway = client.post(f"/alerts/{site.alert_id}", data=_form(page.text))
    assert anyway.status_code == 303 and _given_up(site).status == "pending"


def test_the_signed_link_page_sends_again_as_its_recipient(site: Site) -> None:
    _failing(site)
    link = site.link("view")
    page = httpx.get(link)
    pressed = httpx.post(link, data=_form(page.text))
    assert pressed.status_code == 303 and pressed.headers["location"].startswith("?done=resend&sent=")
    after = httpx.get(link + pressed.headers["location"])
    assert _flash(after.text).startswith("已重新发送 Sent again: 1 message re-queued")
    [event] = _requeued_events(site)
    assert event.actor == "li_na (web link)"
    nothing = httpx.post(link, data=_form(page.text))  # pressed twice (a second tab): said, not an error page
    assert (
        nothing.status_code == 409
        and "没有可重新发送的消息 No message of this alert is given up now" in nothing.text
    )


def test_send_again_by_clicking_in_a_browser(site: Site, browser: object) -> None:
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support.wait import WebDriverWait

    assert isinstance(browser, WebDriver)
    _failing(site)
    browser.get(site.link("view"))
    button = browser.find_element(By.CSS_SELECTOR, "form.resend button")
    assert button.text == "重新发送 Send again"
    button.click()
    wait = WebDriverWait(browser, 10, ignored_exceptions=(WebDriverException,))
    wait.until(
        lambda d: (
            "?done=resend&sent=" in d.current_url
            and d.execute_script("return document.readyState") == "complete"
        )
    )
    flash = str(wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".flash").text))
    assert flash.startswith(
        "已重新发送 Sent again: 1 message re-queued — 邮件 email to 赵敏（副总裁） (上报 leadership)"
    )
    assert browser.find_elements(By.CSS_SELECTOR, "form.resend") == []
    assert _given_up(site).status == "pending"
    assert [event.actor for event in _requeued_events(site)] == ["li_na (web link)"]


def test_a_copys_link_shows_no_button_and_its_post_re_queues_nothing(site: Site) -> None:
    signer = link_signer(site.config)
    assert signer is not None
    with site.sessions.begin() as session:  # zhao_min's copy for information, given up
        session.add(
            Delivery(
                alert_id=site.alert_id,
                channel="email",
                target=ZHAO_MIN,
                kind="copy",
                recipient="zhao_min",
                severity="urgent",
                created_at=site.now,
                status="failed",
                failed_at=site.now,
                attempts=5,
                last_error="550 mailbox full",
            )
        )
    copy = signer.url(site.alert_id, "view", "zhao_min", site.now)
    page = httpx.get(copy)
    assert "消息未送达 Not delivered" in page.text and 'class="resend"' not in page.text
    refused = httpx.post(copy, data={"do": "resend"})
    assert refused.status_code == 409 and "copy for information" in refused.text
    assert _given_up(site).status == "failed" and _requeued_events(site) == []
    assert 'class="resend"' in httpx.get(site.link("view")).text  # the owner's link has it
