"""Acknowledge, contact, tick, resolve, reopen; SLA clocks on a clock the test controls.

Uses the demo configuration (monitor/demo/config/) and a SQLite file; nothing sleeps.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerting import lifecycle
from monitor.alerting.compose import compose
from monitor.alerting.render import render_subject
from monitor.alerting.service import consider
from monitor.alerting.sla import _backed_off, _span, check_sla
from monitor.cli import main
from monitor.config.loader import MonitorConfig
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.errors import UnknownNameError
from monitor.sources.base import PostRecord, ThreadSummary
from monitor.store import repo
from monitor.store.models import Alert, Delivery, Thread

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config"
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _story(
    session: Session,
    config: MonitorConfig,
    replies: int = 9,
    tid: str = "26",
    title: str = "途乐旅行三个月不退款",
) -> Thread:
    source = repo.ensure_source(session, config.sources[0])
    board = repo.ensure_board(session, source, "2", "投诉维权")
    summary = ThreadSummary(
        thread_id=tid,
        title=title,
        author="维权小王",
        author_id="2",
        replies=replies,
        views=10,
        sticky=False,
        url=f"http://bbs.test/forum.php?mod=viewthread&tid={tid}",
    )
    thread, _ = repo.upsert_thread(session, source, board, summary, T0)
    first = PostRecord(
        post_id="1",
        floor=1,
        author="维权小王",
        author_id="2",
        posted_at=T0 - timedelta(hours=2),
        text="交了团费三个月不退款" if title == "途乐旅行三个月不退款" else title,
    )
    repo.save_posts(session, thread, [first], T0)
    return thread


def _opened(session: Session, config: MonitorConfig, severity: Severity) -> Alert:
    """The story's alert, opened at ``T0`` at ``severity``."""
    change = consider(
        session, config, _story(session, config), config.watch_groups[0], _assessment(severity), T0
    )
    assert change is not None
    return lifecycle.get_alert(session, change.alert_id)


def _assessment(severity: Severity, escalating: bool = True) -> Assessment:
    return Assessment(
        escalating=escalating,
        severity=severity,
        figures=["f"],
        signals=[],
        negative_share=0.8,
        replies_per_hour=9.0,
    )


def _kinds(session: Session) -> list[tuple[str, str]]:
    return [
        (d.kind, d.recipient) for d in session.scalars(select(Delivery).where(Delivery.channel == "email"))
    ]


def test_unacknowledged_alert_goes_to_backup_once_and_reminders_follow(
    session: Session, config: MonitorConfig
) -> None:
    thread = _story(session, config)
    consider(session, config, thread, config.watch_groups[0], _assessment(Severity.URGENT), T0)
    assert _kinds(session) == [("alert", "li_na")]
    assert check_sla(session, config, T0 + timedelta(minutes=59)) == []
    actions = check_sla(session, config, T0 + timedelta(minutes=60))
    assert [(a.kind, a.recipient) for a in actions] == [("to_backup", "wang_qiang")]
    # told as the backup, in words that are not 转交 (hand over: that changes the owner; this does not)
    backup = session.scalars(select(Delivery).where(Delivery.kind == "to_backup")).first()
    assert backup is not None
    assert backup.notice.startswith("备岗提醒：李娜（公关部发言人） 未在 1 小时 00 分内确认")
    assert "You are the backup: " in backup.notice and "within 1 h 00 min" in backup.notice
    alert = session.scalars(select(Alert)).one()
    subject = render_subject(compose(session, config, alert, backup))
    assert subject.startswith("[备岗提醒 for the backup · 紧迫 urgent] ") and "转" not in subject
    assert check_sla(session, config, T0 + timedelta(minutes=90)) == []  # once
    # still nobody after twice the time: leadership (routing.yaml `leadership:`) is told, once
    leaders = check_sla(session, config, T0 + timedelta(minutes=120))
    assert [(a.kind, a.recipient) for a in leaders] == [("to_leadership", "zhao_min")]
    # urgent: first contact within 8 h; the reminder comes when a quarter of it is left
    assert check_sla(session, config, T0 + timedelta(hours=5, minutes=59)) == []
    reminder = check_sla(session, config, T0 + timedelta(hours=6))
    assert [(a.kind, a.recipient) for a in reminder] == [("reminder", "li_na")]
    notice = session.scalars(select(Delivery).where(Delivery.kind == "reminder")).first()
    # in clock times (Asia/Shanghai), true whenever it is sent: T0 + 8 h is the deadline
    deadline = (T0 + timedelta(hours=8)).astimezone(ZoneInfo("Asia/Shanghai"))
    reminded = (T0 + timedelta(hours=6)).astimezone(ZoneInfo("Asia/Shanghai"))
    assert notice is not None
    assert f"is due by {deadline:%m-%d %H:%M} (2 h 00 min left at {reminded:%H:%M})" in notice.notice
    assert f"截至 {reminded:%H:%M} 还剩 2 小时 00 分）（时限 8 小时 00 分）" in notice.notice
    # urgent: a progress prompt every 12 h, even with no progress (seed 000)
    assert [a.kind for a in check_sla(session, config, T0 + timedelta(hours=12))] == ["progress"]
    assert check_sla(session, config, T0 + timedelta(hours=13)) == []


