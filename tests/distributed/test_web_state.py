"""Two `monitor web` processes behind one address share spent sign-in links and the email throttle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis import Redis

from monitor.config.loader import MonitorConfig, load_config
from monitor.errors import MonitorError
from monitor.web.session import SessionKeys, SpentNonces, session_keys
from monitor.web.signin import make_gate

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config"
NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


def _config(broker_url: str, namespace: str) -> MonitorConfig:
    return load_config(
        DEMO_CONFIG,
        environ={"MONITOR_WEB_SECRET": "k" * 40},
        overrides={
            "web": {"base_url": "http://monitor.test"},
            "distributed": {"broker_url": broker_url, "namespace": namespace},
        },
    )


def _keys(config: MonitorConfig) -> SessionKeys:
    keys = session_keys(config)
    assert keys is not None
    return keys


def test_a_sign_in_link_used_on_one_web_process_is_spent_on_the_other(redis_url: str, namespace: str) -> None:
    config = _config(redis_url, namespace)
    keys = _keys(config)
    first, second = (make_gate(config, keys, lambda: NOW) for _ in range(2))
    assert not isinstance(first.spent, SpentNonces)  # the shared store, not the process's own
    link = keys.read_signin(keys.signin_url("li_na", NOW).rsplit("/", 1)[1], NOW)
    assert first.spent.spend(link, NOW)
    assert not second.spent.spend(link, NOW + timedelta(seconds=5))
    ttl = Redis.from_url(redis_url).pttl(f"{namespace}:signin:nonce:{link.nonce}")
    assert 14 * 60_000 < ttl <= 15 * 60_000  # kept as long as the link would have lasted

    assert first.throttle.allow("li_na", NOW)
    assert not second.throttle.allow("li_na", NOW)  # one sign-in email a minute, across processes
    assert second.throttle.allow("wang_qiang", NOW)


def test_without_a_broker_each_process_keeps_its_own(tmp_path: Path) -> None:
    config = load_config(
        DEMO_CONFIG,
        environ={"MONITOR_WEB_SECRET": "k" * 40},
        overrides={"web": {"base_url": "http://monitor.test"}},
    )
    assert isinstance(make_gate(config, _keys(config), lambda: NOW).spent, SpentNonces)


def test_a_redis_that_does_not_answer_stops_the_web_at_start_without_showing_its_password() -> None:
    config = _config("redis://:s3cret@127.0.0.1:9/0", "x")
    shown = r"Redis at redis://:\*\*\*\*@127\.0\.0\.1:9/0 does not answer"
    with pytest.raises(MonitorError, match=shown) as caught:
        make_gate(config, _keys(config), lambda: NOW)
    assert "s3cret" not in str(caught.value)
