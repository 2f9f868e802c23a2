"""A copy for information (a route's ``also``: leadership's copy, say) says what it is and what its
one link does — it opens the alert to read — in the email text, the HTML and every chat dialect;
the owner's message still asks them to act. Messages built with chat_receivers.sample_alert; the
compose test uses the demo configuration (monitor/demo/config/) and a SQLite file.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from chat_receivers import OPENED, sample_alert

from monitor.alerting.channels.markdown import DINGTALK, FEISHU, SLACK, WECOM, chat_lines, render_chat
from monitor.alerting.compose import compose
from monitor.alerting.message import ActionLink, AlertMessage
from monitor.alerting.render import render_html, render_text
from monitor.alerting.service import consider
from monitor.config.loader import load_config
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.sources.base import ThreadSummary
from monitor.store import repo
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.models import Alert, Delivery

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config"

EXPIRES = OPENED + timedelta(hours=72)
ACK = ActionLink("ack", "确认 Acknowledge", "https://m.example.com/l/ack.sig", EXPIRES)
CONTACTED = ActionLink("contacted", "已联系投诉人 Mark contacted", "https://m.example.com/l/con.sig", EXPIRES)
VIEW = ActionLink("view", "打开告警 Open the alert", "https://m.example.com/l/view.sig", EXPIRES)
COPY_NOTICE = "抄送 For your information: 张敏 owns this alert and speaks for the company."


def copy_message() -> AlertMessage:
    return sample_alert(
        actions=(VIEW,),
        actions_for="赵敏",
        for_information=True,
        notice_tag="抄送 FYI",
        notice=COPY_NOTICE,
    )


def test_the_copys_email_says_it_is_for_information_and_that_its_link_opens_the_alert() -> None:
    text = render_text(copy_message())
    assert "Act on it" not in text and "one button to confirm" not in text
    assert (
        "仅供参考：抄送给 赵敏。链接只打开告警供阅读，有效期至 2026-11-26 17:07 (Asia/Shanghai)；"
        "页面上没有操作按钮（由 张敏 处理）。 "
        "For information — a copy for 赵敏: the link opens the alert to read, valid until "
        "2026-11-26 17:07 (Asia/Shanghai); its page has no button to act (张敏 acts on it):\n"
        "  打开告警 Open the alert: https://m.example.com/l/view.sig\n"
    ) in text
    html = render_html(copy_message())
    assert "Act on it" not in html and "one button to confirm" not in html
    assert "For information — a copy for 赵敏: the link opens the alert to read" in html


def backup_copy_message(*actions: ActionLink) -> AlertMessage:
    """The copy a route's ``also`` sends to the owner's backup (李强): their page lets them act."""
    return replace(copy_message(), actions=actions, actions_for="李强", as_backup=True)


def test_the_backups_copy_says_they_can_act_on_it_as_the_backup_and_carries_their_links() -> None:
    text = render_text(backup_copy_message(ACK, CONTACTED, VIEW))
    assert "no button to act" not in text
    assert (
        "For information — a copy for 李强; as 张敏's backup you can act on it on its page: links in the "
        "name of 李强, valid until 2026-11-26 17:07 (Asia/Shanghai); each opens a page with one button "
        "to confirm:\n"
        "  确认 Acknowledge: https://m.example.com/l/ack.sig\n"
        "  已联系投诉人 Mark contacted: https://m.example.com/l/con.sig\n"
        "  打开告警 Open the alert: https://m.example.com/l/view.sig\n"
    ) in text
    html = render_html(backup_copy_message(ACK, CONTACTED, VIEW))
    assert "no button to act" not in html
    assert "as 张敏&#x27;s backup you can act on it on its page" in html
    done = render_text(backup_copy_message(VIEW))  # acknowledged and contacted: the page is left
    assert (
        "For information — a copy for 李强; as 张敏's backup you can act on it on its page: the link "
        "opens it, in the name of 李强, valid until 2026-11-26 17:07 (Asia/Shanghai):\n"
    ) in done


@pytest.mark.parametrize("dialect", [WECOM, DINGTALK, FEISHU, SLACK], ids=lambda d: d.name)
def test_the_backups_copy_in_chat_says_they_can_act_on_it(dialect) -> None:
    lines = chat_lines(backup_copy_message(ACK, CONTACTED, VIEW), dialect)
    link = next(line for line in lines if "m.example.com/l/ack.sig" in line)
    assert link.endswith(
        " — 抄送；作为 张敏 的备岗，你可以处理此告警 "
        "a copy for information; as 张敏's backup you can act on it"
    )
    assert not any("no button to act" in line for line in lines)


def test_the_owners_email_still_asks_them_to_act() -> None:
    owner = sample_alert(actions=(ACK, CONTACTED, VIEW), actions_for="张敏")
    for body in (render_text(owner), render_html(owner)):
        assert "Act on it — links in the name of 张敏, valid until 2026-11-26 17:07 (Asia/Shanghai)" in body
        assert "each opens a page with one button to confirm" in body
    done = replace(owner, actions=(VIEW,))  # acknowledged and contacted: only the alert's page is left
    text = render_text(done)
    assert "Open the alert — a link in the name of 张敏, valid until 2026-11-26 17:07" in text
    assert "one button to confirm" not in text


@pytest.mark.parametrize("dialect", [WECOM, DINGTALK, FEISHU, SLACK], ids=lambda d: d.name)
def test_the_copys_chat_message_says_why_it_comes_and_that_its_link_only_opens_the_alert(dialect) -> None:
    lines = chat_lines(copy_message(), dialect)
    assert lines[1] == COPY_NOTICE  # right under the severity: why this message comes
    link = next(line for line in lines if "m.example.com/l/view.sig" in line)
    assert link.endswith(
        " — 抄送，仅供阅读：链接只打开告警，没有操作按钮 "
        "a copy for information: it opens the alert to read, with no button to act"
    )
    assert COPY_NOTICE in render_chat(copy_message(), dialect)
    owner = chat_lines(sample_alert(actions=(ACK, VIEW), actions_for="张敏"), dialect)
    assert not any("copy for information" in line for line in owner)


def test_compose_marks_a_copy_delivery_for_information(tmp_path: Path) -> None:
    config = load_config(DEMO_CONFIG, environ={})
    engine = make_engine(f"sqlite:///{tmp_path / 'monitor.db'}")
    ensure_schema(engine, auto_migrate=True)
    with session_factory(engine)() as session:
        source = repo.ensure_source(session, config.sources[0])
        board = repo.ensure_board(session, source, "2", "投诉维权")
        summary = ThreadSummary(
            thread_id="26",
            title="途乐旅行不退款",
            author="a",
            author_id="1",
            replies=0,
            views=1,
            sticky=False,
            url="http://x/26",
        )
        thread, _ = repo.upsert_thread(session, source, board, summary, OPENED)
        found = Assessment(
            escalating=True,
            severity=Severity.URGENT,
            figures=["9 replies in the last 60 min"],
            signals=[],
            negative_share=0.8,
            replies_per_hour=9.0,
        )
        change = consider(session, config, thread, config.watch_groups[0], found, OPENED)
        assert change is not None
        alert = session.get(Alert, change.alert_id)
        assert alert is not None

        def delivery(kind: str) -> Delivery:
            return Delivery(
                alert_id=alert.id,
                channel="email",
                target="x@test.invalid",
                kind=kind,
                recipient="zhao_min",
                severity=alert.severity,
                created_at=OPENED,
            )

        copy = compose(session, config, alert, delivery("copy"))
        assert copy.for_information and not copy.as_backup and copy.terminal_for == ""
        assert alert.backup == "wang_qiang"
        backups = delivery("copy")
        backups.recipient = "wang_qiang"  # the owner's backup: told how to act, from a terminal here
        backup_copy = compose(session, config, alert, backups)
        assert backup_copy.for_information and backup_copy.as_backup
        assert backup_copy.terminal_for == "wang_qiang"
        assert not compose(session, config, alert, delivery("to_leadership")).for_information
        assert not compose(session, config, alert).for_information
    engine.dispose()
