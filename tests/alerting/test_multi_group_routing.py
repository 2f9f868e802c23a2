"""A thread naming several watch groups: the routing tree's order says who owns it, and the other
groups' people are told for information.

A PR-team walkthrough (two brands and the CEO's name, one route each) saw the owner follow the
order of watch_groups.yaml instead: a thread insulting the CEO and naming the travel brand went to
the travel brand's spokesperson, and the CEO route's owner was not told at all; a laptop thread
that also named the travel brand never reached the laptop brand's owner. SQLite file; time is
passed in.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from monitor.alerting.service import consider
from monitor.cli import main
from monitor.config.loader import MonitorConfig, load_config
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.sources.base import PostRecord, ThreadSummary
from monitor.store import repo
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.models import Alert, Delivery, WatchGroupRow, WatchMatch

EXAMPLE_CONFIG = Path(__file__).resolve().parents[2] / "config"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

GROUPS = """watch_groups:
  - name: 途乐旅行
    category: service
    include: ["途乐"]
  - name: 星耀笔记本
    category: product
    include: ["星耀"]
  - name: 张志远
    category: other
    include: ["张志远"]
"""

ROUTING = """spokespeople:
  - {key: li_na, name: 李娜, email: li.na@example.com, backup: chen_jie}
  - {key: wang_qiang, name: 王强, email: wang.qiang@example.com, backup: li_na}
  - {key: chen_jie, name: 陈洁, email: chen.jie@example.com, backup: li_na}
  - {key: zhao_min, name: 赵敏, email: zhao.min@example.com}
leadership: [zhao_min]
route:
  receiver: chen_jie
  routes:
    - match: {watch_groups: [张志远]}
      receiver: chen_jie
      also: [zhao_min]
    - match: {watch_groups: [途乐旅行]}
      receiver: li_na
    - match: {watch_groups: [星耀笔记本]}
      receiver: wang_qiang
