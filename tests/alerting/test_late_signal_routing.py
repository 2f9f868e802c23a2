"""A journalist who turns up after an alert reached 非常紧迫 still brings the route's ``also``.

The example config (config/routing.yaml) tells zhao_min as well when the media or a lawyer is in a
very urgent 途乐旅行 alert. Routing used to be asked only when an alert opened or escalated, so a
journalist at floor 42 of an alert already very urgent on its pace alone reached nobody new, while
``monitor route test`` said zhao_min would be told. SQLite file; time is passed in.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from monitor.alerting import deliveries, lifecycle
from monitor.alerting.service import consider
from monitor.config.loader import load_config
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.sources.base import PostRecord, ThreadSummary
from monitor.store import repo
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.models import AlertEvent, Delivery

EXAMPLE_CONFIG = Path(__file__).resolve().parents[2] / "config"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _very_urgent() -> Assessment:
    return Assessment(
        escalating=True, severity=Severity.VERY_URGENT, figures=["40 replies in the last 60 min"],
        signals=[], negative_share=0.9, replies_per_hour=40.0,
    )  # fmt: skip


def test_a_journalist_after_the_escalation_brings_leaderships_copy_once(tmp_path: Path) -> None:
    config = load_config(EXAMPLE_CONFIG, environ={})
    engine = make_engine(f"sqlite:///{tmp_path / 'monitor.db'}")
    ensure_schema(engine, auto_migrate=True)
    group = next(g for g in config.watch_groups if g.name == "途乐旅行")
    with session_factory(engine).begin() as session:
        source = repo.ensure_source(session, config.sources[0])
        board = repo.ensure_board(session, source, "2", "投诉维权")
        summary = ThreadSummary(
            thread_id="26", title="途乐旅行三个月不退款", author="a", author_id="1", replies=41, views=900,
            sticky=False, url="http://x/26",
        )  # fmt: skip
        thread, _ = repo.upsert_thread(session, source, board, summary, NOW)
        repo.save_posts(
            session,
            thread,
            [
                PostRecord(
                    post_id="1", floor=1, author="a", author_id="1", posted_at=NOW, text="途乐旅行不退款"
                )
            ],
            NOW,
        )
        opened = consider(session, config, thread, group, _very_urgent(), NOW)
        assert opened is not None and opened.kind == "opened"

        def told() -> list[str]:
            return sorted(set(session.scalars(select(Delivery.recipient).where(Delivery.kind == "copy"))))

        assert told() == []  # pace alone: li_na's alert, no copy
        later = NOW + timedelta(minutes=10)
        [journalist] = repo.save_posts(
            session,
            thread,
            [
                PostRecord(
                    post_id="42", floor=42, author="j", author_id="9", posted_at=later, text="我是都市报记者"
                )
            ],
            later,
        )
        journalist.signals = [{"name": "media", "term": "记者", "start": 3, "end": 5}]
        session.flush()
        routed = consider(session, config, thread, group, _very_urgent(), later)
        assert routed is not None and routed.kind == "signal"
        assert told() == ["zhao_min"]
        events = session.scalars(select(AlertEvent.detail).where(AlertEvent.kind == "routed")).all()
        assert events == ["told as well: zhao_min"]
        copies = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.kind == "copy"))
        consider(session, config, thread, group, _very_urgent(), later + timedelta(minutes=10))
        assert (
            session.scalar(select(func.count()).select_from(Delivery).where(Delivery.kind == "copy"))
            == copies
        )
    engine.dispose()


def test_a_lawyer_joining_a_very_urgent_alert_is_news_to_the_owner_and_to_leadership_told_before(
    tmp_path: Path,
) -> None:
    """The demo's case: zhao_min heard of the alert when nobody acknowledged it; a lawyer then joins."""
    config = load_config(EXAMPLE_CONFIG, environ={})
    engine = make_engine(f"sqlite:///{tmp_path / 'monitor.db'}")
    ensure_schema(engine, auto_migrate=True)
    group = next(g for g in config.watch_groups if g.name == "途乐旅行")
    with session_factory(engine).begin() as session:
        source = repo.ensure_source(session, config.sources[0])
        board = repo.ensure_board(session, source, "2", "投诉维权")
        summary = ThreadSummary("26", "途乐旅行三个月不退款", "a", "1", 41, 900, False, "http://x/26")
        thread, _ = repo.upsert_thread(session, source, board, summary, NOW)
        opened = consider(session, config, thread, group, _very_urgent(), NOW)
        assert opened is not None
        alert = lifecycle.get_alert(session, opened.alert_id)
        deliveries.queue(
            session, config, alert, "zhao_min", NOW, kind="to_leadership", notice="unacknowledged"
        )
        later = NOW + timedelta(minutes=30)
        [lawyer] = repo.save_posts(
            session,
            thread,
            [
                PostRecord(
                    post_id="21", floor=21, author="l", author_id="8", posted_at=later, text="已委托律师起诉"
                )
            ],
            later,
        )
        lawyer.signals = [{"name": "lawyer", "term": "律师", "start": 3, "end": 5}]
        session.flush()
        with_lawyer = Assessment(
            escalating=True, severity=Severity.VERY_URGENT, figures=["40 replies in the last 60 min"],
            signals=["lawyer (律师/诉讼) first at floor 21"], negative_share=0.9, replies_per_hour=40.0,
        )  # fmt: skip
        change = consider(session, config, thread, group, with_lawyer, later)
        # a change, so the crawl that found it sends it at once (not the next outbox run, 2 min on)
        assert change is not None and change.kind == "signal"
        news = session.scalars(
            select(Delivery).where(Delivery.created_at == later, Delivery.channel == "email")
        )
        assert sorted((d.recipient, d.kind) for d in news) == [("li_na", "signal"), ("zhao_min", "copy")]
        [event] = session.scalars(select(AlertEvent.detail).where(AlertEvent.kind == "signal")).all()
        assert event == "lawyer (律师/诉讼) first at floor 21; told as well: zhao_min"
        again = consider(
            session, config, thread, group, with_lawyer, later + timedelta(minutes=10)
        )  # said once
        assert again is not None and again.kind == "updated"
        assert (
            session.scalar(select(func.count()).select_from(Delivery).where(Delivery.kind == "signal")) == 2
        )
    engine.dispose()
