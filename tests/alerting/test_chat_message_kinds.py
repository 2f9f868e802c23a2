"""A message that is not a new alert (the backup's call, a reminder …) as each chat service receives it,
over loopback receivers (chat_receivers.py): its kind is in the first line and in Slack's notification
text, and a `monitor …` command its notice quotes can be copied as written."""

from __future__ import annotations

import httpx
import pytest
from chat_receivers import (
    DINGTALK_SECRET,
    DINGTALK_TOKEN,
    SLACK_PATH,
    WECOM_KEY,
    DingTalkReceiver,
    SlackReceiver,
    WeComReceiver,
    sample_alert,
)

from monitor.alerting.channels.dingtalk import DingTalkChannel
from monitor.alerting.channels.registry import parse_target
from monitor.alerting.channels.slack import SlackChannel
from monitor.alerting.channels.wecom import WeComChannel

COMMAND = "monitor alerts handover 7 --to li_qiang"
BACKUP_CALL = sample_alert(
    notice_tag="备岗提醒 for the backup",
    notice=(
        "备岗提醒：张敏 未在 30 分钟内确认告警 #7。请联系对方，或亲自接手——"
        f"在告警页面或用 `{COMMAND}` 转交给自己。 "
        "You are the backup: 张敏 has not acknowledged alert #7 within 30 min. Reach them, or take it on "
        "yourself: hand it over to you (on its page, or the command above)."
    ),
)


@pytest.fixture(scope="module")
def client():
    with httpx.Client() as client:
        yield client


def _wecom(client: httpx.Client, msg) -> str:
    with WeComReceiver() as receiver:
        WeComChannel(client, base_url=f"{receiver.url}/cgi-bin/webhook/send").send(
            msg, parse_target(f"wecom://{WECOM_KEY}")
        )
        return receiver.messages[0]["markdown"]["content"]


def _dingtalk(client: httpx.Client, msg) -> str:
    with DingTalkReceiver() as receiver:
        DingTalkChannel(client, base_url=f"{receiver.url}/robot/send").send(
            msg, parse_target(f"dingtalk://{DINGTALK_TOKEN}@{DINGTALK_SECRET}")
        )
        return receiver.messages[0]["markdown"]["text"]


def _slack(client: httpx.Client, msg) -> dict:
    with SlackReceiver() as receiver:
        SlackChannel(client, base_url=f"{receiver.url}/services").send(
            msg, parse_target(f"slack://{SLACK_PATH}")
        )
        return receiver.messages[0]


def test_the_backups_call_says_what_it_is_in_the_first_line(client) -> None:
    head = "【非常紧迫 very urgent】备岗提醒 for the backup · 告警 Alert #7"
    # WeCom's first line is all a phone's notification shows: kind, tier, the title, the alert number
    assert _wecom(client, BACKUP_CALL).split("\n")[0] == (
        '<font color="warning">**【备岗提醒 for the backup · 非常紧迫 very urgent】'
        "途乐旅行收了我2万8团费，到了澳洲酒店没订上，客服电话打了…**</font> · 告警 Alert #7"
    )
    assert _dingtalk(client, BACKUP_CALL).split("\n")[0] == f"**{head}**"
    slack = _slack(client, BACKUP_CALL)
    assert slack["text"].startswith("【备岗提醒 for the backup · 非常紧迫 very urgent】 途乐旅行")
    assert slack["blocks"][0]["text"]["text"].startswith(f"*{head}*")
    # a new alert's first line has no kind: it is the alert
    assert _slack(client, sample_alert())["text"].startswith("【非常紧迫 very urgent】 途乐旅行")


def test_the_command_in_a_notice_can_be_copied_as_written(client) -> None:
    for text in (_wecom(client, BACKUP_CALL), _dingtalk(client, BACKUP_CALL)):
        assert f"`{COMMAND}`" in text  # a code span: its '_' is the key's, not a full-width twin
        assert "wang＿" not in text and "li＿qiang" not in text
    assert f"`{COMMAND}`" in _slack(client, BACKUP_CALL)["blocks"][0]["text"]["text"]


def test_forum_text_in_a_notice_is_still_escaped(client) -> None:
    hostile = sample_alert(
        notice_tag="新信号 new signal",
        notice="扩散 Spread: thread on board <@all> *[x](javascript:1)* `monitor x <at id=all>` `rm -rf _`",
    )
    text = _wecom(client, hostile)
    notice = text.split("\n")[1]
    assert "<" not in notice and "[" not in notice and "*" not in notice and "`" not in notice
    assert "＜＠all＞" in notice and "｀rm -rf ＿｀" in notice
    slack = _slack(client, hostile)["blocks"][0]["text"]["text"].split("\n")[1]
    assert "<" not in slack and "`" not in slack and "&lt;＠all&gt;" in slack