"""


@pytest.fixture
def config(tmp_path: Path) -> MonitorConfig:
    directory = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG, directory)
    (directory / "watch_groups.yaml").write_text(GROUPS, encoding="utf-8")
    (directory / "routing.yaml").write_text(ROUTING, encoding="utf-8")
    (directory / "monitor.toml").write_text(
        f'[general]\ndata_dir = "{(tmp_path / "data").as_posix()}"\n[smtp]\nenabled = false\n',
        encoding="utf-8",
    )
    return load_config(directory, environ={})


def _urgent() -> Assessment:
    return Assessment(
        escalating=True, severity=Severity.URGENT, figures=["20 replies in the last 60 min"], signals=[],
        negative_share=0.9, replies_per_hour=20.0,
    )  # fmt: skip


def _alert_for(
    config: MonitorConfig, tmp_path: Path, title: str, groups: list[str]
) -> tuple[Alert, set[str]]:
    """A thread matching ``groups`` (in watch_groups.yaml's order, as the pipeline meets them) is
    considered for each; returns its alert and who got a copy."""
    engine = make_engine(f"sqlite:///{tmp_path / 'monitor.db'}")
    ensure_schema(engine, auto_migrate=True)
    with session_factory(engine).begin() as session:
        source = repo.ensure_source(session, config.sources[0])
        board = repo.ensure_board(session, source, "2", "投诉维权")
        summary = ThreadSummary(
            thread_id="7", title=title, author="a", author_id="1", replies=30, views=900, sticky=False,
            url="http://x/7",
        )  # fmt: skip
        thread, _ = repo.upsert_thread(session, source, board, summary, NOW)
        post = PostRecord(post_id="1", floor=1, author="a", author_id="1", posted_at=NOW, text=title)
        repo.save_posts(session, thread, [post], NOW)
        for name in groups:  # what the pipeline records before it considers the thread group by group
            row = WatchGroupRow(name=name, category="other")
            session.add(row)
            session.flush()
            session.add(WatchMatch(watch_group_id=row.id, thread_id=thread.id, term=name, matched_at=NOW))
        for name in groups:
            group = next(g for g in config.watch_groups if g.name == name)
            consider(session, config, thread, group, _urgent(), NOW)
        alert = session.scalars(select(Alert)).one()
        copies = set(session.scalars(select(Delivery.recipient).where(Delivery.kind == "copy")))
        session.expunge(alert)
    engine.dispose()
    return alert, copies


def test_the_earliest_route_owns_a_thread_naming_the_ceo_and_a_brand(
    config: MonitorConfig, tmp_path: Path
) -> None:
    alert, copies = _alert_for(config, tmp_path, "途乐旅行的张志远就是个骗子", ["途乐旅行", "张志远"])
    assert alert.spokesperson == "chen_jie"  # route 1, the CEO's, comes first in the tree
    assert alert.watch_group == "张志远"
    assert alert.backup == "li_na"
    assert copies == {"zhao_min", "li_na"}  # route 1's also, and the travel brand's owner


def test_two_brands_go_to_the_first_brands_route_and_the_other_brands_owner_hears(
    config: MonitorConfig, tmp_path: Path
) -> None:
    alert, copies = _alert_for(config, tmp_path, "星耀笔记本和途乐旅行都不给退款", ["途乐旅行", "星耀笔记本"])
    assert alert.spokesperson == "li_na"
    assert alert.watch_group == "途乐旅行"
    assert copies == {"wang_qiang"}


def test_route_test_takes_several_watch_groups(
    config: MonitorConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = ["--watch-group", "途乐旅行", "--watch-group", "张志远", "--severity", "urgent"]
    assert main(["route", "test", *sample, "--config", str(config.directory)]) == 0
    out = capsys.readouterr().out
    assert "alert: watch group 张志远, category other, severity urgent" in out
    assert "the thread names 途乐旅行 too; the route taken for 张志远 comes first" in out
    assert "its route's people are told as well" in out
    assert "owner: chen_jie — 陈洁 (backup: 李娜)" in out
    assert "li_na (told as well)" in out and "zhao_min (told as well)" in out


def test_an_alert_that_changes_hands_at_an_escalation_tells_both_what_was_done(
    config: MonitorConfig, tmp_path: Path
) -> None:
    """li_na had acknowledged, contacted and promised a refund; at 非常紧迫 the route gave the alert to
    chen_jie, whose email said only "Respond by …" — not that it was hers now, nor what was done. Her
    predecessor's acknowledgement is withdrawn: she is asked to acknowledge it herself."""
    from datetime import timedelta

    from monitor.alerting import lifecycle
    from monitor.store.models import AlertEvent

    routing = config.directory / "routing.yaml"
    routing.write_text(
        routing.read_text(encoding="utf-8").replace(
            "      receiver: li_na\n",
            "      receiver: li_na\n      routes:\n"
            "        - match: {min_severity: very_urgent}\n          receiver: chen_jie\n",
        ),
        encoding="utf-8",
    )
    config = load_config(config.directory, environ={})
    alert, _ = _alert_for(config, tmp_path, "途乐旅行三个月不退款", ["途乐旅行"])
    assert alert.spokesperson == "li_na"
    engine = make_engine(f"sqlite:///{tmp_path / 'monitor.db'}")
    later = NOW + timedelta(hours=1)
    with session_factory(engine).begin() as session:
        alert = session.get_one(Alert, alert.id)
        lifecycle.acknowledge(session, alert, "li_na", NOW + timedelta(minutes=2))
        lifecycle.contacted(session, alert, "li_na", NOW + timedelta(minutes=3))
        lifecycle.note(session, alert, "li_na", NOW + timedelta(minutes=4), "承诺48小时内退款到账")
        group = next(g for g in config.watch_groups if g.name == "途乐旅行")
        very_urgent = Assessment(
            escalating=True, severity=Severity.VERY_URGENT, figures=["60 replies in the last 60 min"],
            signals=[], negative_share=0.9, replies_per_hour=60.0,
        )  # fmt: skip
        change = consider(session, config, alert.thread, group, very_urgent, later)
        assert change is not None and change.kind == "escalated"
        assert alert.spokesperson == "chen_jie"
        [to_owner] = session.scalars(
            select(Delivery).where(Delivery.recipient == "chen_jie", Delivery.created_at == later)
        )
        assert to_owner.kind == "alert" and to_owner.escalated_from == "urgent"
        assert to_owner.notice.startswith(
            "转给你：升级为非常紧迫后，按路由规则此告警交由你负责（原属 李娜）；请在 "
        )
        assert "Now yours: at 非常紧迫 the routing tree gives this alert to you" in to_owner.notice
        assert "it was 李娜's" in to_owner.notice
        # hers to acknowledge now (Asia/Shanghai; the backup is told 30 min after the change of hands)
        assert (
            "李娜 had acknowledged it at 2026-11-23 20:02; now that it is yours, acknowledge it by "
            "2026-11-23 21:30, or your backup 李娜 is told;"
        ) in to_owner.notice
        assert (alert.acknowledged_at, alert.acknowledged_by, alert.status) == (None, None, "open")
        assert alert.contacted_at == NOW + timedelta(minutes=3)  # the customer's promise stands
        assert "the complainant was contacted at 2026-11-23 20:03" in to_owner.notice
        assert "Last note (李娜, 2026-11-23 20:04): 承诺48小时内退款到账" in to_owner.notice
        [to_previous] = session.scalars(
            select(Delivery).where(Delivery.recipient == "li_na", Delivery.created_at == later)
        )
        assert to_previous.kind == "copy" and "gives this alert to 陈洁" in to_previous.notice
        trail = session.scalars(select(AlertEvent.detail).where(AlertEvent.kind == "escalated")).one()
        assert trail == "urgent -> very_urgent; spokesperson li_na -> chen_jie"
    engine.dispose()


def test_a_copy_naming_only_the_brand_joins_the_alert_the_ceos_route_owns(
    config: MonitorConfig, tmp_path: Path
) -> None:
    """The alert carries the owning group (张志远); a retelling on another board that names only the
    brand must still join it as the story's spread, not open a second alert."""
    title = "途乐旅行的张志远就是个骗子，收了团费不退"
    alert, _ = _alert_for(config, tmp_path, title, ["途乐旅行", "张志远"])
    assert alert.watch_group == "张志远"
    engine = make_engine(f"sqlite:///{tmp_path / 'monitor.db'}")
    with session_factory(engine).begin() as session:
        source = repo.ensure_source(session, config.sources[0])
        board = repo.ensure_board(session, source, "5", "旅游天地")
        summary = ThreadSummary(
            thread_id="9", title="途乐旅行收了团费不退，老板就是个骗子", author="b", author_id="2", replies=3,
            views=90, sticky=False, url="http://x/9",
        )  # fmt: skip
        copy, _ = repo.upsert_thread(session, source, board, summary, NOW)
        post = PostRecord(post_id="2", floor=1, author="b", author_id="2", posted_at=NOW, text=title)
        repo.save_posts(session, copy, [post], NOW)
        row = session.scalars(select(WatchGroupRow).where(WatchGroupRow.name == "途乐旅行")).one()
        session.add(WatchMatch(watch_group_id=row.id, thread_id=copy.id, term="途乐", matched_at=NOW))
        group = next(g for g in config.watch_groups if g.name == "途乐旅行")
        change = consider(session, config, copy, group, _urgent(), NOW)
        assert change is not None and change.kind == "spread" and change.alert_id == alert.id
        assert len(session.scalars(select(Alert)).all()) == 1
    engine.dispose()


def test_a_group_no_route_takes_adds_nobody(config: MonitorConfig, tmp_path: Path) -> None:
    """The root's receiver takes what no route takes: a thread some route owns is not copied to it
    because it also names a group without a route of its own."""
    routing = config.directory / "routing.yaml"
    routing.write_text(
        routing.read_text(encoding="utf-8").replace(
            "  receiver: chen_jie\n  routes:", "  receiver: zhao_min\n  routes:"
        ),
        encoding="utf-8",
    )
    groups = config.directory / "watch_groups.yaml"
    groups.write_text(
        groups.read_text(encoding="utf-8") + '  - name: 其他\n    category: other\n    include: ["其他"]\n',
        encoding="utf-8",
    )
    config = load_config(config.directory, environ={})
    alert, copies = _alert_for(config, tmp_path, "途乐旅行其他问题", ["途乐旅行", "其他"])
    assert alert.spokesperson == "li_na"
    assert copies == set()  # not zhao_min, the root's receiver


def test_every_message_names_each_watch_group_the_thread_names(config: MonitorConfig, tmp_path: Path) -> None:
    """A copy sent to the laptop brand's owner said "Watch groups: 途乐旅行" only: not why it reached them."""
    from monitor.alerting.compose import compose

    alert, _ = _alert_for(config, tmp_path, "星耀笔记本和途乐旅行都不给退款", ["途乐旅行", "星耀笔记本"])
    engine = make_engine(f"sqlite:///{tmp_path / 'monitor.db'}")
    with session_factory(engine)() as session:
        alert = session.get_one(Alert, alert.id)
        copy = session.scalars(select(Delivery).where(Delivery.recipient == "wang_qiang")).first()
        assert copy is not None and copy.kind == "copy"
        assert compose(session, config, alert, copy, NOW).watch_groups == ["途乐旅行", "星耀笔记本"]
    engine.dispose()
