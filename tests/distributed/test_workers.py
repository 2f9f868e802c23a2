"""The jobs on workers, end to end: a leading scheduler sends them through a real Redis, two
worker processes' parts (each its own app, pipeline and Dramatiq threads) run them against one
database (a SQLite file, and PostgreSQL), a demo forum is crawled over loopback, and the alert
email reaches a real SMTP server.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from demo_forum_config import ForumSource, demo_forum_config
from sqlalchemy import func, select

from monitor.config.loader import MonitorConfig, load_config
from monitor.demo.forum import DemoForum, Forum
from monitor.demo.smtp_sink import MailSink
from monitor.distributed.broker import scheduler_sender
from monitor.distributed.scheduler import run_scheduler
from monitor.distributed.worker import start_worker
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.models import Alert, Post, Thread

START = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
NOW = START + timedelta(minutes=70)


def _forum() -> Forum:
    forum = Forum(now=NOW)
    forum.add_board(2, "投诉维权")
    forum.add_board(7, "旅游天地")
    for n in range(4):
        forum.add_thread(2, f"小区停车问题{n}", f"业主{n}", START, "物业怎么管？")
        forum.add_thread(7, f"周末去哪玩{n}", f"驴友{n}", START, "求推荐。")
    title = "途乐旅行退款三个月没到账，大家一起维权"
    watched = forum.add_thread(2, title, "维权人", START, "团费两万八，至今不退。")
    for n in range(14):
        at = START + timedelta(minutes=14 + 4 * n)
        forum.add_reply(watched.tid, f"网友{n}", at, "我也遇到了，途乐旅行一直拖着不退，准备投诉12315。")
    return forum


def _config(
    tmp_path: Path, forum_url: str, db_url: str, smtp_port: int, redis_url: str, ns: str
) -> MonitorConfig:
    directory = tmp_path / "config"
    demo_forum_config(directory, [ForumSource("bbs", "演示论坛", forum_url, [2, 7])])
    (directory / "monitor.toml").write_text(
        f'[general]\ndata_dir = "{(tmp_path / "data").as_posix()}"\n'
        f'[database]\nurl = "{db_url}"\n'
        "[fetch]\nper_host_delay_seconds = 0.0\nretries = 0\n"
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nsender = "monitor@test.invalid"\n'
        "[digest]\nenabled = false\n"
        f'[distributed]\nbroker_url = "{redis_url}"\nnamespace = "{ns}"\nleader_seconds = 3\n',
        encoding="utf-8",
    )
    return load_config(directory, environ={})


@contextmanager
def _scheduler(config: MonitorConfig) -> Iterator[list[bool]]:
    """A scheduler leading from a thread of its own; yields its changes of lead."""
    coordination, broker, send = scheduler_sender(config.settings.distributed)
    changes: list[bool] = []
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    thread = threading.Thread(
        target=loop.run_until_complete,
        args=(run_scheduler(config, coordination, send, stop, lambda leading, _: changes.append(leading)),),
        daemon=True,
    )
    thread.start()
    try:
        yield changes
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=20)
        loop.close()
        broker.close()


def _wait(condition: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_scheduled_jobs_run_on_workers_and_the_alert_is_emailed_once(
    tmp_path: Path, db_url: str, redis_url: str, namespace: str
) -> None:
    from redis import Redis

    with DemoForum(_forum()) as site, MailSink(tmp_path / "mail") as sink:
        config = _config(tmp_path, site.base_url, db_url, sink.port, redis_url, namespace)
        engine = make_engine(config.settings.database_url())
        ensure_schema(engine, auto_migrate=True)  # as `monitor db upgrade` before the workers start
        workers = [start_worker(config, threads=2, clock=lambda: NOW) for _ in range(2)]
        try:
            with _scheduler(config) as changes:
                _wait(lambda: changes == [True])
                assert sink.wait_for(1, timeout=60), "no alert email"
                sessions = session_factory(engine)

                def crawled() -> bool:
                    with sessions() as session:
                        return (session.scalar(select(func.count()).select_from(Thread)) or 0) == 9

                _wait(crawled)  # both boards were read
                time.sleep(1.0)  # anything else queued (a second delivery) would arrive now
        finally:
            for worker in workers:
                worker.stop()
        with sessions() as session:
            alerts = session.scalars(select(Alert)).all()
            assert len(alerts) == 1 and alerts[0].watch_group == "途乐旅行"
            assert session.scalar(select(func.count()).select_from(Post)) == 9 + 14
        engine.dispose()
    assert len(sink.messages) == 1  # delivered once, although two workers ran deliveries
    assert "途乐旅行退款三个月没到账" in str(sink.messages[0]["Subject"])
    client = Redis.from_url(redis_url)
    plan = client.get(f"{namespace}:plan:bbs")
    assert plan is not None and b'"hot_boards": {"2"' in plan  # the alert made its board hot, for all
    assert not list(client.scan_iter(match=f"{namespace}:queued:crawl:*"))  # every crawl was started
    assert client.get(f"{namespace}:scheduler") is None  # the scheduler let go of its lease on stopping
