"""Handing an alert to another spokesperson: owner, backup, trail, the new owner told, SLA clocks.

Uses the demo configuration (monitor/demo/config/: li_na, backed up by wang_qiang; wang_qiang,
backed up by li_na; zhao_min, leadership, no backup) and a SQLite file; nothing sleeps.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerting import lifecycle
from monitor.alerting.compose import compose
from monitor.alerting.render import render_text
from monitor.alerting.service import consider
from monitor.alerting.sla import check_sla
from monitor.cli import main
from monitor.config.loader import MonitorConfig
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.errors import UnknownNameError
from monitor.sources.base import PostRecord, ThreadSummary
from monitor.store import repo
from monitor.store.models import Alert, AlertEvent, Delivery, Thread

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config"
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _story(session: Session, config: MonitorConfig) -> Thread:
    source = repo.ensure_source(session, config.sources[0])
    board = repo.ensure_board(session, source, "2", "投诉维权")
    summary = ThreadSummary(
        thread_id="26",
        title="途乐旅行三个月不退款",
        author="维权小王",
        author_id="2",
        replies=9,
        views=10,
        sticky=False,
        url="http://bbs.test/forum.php?mod=viewthread&tid=26",
    )
    thread, _ = repo.upsert_thread(session, source, board, summary, T0)
    first = PostRecord(
        post_id="1", floor=1, author="维权小王", author_id="2", posted_at=T0, text="交了团费三个月不退款"
    )
    repo.save_posts(session, thread, [first], T0)
    return thread


def _assessment(severity: Severity) -> Assessment:
    return Assessment(
        escalating=True,
        severity=severity,
        figures=["f"],
        signals=[],
        negative_share=0.8,
        replies_per_hour=9.0,
    )


def _urgent_alert(session: Session, config: MonitorConfig) -> Alert:
    thread = _story(session, config)
    change = consider(session, config, thread, config.watch_groups[0], _assessment(Severity.URGENT), T0)
    assert change is not None
    alert = lifecycle.get_alert(session, change.alert_id)
    assert (alert.spokesperson, alert.backup) == ("li_na", "wang_qiang")
    return alert


def _deliveries(session: Session, kind: str) -> list[Delivery]:
    query = select(Delivery).where(Delivery.kind == kind, Delivery.channel == "email")
    return list(session.scalars(query))


def test_handing_over_changes_the_owner_and_the_backup_and_tells_the_new_owner(
    session: Session, config: MonitorConfig
) -> None:
    alert = _urgent_alert(session, config)
    respond_by = alert.respond_by
    at = T0 + timedelta(minutes=20)
    lifecycle.hand_over(session, config, alert, "wang_qiang", "li_na", at, "  休假到周一，\n请王强跟进 ")
    session.commit()

    assert (alert.spokesperson, alert.backup) == ("wang_qiang", "li_na")  # wang_qiang's backup now
    assert alert.respond_by == respond_by  # the deadline the customer was promised stands
    assert alert.acknowledged_at is None  # the new owner acknowledges
    trail = [(e.kind, e.actor, e.detail) for e in alert.events]
    assert ("handed_over", "li_na", "li_na -> wang_qiang: 休假到周一， 请王强跟进") in trail
    [told] = _deliveries(session, "handover")
    assert told.recipient == "wang_qiang" and told.target == "wang.qiang@pr.demo.invalid"
    assert "李娜（公关部发言人）" in told.notice and "休假到周一， 请王强跟进" in told.notice
    text = render_text(compose(session, config, alert, told, at))
    assert "转交：李娜（公关部发言人） 已把此告警转交给你。" in text and "Handed over" in text
    assert "王强（客服总监）" in text


def test_the_clocks_run_on_from_the_alerts_own_times_and_the_new_backup_is_told(
    session: Session, config: MonitorConfig
) -> None:
    alert = _urgent_alert(session, config)
    lifecycle.hand_over(session, config, alert, "wang_qiang", "li_na", T0 + timedelta(minutes=50))
    # urgent: acknowledge within 60 min of the opening, not of the handover
    assert check_sla(session, config, T0 + timedelta(minutes=59)) == []
    actions = check_sla(session, config, T0 + timedelta(minutes=60))
    assert [(a.kind, a.recipient) for a in actions] == [("to_backup", "li_na")]
    [backup] = _deliveries(session, "to_backup")
    assert "王强（客服总监） has not acknowledged" in backup.notice
    leaders = check_sla(session, config, T0 + timedelta(minutes=120))
    assert [(a.kind, a.recipient) for a in leaders] == [("to_leadership", "zhao_min")]
    # first contact: the reminder comes when a quarter of the 8 h from the opening is left, to the new owner
    assert [(a.kind, a.recipient) for a in check_sla(session, config, T0 + timedelta(hours=6))] == [
        ("reminder", "wang_qiang")
    ]
    assert [(a.kind, a.recipient) for a in check_sla(session, config, T0 + timedelta(hours=12))] == [
        ("progress", "wang_qiang")
    ]


def test_handing_over_to_someone_without_a_backup_leaves_no_backup_to_call(
    session: Session, config: MonitorConfig
) -> None:
    alert = _urgent_alert(session, config)
    lifecycle.hand_over(session, config, alert, "zhao_min", "li_na", T0 + timedelta(minutes=5))
    assert (alert.spokesperson, alert.backup) == ("zhao_min", None)
    assert check_sla(session, config, T0 + timedelta(minutes=60)) == []  # no backup to tell
    leaders = check_sla(session, config, T0 + timedelta(minutes=120))
    assert [(a.kind, a.recipient) for a in leaders] == []  # zhao_min is leadership: not told of her own


def test_an_escalation_keeps_the_alert_with_whom_it_was_handed_to(
    session: Session, config: MonitorConfig
) -> None:
    alert = _urgent_alert(session, config)
    lifecycle.hand_over(session, config, alert, "wang_qiang", "li_na", T0 + timedelta(minutes=5))
    later = T0 + timedelta(minutes=30)
    change = consider(
        session, config, alert.thread, config.watch_groups[0], _assessment(Severity.VERY_URGENT), later
    )
    assert change is not None and change.kind == "escalated"
    # li_na, whom the routing tree names, is away: the escalation goes to wang_qiang, who has it
    assert (alert.spokesperson, alert.backup) == ("wang_qiang", "li_na")
    escalations = [d.recipient for d in _deliveries(session, "alert") if d.escalated_from]
    assert escalations == ["wang_qiang"]


def test_handing_over_is_refused_to_the_owner_to_an_unknown_key_and_when_resolved(
    session: Session, config: MonitorConfig
) -> None:
    alert = _urgent_alert(session, config)
    with pytest.raises(ValueError, match="alert #1 is already with li_na"):
        lifecycle.hand_over(session, config, alert, "li_na", "wang_qiang", T0)
    with pytest.raises(UnknownNameError, match="'bob'"):
        lifecycle.hand_over(session, config, alert, "bob", "li_na", T0)
    lifecycle.resolve(session, alert, "li_na", T0 + timedelta(hours=1), "已退款")
    with pytest.raises(ValueError, match="alert #1 is resolved: a resolved alert cannot be handed over"):
        lifecycle.hand_over(session, config, alert, "wang_qiang", "li_na", T0 + timedelta(hours=2))
    assert alert.spokesperson == "li_na"
    kinds = [e.kind for e in session.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert.id))]
    assert "handed_over" not in kinds and _deliveries(session, "handover") == []


def test_the_handover_command(
    config_dir: Path, config: MonitorConfig, session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    _urgent_alert(session, config)
    session.commit()
    base = ["--config", str(config_dir)]

    assert main(["alerts", "handover", "1", "--to", "wang_qaing", "--by", "li_na", *base]) == 1
    assert "--to 'wang_qaing' is not in routing.yaml; did you mean 'wang_qiang'?" in capsys.readouterr().err
    assert main(["alerts", "handover", "1", "--to", "bob", "--by", "li_na", *base]) == 1
    err = capsys.readouterr().err
    assert "--to 'bob' is not a spokesperson in routing.yaml" in err and "wang_qiang" in err
    assert main(["alerts", "handover", "1", "--to", "wang_qiang", "--by", "lina", *base]) == 1
    assert "--by 'lina' is not in routing.yaml; did you mean 'li_na'?" in capsys.readouterr().err
    assert main(["alerts", "handover", "1", "--to", "li_na", "--by", "li_na", *base]) == 1
    assert "alert #1 is already with li_na" in capsys.readouterr().err

    done = ["alerts", "handover", "1", "--to", "wang_qiang", "--by", "li_na", "--note", "休假", "--json"]
    assert main([*done, *base]) == 0
    message = json.loads(capsys.readouterr().out)["message"]
    assert message.startswith("alert #1 handed over from li_na to wang_qiang by li_na")
    assert "王强（客服总监） is told" in message and "backup li_na" in message
    assert main(["alerts", "show", "1", "--json", *base]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["spokesperson"], shown["backup"]) == ("wang_qiang", "li_na")
    assert {"kind": "handed_over", "actor": "li_na", "detail": "li_na -> wang_qiang: 休假"}.items() <= {
        k: v for e in shown["events"] if e["kind"] == "handed_over" for k, v in e.items()
    }.items()

    assert main(["alerts", "resolve", "1", "--by", "wang_qiang", "--note", "已退款", *base]) == 0
    capsys.readouterr()
    assert main(["alerts", "handover", "1", "--to", "li_na", "--by", "wang_qiang", *base]) == 1
    assert "a resolved alert cannot be handed over" in capsys.readouterr().err


def test_a_handover_message_overtaken_while_queued_is_not_sent(
    session: Session, config: MonitorConfig
) -> None:
    """Handed to zhao_min, then on to wang_qiang before the mail went out: zhao_min must not be told
    "you are its spokesperson now" (with links to act); once resolved, nobody is."""
    from monitor.alerting.outbox import Channels, deliver_pending

    alert = _urgent_alert(session, config)
    lifecycle.hand_over(session, config, alert, "zhao_min", "li_na", T0 + timedelta(minutes=5))
    lifecycle.hand_over(session, config, alert, "wang_qiang", "zhao_min", T0 + timedelta(minutes=6))
    session.commit()
    deliver_pending(session, config, Channels(None, None, None), T0 + timedelta(minutes=7))
    handovers = {(d.recipient, d.channel): (d.status, d.last_error) for d in _deliveries(session, "handover")}
    assert {status for (who, _), (status, _) in handovers.items() if who == "zhao_min"} == {"dropped"}
    assert any(
        "handed on to wang_qiang" in error for (who, _), (_, error) in handovers.items() if who == "zhao_min"
    )
    assert {status for (who, _), (status, _) in handovers.items() if who == "wang_qiang"} != {"dropped"}
    dropped = session.scalars(select(AlertEvent.detail).where(AlertEvent.kind == "delivery_dropped")).all()
    assert dropped and all("handed on to wang_qiang" in d for d in dropped)
    assert lifecycle.resolve(session, alert, "wang_qiang", T0 + timedelta(minutes=8), "已全额退款")
    session.commit()
    deliver_pending(session, config, Channels(None, None, None), T0 + timedelta(hours=3))
    left = [d for d in _deliveries(session, "handover") if d.recipient == "wang_qiang"]
    assert left and all(d.status == "dropped" and "resolved" in d.last_error for d in left)


def test_the_owner_until_now_hears_when_someone_else_hands_the_alert_over_or_takes_it(
    session: Session, config: MonitorConfig
) -> None:
    """The backup took the alert over from its owner: only the backup was emailed, and the owner,
    not told, could go on speaking for the company (PR-team re-verification)."""
    alert = _urgent_alert(session, config)  # li_na's, backed up by wang_qiang
    at = T0 + timedelta(minutes=30)
    lifecycle.hand_over(session, config, alert, "wang_qiang", "wang_qiang (web link)", at, "李娜在飞机上")
    session.commit()
    [to_new] = _deliveries(session, "handover")
    assert to_new.notice.startswith("转交：你已从 李娜（公关部发言人） 手中接手此告警。现在由你担任发言人")
    assert "Handed over: you took this alert over from 李娜（公关部发言人）." in to_new.notice
    [to_previous] = [d for d in _deliveries(session, "copy") if d.recipient == "li_na"]
    assert to_previous.notice == (
        "转交：王强（客服总监） 已从你手中接手此告警，现在由对方代表公司发言；请把你了解的情况告诉对方。 "
        "Handed over: 王强（客服总监） has taken this alert over from you; they speak for the company "
        "on it now. Tell them what you know."
    )
    lifecycle.hand_over(session, config, alert, "li_na", "wang_qiang", at + timedelta(hours=1))
    session.commit()
    assert not [d for d in _deliveries(session, "copy") if d.recipient == "wang_qiang"]  # the giver knows
