"""The digest says who handled each alert, from its trail: who acknowledged it and who made the first
contact (the spokesperson, the backup, leadership), an acknowledgement that came only with the first
contact, the backup and leadership the SLA clocks called, and the spokesperson it came from (a
handover, an escalation routed to someone else).

Alerts are made and handled with the real lifecycle (``consider``, ``lifecycle``, ``check_sla``) on
the ``db_url`` database, with the demo configuration plus 陈洁, to whom 途乐旅行's very urgent alerts
route. Every time is stated; nothing sleeps.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerting import lifecycle
from monitor.alerting.service import consider
from monitor.alerting.sla import check_sla
from monitor.config.loader import MonitorConfig, load_config
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.digest.alert_facts import alert_facts
from monitor.digest.alert_wording import beside_last_week, summary_rows
from monitor.digest.alerts import alert_reviews
from monitor.digest.figures import build_digest
from monitor.digest.handlers import TrailEvent, handlers
from monitor.digest.model import Actor, AskedAgain, DigestPeriod, OwnerChange
from monitor.digest.render import render_html, render_subject, render_text
from monitor.digest.said import Said, joined
from monitor.sources.base import PostRecord, ThreadSummary
from monitor.store import repo
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.models import Alert, AlertEvent, Thread

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config"
SHANGHAI = ZoneInfo("Asia/Shanghai")
PERIOD = DigestPeriod.week_ending(datetime(2026, 12, 7, tzinfo=SHANGHAI), "Asia/Shanghai")
T0 = datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)  # Wednesday 10:00 in the week
GENERATED = datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI)
# as the digest names them: routing.yaml's names (below) without their job titles, said once in the footer
LI_NA, WANG_QIANG, ZHAO_MIN, CHEN_JIE = ("李娜", "王强", "赵敏", "陈洁")
ROUTING = """\
spokespeople:
  - {key: li_na, name: 李娜（公关部发言人）, email: li.na@pr.demo.invalid, backup: wang_qiang}
  - {key: wang_qiang, name: 王强（客服总监）, email: wang.qiang@pr.demo.invalid, backup: li_na}
  - {key: chen_jie, name: 陈洁（危机公关总监）, email: chen.jie@pr.demo.invalid, backup: li_na}
  - {key: zhao_min, name: 赵敏（副总裁）, email: zhao.min@pr.demo.invalid}
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
def config(tmp_path: Path, db_url: str) -> MonitorConfig:
    directory = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, directory)
    (directory / "routing.yaml").write_text(ROUTING, encoding="utf-8")
    (directory / "monitor.toml").write_text(
        f'[general]\ntimezone = "Asia/Shanghai"\ndata_dir = "{tmp_path.as_posix()}"\n'
        f'[database]\nurl = "{db_url}"\n',
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


def _thread(session: Session, config: MonitorConfig, tid: str, title: str, text: str) -> Thread:
    source = repo.ensure_source(session, config.sources[0])
    board = repo.ensure_board(session, source, "2", "投诉维权")
    summary = ThreadSummary(
        thread_id=tid, title=title, author="网友", author_id=tid, replies=9, views=10, sticky=False,
        url=f"http://bbs.test/forum.php?mod=viewthread&tid={tid}",
    )  # fmt: skip
    thread, _ = repo.upsert_thread(session, source, board, summary, T0 - timedelta(hours=1))
    post = PostRecord(post_id=tid, floor=1, author="网友", author_id=tid, posted_at=T0, text=text)
    repo.save_posts(session, thread, [post], T0)
    return thread


def _assessment(severity: Severity) -> Assessment:
    return Assessment(
        escalating=True, severity=severity, figures=["f"], signals=[], negative_share=0.8,
        replies_per_hour=9.0,
    )  # fmt: skip


def _open(session: Session, config: MonitorConfig, thread: Thread, group: int, at: datetime) -> Alert:
    change = consider(session, config, thread, config.watch_groups[group], _assessment(Severity.URGENT), at)
    assert change is not None and change.kind == "opened"
    return lifecycle.get_alert(session, change.alert_id)


def _said(session: Session, config: MonitorConfig) -> dict[int, list[Said]]:
    """Each alert's fact lines, in both languages, in the digest's order, and the week's summary rows
    (``label: figures``) under key 0; every one checked to be in the text digest as it is laid out."""
    people = {person.key: person.name for person in config.routing.spokespeople}
    digest = build_digest(session, PERIOD, GENERATED, negative_below=0.5, people=people)
    text = render_text(digest)
    zone = digest.week.period.timezone
    lines: dict[int, list[Said]] = {0: []}
    for label, now, before in summary_rows(digest.week, digest.previous, digest.generated_at):
        said = beside_last_week(now, before)
        lines[0].append(Said(f"{label}: {said.zh}", f"{label}: {said.en}"))
        assert "\n".join(said.text_lines("  ", f"{label}: ")) in text
    for review in digest.week.alerts:
        lines[review.alert_id] = [joined(line) for line in alert_facts(review, digest.generated_at, zone)]
        for fact in lines[review.alert_id]:
            assert "\n".join(fact.text_lines("     ")) in text
    return lines


def _week(session: Session, config: MonitorConfig) -> dict[int, list[str]]:
    """:func:`_said` in English (the Chinese says the same: see the tests that read ``.zh``)."""
    return {key: [line.en for line in said] for key, said in _said(session, config).items()}


@pytest.fixture
def handled(session: Session, config: MonitorConfig) -> dict[str, Alert]:
    """Four alerts of the week, each handled differently (times in Shanghai, all on 12-02)."""
    minutes = lambda n: T0 + timedelta(minutes=n)  # noqa: E731
    # 10:00 li_na's; she acknowledges and contacts; at 10:30 it escalates and routes to 陈洁, who
    # acknowledges at 10:35
    escalated = _open(
        session, config, _thread(session, config, "31", "途乐旅行退款", "团费三个月不退"), 0, T0
    )
    lifecycle.acknowledge(session, escalated, "li_na", minutes(1))
    lifecycle.contacted(session, escalated, "li_na", minutes(2))
    change = consider(
        session,
        config,
        escalated.thread,
        config.watch_groups[0],
        _assessment(Severity.VERY_URGENT),
        minutes(30),
    )
    assert change is not None and change.kind == "escalated"
    lifecycle.acknowledge(session, escalated, "chen_jie", minutes(35))  # hers now: she acknowledges afresh
    # 10:00 wang_qiang's (星耀Pro14 routes to him); his backup li_na acknowledges
    by_backup = _open(session, config, _thread(session, config, "32", "星耀Pro14 黑屏", "开机就黑屏"), 1, T0)
    lifecycle.acknowledge(session, by_backup, "li_na (web)", minutes(5))
    # 10:00 li_na's; nobody acknowledges: the backup at 11:00, leadership at 12:00, who contacts at 12:10
    ignored = _open(
        session, config, _thread(session, config, "33", "途乐导游强制购物", "导游骂人还逼我们买玉"), 0, T0
    )
    # 10:00 li_na's; she hands it to wang_qiang at 10:20, who acknowledges at 10:25
    handed = _open(
        session, config, _thread(session, config, "34", "途乐酒店被降级", "订的五星住进快捷酒店"), 0, T0
    )
    lifecycle.hand_over(session, config, handed, "wang_qiang", "li_na", minutes(20), "休假")
    lifecycle.acknowledge(session, handed, "wang_qiang", minutes(25))
    assert [
        (a.alert_id, a.kind) for a in check_sla(session, config, minutes(60)) if a.kind.startswith("to_")
    ] == [(ignored.id, "to_backup")]
    assert [
        (a.alert_id, a.kind) for a in check_sla(session, config, minutes(120)) if a.kind.startswith("to_")
    ] == [(ignored.id, "to_leadership")]
    lifecycle.contacted(session, ignored, "zhao_min", minutes(130))
    session.commit()
    assert {escalated.id, by_backup.id, ignored.id, handed.id} == {1, 2, 3, 4}
    return {"escalated": escalated, "by_backup": by_backup, "ignored": ignored, "handed": handed}


def test_an_escalation_that_routes_elsewhere_names_the_new_spokesperson_in_the_trail(
    session: Session, handled: dict[str, Alert]
) -> None:
    alert = handled["escalated"]
    escalations = session.scalars(
        select(AlertEvent.detail).where(AlertEvent.alert_id == alert.id, AlertEvent.kind == "escalated")
    )
    assert list(escalations) == ["urgent -> very_urgent; spokesperson li_na -> chen_jie"]
    assert alert.spokesperson == "chen_jie"


def test_the_owner_changed_at_the_escalation_is_not_credited_with_her_predecessors_work(
    session: Session, config: MonitorConfig, handled: dict[str, Alert]
) -> None:
    who, progress = _week(session, config)[handled["escalated"].id]
    assert who == (  # the time to acknowledge runs to li_na's: the alert was in hand from then on
        f"spokesperson {CHEN_JIE} (from {LI_NA} at the escalation 12-02 10:30) · opened 12-02 10:00 · "
        f"acknowledged by {LI_NA} in 1 min, then by {CHEN_JIE} 5 min after the change of hands"
    )
    assert progress.startswith(f"first contact by {LI_NA} on time (2 min) · ")


def test_an_acknowledgement_by_the_backup_says_so(
    session: Session, config: MonitorConfig, handled: dict[str, Alert]
) -> None:
    who, _ = _week(session, config)[handled["by_backup"].id]
    assert (
        who == f"spokesperson {WANG_QIANG} · opened 12-02 10:00 · acknowledged by {LI_NA} (backup) in 5 min"
    )


def test_an_alert_acknowledged_only_by_its_first_contact_after_the_backup_and_leadership_were_called(
    session: Session, config: MonitorConfig, handled: dict[str, Alert]
) -> None:
    who, calls, progress = _week(session, config)[handled["ignored"].id]
    said = _said(session, config)[handled["ignored"].id]
    assert [line.zh for line in said] == [  # the same names, times and figures, in Chinese
        f"发言人 {LI_NA} · 12-02 10:00 开启 · 仅由首次联系确认，用时 2 小时 10 分",
        f"未及时确认：12-02 11:00 通知备岗{WANG_QIANG}，12-02 12:00 通知领导{ZHAO_MIN}",
        f"{ZHAO_MIN}（领导）按时完成首次联系（2 小时 10 分） · 清单 1/16 · 无进展记录 · 已确认",
    ]
    assert who == (
        f"spokesperson {LI_NA} · opened 12-02 10:00 · "
        "acknowledged only by the first contact, after 2 h 10 min"
    )
    assert calls == (
        f"not acknowledged in time: backup {WANG_QIANG} called 12-02 11:00, "
        f"leadership {ZHAO_MIN} called 12-02 12:00"
    )
    assert progress.startswith(f"first contact by {ZHAO_MIN} (leadership) on time (2 h 10 min) · ")


def test_a_handover_names_whom_the_alert_came_from(
    session: Session, config: MonitorConfig, handled: dict[str, Alert]
) -> None:
    who, _ = _week(session, config)[handled["handed"].id]
    assert who == (
        f"spokesperson {WANG_QIANG} (handed over from {LI_NA} 12-02 10:20) · opened 12-02 10:00 · "
        f"acknowledged by {WANG_QIANG} in 25 min"
    )


def test_the_week_counts_the_backup_and_leadership_calls_beside_the_median(
    session: Session, config: MonitorConfig, handled: dict[str, Alert]
) -> None:
    summary = _week(session, config)[0]
    assert summary[-4:] == [
        "确认用时中位数 Median time to acknowledge: 15 min (last week —)",
        "未及时确认 Not acknowledged in time: backup called for 1 of 4 alerts, leadership for 1, "
        "1 acknowledged only by the first contact (last week —)",
        # one handed over (李娜 -> 王强), one given to 陈洁 by the very-urgent route
        "换人 Changed hands: 2 of 4 alerts (1 handed over, 1 at an escalation) (last week —)",
        "按时首次联系 First contact within SLA: 2 of 4, 50 % (last week —)",  # 2 overdue by 12-07
    ]
    people = {person.key: person.name for person in config.routing.spokespeople}
    digest = build_digest(session, PERIOD, GENERATED, negative_below=0.5, people=people)
    assert (
        Said(
            "4 个告警中 1 个通知了备岗，1 个通知了领导（上周没有）",
            "Backup called for 1 of 4 alerts, leadership for 1 (none last week)",
        )
        in digest.changes
    )


def test_the_html_digest_says_the_same_escaped(
    session: Session, config: MonitorConfig, handled: dict[str, Alert]
) -> None:
    people = {person.key: person.name for person in config.routing.spokespeople}
    people["zhao_min"] = "赵敏 <b>VP</b>"
    html = render_html(build_digest(session, PERIOD, GENERATED, negative_below=0.5, people=people))
    assert "<b>VP</b>" not in html and "赵敏 &lt;b&gt;VP&lt;/b&gt;" in html
    text = BeautifulSoup(html, "html.parser").get_text(" ", strip=True)
    for phrase in (
        f"spokesperson {CHEN_JIE} (from {LI_NA} at the escalation 12-02 10:30)",
        f"acknowledged by {LI_NA} (backup) in 5 min",
        "acknowledged only by the first contact, after 2 h 10 min",
        f"backup {WANG_QIANG} called 12-02 11:00, leadership 赵敏 <b>VP</b> called 12-02 12:00",
        "first contact by 赵敏 <b>VP</b> (leadership) on time (2 h 10 min)",
        f"spokesperson {WANG_QIANG} (handed over from {LI_NA} 12-02 10:20)",
        f"未及时确认：12-02 11:00 通知备岗{WANG_QIANG}，12-02 12:00 通知领导赵敏 <b>VP</b>",
        "赵敏 <b>VP</b>（领导）按时完成首次联系（2 小时 10 分）",
        "未及时确认 Not acknowledged in time "
        "4 个告警中 1 个通知了备岗，1 个通知了领导，1 个仅由首次联系确认 （上周 —） "
        "backup called for 1 of 4 alerts, leadership for 1",
        "换人 Changed hands 4 个告警中 2 个（转交 1 个，升级换人 1 个） （上周 —） "
        "2 of 4 alerts (1 handed over, 1 at an escalation)",
    ):
        assert phrase in text, phrase


def test_job_titles_are_said_once_in_the_footer_not_at_every_name(
    session: Session, config: MonitorConfig, handled: dict[str, Alert]
) -> None:
    """routing.yaml names people with their job title (李娜（公关部发言人）); the digest names the same
    few people on line after line, so it names them without it and gives each title once."""
    people = {person.key: person.name for person in config.routing.spokespeople}
    digest = build_digest(session, PERIOD, GENERATED, negative_below=0.5, people=people)
    text, html = render_text(digest), render_html(digest)
    for body in (text, BeautifulSoup(html, "html.parser").get_text(" ", strip=True)):
        assert "（公关部发言人）" not in body and "（客服总监）" not in body
        assert body.count("公关部发言人") == body.count("客服总监") == body.count("危机公关总监") == 1
        assert "人员 People: 李娜 公关部发言人 · 王强 客服总监 · 陈洁 危机公关总监 · 赵敏 副总裁" in body
    assert text.index("人员 People:") > text.index("告警及处理 Alerts and how they were handled")


def test_the_trails_of_all_alerts_come_in_one_query(
    session: Session, config: MonitorConfig, handled: dict[str, Alert]
) -> None:
    statements: list[str] = []
    engine = session.get_bind()
    record = lambda *args: statements.append(args[2])  # noqa: E731 - (conn, cursor, statement, ...)
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        reviews = alert_reviews(session, PERIOD, {})
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert len(reviews) == 4
    assert sum(1 for statement in statements if "alert_events" in statement) == 2  # the trails, the notes


def test_a_reopened_alert_is_judged_on_its_new_round() -> None:
    at = T0
    trail = [
        TrailEvent(at, "opened", "monitor", "urgent; route 1 (watch group) -> li_na"),
        TrailEvent(at + timedelta(hours=1), "to_backup", "monitor", "to wang_qiang"),
        TrailEvent(at + timedelta(hours=2), "acknowledged", "wang_qiang", ""),
        TrailEvent(at + timedelta(days=1), "reopened", "monitor", "urgent: the thread flared up again"),
        TrailEvent(at + timedelta(days=1, minutes=3), "acknowledged", "li_na", ""),
    ]
    found = handlers(trail, spokesperson="li_na", backup="wang_qiang", acknowledged_by="li_na", people={})
    assert (found.acknowledged_by, found.backup_called, found.owner_changes) == (Actor("li_na"), None, ())


def test_a_trail_from_before_escalations_named_the_owner_says_the_latest_escalation() -> None:
    trail = [
        TrailEvent(T0, "opened", "monitor", "urgent; route 1 (watch group) -> li_na"),
        TrailEvent(T0 + timedelta(minutes=1), "acknowledged", "li_na", ""),
        TrailEvent(T0 + timedelta(minutes=30), "escalated", "monitor", "urgent -> very_urgent"),
    ]
    found = handlers(trail, spokesperson="chen_jie", backup="li_na", acknowledged_by="li_na", people={})
    assert found.owner_changes == (OwnerChange("li_na", "escalation", T0 + timedelta(minutes=30)),)
    assert found.acknowledged_by == Actor("li_na")  # she owned it then: no role to name


def test_a_backup_called_before_the_alert_changed_hands_is_named_as_whose_backup_then(
    session: Session, config: MonitorConfig
) -> None:
    """li_na's alert, nobody acknowledging: her backup 王强 is called at 11:00; at 11:30 it escalates and
    routes to 陈洁. The digest had read "spokesperson 陈洁 … backup 王强 called" as if 王强 were 陈洁's
    backup (her backup is 李娜), and where the new owner was the backup called, "spokesperson 陈洁 …
    backup 陈洁 called" (PR-team re-verification)."""
    alert = _open(session, config, _thread(session, config, "41", "途乐旅行不退款", "团费不退"), 0, T0)
    called = [a.kind for a in check_sla(session, config, T0 + timedelta(minutes=60))]
    assert called == ["to_backup"]
    change = consider(
        session, config, alert.thread, config.watch_groups[0], _assessment(Severity.VERY_URGENT),
        T0 + timedelta(minutes=90),
    )  # fmt: skip
    assert change is not None and change.kind == "escalated" and alert.spokesperson == "chen_jie"
    session.commit()
    [line] = [line for line in _week(session, config)[alert.id] if "not acknowledged in time" in line]
    assert f"backup {WANG_QIANG} ({LI_NA}'s backup then) called 12-02 11:00" in line


def test_an_acknowledgement_withdrawn_when_the_alert_changed_hands_still_counts_and_the_new_owner_is_awaited(
    session: Session, config: MonitorConfig
) -> None:
    """li_na acknowledges at 10:01 and contacts at 10:02; at 10:30 the escalation routes it to 陈洁, who
    must acknowledge it afresh and has not: the digest still credits li_na (and her minute counts
    for the median), says that 陈洁 has not acknowledged it, and the first contact stands."""
    alert = _open(session, config, _thread(session, config, "42", "途乐旅行退款难", "团费不退"), 0, T0)
    lifecycle.acknowledge(session, alert, "li_na", T0 + timedelta(minutes=1))
    lifecycle.contacted(session, alert, "li_na", T0 + timedelta(minutes=2))
    change = consider(
        session, config, alert.thread, config.watch_groups[0], _assessment(Severity.VERY_URGENT),
        T0 + timedelta(minutes=30),
    )  # fmt: skip
    assert change is not None and alert.spokesperson == "chen_jie" and alert.acknowledged_at is None
    session.commit()
    lines = _week(session, config)
    who, progress = lines[alert.id]
    assert who.endswith(
        f"acknowledged by {LI_NA} in 1 min; {CHEN_JIE} has not acknowledged it since the change of hands "
        "12-02 10:30"
    )
    assert progress.startswith(f"first contact by {LI_NA} on time (2 min) · ")
    assert "确认用时中位数 Median time to acknowledge: 1 min (last week —)" in lines[0]


def test_the_trail_credits_the_first_acknowledgement_and_the_new_owners_made_afresh() -> None:
    trail = [
        TrailEvent(T0, "opened", "monitor", "urgent; route 1 (watch group) -> li_na"),
        TrailEvent(T0 + timedelta(minutes=2), "contacted", "li_na", ""),
        TrailEvent(T0 + timedelta(minutes=2), "acknowledged", "li_na", ""),
        TrailEvent(
            T0 + timedelta(minutes=30),
            "escalated",
            "monitor",
            "urgent -> very_urgent; spokesperson li_na -> chen_jie",
        ),
        TrailEvent(T0 + timedelta(minutes=50), "acknowledged", "chen_jie (web link)", ""),
    ]
    found = handlers(trail, spokesperson="chen_jie", backup="li_na", acknowledged_by="chen_jie", people={})
    assert (found.acknowledged_by, found.acknowledged_at) == (Actor("li_na"), T0 + timedelta(minutes=2))
    assert found.acknowledged_again == AskedAgain(
        "chen_jie", T0 + timedelta(minutes=30), Actor("chen_jie"), T0 + timedelta(minutes=50)
    )


def test_an_alert_escalated_before_acknowledgements_were_withdrawn_is_not_said_to_await_its_new_owner() -> (
    None
):
    """Its row still holds li_na's acknowledgement (the escalation kept it then): nobody was asked again."""
    trail = [
        TrailEvent(T0, "opened", "monitor", "urgent; route 1 (watch group) -> li_na"),
        TrailEvent(T0 + timedelta(minutes=1), "acknowledged", "li_na", ""),
        TrailEvent(
            T0 + timedelta(minutes=30),
            "escalated",
            "monitor",
            "urgent -> very_urgent; spokesperson li_na -> chen_jie",
        ),
    ]
    kept = handlers(trail, spokesperson="chen_jie", backup="li_na", acknowledged_by="li_na", people={})
    assert (kept.acknowledged_by, kept.acknowledged_again) == (Actor("li_na"), None)
    withdrawn = handlers(trail, spokesperson="chen_jie", backup="li_na", acknowledged_by=None, people={})
    assert withdrawn.acknowledged_again == AskedAgain("chen_jie", T0 + timedelta(minutes=30))


def test_a_reopened_alert_says_when_it_was_resolved_and_reopened_and_counts_its_new_round(
    session: Session, config: MonitorConfig
) -> None:
    """Opened 12-03 09:00 and handled (acknowledged, contacted, a step done, a note), resolved 12-05 10:00,
    reopened 12-06 15:00 and acknowledged 20 min later. The digest had read "opened 12-03 09:00 ·
    acknowledged … in 3 d 6 h … 1 progress note": the new round's acknowledgement timed from the first
    opening, the old round's note and steps as if the new round's, and no word of the reopening
    (head of PR, verifier's week)."""
    opened = datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI)
    thread = _thread(session, config, "51", "途乐旅行退款又拖", "团费不退")
    alert = _open(session, config, thread, 0, opened)
    lifecycle.acknowledge(session, alert, "li_na", opened + timedelta(minutes=5))
    lifecycle.contacted(session, alert, "li_na", opened + timedelta(minutes=10))
    lifecycle.tick(session, alert, "2", "li_na", opened + timedelta(minutes=15))
    lifecycle.note(session, alert, "li_na", opened + timedelta(days=1), "已联系客户，退款处理中")
    resolved = datetime(2026, 12, 5, 10, 0, tzinfo=SHANGHAI)
    repo.record_snapshot(session, thread, [], resolved - timedelta(minutes=5), negative_below=0.5)
    assert lifecycle.resolve(session, alert, "li_na", resolved, "已退款")
    thread.replies += config.settings.alerting.reopen_after_replies  # people answer again
    reopened = datetime(2026, 12, 6, 15, 0, tzinfo=SHANGHAI)
    change = consider(session, config, thread, config.watch_groups[0], _assessment(Severity.URGENT), reopened)
    assert change is not None and change.kind == "reopened"
    lifecycle.acknowledge(session, alert, "li_na", reopened + timedelta(minutes=20))
    session.commit()
    done = sum(1 for item in alert.checklist if item.done_at is not None)
    assert done >= 1

    lines = _week(session, config)
    who, progress = lines[alert.id]
    assert who == (
        f"spokesperson {LI_NA} · opened 12-03 09:00 · resolved 12-05 10:00, reopened 12-06 15:00 · "
        f"acknowledged by {LI_NA} 20 min after the reopening"
    )
    assert progress == (
        "no first contact, overdue since 12-06 23:00 · "  # the new round's: 8 h from the reopening
        f"checklist {done}/{len(alert.checklist)} (0 done since the reopening) · "
        "no progress note since the reopening (1 before it) · acknowledged"
    )
    assert "确认用时中位数 Median time to acknowledge: 20 min (last week —)" in lines[0]


