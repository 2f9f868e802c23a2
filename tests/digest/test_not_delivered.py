"""The digest's "待处理 Needs attention now" lists the messages not getting through as it is made: the
outbox retrying an open alert's email (a mail server down), and a message given up in the week that
reached nobody another way — read with the query ``monitor alerts show`` and the dashboard use
(monitor.alerting.undelivered).

The demo configuration (SMTP on a loopback port nothing listens on, so every email is refused) on the
``db_url`` database; alerts opened with the real alerting service and their emails tried by the real
outbox at stated times. A message's "sent on another channel" copy and a hostile error (the words a
remote server answered) are written into the store as the outbox would have. Nothing sleeps.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from closed_port import closed_port
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_who_handled import _open, _thread

from monitor.alerting import lifecycle
from monitor.alerting.channels.email import EmailChannel, SmtpSettings
from monitor.alerting.outbox import MAX_ATTEMPTS, Channels, deliver_pending
from monitor.config.loader import MonitorConfig, load_config
from monitor.digest.figures import build_digest
from monitor.digest.model import DigestPeriod
from monitor.digest.render import render_html, render_text
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.models import Alert, Delivery

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config"
SHANGHAI = ZoneInfo("Asia/Shanghai")
PERIOD = DigestPeriod.week_ending(datetime(2026, 12, 7, tzinfo=SHANGHAI), "Asia/Shanghai")
GENERATED = datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI)
HEADING = "待处理 Needs attention now（截至 as of 12-07 09:00）"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> **粗体** [点我](javascript:alert(2)) ' + (
    "x" * 300
)


@pytest.fixture
def config(tmp_path: Path, db_url: str) -> MonitorConfig:
    directory = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, directory)
    (directory / "monitor.toml").write_text(
        f'[general]\ntimezone = "Asia/Shanghai"\ndata_dir = "{tmp_path.as_posix()}"\n'
        f'[database]\nurl = "{db_url}"\n'
        f'[smtp]\nenabled = true\nhost = "127.0.0.1"\nport = {closed_port()}\nsender = "m@demo.invalid"\n'
        "[alerting]\nconsole = false\n",
        encoding="utf-8",
    )
    return load_config(directory, environ={})


@pytest.fixture
def session(config: MonitorConfig) -> Iterator[Session]:
    engine = make_engine(config.settings.database_url())
    ensure_schema(engine, auto_migrate=True)
    with session_factory(engine)() as opened:
        yield opened
    engine.dispose()


def _deliver(session: Session, config: MonitorConfig, at: datetime) -> None:
    smtp = config.settings.smtp
    email = EmailChannel(SmtpSettings(host=smtp.host, port=smtp.port, sender=smtp.sender, timeout=5.0))
    deliver_pending(session, config, Channels(console=None, console_stream=None, email=email), at)
    session.commit()


def _email(session: Session, alert: Alert) -> Delivery:
    return session.scalars(select(Delivery).where(Delivery.alert_id == alert.id)).one()


@pytest.fixture
def week(session: Session, config: MonitorConfig) -> dict[str, Alert]:
    """Four alerts of li_na's (Shanghai times): ``lost``'s email given up on 12-03 after every try;
    ``retried``'s tried three times from 12-05 and being retried; ``told``'s email given up on 12-04
    but the same message went out on WeCom; ``closed``'s email refused, then the alert resolved."""
    t0 = datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)
    lost = _open(session, config, _thread(session, config, "41", "途乐旅行退款", "团费三个月不退"), 0, t0)
    at = t0
    while _email(session, lost).status == "pending":
        _deliver(session, config, at)
        at += timedelta(minutes=61)  # past every backoff (at most 60 min)
    assert _email(session, lost).attempts == MAX_ATTEMPTS

    t1 = datetime(2026, 12, 5, 14, 0, tzinfo=SHANGHAI)
    retried = _open(session, config, _thread(session, config, "42", "途乐导游强制购物", "逼我们买玉"), 0, t1)
    for minutes in (0, 1, 3):
        _deliver(session, config, t1 + timedelta(minutes=minutes))
    assert (_email(session, retried).status, _email(session, retried).attempts) == ("pending", 3)

    t2 = datetime(2026, 12, 4, 8, 0, tzinfo=SHANGHAI)
    told = _open(session, config, _thread(session, config, "43", "途乐酒店被降级", "五星变快捷"), 0, t2)
    email = _email(session, told)
    email.status, email.attempts, email.failed_at = "failed", 1, t2
    email.last_error = "550 mailbox unavailable"
    session.add(
        Delivery(
            alert_id=told.id, channel="wecom", target="wecom://****#3f9a1c2b7d4e", kind=email.kind,
            recipient=email.recipient, severity=email.severity, status="sent", attempts=1,
            created_at=email.created_at, sent_at=t2,
        )
    )  # fmt: skip

    t3 = t1 + timedelta(minutes=5)  # the retried email waits until 14:07: this one is tried
    closed = _open(session, config, _thread(session, config, "44", "途乐签证材料丢失", "护照丢了"), 0, t3)
    _deliver(session, config, t3)
    lifecycle.resolve(session, closed, "li_na", t3 + timedelta(minutes=30), "已补办")
    session.commit()
    assert _email(session, closed).status == "pending" and _email(session, closed).last_error
    return {"lost": lost, "retried": retried, "told": told, "closed": closed}


