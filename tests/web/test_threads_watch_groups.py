"""``/threads`` and ``monitor threads rising`` with watch groups edited under a running `monitor web`.

A real `monitor web` (web_site.py) over a copy of the demo's config directory and a SQLite file;
the groups are changed with ``monitor watch add`` and by hand in that copy's watch_groups.yaml.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import timedelta
from html import escape
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session
from web_site import DEMO_CONFIG, OPENED, TITLE, Site, running_site

from monitor.cli import main
from monitor.sources.base import PostRecord, ThreadSummary
from monitor.store import repo
from monitor.store.models import Alert, Thread, WatchGroupRow, WatchMatch
from monitor.web.dashboard import RISING_REUSE_SECONDS

REFUND_TITLE = "退款三个月还没到账<b>怎么办</b>"


@pytest.fixture
def edited_site(tmp_path: Path) -> Iterator[tuple[Site, Path]]:
    directory = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, directory)
    with running_site(tmp_path / "site", directory) as site:
        yield site, directory


def _signed_in(site: Site) -> httpx.Client:
    client = httpx.Client(base_url=site.base_url)
    site.closing.append(client.close)
    assert client.post(f"{site.base_url}/signin", data={"email": "li.na@pr.demo.invalid"}).status_code == 200
    assert site.sink.wait_for(2)
    text = site.sink.messages[1].get_body(("plain",))
    assert text is not None
    link = next(word for word in text.get_content().split() if "/signin/" in word)
    assert client.post(link).status_code == 303
    return client


def _matched(session: Session, thread: Thread, group: str, term: str) -> None:
    row = session.query(WatchGroupRow).filter_by(name=group).one_or_none()
    if row is None:
        row = WatchGroupRow(name=group, category=None)
        session.add(row)
        session.flush()
    session.add(WatchMatch(watch_group_id=row.id, thread_id=thread.id, term=term, matched_at=OPENED))


def _refund_thread(session: Session, site: Site) -> Thread:
    """A thread only a 退款 group matches, read when the alert's thread was."""
    source = repo.ensure_source(session, site.config.sources[0])
    board = repo.ensure_board(session, source, "2", "投诉维权")
    summary = ThreadSummary(
        "27", REFUND_TITLE, "b", "2", 3, 40, False, "http://forum.test/thread-27-1-1.html"
    )
    thread, _ = repo.upsert_thread(session, source, board, summary, OPENED)
    post = PostRecord(post_id="2701", floor=1, author="b", author_id="2", posted_at=OPENED, text="退款不到账")
    repo.save_posts(session, thread, [post], OPENED)
    repo.record_snapshot(session, thread, repo.thread_posts(session, thread), OPENED, 0.4)
    return thread


def test_a_group_added_while_the_site_runs_shows_on_threads_beside_the_alerts_own_group(
    edited_site: tuple[Site, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The page had kept the groups `monitor web` started with (a new group's threads missing), and a
    thread in two groups was listed under the one scoring it highest: alert #1 of 途乐旅行 read 退款监控."""
    site, directory = edited_site
    with site.sessions.begin() as session:
        alert = session.get(Alert, site.alert_id)
        assert alert is not None and alert.watch_group == "途乐旅行"
        _matched(session, alert.thread, "途乐旅行", "途乐旅行")
        repo.record_snapshot(session, alert.thread, repo.thread_posts(session, alert.thread), OPENED, 0.4)
        refund = _refund_thread(session, site)
    client = _signed_in(site)
    page = client.get("/threads").text
    assert escape(TITLE) in page and escape(REFUND_TITLE) not in page and "also " not in page

    added = ["watch", "add", "退款监控", "--include", "退款", "--config", str(directory), "--by", "ops"]
    assert main(added) == 0
    with site.sessions.begin() as session:  # what the pipeline records at its next read of both threads
        alert = session.get(Alert, site.alert_id)
        assert alert is not None
        _matched(session, alert.thread, "退款监控", "退款")
        thread = session.get(Thread, refund.id)
        assert thread is not None
        _matched(session, thread, "退款监控", "退款")
    site.now += timedelta(seconds=RISING_REUSE_SECONDS)
    page = client.get("/threads").text
    assert escape(REFUND_TITLE) in page  # the new group's own thread
    # the alert's group first
    assert '<td>途乐旅行<br><span class="muted">另见 also 退款监控</span></td>' in page
    assert "cannot be read" not in page

    # `threads rising` says the same, in its compact form
    monkeypatch.setenv("MONITOR_DATA_DIR", str(site.config.settings.general.data_dir))
    at = (site.now + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")  # Asia/Shanghai
    capsys.readouterr()
    assert main(["threads", "rising", "--config", str(directory), "--at", at]) == 0
    text = capsys.readouterr().out
    assert "[途乐旅行 · also 退款监控]" in text and "[退款监控]" in text
    assert main(["threads", "rising", "--config", str(directory), "--at", at, "--json"]) == 0
    rows = {row["thread_id"]: row for row in json.loads(capsys.readouterr().out)}
    own = rows[alert.thread_id]
    assert (own["watch_group"], own["also_groups"]) == ("途乐旅行", ["退款监控"])

    # a hand edit that breaks the file: the last good groups stay, and the page says why
    file = directory / "watch_groups.yaml"
    file.write_text(file.read_text(encoding="utf-8") + "  - name: 坏\n   include: [x]\n", encoding="utf-8")
    site.now += timedelta(seconds=RISING_REUSE_SECONDS)
    page = client.get("/threads").text
    assert "watch_groups.yaml was changed and cannot be read" in page and "line 13" in page
    assert escape(REFUND_TITLE) in page and "另见 also 退款监控" in page
