"""End to end: `monitor demo` over loopback — demo forum, real pipeline, real SMTP server (aiosmtpd).

Fixture: the packaged scenario (monitor/demo/scenario.yaml) played in accelerated time.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
from datetime import UTC
from email import policy
from email.parser import BytesParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from monitor.cli import main
from monitor.demo.runner import run_demo
from monitor.demo.scenario import load_scenario
from monitor.store.db import make_engine, session_factory
from monitor.store.models import (
    Alert,
    AlertEvent,
    AlertThread,
    Delivery,
    Evidence,
    Snapshot,
    Thread,
    WatchMatch,
)

DEMO_CONFIG = Path(__file__).resolve().parents[1] / "monitor" / "demo" / "config"
STORY_TITLE = "途乐旅行收了我2万8团费，行程取消后三个月不退款！"


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    output = tmp_path_factory.mktemp("demo")
    stream = io.StringIO()
    code = run_demo(output, stream=stream)
    return output, stream.getvalue(), code


def test_demo_alerts_on_the_escalating_story_only(demo_run: tuple[Path, str, int]) -> None:
    output, printed, code = demo_run
    assert code == 0, printed
    engine = make_engine(f"sqlite:///{output / 'monitor.db'}")
    with session_factory(engine)() as session:
        alerts = list(session.scalars(select(Alert)))
        assert len(alerts) == 1
        alert = alerts[0]
        assert alert.thread.title == STORY_TITLE
        assert alert.severity == "very_urgent"
        assert alert.spokesperson == "li_na" and alert.backup == "wang_qiang"
        assert [e.kind for e in alert.events if e.kind != "delivered"] == [
            "opened",  # +1:45, urgent
            "escalated",  # +2:30, very urgent (forecast twice the board's top, 8 me-too authors)
            "to_backup",  # +2:30: unacknowledged for 45 min, past the very-urgent 30 min
            "to_leadership",
            "signal",  # a lawyer at floor 21: news to li_na (the tier cannot rise to say it)
            "signal",  # the 江城晚报 journalist at floor 28
            "spread",
            "band",
            "reminder",  # +5:30: very urgent since +2:30, the 4 h first-contact deadline is near
            "progress",
        ]
        assert alert.events[0].detail.startswith("urgent")
        assert alert.also_on == ["旅游天地"]
        # the complaint board's history reads negative too: the figure says so
        assert any(
            re.search(r"read negative \(alert at 50%; this board's threads usually \d+%\)$", f)
            for f in alert.figures
        ), alert.figures
        titles = [item.title for item in alert.checklist]
        assert any("统一口径" in t for t in titles) and any("道歉不等于承担责任" in t for t in titles)
        assert any("4小时" in t for t in titles)  # the very-urgent first-contact step
        assert all(item.due_at is not None and item.due_at >= alert.opened_at for item in alert.checklist)
        in_story = set(session.scalars(select(Thread.external_id).join(AlertThread)))
        evidence = list(session.scalars(select(Evidence).where(Evidence.alert_id == alert.id)))
        assert {e.reason for e in evidence} >= {"opened", "escalated", "band"}
        assert all(
            hashlib.sha256(e.body).hexdigest() == e.sha256 and b"postmessage_" in e.body for e in evidence
        )
        assert all("tid=26" in e.url for e in evidence)  # the story thread's own pages, as fetched
        deliveries = list(session.scalars(select(Delivery)))
        assert {(d.channel, d.status) for d in deliveries} == {("console", "sent"), ("email", "sent")}
    engine.dispose()
    scenario = load_scenario()
    for thread in scenario.threads:
        assert (str(thread.tid) in in_story) == (thread.expect == "alert"), thread.subject
    assert "Demo went as scripted" in printed
    assert printed.count("[紧迫 urgent] 途乐旅行") == 1  # subject line of the first notification
    assert printed.count("[升级 escalated → 非常紧迫 very urgent] 途乐旅行") == 1


def test_demo_email_arrives_with_encoded_chinese_subject_and_body(demo_run: tuple[Path, str, int]) -> None:
    output, printed, _ = demo_run
    files = sorted((output / "mail").glob("*.eml"))
    # opened (urgent); escalated (very urgent); nobody acknowledged -> backup; still nobody -> leadership;
    # a lawyer joins, then a journalist (news to li_na); passed 50 replies; first-contact reminder;
    # progress prompt; then the weekly digest
    assert len(files) == 10
    assert str(files[0]) in printed
    raw = files[0].read_bytes()
    assert raw.isascii(), "headers and bodies must be transfer-encoded"
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert message["To"] == "li.na@pr.demo.invalid"
    assert message["Subject"].startswith("[紧迫 urgent] 途乐旅行收了我2万8团费")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert "途乐旅行收了我2万8团费" in body
        assert "统一口径" in body
        assert "李娜" in body
    escalated = BytesParser(policy=policy.default).parsebytes(files[1].read_bytes())
    assert "非常紧迫 very urgent" in escalated["Subject"]
    backup = BytesParser(policy=policy.default).parsebytes(files[2].read_bytes())
    assert backup["To"] == "wang.qiang@pr.demo.invalid" and backup["Subject"].startswith(
        "[备岗提醒 for the backup"
    )
    assert "has not acknowledged alert #1" in backup.get_body(("plain",)).get_content()
    leaders = BytesParser(policy=policy.default).parsebytes(files[3].read_bytes())
    assert leaders["To"] == "zhao.min@pr.demo.invalid" and leaders["Subject"].startswith("[上报 leadership")
    journalist = BytesParser(policy=policy.default).parsebytes(files[5].read_bytes())
    assert journalist["To"] == "li.na@pr.demo.invalid" and journalist["Subject"].startswith(
        "[新信号 new signal"
    )
    said = journalist.get_body(("plain",)).get_content()
    assert (
        "新信号：帖子出现新的危机信号 New on the thread: "
        "journalist on the story (记者联系/采访) first at floor 28"
    ) in said


def test_threads_rising_lists_the_watched_threads_as_the_detector_sees_them(
    demo_run: tuple[Path, str, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output, _, _ = demo_run
    config = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, config)
    toml = config / "monitor.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("[general]", f'[general]\ndata_dir = "{output.as_posix()}"'),
        encoding="utf-8",
    )
    engine = make_engine(f"sqlite:///{output / 'monitor.db'}")
    with session_factory(engine)() as session:
        last = session.scalar(select(func.max(Snapshot.taken_at)))
        events = session.scalar(select(func.count()).select_from(AlertEvent))
        watched = {t.title for t in session.scalars(select(Thread).join(WatchMatch))}
    assert last is not None
    at = last.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert main(["threads", "rising", "--config", str(config), "--at", at, "--json", "--limit", "50"]) == 0
    rows = json.loads(capsys.readouterr().out)
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True) and len(rows) >= 3
    assert {r["title"] for r in rows} <= watched  # watched threads only
    story = rows[0]
    assert story["title"] == STORY_TITLE and story["alert_id"] == 1 and not story["spread_of_alert"]
    assert story["would_alert"] and story["score"] > 0
    assert any(f.startswith("same story also posted on the 旅游天地 board") for f in story["figures"])
    copy = next(r for r in rows if r["board"] == "旅游天地" and r["alert_id"] == 1)
    assert copy["spread_of_alert"]
    review = next(r for r in rows if r["title"].startswith("云南七日游攻略"))
    assert review["alert_id"] is None and not review["would_alert"]
    assert main(["threads", "rising", "--config", str(config), "--at", at, "--limit", "2"]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[0].startswith("Watched threads seen in the last 6 h, by escalation score")
    assert text[1].split()[1:4] == ["alert", "#1", "非常紧迫"] and STORY_TITLE in text[1]
    assert sum(1 for line in text if not line.startswith(" " * 9)) == 3  # header + 2 threads
    with session_factory(engine)() as session:  # it only read
        assert session.scalar(select(func.count()).select_from(AlertEvent)) == events
    engine.dispose()
    utc = last.astimezone(UTC).isoformat()  # the same moment with its offset
    assert main(["threads", "rising", "--config", str(config), "--at", utc, "--json", "--limit", "50"]) == 0
    assert json.loads(capsys.readouterr().out) == rows
    assert main(["threads", "rising", "--config", str(config), "--at", "soon"]) == 1
    assert "--at: not a time" in capsys.readouterr().err


def test_demo_runs_twice_in_the_same_place(demo_run: tuple[Path, str, int], tmp_path: Path) -> None:
    # in a copy of the first run's place: the other tests read the first run's output and what it
    # printed, and a second run a minute later writes a digest "until" another minute
    output = tmp_path / "demo"
    shutil.copytree(demo_run[0], output)
    stream = io.StringIO()
    assert run_demo(output, stream=stream) == 0
    assert len(list((output / "mail").glob("*.eml"))) == 10
    assert "Demo went as scripted" in stream.getvalue()


def test_demo_ends_with_the_weekly_digest_to_every_spokesperson(demo_run: tuple[Path, str, int]) -> None:
    output, printed, _ = demo_run
    [path] = (output / "mail").glob("*digest*.eml")
    digest = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert digest["To"] == "li.na@pr.demo.invalid, wang.qiang@pr.demo.invalid, zhao.min@pr.demo.invalid"
    text = digest.get_body(("plain",)).get_content()
    html = digest.get_body(("html",)).get_content()
    shown = [line for line in printed.splitlines() if "digest" in line.lower()]
    assert digest["Subject"] in printed, (digest["Subject"], shown)
    assert "=== Weekly digest (sent, to 3 people) ===" in printed, shown
    # the story thread leads the top threads, with its alert; the alert's handling is reviewed
    top = text.split("Top threads")[1]
    assert top.split("\n")[1].lstrip().startswith(f"1. {STORY_TITLE}")
    assert "告警 #1 [非常紧迫 very urgent]" in top and " · alert #1" in top  # the tier said once
    assert "#1 [非常紧迫 very urgent]" in text.split("Alerts and how they were handled")[1]
    assert "not acknowledged" in text and "未确认" in text  # nobody acknowledged during the demo
    assert "<script" not in html.lower() and STORY_TITLE in html


def test_threads_rising_at_a_past_moment_sees_that_moment(demo_run: tuple[Path, str, int]) -> None:
    """`monitor threads rising --at` an earlier time: the replies, score and alert of then, not of
    now (it counted replies read later as 'just now' and showed the alert opened later)."""
    from datetime import timedelta

    from monitor.admin.rising import rising_threads
    from monitor.config.loader import load_config
    from monitor.facts import FactsReader

    output, _, _ = demo_run
    url = f"sqlite:///{output / 'monitor.db'}"
    config = load_config(DEMO_CONFIG, environ={}, overrides={"database": {"url": url}})
    engine = make_engine(url)
    with session_factory(engine)() as session:
        alert = session.scalars(select(Alert)).one()
        story = alert.thread

        def at(moment: object) -> object:
            rows = rising_threads(config, FactsReader(config), session, moment, 24)  # type: ignore[arg-type]
            return next(row for row in rows if row.thread_id == story.id)

        opened = session.scalar(
            select(AlertEvent.detail).where(AlertEvent.alert_id == alert.id, AlertEvent.kind == "opened")
        )
        just_opened = at(alert.opened_at + timedelta(minutes=1))
        before = at(alert.opened_at - timedelta(minutes=20))
        escalated = at(alert.opened_at + timedelta(hours=1))  # before the cross-post was written
        later = at(alert.opened_at + timedelta(hours=3))
    engine.dispose()
    assert before.alert_id is None and later.alert_id == alert.id  # type: ignore[attr-defined]
    # the alert's tier then (its trail), not the 非常紧迫 it reached later
    assert opened is not None and alert.severity == "very_urgent"
    assert just_opened.alert_severity == opened.split(";")[0] != "very_urgent"  # type: ignore[attr-defined]
    assert before.replies < 10 < later.replies <= story.replies  # type: ignore[attr-defined]
    assert before.score < 0.0 < later.score  # type: ignore[attr-defined]
    assert not any("dated after now" in figure for figure in before.figures)  # type: ignore[attr-defined]
    spread = "same story also posted on the 旅游天地 board"
    assert not any(spread in figure for figure in escalated.figures)  # type: ignore[attr-defined]
    assert any(spread in figure for figure in later.figures)  # type: ignore[attr-defined]