def test_a_reopened_alert_unacknowledged_contacted_and_noted_in_its_new_round(
    session: Session, config: MonitorConfig
) -> None:
    """The new round's own figures: nobody acknowledged since the reopening but the first contact (which
    counts as one), a step done and a note written after it; reopened a second time, and opened before
    the week."""
    opened = datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)  # before the week: reopened twice since
    thread = _thread(session, config, "52", "途乐旅行导游又骂人", "导游骂人")
    alert = _open(session, config, thread, 0, opened)
    for resolved, reopened in (
        (datetime(2026, 11, 22, 9, 0, tzinfo=SHANGHAI), datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI)),
        (datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI), datetime(2026, 12, 3, 18, 30, tzinfo=SHANGHAI)),
    ):
        repo.record_snapshot(session, thread, [], resolved - timedelta(minutes=5), negative_below=0.5)
        assert lifecycle.resolve(session, alert, "li_na", resolved, "已处理")
        thread.replies += config.settings.alerting.reopen_after_replies
        change = consider(
            session, config, thread, config.watch_groups[0], _assessment(Severity.URGENT), reopened
        )
        assert change is not None and change.kind == "reopened"
    lifecycle.tick(session, alert, "2", "li_na", reopened + timedelta(hours=1))
    lifecycle.note(session, alert, "li_na", reopened + timedelta(hours=2), "已致电客户")
    lifecycle.contacted(session, alert, "li_na", reopened + timedelta(hours=3))
    session.commit()

    lines = _week(session, config)
    who, progress = lines[alert.id]
    # the week's figures count its new round (they had said "本周新开 Opened this week: 0" and "—" throughout)
    assert lines[0] == [
        "本周新开 Opened this week: 0, and 1 reopened (last week 0)",
        "确认用时中位数 Median time to acknowledge: 3 h 00 min (last week —)",
        "未及时确认 Not acknowledged in time: backup called for 0 of 1 alert, leadership for 0, "
        "1 acknowledged only by the first contact (last week —)",
        "按时首次联系 First contact within SLA: 1 of 1, 100 % (last week —)",
    ]
    assert who == (
        f"spokesperson {LI_NA} · opened 11-20 09:00 (before this week) · "
        "resolved 12-02 09:00, reopened 12-03 18:30 (its 2nd reopening) · "
        "acknowledged only by the first contact, 3 h 00 min after the reopening"
    )
    assert progress.startswith(f"first contact by {LI_NA} on time (3 h 00 min after the reopening) · ")
    # step 2 and the first-contact step (recording the contact ticks it)
    assert progress.endswith(
        "(2 done since the reopening) · 1 progress note since the reopening · acknowledged"
    )