def test_acknowledged_and_contacted_alerts_stop_their_clocks(session: Session, config: MonitorConfig) -> None:
    alert = _opened(session, config, Severity.VERY_URGENT)
    assert lifecycle.acknowledge(session, alert, "李娜", T0 + timedelta(minutes=10))
    assert not lifecycle.acknowledge(session, alert, "王强", T0 + timedelta(minutes=11))
    lifecycle.tick(session, alert, "first_contact", "李娜", T0 + timedelta(hours=1))
    assert alert.contacted_at == T0 + timedelta(hours=1) and alert.status == "acknowledged"
    assert check_sla(session, config, T0 + timedelta(hours=3, minutes=30)) == []  # no backup, no reminder
    assert [a.kind for a in check_sla(session, config, T0 + timedelta(hours=4))] == ["progress"]
    hour = lifecycle.first_hour(session, alert)
    assert hour.published == T0 - timedelta(hours=2) and hour.acknowledged == T0 + timedelta(minutes=10)
    kinds = [(e.kind, e.actor) for e in alert.events]
    assert ("acknowledged", "李娜") in kinds and ("contacted", "李娜") in kinds
    with pytest.raises(LookupError):
        lifecycle.tick(session, alert, "no such step", "x", T0)


def test_a_progress_note_restarts_the_progress_clock(session: Session, config: MonitorConfig) -> None:
    alert = _opened(session, config, Severity.VERY_URGENT)
    lifecycle.contacted(session, alert, "李娜", T0 + timedelta(minutes=20))
    # very urgent: a progress prompt every 4 h — unless someone has just given feedback
    kept = lifecycle.note(session, alert, "李娜", T0 + timedelta(hours=3), "  已致电客户，\n承诺三日内退款 ")
    assert kept == "已致电客户， 承诺三日内退款"
    assert check_sla(session, config, T0 + timedelta(hours=4)) == []
    assert check_sla(session, config, T0 + timedelta(hours=6, minutes=59)) == []
    assert [a.kind for a in check_sla(session, config, T0 + timedelta(hours=7))] == ["progress"]
    trail = [(e.kind, e.actor, e.detail) for e in alert.events]
    assert ("note", "李娜", "已致电客户， 承诺三日内退款") in trail
    # contact recorded straight away ticks the first-contact step, and the trail says so, as a tick would
    step = next(item for item in alert.checklist if item.step_id == "first_contact")
    assert ("checklist", "李娜", f"done: {step.title}") in trail and step.done_by == "李娜"
    with pytest.raises(ValueError, match="empty note"):
        lifecycle.note(session, alert, "李娜", T0, " \n ")
    assert len(lifecycle.note(session, alert, "李娜", T0 + timedelta(hours=8), "长" * 5000)) == 2000
    lifecycle.resolve(session, alert, "李娜", T0 + timedelta(hours=9), "已退款")
    lifecycle.note(session, alert, "李娜", T0 + timedelta(hours=10), "总结：退款要提速")  # after the close
    assert alert.progress_prompted_at == T0 + timedelta(hours=8)  # a closed alert has no progress clock


