"""The dashboard's alert list on SQLite and PostgreSQL: which alerts each view holds, in what order."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session
from web_site import DEMO_CONFIG

from monitor.alerting import lifecycle
from monitor.alerting.service import consider
from monitor.config.loader import MonitorConfig, load_config
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.sources.base import ThreadSummary
from monitor.store import repo
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.web.alert_list import alert_counts, list_alerts

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
TITLES = {  # five different stories, so none joins another's alert
    "11": "退款三个月没到账",
    "12": "屏幕出现亮线怎么办",
    "13": "充电器发烫冒烟",
    "14": "导游强迫购物还辱骂游客",
    "15": "酒店被临时取消无人通知",
}


@pytest.fixture
def config() -> MonitorConfig:
    return load_config(DEMO_CONFIG, environ={})


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    engine = make_engine(db_url)
    ensure_schema(engine, auto_migrate=True)
    with session_factory(engine)() as opened:
        yield opened
    engine.dispose()


def _alert(
    session: Session, config: MonitorConfig, tid: str, group: int, severity: Severity, at: datetime
) -> int:
    source = repo.ensure_source(session, config.sources[0])
    board = repo.ensure_board(session, source, "2", "投诉维权")
    summary = ThreadSummary(
        thread_id=tid,
        title=TITLES[tid],
        author="a",
        author_id="1",
        replies=int(tid),
        views=1,
        sticky=False,
        url=f"http://forum.test/thread-{tid}-1-1.html",
    )
    thread, _ = repo.upsert_thread(session, source, board, summary, at)
    assessment = Assessment(
        escalating=True,
        severity=severity,
        figures=["x"],
        signals=[],
        negative_share=0.8,
        replies_per_hour=9.0,
    )
    change = consider(session, config, thread, config.watch_groups[group], assessment, at)
    assert change is not None
    return change.alert_id


def test_views_order_and_counts(session: Session, config: MonitorConfig) -> None:
    general = _alert(session, config, "11", 0, Severity.GENERAL, T0)  # li_na's (途乐旅行), 24 h to contact
    urgent_late = _alert(session, config, "12", 1, Severity.URGENT, T0)  # wang_qiang's, 8 h
    urgent_soon = _alert(session, config, "13", 1, Severity.URGENT, T0 + timedelta(hours=3))
    very = _alert(session, config, "14", 0, Severity.VERY_URGENT, T0 + timedelta(hours=1))
    done = _alert(session, config, "15", 0, Severity.VERY_URGENT, T0)
    now = T0 + timedelta(hours=9)
    lifecycle.acknowledge(session, lifecycle.get_alert(session, urgent_soon), "wang_qiang", now)
    lifecycle.contacted(session, lifecycle.get_alert(session, very), "li_na", now)
    lifecycle.resolve(session, lifecycle.get_alert(session, done), "li_na", now, "refunded")
    session.commit()

    rows, total = list_alerts(session, "active")
    # most severe first, then the nearest first-contact deadline
    assert [r.id for r in rows] == [very, urgent_late, urgent_soon, general] and total == 4
    assert [r.id for r in list_alerts(session, "open")[0]] == [urgent_late, general]
    # contacting the complainant acknowledges too
    assert [r.id for r in list_alerts(session, "acknowledged")[0]] == [very, urgent_soon]
    assert [r.id for r in list_alerts(session, "resolved")[0]] == [done]
    assert {r.id for r in list_alerts(session, "all")[0]} == {general, urgent_late, urgent_soon, very, done}
    li_na = [r.id for r in list_alerts(session, "active", mine="li_na")[0]]
    assert li_na == [very, urgent_late, urgent_soon, general]  # owner of 途乐旅行's, backup of wang_qiang's
    assert [r.id for r in list_alerts(session, "active", mine="wang_qiang")[0]] == [
        very,
        urgent_late,
        urgent_soon,
        general,
    ]  # and the other way round
    assert [r.id for r in list_alerts(session, "active", mine="zhao_min")[0]] == []
    rows, total = list_alerts(session, "all", limit=2)
    assert len(rows) == 2 and total == 5
    pages = [[r.id for r in list_alerts(session, "all", limit=2, offset=at)[0]] for at in (0, 2, 4)]
    assert [i for page in pages for i in page] == [
        r.id for r in list_alerts(session, "all")[0]
    ]  # all, in order
    assert [len(page) for page in pages] == [2, 2, 1]

    first = next(r for r in list_alerts(session, "active")[0] if r.id == urgent_late)
    assert first.contact_overdue(now) and first.steps > 0 and first.steps_done == 0
    assert first.title == "屏幕出现亮线怎么办" and first.board == "投诉维权" and first.replies == 12
    counts = alert_counts(session, now)
    assert counts.active_by_severity == {"very_urgent": 1, "urgent": 2, "general": 1}
    assert counts.unacknowledged == 2  # general and urgent_late
    assert counts.contact_overdue == 1  # urgent_late (due T0+8h); urgent_soon is due at T0+3h+8h
    with pytest.raises(ValueError, match="unknown view"):
        list_alerts(session, "everything")


def test_the_page_of_older_alerts_is_linked_not_cut_off(
    session: Session, config: MonitorConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """500 alerts had shown the newest 200, "200 of 500", the rest only by typing /alerts/N."""
    from monitor.web import dashboard_pages
    from monitor.web.dashboard_pages import AlertsView, Nav, alerts_page

    for n, tid in enumerate(("11", "12", "13", "14", "15")):
        _alert(session, config, tid, 0, Severity.GENERAL, T0 + timedelta(hours=n))
    session.commit()
    monkeypatch.setattr(dashboard_pages, "LIMIT", 2)
    counts = alert_counts(session, T0)

    def page(number: int) -> str:
        rows, total = list_alerts(session, "all", limit=2, offset=(number - 1) * 2)
        shown = AlertsView(rows, total, counts, "all", False, {}, "Asia/Shanghai", T0, number)
        return alerts_page(Nav("李娜", "csrf", "alerts"), shown)

    first, middle, last = page(1), page(2), page(3)
    assert "Showing 1–2 of 5." in first and 'href="/alerts?view=all&page=2">下一页 Next' in first
    assert "上一页" not in first
    assert "Showing 3–4 of 5." in middle and "page=1" in middle and "page=3" in middle
    assert "Showing 5–5 of 5." in last and "下一页" not in last
    past = page(4)
    assert "这里没有告警 No alerts here." in past
    assert '共 5 条 5 in all. <a href="/alerts?view=all">第一页 First page</a>' in past
