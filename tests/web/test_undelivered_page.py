"""The dashboard shows an alert whose messages are not getting through: a marker on its row of the
list (and a count above it), and on its page each failing message — channel, recipient, tries, next
attempt or when it was given up, the last error — with a remote server's error escaped and cut.

The site (web_site.py) is a real `monitor web` over a SQLite file with one alert, whose email went
out. Two more messages are queued for it by the real outbox code and tried on a loopback port nothing
listens on (refused); one of them is then given up with the words a hostile server might answer.
"""

from __future__ import annotations

import io
from datetime import timedelta

from bs4 import BeautifulSoup
from closed_port import closed_port
from sqlalchemy import select
from test_chinese_first import english_only
from test_dashboard import _signed_in
from web_site import OPENED, Site

from monitor.alerting.channels.email import EmailChannel, SmtpSettings
from monitor.alerting.deliveries import queue
from monitor.alerting.outbox import Channels, deliver_pending
from monitor.store.models import Alert, Delivery

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)> **粗体** [点我](javascript:alert(3)) " + (
    "y" * 400
)


def _failing(site: Site) -> None:
    """wang_qiang's and zhao_min's copies of the alert, refused by a mail server that is down; zhao_min's
    then given up on with a hostile answer."""
    at = OPENED + timedelta(minutes=2)
    down = EmailChannel(SmtpSettings(host="127.0.0.1", port=closed_port(), sender="m@test.invalid"))
    with site.sessions.begin() as session:
        alert = session.get(Alert, site.alert_id)
        assert alert is not None
        queue(session, site.config, alert, "wang_qiang", at, kind="to_backup")
        queue(session, site.config, alert, "zhao_min", at, kind="to_leadership")
        channels = Channels(console=None, console_stream=io.StringIO(), email=down)
        deliver_pending(session, site.config, channels, at)
        deliver_pending(session, site.config, channels, at)  # the second, once the server is known down
        waiting = session.scalars(
            select(Delivery).where(Delivery.status == "pending", Delivery.channel == "email")
        ).all()
        assert {(d.recipient, d.attempts) for d in waiting} == {("wang_qiang", 1), ("zhao_min", 1)}
        assert all(d.last_error for d in waiting)
        lost = next(d for d in waiting if d.recipient == "zhao_min")
        lost.status, lost.failed_at, lost.last_error = "failed", at, HOSTILE


def test_the_alert_list_marks_an_alert_whose_messages_are_not_getting_through(site: Site) -> None:
    client = _signed_in(site)
    calm = client.get("/alerts")
    assert "not delivered" not in calm.text and "未送达" not in calm.text
    _failing(site)
    page = client.get("/alerts")
    soup = BeautifulSoup(page.text, "html.parser")
    [row] = [tr for tr in soup.select("#alert-list tr") if tr.find("td")]
    marker = row.select_one(".undelivered")
    assert marker is not None and marker.get_text() == "⚠ 2 条消息未送达 2 messages not delivered"
    assert "消息未送达 messages not delivered: 1 条告警 alerts" in soup.get_text()


def test_the_alert_page_lists_each_failing_message_escaping_the_servers_error(site: Site) -> None:
    _failing(site)
    client = _signed_in(site)
    page = client.get(f"/alerts/{site.alert_id}")
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text and "<img src=x" not in page.text
    assert "y" * 200 not in page.text  # cut
    soup = BeautifulSoup(page.text, "html.parser")
    heading = soup.find("h2", id="undelivered")
    assert heading is not None and heading.get_text() == "消息未送达 Not delivered"
    table = heading.find_next("table")
    rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in table.find_all("tr")[1:]]
    assert [row[:4] for row in rows] == [
        ["邮件 email", "王强（客服总监） wang.qiang@pr.demo.invalid", "备岗提醒 for the backup", "1"],
        ["邮件 email", "赵敏（副总裁） zhao.min@pr.demo.invalid", "上报 leadership", "1"],
    ]
    assert rows[0][4] == "重试中 retrying · 下次 next 2026-11-23 20:03"
    assert rows[1][4] == "已放弃 given up 2026-11-23 20:02"
    assert rows[1][5].startswith("<script>alert(1)</script><img src=x onerror=alert(2)> **粗体** [点我](")
    assert rows[1][5].endswith("…")
    assert table.find("script") is None and table.find("img") is None and table.find("a") is None
    assert english_only(page.text) == []  # the table, its phone labels and the Send again form