def test_unanswered_progress_prompts_come_ever_less_often_until_someone_acts(
    session: Session, config: MonitorConfig
) -> None:
    alert = _opened(session, config, Severity.VERY_URGENT)
    lifecycle.acknowledge(session, alert, "李娜", T0 + timedelta(minutes=10))
    prompted = []
    for hours in range(1, 29):  # very urgent: every 4 h, then 8 and 16 h when no one answers
        for action in check_sla(session, config, T0 + timedelta(hours=hours)):
            if action.kind == "progress":
                prompted.append(hours)
    assert prompted == [4, 12, 28]
    notices = list(  # one per prompt (each goes to every channel of the spokesperson)
        dict.fromkeys(
            session.scalars(
                select(Delivery.notice)
                .where(Delivery.alert_id == alert.id, Delivery.kind == "progress")
                .order_by(Delivery.id)
            )
        )
    )
    assert len(notices) == 3
    assert "prompt" not in notices[0]
    assert "This is prompt 3 with no note or action on the alert since 11-23 20:10;" in notices[2]
    assert "the next comes in 32 h 00 min" in notices[2] and "back to every 4 h 00 min" in notices[2]
    assert "下一次在 32 小时 00 分 后，记一条记录即恢复为每 4 小时 00 分 一次" in notices[2]
    lifecycle.note(session, alert, "李娜", T0 + timedelta(hours=29), "已电话回访，等待财务退款")
    assert [a.kind for a in check_sla(session, config, T0 + timedelta(hours=33))] == ["progress"]  # 4 h again