def test_needs_attention_now_reads_the_alerts_as_they_stand_when_the_digest_is_composed(
    session: Session, config: MonitorConfig, handled: dict[str, Alert]
) -> None:
    """At 12-07 09:00: two alerts acknowledged but never contacted (overdue since 12-02 18:00), and one
    opened at 08:00 — after the week, so in no section below — that nobody has acknowledged yet. The
    escalated very urgent alert is in hand (acknowledged, contacted) but still open: the subject says so."""
    thread = _thread(session, config, "35", "途乐旅行又出事", "退款")
    late = _open(session, config, thread, 0, GENERATED - timedelta(hours=1))
    session.commit()
    people = {person.key: person.name for person in config.routing.spokespeople}
    digest = build_digest(session, PERIOD, GENERATED, negative_below=0.5, people=people)
    text = render_text(digest)
    block = text.split("待处理 Needs attention now（截至 as of 12-07 09:00）\n")[1].split("\n\n")[0]
    assert block.splitlines() == [
        f"  ! #{handled['by_backup'].id} [紧迫 urgent] 星耀Pro14 黑屏 — {WANG_QIANG}："
        "首次联系 12-02 18:00 起已超时",
        "    first contact overdue since 12-02 18:00",
        f"  ! #{handled['handed'].id} [紧迫 urgent] 途乐酒店被降级 — {WANG_QIANG}："
        "首次联系 12-02 18:00 起已超时",
        "    first contact overdue since 12-02 18:00",
        f"  - #{late.id} [紧迫 urgent] 途乐旅行又出事 — {LI_NA}：未确认，首次联系截止 12-07 16:00",
        "    not acknowledged, first contact due 12-07 16:00",
    ]
    assert text.startswith("周报 Weekly digest 2026-11-30 – 2026-12-06")
    # the week's 4 alerts (no watched posts here), and the escalated one still open
    assert render_subject(digest) == "周报 Weekly digest 11-30 – 12-06：0 条帖子，4 个告警，1 个非常紧迫未结"


