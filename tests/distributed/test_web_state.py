"""Two `monitor web` processes behind one address share the sign-in email throttle through Redis.

(Spent sign-in links are shared through the database: tests/web/test_signin_store.py.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from monitor.config.loader import MonitorConfig, load_config
from monitor.errors import MonitorError
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.web.session import SessionKeys, Throttle, session_keys
from monitor.web.signin import make_gate

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config"
NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


def _config(broker_url: str, namespace: str, data_dir: Path) -> MonitorConfig:
    return load_config(
        DEMO_CONFIG,
        environ={"MONITOR_WEB_SECRET": "k" * 40},
        overrides={
            "general": {"data_dir": str(data_dir)},
            "web": {"base_url": "http://monitor.test"},
            "distributed": {"broker_url": broker_url, "namespace": namespace},
        },
    )


def _sessions(config: MonitorConfig) -> sessionmaker[Session]:
    engine = make_engine(config.settings.database_url())
    ensure_schema(engine, auto_migrate=True)
    return session_factory(engine)


def _keys(config: MonitorConfig) -> SessionKeys:
    keys = session_keys(config)
    assert keys is not None
    return keys


def test_the_sign_in_email_throttle_is_shared_by_every_web_process(
    redis_url: str, namespace: str, tmp_path: Path
) -> None:
    config = _config(redis_url, namespace, tmp_path)
    first, second = (make_gate(config, _keys(config), lambda: NOW, _sessions(config)) for _ in range(2))
    assert not isinstance(first.throttle, Throttle)  # the shared one, not the process's own
    assert first.throttle.allow("li_na", NOW)
    assert not second.throttle.allow("li_na", NOW)  # one sign-in email a minute, across processes
    assert second.throttle.allow("wang_qiang", NOW)
    ttl = Redis.from_url(redis_url).pttl(f"{namespace}:signin:throttle:li_na")
    assert 50_000 < ttl <= 60_000


def test_without_a_broker_each_process_keeps_its_own(tmp_path: Path) -> None:
    config = load_config(
        DEMO_CONFIG,
        environ={"MONITOR_WEB_SECRET": "k" * 40},
        overrides={"web": {"base_url": "http://monitor.test"}, "general": {"data_dir": str(tmp_path)}},
    )
    assert isinstance(make_gate(config, _keys(config), lambda: NOW, _sessions(config)).throttle, Throttle)


def test_a_redis_that_does_not_answer_stops_the_web_at_start_without_showing_its_password(
    tmp_path: Path,
) -> None:
    config = _config("redis://:s3cret@127.0.0.1:9/0", "x", tmp_path)
    shown = r"Redis at redis://:\*\*\*\*@127\.0\.0\.1:9/0 does not answer"
    with pytest.raises(MonitorError, match=shown) as caught:
        make_gate(config, _keys(config), lambda: NOW, _sessions(config))
    assert "s3cret" not in str(caught.value)
