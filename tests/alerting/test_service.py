"""Alerts: open, escalate, group a cross-post, and an outbox that survives a dead SMTP server.

Uses the demo configuration (monitor/demo/config/), a SQLite file and a real SMTP server
(MailSink, aiosmtpd) on loopback.
"""

from __future__ import annotations

import io
import shutil
import socket
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerting.channels.console import ConsoleChannel
from monitor.alerting.channels.email import EmailChannel, SmtpSettings
from monitor.alerting.compose import compose
from monitor.alerting.lifecycle import steps_in_due_order, tick
from monitor.alerting.outbox import LEASE, Channels, OutboxReport, deliver_pending
from monitor.alerting.render import TITLE_CHARS, render_html, render_text
from monitor.alerting.service import consider
from monitor.config.loader import MonitorConfig, load_config
from monitor.demo.smtp_sink import MailSink
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.sources.base import PostRecord, ThreadSummary
from monitor.store import repo
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.models import Alert, AlertEvent, Delivery, Thread

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
STORY = "途乐旅行收了我2万8团费，行程取消后三个月不退款！"
STORY_POST = "今年8月在途乐旅行报了日本关西8日游，团费28000元，行程取消后三个月不退款，客服一直推脱。"


@pytest.fixture
def config() -> MonitorConfig:
    return load_config(DEMO_CONFIG, environ={})


@pytest.fixture
def session(tmp_path: Path, config: MonitorConfig) -> Session:
    engine = make_engine(f"sqlite:///{tmp_path / 'monitor.db'}")
    ensure_schema(engine, auto_migrate=True)
    return session_factory(engine)()


def _thread(session: Session, config: MonitorConfig, tid: str, board: str, title: str, text: str) -> Thread:
    source = repo.ensure_source(session, config.sources[0])
    board_row = repo.ensure_board(session, source, board, {"2": "投诉维权", "3": "旅游天地"}[board])
    summary = ThreadSummary(
        thread_id=tid,
        title=title,
        author="a",
        author_id="1",
        replies=0,
        views=1,
        sticky=False,
        url=f"http://x/{tid}",
    )
    thread, _ = repo.upsert_thread(session, source, board_row, summary, NOW)
    repo.save_posts(
        session,
        thread,
        [PostRecord(post_id=tid + "01", floor=1, author="a", author_id="1", posted_at=NOW, text=text)],
        NOW,
    )
    return thread


def _assessment(severity: Severity, escalating: bool = True) -> Assessment:
    return Assessment(
        escalating=escalating,
        severity=severity,
        figures=["9 replies in the last 60 min"],
        signals=[],
        negative_share=0.8,
        replies_per_hour=9.0,
    )


def test_open_escalate_and_group_a_cross_post(session: Session, config: MonitorConfig) -> None:
    group = config.watch_groups[0]
    story = _thread(session, config, "26", "2", STORY, STORY_POST)
    assert (
        consider(session, config, story, group, _assessment(Severity.GENERAL, escalating=False), NOW) is None
    )

    opened = consider(session, config, story, group, _assessment(Severity.URGENT), NOW)
    assert opened is not None and (opened.kind, opened.severity) == ("opened", Severity.URGENT)
    same = consider(session, config, story, group, _assessment(Severity.GENERAL), NOW + timedelta(minutes=15))
    assert same is not None and same.kind == "updated"
    assert len(list(session.scalars(select(Delivery)))) == 2  # console + email, once

    later = NOW + timedelta(hours=1)
    escalated = consider(session, config, story, group, _assessment(Severity.VERY_URGENT), later)
    assert escalated is not None and escalated.kind == "escalated"
    deliveries = list(session.scalars(select(Delivery).order_by(Delivery.id)))
    assert [(d.severity, d.escalated_from) for d in deliveries] == [
        ("urgent", None),
        ("urgent", None),
        ("very_urgent", "urgent"),
        ("very_urgent", "urgent"),
    ]

    cross = _thread(
        session,
        config,
        "30",
        "3",
        "避雷！途乐旅行退款拖了三个月",
        "在途乐旅行报的日本关西团，团费28000元，取消后三个月不退款。",
    )
    joined = consider(session, config, cross, group, _assessment(Severity.GENERAL, escalating=False), later)
    assert joined is not None and (joined.kind, joined.alert_id) == ("spread", opened.alert_id)

    review = _thread(
        session,
        config,
        "27",
        "3",
        "云南七日游攻略：途乐的导游很专业",
        "跟途乐的小团去了大理丽江，导游讲解很棒，住宿干净。",
    )
    assert (
        consider(session, config, review, group, _assessment(Severity.GENERAL, escalating=False), later)
        is None
    )