def test_alerts_show_sums_up_months_of_prompts_and_json_keeps_each(
    config_dir: Path, config: MonitorConfig, session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    alert = _opened(session, config, Severity.VERY_URGENT)
    lifecycle.acknowledge(session, alert, "李娜", T0 + timedelta(minutes=10))
    for hours in range(1, 24 * 90):  # three months open, nobody writing
        check_sla(session, config, T0 + timedelta(hours=hours))
    lifecycle.note(session, alert, "李娜", T0 + timedelta(days=91), "客户已退款，待结案")
    session.commit()
    prompts = sum(1 for event in alert.events if event.kind == "progress")
    assert 12 <= prompts <= 20  # 4, 12, 28, 60, 124 h … then weekly: not 540
    assert main(["alerts", "show", str(alert.id), "--config", str(config_dir)]) == 0
    trail = capsys.readouterr().out.split("  trail:\n")[1].splitlines()
    summed = [line for line in trail if "lines by the monitor" in line]
    assert len(summed) == 1 and f"progress ×{prompts}: to li_na" in summed[0]  # with the contact reminder
    assert trail[-1].endswith("客户已退款，待结案") and "acknowledged" in trail[-3]
    assert main(["alerts", "show", str(alert.id), "--json", "--config", str(config_dir)]) == 0
    events = json.loads(capsys.readouterr().out)["events"]
    assert sum(1 for event in events if event["kind"] == "progress") == prompts


def test_alerts_list_shows_the_newest_hundred_and_says_how_many_more(
    config_dir: Path, config: MonitorConfig, session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    for n, title in enumerate(("途乐旅行三个月不退款", "导游强制购物", "酒店和宣传的不一样")):
        thread = _story(session, config, tid=str(30 + n), title=title)
        consider(session, config, thread, config.watch_groups[0], _assessment(Severity.URGENT), T0)
    session.commit()
    base = ["--config", str(config_dir)]
    assert main(["alerts", "list", "--limit", "2", *base]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[:2]] == ["#3", "#2"]  # the newest
    assert lines[2] == "the newest 2 of 3; --limit 0 lists every one"
    assert main(["alerts", "list", "--limit", "2", "--json", *base]) == 0
    listed = capsys.readouterr()  # the JSON stays JSON; a script is told it is not every alert
    assert len(json.loads(listed.out)) == 2 and "the newest 2 of 3; --limit 0 lists every one" in listed.err
    assert main(["alerts", "list", "--limit", "0", "--json", *base]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 3
    assert main(["alerts", "list", *base]) == 0
    assert "the newest" not in capsys.readouterr().out  # 3 of the default 100: all of them
    assert main(["alerts", "list", "--limit", "-1", *base]) == 1


def test_progress_prompts_wait_at_most_a_week() -> None:
    assert _backed_off(timedelta(hours=4), 0) == timedelta(hours=4)
    assert _backed_off(timedelta(hours=4), 3) == timedelta(hours=32)
    assert _backed_off(timedelta(hours=4), 40) == timedelta(days=7)
    assert _backed_off(timedelta(days=10), 2) == timedelta(days=10)  # a longer configured interval stands
    assert (_span(timedelta(days=7)), _span(timedelta(hours=32))) == (
        "7 days",
        "32 h 00 min",
    )  # as prompts say


def test_resolved_alert_reopens_when_the_thread_flares_up(session: Session, config: MonitorConfig) -> None:
    thread = _story(session, config)
    group = config.watch_groups[0]
    change = consider(session, config, thread, group, _assessment(Severity.URGENT), T0)
    assert change is not None
    alert = lifecycle.get_alert(session, change.alert_id)
    lifecycle.contacted(session, alert, "李娜", T0 + timedelta(hours=1))
    resolved = T0 + timedelta(days=1)
    repo.record_snapshot(
        session, thread, [], resolved - timedelta(minutes=5), negative_below=0.5
    )  # 9 replies
    lifecycle.resolve(session, alert, "李娜", resolved, "refunded")
    assert (
        consider(session, config, thread, group, _assessment(Severity.GENERAL, escalating=False), resolved)
        is None
    )

    # Still scored escalating on the next pass, with no reply since the resolve: it stays closed.
    warm = resolved + timedelta(minutes=2)
    assert consider(session, config, thread, group, _assessment(Severity.VERY_URGENT), warm) is None
    thread.replies = 9 + config.settings.alerting.reopen_after_replies - 1
    assert consider(session, config, thread, group, _assessment(Severity.VERY_URGENT), warm) is None
    assert alert.status == "resolved"

    thread.replies = 9 + config.settings.alerting.reopen_after_replies  # people answer again
    flare = T0 + timedelta(days=3)
    again = consider(session, config, thread, group, _assessment(Severity.URGENT), flare)
    assert again is not None and (again.kind, again.alert_id) == ("reopened", alert.id)
    assert alert.status == "open" and alert.reopened_at == flare
    assert (alert.acknowledged_at, alert.contacted_at) == (None, None)  # a new round: ack and contact again
    assert alert.respond_by == flare + Severity.URGENT.first_contact
    assert session.scalar(select(Alert).where(Alert.id != alert.id)) is None  # still one alert per story
    assert ("reopened", "li_na") in _kinds(session)
    assert "contacted" in [event.kind for event in alert.events]  # the earlier round stays in the trail

    # The acknowledgement clock starts at the reopening, not at the first opening three days before.
    within = timedelta(minutes=config.settings.alerting.ack_minutes_urgent)
    assert [a.kind for a in check_sla(session, config, flare + within - timedelta(minutes=1))] == []
    assert "to_backup" in [a.kind for a in check_sla(session, config, flare + within)]


def test_a_title_start_shared_by_two_steps_ticks_neither(session: Session, config: MonitorConfig) -> None:
    alert = _opened(session, config, Severity.URGENT)
    titles = [item.title for item in alert.checklist]
    shared = next(t[:2] for t in titles if sum(other.startswith(t[:2]) for other in titles) > 1)
    numbers = [str(n) for n, t in enumerate(titles, start=1) if t.startswith(shared)]
    with pytest.raises(
        UnknownNameError, match=f"starts {len(numbers)} checklist steps \\({', '.join(numbers)}\\)"
    ):
        lifecycle.tick(session, alert, shared, "李娜", T0)
    assert all(item.done_at is None for item in alert.checklist)
    exact = next(t for t in titles if t.startswith(shared))
    assert lifecycle.tick(session, alert, exact, "李娜", T0).title == exact  # a whole title still works


def test_growth_bands_renotify_without_a_severity_rise(session: Session, config: MonitorConfig) -> None:
    thread = _story(session, config, replies=30)
    group = config.watch_groups[0]
    consider(session, config, thread, group, _assessment(Severity.VERY_URGENT), T0)
    thread.replies = 49
    assert consider(session, config, thread, group, _assessment(Severity.VERY_URGENT), T0).kind == "updated"  # type: ignore[union-attr]
    thread.replies = 52
    change = consider(session, config, thread, group, _assessment(Severity.VERY_URGENT), T0)
    assert change is not None and change.kind == "band"
    thread.replies = 60
    assert consider(session, config, thread, group, _assessment(Severity.VERY_URGENT), T0).kind == "updated"  # type: ignore[union-attr]
    assert [k for k, _ in _kinds(session)] == ["alert", "band"]


def test_alerts_commands(
    config_dir: Path,
    config: MonitorConfig,
    session: Session,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    thread = _story(session, config)
    consider(session, config, thread, config.watch_groups[0], _assessment(Severity.URGENT), T0)
    session.commit()
    base = ["--config", str(config_dir)]
    assert main(["alerts", "list", *base]) == 0
    listed = capsys.readouterr().out
    assert "途乐旅行三个月不退款" in listed and " OVERDUE " in listed  # no first contact, deadline gone
    assert main(["alerts", "ack", "1", "--by", "lina", *base]) == 1  # li_na misspelt: nothing done
    assert "--by 'lina' is not in routing.yaml; did you mean 'li_na'?" in capsys.readouterr().err
    assert main(["alerts", "ack", "1", "--by", "李娜", *base]) == 0
    said = capsys.readouterr().out
    assert "acknowledged by 李娜" in said and "backup" not in said
    assert main(["alerts", "tick", "1", "2", "--by", "李娜", "--json", *base]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    assert main(["alerts", "tick", "1", "2", "--by", "李娜", *base]) == 0  # again: says so, changes nothing
    assert "already done by 李娜 at " in capsys.readouterr().out
    assert main(["alerts", "contacted", "1", "--by", "李娜", *base]) == 0
    capsys.readouterr()
    assert main(["alerts", "contacted", "1", "--by", "李娜", *base]) == 0
    assert "first contact was already recorded at " in capsys.readouterr().out
    assert main(["alerts", "tick", "1", " ", "--by", "李娜", *base]) == 1
    assert "which checklist step?" in capsys.readouterr().err
    assert main(["alerts", "show", "1", "--json", *base]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "acknowledged" and shown["acknowledged_by"] == "李娜"
    assert shown["checklist"][1]["done_by"] == "李娜"
    assert [e["kind"] for e in shown["events"]][:4] == ["opened", "acknowledged", "checklist", "contacted"]
    assert shown["first_hour"]["acknowledged"] is not None
    assert main(["alerts", "show", "1", *base]) == 0
    as_of = shown["figures_as_of"]  # the poll that wrote the figures, not the time of asking
    out = capsys.readouterr().out
    assert f"  why it fired, as of the last poll ({as_of}):" in out
    assert out.startswith("Alert #1 [紧迫 urgent] acknowledged — ") and "(backup wang_qiang)" in out
    # contacted: the time of the contact, not a deadline that reads as still to meet
    assert "(backup wang_qiang); contacted " in out and "respond by" not in out
    assert main(["alerts", "list", *base]) == 0
    listed = capsys.readouterr().out
    assert " contacted  " in listed and "respond by" not in listed and "OVERDUE" not in listed
    for status, listed in (("open", False), ("acknowledged", True), ("unresolved", True)):
        assert main(["alerts", "list", "--status", status, "--json", *base]) == 0
        assert bool(json.loads(capsys.readouterr().out)) is listed  # open: not acknowledged yet
    assert main(["alerts", "note", "1", "已致电客户，承诺三日内退款", "--by", "李娜", *base]) == 0
    assert "note added by 李娜" in capsys.readouterr().out
    assert main(["alerts", "note", "1", "  ", *base]) == 1
    assert "empty note" in capsys.readouterr().err
    monkeypatch.setenv("USER", "ops_root")
    assert main(["alerts", "note", "1", "客户已回电", *base]) == 0  # no --by: the login name, and it says so
    assert "note added by ops_root (ops_root is your login name; --by KEY" in capsys.readouterr().out
    monkeypatch.setenv("USER", "li_na")  # a login that is a spokesperson's key needs no word
    assert main(["alerts", "note", "1", "已安排退款", *base]) == 0
    assert capsys.readouterr().out.strip().endswith("note added by li_na")
    assert main(["alerts", "resolve", "1", "--by", "李娜", "--note", "已退款", *base]) == 0
    capsys.readouterr()
    assert main(["alerts", "list", "--json", *base]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["alerts", "show", "99", *base]) == 1


def test_the_backups_acknowledgement_from_a_terminal_says_the_owner_stays_the_owner(
    config_dir: Path, config: MonitorConfig, session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    thread = _story(session, config)
    consider(session, config, thread, config.watch_groups[0], _assessment(Severity.URGENT), T0)
    session.commit()
    assert main(["alerts", "ack", "1", "--by", "wang_qiang", "--config", str(config_dir)]) == 0
    assert capsys.readouterr().out == (
        "alert #1 acknowledged by wang_qiang, as 李娜（公关部发言人）'s backup: you have it in hand, "
        "and the escalation to leadership stops; 李娜（公关部发言人） stays its spokesperson "
        "(to take it on yourself: monitor alerts handover 1 --to wang_qiang)\n"
    )


def test_the_backups_acknowledgement_after_leadership_was_called_does_not_say_it_stops(
    config_dir: Path, config: MonitorConfig, session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    """It said "the escalation stops" when leadership had been told already (PR-team re-verification)."""
    thread = _story(session, config)
    consider(session, config, thread, config.watch_groups[0], _assessment(Severity.URGENT), T0)
    assert [a.kind for a in check_sla(session, config, T0 + timedelta(hours=3))] == [
        "to_backup",
        "to_leadership",
    ]
    session.commit()
    assert main(["alerts", "ack", "1", "--by", "wang_qiang", "--config", str(config_dir)]) == 0
    said = capsys.readouterr().out
    assert "leadership was told already: tell them you have it" in said and "stops" not in said


def test_the_first_hour_counts_a_message_a_person_got_not_the_console_copy(
    session: Session, config: MonitorConfig
) -> None:
    """With the mail server down, the console copy (a server's journal) is no delivery to a person."""
    alert = _opened(session, config, Severity.URGENT)
    rows = session.scalars(select(Delivery).where(Delivery.alert_id == alert.id)).all()
    assert {row.channel for row in rows} >= {"console", "email"}
    for row in rows:
        if row.channel == "console":
            row.status, row.sent_at = "sent", T0 + timedelta(minutes=1)
    assert lifecycle.first_hour(session, alert).delivered is None  # the email is still queued
    for row in rows:
        if row.channel == "email":
            row.status, row.sent_at = "sent", T0 + timedelta(minutes=30)
    assert lifecycle.first_hour(session, alert).delivered == T0 + timedelta(minutes=30)
