"""An escalation the routing tree gives to another spokesperson makes the new owner acknowledge it
(PagerDuty: a reassigned incident is triggered again): the earlier acknowledgement is withdrawn
(it stays in the trail), the acknowledgement clock — the new owner's backup, then leadership —
starts at the change of hands, and the first-contact deadline stands. A handover, which a person
chose, keeps the acknowledgement, as does an escalation that stays with the same spokesperson.

The demo configuration plus 陈洁 (backup 李娜), to whom 途乐旅行's very urgent alerts route; 李娜's
backup is 王强, leadership 赵敏. Urgent alerts: the backup after 60 min; very urgent after 30 min.
A SQLite file; time is passed in, nothing sleeps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerting import lifecycle
from monitor.alerting.compose import compose
from monitor.alerting.render import render_text
from monitor.alerting.service import consider
from monitor.alerting.sla import check_sla
from monitor.config.loader import MonitorConfig, load_config
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.sources.base import PostRecord, ThreadSummary
from monitor.store import repo
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.models import Alert, AlertEvent, Delivery
from monitor.web.desk import Desk
from monitor.web.links import LinkClaim

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai
LATER = T0 + timedelta(hours=2)  # the escalation: the alert has been open for 2 h
ROUTING = """\
spokespeople:
  - {key: li_na, name: 李娜, email: li.na@pr.demo.invalid, backup: wang_qiang}
  - {key: wang_qiang, name: 王强, email: wang.qiang@pr.demo.invalid, backup: li_na}
  - {key: chen_jie, name: 陈洁, email: chen.jie@pr.demo.invalid, backup: li_na}
  - {key: zhao_min, name: 赵敏, email: zhao.min@pr.demo.invalid}
leadership: [zhao_min]
route:
  receiver: wang_qiang
  routes:
    - match: {watch_groups: ["途乐旅行"], min_severity: very_urgent}
      receiver: chen_jie
    - match: {watch_groups: ["途乐旅行"]}
      receiver: li_na