def test_checklist_carries_the_tier_and_the_category_steps_in_due_order(
    session: Session, config: MonitorConfig
) -> None:
    group = config.watch_groups[0]
    story = _thread(session, config, "26", "2", STORY, STORY_POST)
    story.category = "dealer"
    opened = consider(session, config, story, group, _assessment(Severity.URGENT), NOW)
    assert opened is not None
    alert = session.get(Alert, opened.alert_id)
    assert alert is not None and alert.category == "dealer"
    ids = [item.step_id for item in alert.checklist]
    urgent = [step.id for step in config.playbooks[Severity.URGENT].steps]
    dealer = [step.id for step in config.playbooks.by_category["dealer"].steps]
    assert sorted(ids, key=str) == sorted([*urgent, *dealer], key=str)
    dues = [item.due_at for item in alert.checklist]
    assert dues == sorted(dues)
    assert "product_batch" not in ids  # another category's steps stay out

    escalated = consider(
        session, config, story, group, _assessment(Severity.VERY_URGENT), NOW + timedelta(hours=1)
    )
    assert escalated is not None and escalated.kind == "escalated"
    after = [item.step_id for item in alert.checklist]
    assert after.count("dealer_verify") == 1  # not added twice on escalation
    assert "continuous_contact" in after


def _urgent_alert(session: Session, config: MonitorConfig) -> tuple[Thread, Alert]:
    """The story thread and the urgent alert it opens at NOW."""
    story = _thread(session, config, "26", "2", STORY, STORY_POST)
    opened = consider(session, config, story, config.watch_groups[0], _assessment(Severity.URGENT), NOW)
    assert opened is not None
    alert = session.get(Alert, opened.alert_id)
    assert alert is not None
    return story, alert


def test_an_escalation_rewords_open_steps_and_keeps_done_ones_without_repeating_them(
    session: Session, config: MonitorConfig
) -> None:
    group = config.watch_groups[0]
    story, alert = _urgent_alert(session, config)
    steps = {item.step_id: item for item in alert.checklist}
    steps["apology"].done_at, steps["apology"].done_by = NOW + timedelta(minutes=30), "li_na"
    apology_title = steps["apology"].title
    urgent_contact_due = steps["first_contact"].due_at
    assert urgent_contact_due is not None

    later = NOW + timedelta(hours=1)
    consider(session, config, story, group, _assessment(Severity.VERY_URGENT), later)
    ids = [item.step_id for item in alert.checklist]
    assert len(ids) == len(set(ids))  # every step once
    very = {step.id: step for step in config.playbooks[Severity.VERY_URGENT].steps}
    contact = next(item for item in alert.checklist if item.step_id == "first_contact")
    urgent = {step.id: step for step in config.playbooks[Severity.URGENT].steps}
    assert urgent["first_contact"].checklist_title != very["first_contact"].checklist_title
    assert contact.title == very["first_contact"].checklist_title  # the new tier's wording
    assert contact.severity == "very_urgent"
    assert contact.due_at == min(urgent_contact_due, later + very["first_contact"].due_after)
    apology = next(item for item in alert.checklist if item.step_id == "apology")
    assert (apology.title, apology.done_by) == (apology_title, "li_na")  # done stays done, as it was
    assert {"continuous_contact", "publish"} <= set(ids)  # the new tier's own steps are added


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_outbox_keeps_alert_queued_while_smtp_is_down(
    session: Session, config: MonitorConfig, tmp_path: Path
) -> None:
    story = _thread(session, config, "26", "2", STORY, STORY_POST)
    consider(session, config, story, config.watch_groups[0], _assessment(Severity.URGENT), NOW)
    port = _free_port()
    email = EmailChannel(
        SmtpSettings(host="127.0.0.1", port=port, sender="monitor@test.invalid", timeout=2.0)
    )
    console = io.StringIO()
    channels = Channels(console=ConsoleChannel(), console_stream=console, email=email)

    down = deliver_pending(session, config, channels, NOW)
    assert (down.sent, down.failed, down.pending) == (1, 1, 1)
    queued = session.scalars(select(Delivery).where(Delivery.channel == "email")).one()
    assert queued.status == "pending" and queued.attempts == 1 and f"127.0.0.1:{port}" in queued.last_error
    assert STORY in console.getvalue()
    assert queued.next_attempt_at == NOW + timedelta(minutes=1)  # backing off: 1, 2, 4 … 60 min
    early = deliver_pending(session, config, channels, NOW + timedelta(seconds=30))
    assert (early.sent, early.failed, early.pending) == (0, 0, 1) and queued.attempts == 1

    with MailSink(tmp_path / "mail", port=port) as sink:
        up = deliver_pending(session, config, replace(channels, console=None), NOW + timedelta(minutes=2))
        assert (up.sent, up.pending) == (1, 0)
        assert sink.wait_for(1, timeout=5)
        assert sink.messages[0]["To"] == "li.na@pr.demo.invalid"
        assert STORY[:10] in sink.messages[0]["Subject"]
    assert queued.status == "sent" and queued.message_id
    trail = [e.detail for e in session.scalars(select(AlertEvent).where(AlertEvent.kind == "delivered"))]
    assert "email to li_na" in trail  # the trail says to whom
    again = deliver_pending(session, config, channels, NOW + timedelta(minutes=4))
    assert (again.sent, again.pending) == (0, 0)  # never sent twice


