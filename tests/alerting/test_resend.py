"""``monitor alerts resend``: once ops fix the channel, the messages given up go again — to the fixed
robot (a new URL is a new target), the trail saying who re-queued them; ``--dry-run`` changes
nothing; an alert resolved long ago is left unless forced.

Real parts (given_up_setup.py): aiosmtpd, a loopback DingTalk robot whose signing secret the
configuration first gets wrong (310000 ``sign not match``), the real outbox, the real command line.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from chat_receivers import DINGTALK_SECRET, DINGTALK_TOKEN, DingTalkReceiver
from given_up_setup import Mail, alert_row, deliveries, open_alert, smtp_server, start, trail, write_config

from monitor.alerting import lifecycle
from monitor.alerting.resend import resend
from monitor.cli import main

NOW = datetime.now(UTC)  # DingTalk refuses a signature more than an hour off its clock
WRONG_SECRET = "SEC" + "0" * 64


@pytest.fixture
def mail() -> Iterator[Mail]:
    yield from smtp_server()


def _url(robot: DingTalkReceiver, secret: str) -> str:
    return f"dingtalk://{DINGTALK_TOKEN}@{secret}?endpoint={robot.url}/robot/send"


def test_resend_after_the_robot_is_fixed_sends_the_message_to_it(
    tmp_path: Path, mail: Mail, capsys: pytest.CaptureFixture[str]
) -> None:
    with DingTalkReceiver() as robot:
        app = start(tmp_path, [_url(robot, WRONG_SECRET)], mail.port)
        try:
            alert = open_alert(app, "26", NOW)
            app.deliver(NOW)
        finally:
            app.close()
        [lost] = deliveries(app, channel="dingtalk")
        assert (lost.status, robot.messages) == ("failed", [])

        config_dir = write_config(tmp_path, [_url(robot, DINGTALK_SECRET)], mail.port)  # ops fix the secret
        args = ["alerts", "resend", str(alert), "--by", "ops_zhou", "--config", str(config_dir)]
        assert main([*args, "--dry-run"]) == 0
        dry = capsys.readouterr().out
        assert deliveries(app, channel="dingtalk")[0].status == "failed"  # a dry run changes nothing
        assert main(args) == 0
        said = capsys.readouterr().out

        app = start(tmp_path, [_url(robot, DINGTALK_SECRET)], mail.port)
        try:
            report = app.deliver(NOW + timedelta(minutes=5))
            [again] = deliveries(app, channel="dingtalk")
            requeued = trail(app, "requeued")
        finally:
            app.close()
    assert dry.splitlines()[0] == "would send again: 1 message"
    assert f"#{alert:<4} 钉钉 DingTalk → li_na: given up" in dry and "after 1 try" in dry
    assert said.splitlines()[0].startswith("re-queued: 1 message")
    assert requeued == ["re-queued by ops_zhou: dingtalk to li_na"]
    assert report.sent == 1 and len(robot.messages) == 1
    assert (again.id, again.status, again.attempts) == (lost.id, "sent", 1)
    assert again.target != lost.target  # the fixed URL is another target: the message went to it
    assert main(args) == 0  # nothing is left to send
    assert capsys.readouterr().out.startswith("nothing to send again")


def test_all_failed_since_and_alerts_resolved_long_ago(tmp_path: Path, mail: Mail) -> None:
    mail.refused.add("li.na@pr.demo.invalid")
    with DingTalkReceiver() as robot:
        app = start(tmp_path, [_url(robot, WRONG_SECRET)], mail.port)
        try:
            old = open_alert(app, "26", NOW - timedelta(days=3))
            app.deliver(NOW - timedelta(days=3))
            new = open_alert(app, "27", NOW)
            app.deliver(NOW)
            with app.sessions.begin() as session:
                lifecycle.resolve(
                    session, lifecycle.get_alert(session, old), "li_na", NOW - timedelta(days=2), "已退款"
                )
            with app.sessions.begin() as session:
                recent = resend(
                    session, app.config, NOW, actor="ops", since=NOW - timedelta(hours=1), dry_run=True
                )
                every = resend(session, app.config, NOW, actor="ops")
            left = [d for d in deliveries(app) if d.status == "failed" and d.kind != "undelivered"]
            with app.sessions.begin() as session:
                forced = resend(session, app.config, NOW, actor="ops", force=True)
            status = alert_row(app, old).status
        finally:
            app.close()
    assert {r.alert_id for r in recent.requeued} == {new}  # given up in the last hour only
    assert sorted(r.channel for r in every.requeued) == ["dingtalk", "email"]
    assert [alert_id for alert_id, _ in every.left] == [old] and "--force" in every.left[0][1]
    assert {d.alert_id for d in left} == {old}
    assert {r.alert_id for r in forced.requeued} == {old} and status == "resolved"