def _digest(session: Session, config: MonitorConfig):  # type: ignore[no-untyped-def]
    people = {person.key: person.name for person in config.routing.spokespeople}
    return build_digest(session, PERIOD, GENERATED, negative_below=0.5, people=people)


def _block(text: str) -> list[str]:
    return text.split(HEADING + "\n")[1].split("\n\n")[0].splitlines()


def test_the_block_says_which_messages_are_not_getting_through_grouped_per_channel_and_recipient(
    session: Session, config: MonitorConfig, week: dict[str, Alert]
) -> None:
    lost, retried = week["lost"].id, week["retried"].id
    text = render_text(_digest(session, config))
    lines = [line for line in _block(text) if "li.na@pr.demo.invalid" in line]
    assert len(lines) == 1, _block(text)  # one line for li_na's email, whatever the alerts
    zh = lines[0]
    assert zh.startswith(
        f"  ! 邮件 email → 李娜 <li.na@pr.demo.invalid>：告警 #{lost}、#{retried} 的 2 条消息未送达，"
        f"1 条重试中（下次 12-05 14:07），1 条已放弃，共尝试 {MAX_ATTEMPTS + 3} 次，自 12-02 10:00 起；"
        "最后错误 last error："
    ), zh
    en = _block(text)[_block(text).index(zh) + 1]
    assert en == (
        f"    2 messages of alerts #{lost}, #{retried} not delivered, 1 being retried (next 12-05 14:07), "
        f"1 given up, {MAX_ATTEMPTS + 3} tries since 12-02 10:00"
    )
    # the message sent on WeCom, and the resolved alert's, are not anyone's problem now
    assert f"#{week['told'].id}" not in zh and f"#{week['closed'].id}" not in zh
    assert "WeCom" not in "\n".join(_block(text))
    # the alerts nobody acknowledged come first, the worst first; the email's line after them
    alert_lines = [n for n, line in enumerate(_block(text)) if line.startswith(("  - #", "  ! #"))]
    assert alert_lines and max(alert_lines) < _block(text).index(zh)


def test_a_message_given_up_before_the_week_is_not_listed_and_one_retried_alone_says_so(
    session: Session, config: MonitorConfig, week: dict[str, Alert]
) -> None:
    email = _email(session, week["lost"])
    email.failed_at = PERIOD.start - timedelta(minutes=1)  # given up the week before: told then
    session.commit()
    [line] = [line for line in _block(render_text(_digest(session, config))) if "li.na@" in line]
    retried = week["retried"].id
    assert f"：告警 #{retried} 的 1 条消息未送达，重试中（下次 12-05 14:07），共尝试 3 次，" in line


def test_the_html_block_escapes_and_cuts_the_servers_error(
    session: Session, config: MonitorConfig, week: dict[str, Alert]
) -> None:
    _email(session, week["retried"]).last_error = HOSTILE  # as a remote server might answer
    session.commit()
    digest = _digest(session, config)
    html = render_html(digest)
    assert "<script>" not in html and "<img" not in html and "x" * 120 not in html
    soup = BeautifulSoup(html, "html.parser")
    block = soup.find("h2", string=HEADING).parent
    [item] = [li for li in block.find_all("li") if "li.na@pr.demo.invalid" in li.get_text()]
    assert "color:#b91c1c" in item["style"]  # marked, as an overdue contact is
    said = item.get_text()
    assert '最后错误 last error：<script>alert("x")</script><img src=x onerror=alert(1)> **粗体**' in said
    assert said.split("last error：")[1].split(" 2 messages")[0].endswith("…")
    assert item.find("span", lang="en").get_text().startswith("2 messages of alerts")
    assert "x" * 120 not in render_text(digest)  # the text body cuts it too