class _DiesOnSecondSend:
    """An email channel whose process is killed while it sends the second message (if ``dies``)."""

    def __init__(self, dies: bool = True) -> None:
        self.sent: list[str] = []
        self.dies = dies

    def send(self, msg: object, to: list[str]) -> str:
        if self.dies and len(self.sent) == 1:
            raise SystemExit("killed mid-send")
        self.sent.append(to[0])
        return f"<{len(self.sent)}@test>"


def _two_open_alerts(tmp_path: Path) -> MonitorConfig:
    """A config directory (the demo's, its database in ``tmp_path``) whose database holds two urgent
    alerts, each with a console line and an email queued: li_na's and wang_qiang's."""
    from monitor.app import build

    config_dir = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, config_dir)
    (config_dir / "monitor.toml").write_text(
        f'[general]\ndata_dir = "{tmp_path.as_posix()}"\n', encoding="utf-8"
    )
    config = load_config(config_dir, environ={})
    app = build(config, stream=io.StringIO())
    with app.sessions.begin() as session:
        story = _thread(session, config, "26", "2", STORY, STORY_POST)
        consider(session, config, story, config.watch_groups[0], _assessment(Severity.URGENT), NOW)
        other = _thread(
            session,
            config,
            "40",
            "3",
            "星耀Pro14 屏幕亮线",
            "星耀Pro14 用了两个月屏幕出现亮线，售后拒绝保修。",
        )
        consider(session, config, other, config.watch_groups[1], _assessment(Severity.URGENT), NOW)
    app.close()
    return config


def test_a_dispatcher_killed_mid_send_resends_nothing_already_sent(tmp_path: Path) -> None:
    from monitor.app import build

    config = _two_open_alerts(tmp_path)
    app = build(config, stream=io.StringIO())
    dying = _DiesOnSecondSend()
    app.channels = Channels(console=None, console_stream=None, email=dying)
    with pytest.raises(SystemExit):
        app.deliver(NOW)
    app.close()

    restarted = build(config, stream=io.StringIO())  # a new process: only the database carries over
    survivor = _DiesOnSecondSend(dies=False)
    survivor.sent = list(dying.sent)  # the receiver's view across both processes
    restarted.channels = Channels(console=None, console_stream=None, email=survivor)
    early = restarted.deliver(NOW + timedelta(minutes=1))  # the killed send's claim still holds
    report = restarted.deliver(NOW + LEASE + timedelta(seconds=1))  # ... and then it has lapsed
    restarted.close()
    assert (early.sent, early.pending) == (0, 1)
    assert survivor.sent == ["li.na@pr.demo.invalid", "wang.qiang@pr.demo.invalid"]  # each once
    assert (report.sent, report.pending) == (1, 0)  # only the email that was being sent when killed


class _AnotherProcessDeliversMeanwhile:
    """An email channel during whose first send another process on the same database delivers."""

    def __init__(self, received: list[str], other: Callable[[], OutboxReport]) -> None:
        self.received = received  # every message the mail server got, from either process
        self.other = other
        self.other_report: OutboxReport | None = None

    def send(self, msg: object, to: list[str]) -> str:
        if self.other_report is None:
            self.other_report = self.other()
        self.received.append(to[0])
        return f"<{len(self.received)}@test>"