"""


@pytest.fixture
def config(config_dir: Path) -> MonitorConfig:
    (config_dir / "routing.yaml").write_text(ROUTING, encoding="utf-8")
    toml = config_dir / "monitor.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + 'timezone = "Asia/Shanghai"\n', encoding="utf-8")
    return load_config(config_dir, environ={})


@pytest.fixture
def sessions(config: MonitorConfig) -> sessionmaker[Session]:
    engine = make_engine(config.settings.database_url())
    ensure_schema(engine, auto_migrate=True)
    return session_factory(engine)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Session:
    return sessions()


def _assessment(severity: Severity) -> Assessment:
    return Assessment(
        escalating=True, severity=severity, figures=["f"], signals=[], negative_share=0.8,
        replies_per_hour=9.0,
    )  # fmt: skip


def _alert(session: Session, config: MonitorConfig) -> Alert:
    source = repo.ensure_source(session, config.sources[0])
    board = repo.ensure_board(session, source, "2", "投诉维权")
    summary = ThreadSummary(
        thread_id="26", title="途乐旅行三个月不退款", author="维权小王", author_id="2", replies=9, views=10,
        sticky=False, url="http://bbs.test/forum.php?mod=viewthread&tid=26",
    )  # fmt: skip
    thread, _ = repo.upsert_thread(session, source, board, summary, T0)
    post = PostRecord(post_id="1", floor=1, author="维权小王", author_id="2", posted_at=T0, text="团费不退")
    repo.save_posts(session, thread, [post], T0)
    change = consider(session, config, thread, config.watch_groups[0], _assessment(Severity.URGENT), T0)
    assert change is not None and change.kind == "opened"
    alert = lifecycle.get_alert(session, change.alert_id)
    assert (alert.spokesperson, alert.backup) == ("li_na", "wang_qiang")
    return alert


def _escalate(session: Session, config: MonitorConfig, alert: Alert, at: datetime = LATER) -> None:
    change = consider(
        session, config, alert.thread, config.watch_groups[0], _assessment(Severity.VERY_URGENT), at
    )
    assert change is not None and change.kind == "escalated"


def _called(session: Session, config: MonitorConfig, at: datetime) -> list[tuple[str, str]]:
    return [(a.kind, a.recipient) for a in check_sla(session, config, at) if a.kind.startswith("to_")]


def test_the_new_owner_must_acknowledge_an_alert_an_escalation_gave_them(
    session: Session, config: MonitorConfig
) -> None:
    alert = _alert(session, config)
    lifecycle.acknowledge(session, alert, "li_na", T0 + timedelta(minutes=1))
    respond_by = alert.respond_by
    _escalate(session, config, alert)

    assert (alert.spokesperson, alert.backup) == ("chen_jie", "li_na")
    assert (alert.acknowledged_at, alert.acknowledged_by, alert.status) == (None, None, "open")
    assert (alert.ack_escalation, alert.rerouted_at) == (0, LATER)
    assert alert.respond_by == min(respond_by, LATER + Severity.VERY_URGENT.first_contact)  # stands
    acknowledged = session.scalars(
        select(AlertEvent.actor).where(AlertEvent.alert_id == alert.id, AlertEvent.kind == "acknowledged")
    )
    assert list(acknowledged) == ["li_na"]  # the earlier acknowledgement stays in the trail
    [to_owner] = session.scalars(
        select(Delivery).where(Delivery.recipient == "chen_jie", Delivery.channel == "email")
    )
    assert (
        "李娜 had acknowledged it at 2026-11-23 20:01; now that it is yours, acknowledge it by "
        "2026-11-23 22:30, or your backup 李娜 is told;"
    ) in to_owner.notice
    text = render_text(compose(session, config, alert, to_owner, LATER))
    assert f"monitor alerts ack {alert.id} --by chen_jie" in text  # no web links: the command to acknowledge
    # the first hour still shows when the alert was first in hand
    assert lifecycle.first_hour(session, alert).acknowledged == T0 + timedelta(minutes=1)

    assert lifecycle.acknowledge(session, alert, "chen_jie", LATER + timedelta(minutes=5))
    assert alert.status == "acknowledged"


def test_the_new_owners_backup_is_told_from_the_change_of_hands_and_leadership_at_twice_that(
    session: Session, config: MonitorConfig
) -> None:
    """Counted from the opening, the alert is 2 h overdue: the backup and leadership would be called at
    the next SLA check, before the new owner could read their message."""
    alert = _alert(session, config)
    lifecycle.acknowledge(session, alert, "li_na", T0 + timedelta(minutes=1))
    _escalate(session, config, alert)

    assert _called(session, config, LATER + timedelta(minutes=1)) == []
    assert _called(session, config, LATER + timedelta(minutes=29)) == []
    assert _called(session, config, LATER + timedelta(minutes=30)) == [("to_backup", "li_na")]
    assert _called(session, config, LATER + timedelta(minutes=59)) == []
    assert _called(session, config, LATER + timedelta(minutes=60)) == [("to_leadership", "zhao_min")]
    assert _called(session, config, LATER + timedelta(hours=5)) == []  # once each


def test_an_alert_nobody_acknowledged_chases_the_new_owner_afresh(
    session: Session, config: MonitorConfig
) -> None:
    """li_na's backup and leadership were called for her; the new owner gets the tier's time, then
    her own backup is called."""
    alert = _alert(session, config)
    assert _called(session, config, T0 + timedelta(minutes=60)) == [("to_backup", "wang_qiang")]
    assert _called(session, config, T0 + timedelta(minutes=120)) == [("to_leadership", "zhao_min")]
    _escalate(session, config, alert)
    [to_owner] = session.scalars(
        select(Delivery).where(Delivery.recipient == "chen_jie", Delivery.channel == "email")
    )
    assert (
        "nobody has acknowledged it yet: acknowledge it by 2026-11-23 22:30, or your backup"
        in to_owner.notice
    )
    assert _called(session, config, LATER + timedelta(minutes=29)) == []
    assert _called(session, config, LATER + timedelta(minutes=30)) == [("to_backup", "li_na")]


def test_the_new_owners_page_asks_them_to_acknowledge_and_says_when_the_backup_is_told(
    sessions: sessionmaker[Session], config: MonitorConfig
) -> None:
    with sessions.begin() as session:
        alert = _alert(session, config)
        lifecycle.acknowledge(session, alert, "li_na", T0 + timedelta(minutes=1))
        _escalate(session, config, alert)
        alert_id = alert.id
    now = LATER + timedelta(minutes=2)
    desk = Desk(config, sessions, lambda: now)
    claim = LinkClaim(alert_id, "ack", "chen_jie", now + timedelta(hours=72))
    page = bytes(desk.render(claim, None).body).decode()
    assert 'value="ack"' in page  # the 确认 button
    assert "Otherwise the backup, 李娜, is told at 2026-11-23 22:30" in page  # 30 min after the change


def test_an_escalation_that_stays_with_the_same_spokesperson_keeps_the_acknowledgement(
    session: Session, config: MonitorConfig
) -> None:
    (config.directory / "routing.yaml").write_text(
        ROUTING.replace("receiver: chen_jie", "receiver: li_na"), encoding="utf-8"
    )
    config = load_config(config.directory, environ={})
    alert = _alert(session, config)
    lifecycle.acknowledge(session, alert, "li_na", T0 + timedelta(minutes=1))
    _escalate(session, config, alert)
    assert alert.spokesperson == "li_na"
    assert (alert.acknowledged_at, alert.acknowledged_by) == (T0 + timedelta(minutes=1), "li_na")
    assert (alert.status, alert.rerouted_at) == ("acknowledged", None)
    assert _called(session, config, LATER + timedelta(hours=1)) == []


def test_a_handover_keeps_the_acknowledgement_and_an_escalation_keeps_it_with_whom_it_was_handed_to(
    session: Session, config: MonitorConfig
) -> None:
    alert = _alert(session, config)
    lifecycle.acknowledge(session, alert, "li_na", T0 + timedelta(minutes=1))
    lifecycle.hand_over(session, config, alert, "wang_qiang", "li_na", T0 + timedelta(minutes=5), "休假")
    assert alert.spokesperson == "wang_qiang"
    assert (alert.acknowledged_at, alert.acknowledged_by, alert.rerouted_at) == (
        T0 + timedelta(minutes=1),
        "li_na",
        None,
    )
    _escalate(session, config, alert)
    assert alert.spokesperson == "wang_qiang"  # kept by the handover: no change of hands
    assert alert.acknowledged_by == "li_na" and alert.rerouted_at is None
    assert _called(session, config, LATER + timedelta(hours=1)) == []


def test_the_acknowledgement_clock_runs_from_the_later_of_a_reopening_and_a_change_of_hands(
    session: Session, config: MonitorConfig
) -> None:
    alert = _alert(session, config)
    _escalate(session, config, alert)
    assert alert.ack_clock_start == LATER
    alert.reopened_at = LATER + timedelta(hours=1)  # as a reopening sets it
    assert alert.ack_clock_start == LATER + timedelta(hours=1)


def test_the_new_owner_is_not_told_of_the_calls_made_for_the_previous_one(
    session: Session, config: MonitorConfig
) -> None:
    """王强 and 赵敏 were called because 李娜 did not acknowledge: 陈洁, acknowledging the alert the
    escalation gave her, has nobody to tell; calls made on her own clock are still named."""
    from monitor.web.ack_wording import OWNER_DONE, Acker, acknowledged

    names = {person.key: person.name for person in config.routing.spokespeople}
    alert = _alert(session, config)
    assert _called(session, config, T0 + timedelta(minutes=60)) == [("to_backup", "wang_qiang")]
    assert _called(session, config, T0 + timedelta(minutes=120)) == [("to_leadership", "zhao_min")]
    _escalate(session, config, alert, LATER + timedelta(minutes=1))
    assert lifecycle.acknowledge(session, alert, "chen_jie", LATER + timedelta(minutes=5))
    assert acknowledged(alert, Acker("chen_jie", names, True), "22:05") == OWNER_DONE

    again = _alert_on_thread(session, config, "27")
    assert _called(session, config, LATER + timedelta(minutes=2)) == [
        ("to_backup", "wang_qiang"),
        ("to_leadership", "zhao_min"),
    ]
    _escalate(session, config, again, LATER + timedelta(minutes=3))
    assert _called(session, config, LATER + timedelta(minutes=33)) == [("to_backup", "li_na")]
    assert lifecycle.acknowledge(session, again, "chen_jie", LATER + timedelta(minutes=34))
    said = acknowledged(again, Acker("chen_jie", names, True), "22:31")
    assert "李娜 was told already" in said and "王强" not in said and "赵敏" not in said


def _alert_on_thread(session: Session, config: MonitorConfig, tid: str) -> Alert:
    source = repo.ensure_source(session, config.sources[0])
    board = repo.ensure_board(session, source, "2", "投诉维权")
    summary = ThreadSummary(
        thread_id=tid, title=f"途乐旅行又一个投诉 {tid}", author="b", author_id="3", replies=9, views=10,
        sticky=False, url=f"http://bbs.test/forum.php?mod=viewthread&tid={tid}",
    )  # fmt: skip
    thread, _ = repo.upsert_thread(session, source, board, summary, T0)
    post = PostRecord(post_id=f"{tid}1", floor=1, author="b", author_id="3", posted_at=T0, text="另一件事")
    repo.save_posts(session, thread, [post], T0)
    change = consider(session, config, thread, config.watch_groups[0], _assessment(Severity.URGENT), T0)
    assert change is not None and change.kind == "opened"
    return lifecycle.get_alert(session, change.alert_id)
