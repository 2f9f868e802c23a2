"""Chat channels wired through routing and the outbox: a spokesperson's DingTalk robot (signed), with
its secret read from the environment, against the loopback receiver in chat_receivers.py."""

from __future__ import annotations

import io
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from chat_receivers import DINGTALK_SECRET, DINGTALK_TOKEN, DingTalkReceiver
from sqlalchemy import select

from monitor.alerting.service import consider
from monitor.app import build
from monitor.cli import main
from monitor.config.loader import load_config
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.sources.base import ThreadSummary
from monitor.store import repo
from monitor.store.models import Delivery

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config"
NOW = datetime.now(UTC)  # DingTalk refuses signatures more than an hour old


@pytest.fixture
def receiver():
    with DingTalkReceiver() as running:
        yield running


def _config_dir(tmp_path: Path, channel: str) -> Path:
    directory = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, directory)
    routing = directory / "routing.yaml"
    routing.write_text(
        routing.read_text(encoding="utf-8").replace(
            "    backup: wang_qiang\n", f'    backup: wang_qiang\n    channels: ["{channel}"]\n', 1
        ),
        encoding="utf-8",
    )
    (directory / "monitor.toml").write_text(
        f'[general]\ndata_dir = "{tmp_path.as_posix()}"\n[smtp]\nenabled = false\n', encoding="utf-8"
    )
    return directory


def test_alert_reaches_the_spokespersons_dingtalk_robot(tmp_path: Path, receiver: DingTalkReceiver) -> None:
    url = "dingtalk://${DT_TOKEN}@${DT_SECRET}?endpoint=" + f"{receiver.url}/robot/send"
    environ = {"DT_TOKEN": DINGTALK_TOKEN, "DT_SECRET": DINGTALK_SECRET}
    config = load_config(_config_dir(tmp_path, url), environ=environ)
    app = build(config, stream=io.StringIO())
    try:
        with app.sessions.begin() as session:
            source = repo.ensure_source(session, config.sources[0])
            board = repo.ensure_board(session, source, "2", "投诉维权")
            summary = ThreadSummary(
                "26", "途乐旅行不退款", "维权小王", "2", 9, 10, False, "http://bbs.test/t26"
            )
            thread, _ = repo.upsert_thread(session, source, board, summary, NOW)
            assessment = Assessment(True, Severity.URGENT, ["9 replies in the last 60 min"], [], 0.8, 9.0)
            consider(session, config, thread, config.watch_groups[0], assessment, NOW)
        outbox = app.deliver(NOW)
        assert (outbox.sent, outbox.pending) == (2, 0)  # console + DingTalk
        [message] = receiver.messages
        assert "途乐旅行不退款" in message["markdown"]["text"]
        with app.sessions() as session:
            chat = session.scalars(select(Delivery).where(Delivery.channel == "dingtalk")).one()
            assert chat.status == "sent" and chat.recipient == "li_na"
            assert DINGTALK_SECRET not in chat.target and DINGTALK_TOKEN not in chat.target
    finally:
        app.close()


def test_channel_without_its_secret_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = _config_dir(tmp_path, f"dingtalk://{DINGTALK_TOKEN}")
    assert main(["check-config", "--config", str(directory)]) == 2
    err = capsys.readouterr().err
    assert f"{directory / 'routing.yaml'}: spokespeople[0].channels[0]:" in err
    assert DINGTALK_TOKEN not in err