def test_open_on_each_spokesperson_reads_the_alerts_open_when_the_digest_is_composed(
    session: Session, config: MonitorConfig, handled: dict[str, Alert]
) -> None:
    """At 12-07 09:00 every alert of the week is still open: 王强 has two first contacts overdue, 李娜 the
    one 赵敏 contacted and one opened at 08:00, 陈洁 the escalated one, contacted by 李娜 before it was
    hers. One line each, in the HTML too, after "待处理 Needs attention now"."""
    late = _open(
        session,
        config,
        _thread(session, config, "35", "途乐旅行又出事", "退款"),
        0,
        GENERATED - timedelta(hours=1),
    )
    session.commit()
    people = {person.key: person.name for person in config.routing.spokespeople}
    digest = build_digest(session, PERIOD, GENERATED, negative_below=0.5, people=people)
    ids = {name: alert.id for name, alert in handled.items()}
    expected = [  # who and their alerts, said once; then what is next, in Chinese and in English
        (
            f"{WANG_QIANG}：#{ids['by_backup']} [紧迫 urgent], #{ids['handed']} [紧迫 urgent] · ",
            Said(
                f"下一项：#{ids['by_backup']} 首次联系 12-02 18:00 起已超时（共 2 个超时）",
                f"next: #{ids['by_backup']} first contact overdue since 12-02 18:00 (2 overdue)",
            ),
        ),
        (
            f"{LI_NA}：#{ids['ignored']} [紧迫 urgent], #{late.id} [紧迫 urgent] · ",
            Said(
                f"下一项：#{late.id} 首次联系截止 12-07 16:00",
                f"next: #{late.id} first contact due 12-07 16:00",
            ),
        ),
        (
            f"{CHEN_JIE}：#{ids['escalated']} [非常紧迫 very urgent] · ",
            Said("首次联系均已完成", "first contacts made"),
        ),
    ]
    text = render_text(digest)
    heading = "各发言人未结告警 Open on each spokesperson（截至 as of 12-07 09:00）"
    block = text.split(f"{heading}\n")[1].split("\n\n")[0]
    assert block.splitlines() == [
        line
        for n, (who, next_step) in enumerate(expected)
        for line in Said(who + next_step.zh, next_step.en).text_lines("  ", "! " if n == 0 else "- ")
    ]
    assert text.index("待处理 Needs attention now") < text.index("各发言人未结告警 Open on each spokesperson")
    soup = BeautifulSoup(render_html(digest), "html.parser")
    items = soup.find("h2", string=heading).find_next("ul")("li")
    assert [item.get_text() for item in items] == [f"{who}{said.zh} {said.en}" for who, said in expected]


def test_the_alerts_come_open_first_then_the_highest_tier_then_the_newest(
    session: Session, config: MonitorConfig, handled: dict[str, Alert]
) -> None:
    """All four opened at 10:00 on 12-02; the very urgent one had come last (newest first only, by id),
    and a resolved one among the open ones (head of PR, verifier's week)."""
    lifecycle.resolve(session, handled["by_backup"], "li_na", T0 + timedelta(hours=3), "误报")
    newer = _open(
        session, config, _thread(session, config, "36", "途乐旅行客服", "没人接"), 0, T0 + timedelta(days=1)
    )
    session.commit()
    order = [review.alert_id for review in alert_reviews(session, PERIOD, {})]
    ids = {name: alert.id for name, alert in handled.items()}
    assert order == [ids["escalated"], newer.id, ids["handed"], ids["ignored"], ids["by_backup"]]
    assert list(_week(session, config))[1:] == order  # the digest lists them so