def test_two_processes_delivering_at_once_send_each_message_once(tmp_path: Path) -> None:
    """Two `monitor run` on one database by mistake (or the delivery job beside a crawl's delivery):
    the one that claimed a message sends it; the other skips it and sends the rest."""
    from monitor.app import build

    config = _two_open_alerts(tmp_path)
    first, second = build(config, stream=io.StringIO()), build(config, stream=io.StringIO())
    received: list[str] = []
    second.channels = Channels(
        console=None,
        console_stream=None,
        email=_AnotherProcessDeliversMeanwhile(received, lambda: OutboxReport(0, 0, 0)),
    )
    channel = _AnotherProcessDeliversMeanwhile(received, lambda: second.deliver(NOW))
    first.channels = Channels(console=None, console_stream=None, email=channel)
    report = first.deliver(NOW)
    first.close()
    second.close()
    assert sorted(received) == ["li.na@pr.demo.invalid", "wang.qiang@pr.demo.invalid"]  # each once
    # the first took li_na's console line and email; the other, meanwhile, wang_qiang's two, and
    # left the email in flight alone (still pending, for it)
    assert (report.sent, channel.other_report) == (2, OutboxReport(sent=2, failed=0, pending=1))
    with first.sessions() as session:
        assert {(d.status, d.attempts) for d in session.scalars(select(Delivery))} == {("sent", 1)}


def test_after_an_escalation_steps_show_soonest_first_and_keep_their_numbers(
    session: Session, config: MonitorConfig
) -> None:
    group = config.watch_groups[0]
    story, alert = _urgent_alert(session, config)
    before = {number: item.step_id for number, item in steps_in_due_order(alert)}
    consider(session, config, story, group, _assessment(Severity.VERY_URGENT), NOW + timedelta(hours=1))

    shown = steps_in_due_order(alert)
    dues = [item.due_at for _, item in shown]
    assert dues == sorted(dues)  # soonest first, the new tier's steps among them
    assert [number for number, _ in shown] != sorted(number for number, _ in shown)  # reordered …
    # … numbers unchanged; a step the stricter tier replaces keeps its number under the new step's id
    replaced = {
        s.replaces: s.id for s in config.playbooks.steps_for(Severity.VERY_URGENT, None) if s.replaces
    }
    assert {n: item.step_id for n, item in shown if n in before} == {
        n: replaced.get(i, i) for n, i in before.items()
    }
    last = max(before)
    ticked = tick(session, alert, str(last), "li_na", NOW + timedelta(hours=2))
    assert ticked.step_id == replaced.get(before[last], before[last])  # `alerts tick N`: the same line


def test_a_huge_title_is_cut_in_the_message_not_in_the_store(session: Session, config: MonitorConfig) -> None:
    """A hostile page with a 100 KB title: the alert's email and console text stay small."""
    title = "途乐旅行不退款" + "啊" * 100_000
    thread = _thread(session, config, "26", "2", title, STORY_POST)
    change = consider(session, config, thread, config.watch_groups[0], _assessment(Severity.URGENT), NOW)
    assert change is not None
    alert = session.get(Alert, change.alert_id)
    assert alert is not None and alert.thread.title == title  # stored as the forum has it
    message = compose(session, config, alert)
    assert len(message.thread_title) == TITLE_CHARS and message.thread_title.endswith("…")
    assert message.thread_title.startswith("途乐旅行不退款啊")
    assert len(render_text(message)) < 10_000 and len(render_html(message)) < 20_000


def test_console_messages_can_be_turned_off(session: Session) -> None:
    """`[alerting] console = false`: a service whose stdout is its log queues no console message."""
    quiet = load_config(DEMO_CONFIG, environ={}, overrides={"alerting": {"console": False}})
    thread = _thread(session, quiet, "26", "2", STORY, STORY_POST)
    change = consider(session, quiet, thread, quiet.watch_groups[0], _assessment(Severity.URGENT), NOW)
    assert change is not None
    channels = {
        d.channel for d in session.scalars(select(Delivery).where(Delivery.alert_id == change.alert_id))
    }
    assert channels and "console" not in channels
    loud = load_config(DEMO_CONFIG, environ={})
    other = _thread(
        session, loud, "40", "3", "星耀Pro14 屏幕亮线", "星耀Pro14 用了两个月屏幕出现亮线，售后拒绝保修。"
    )
    opened = consider(session, loud, other, loud.watch_groups[1], _assessment(Severity.URGENT), NOW)
    assert opened is not None
    assert "console" in {
        d.channel for d in session.scalars(select(Delivery).where(Delivery.alert_id == opened.alert_id))
    }
