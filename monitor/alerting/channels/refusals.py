"""What a chat service's refusal means, whether a retry can help, and what a person should fix.

Each service documents its own error codes; the tables here hold the ones a group robot can answer
to a message we send, with the service's meaning and the fix, so a failed delivery reads
``钉钉拒绝：签名不匹配 310000 sign not match — check the signing secret (SEC…) in the dingtalk:// URL``.

Three kinds of refusal:

- **permanent** — the same request can never succeed (a wrong key or secret, a removed robot, an
  IP allow-list or keyword rule in the robot's security settings, an archived channel): the outbox
  stops after this attempt and a person fixes the configuration;
- **too long** — the service refused the content itself (WeCom 40058, Feishu 9499, Slack
  ``invalid_blocks``): the channel tries once more, at once, with a shorter message, and gives up
  for good if that is refused too — the same bytes are never sent again;
- **retry after** — the service is rate limiting (WeCom 45009, DingTalk 130101, Feishu 11232,
  Slack ``rate_limited``): not permanent; the outbox waits as long as the service documents.

Sources: WeCom's global error codes and group-robot guide (developer.work.weixin.qq.com, 20
messages a minute a robot), DingTalk's custom robot security settings (keywords, 加签, IP range;
20 messages a minute, then 10 minutes of throttling), Feishu's custom bot guide (19021, 19022,
19024, 9499 with the 20 KB body limit, 11232), Slack's incoming-webhook errors (changelog
2016-05-17: invalid_payload, user_not_found, action_prohibited, channel_not_found,
channel_is_archived, rollup_error; invalid_token, no_service, no_team). A code not in a table is
retried (at most the outbox's attempts), its answer shown as the service gave it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Meaning:
    """One documented refusal: Chinese meaning, English meaning, and what a person should do."""

    zh: str
    en: str
    fix: str = ""
    permanent: bool = True
    retry_after: float | None = None  # seconds the service's documentation says to wait
    too_long: bool = False  # the content was refused: a shorter message may pass


RETRY = "稍后重试 retrying later"

WECOM: dict[int, Meaning] = {
    93000: Meaning(
        "webhook 地址无效",
        "invalid webhook url",
        "the key is wrong or the robot was removed: check the wecom:// key",
    ),
    40008: Meaning("消息类型不合法", "invalid message type", "the robot refused markdown"),
    40035: Meaning("参数不合法", "invalid parameter", "the robot refused the message"),
    40058: Meaning("内容不合法或超长", "invalid parameter, content too long", "", too_long=True),
    45009: Meaning(
        "发送太频繁",
        "api freq out of limit",
        "at most 20 messages a minute a robot",
        permanent=False,
        retry_after=60.0,
    ),
    -1: Meaning("系统繁忙", "system busy", RETRY, permanent=False),
}

DINGTALK: dict[int, Meaning] = {
    300001: Meaning(
        "机器人不存在", "token is not exist", "the access token is wrong or the robot was removed"
    ),
    310000: Meaning(
        "安全设置校验失败",
        "security check failed",
        "check the robot's security settings (加签, keywords, IP)",
    ),
    130101: Meaning(
        "发送太频繁",
        "send too fast",
        "at most 20 messages a minute; DingTalk then throttles for 10 minutes",
        permanent=False,
        retry_after=600.0,
    ),
    -1: Meaning("系统繁忙", "system busy", RETRY, permanent=False),
}

# DingTalk answers one code, 310000, for each security rule; its message says which (its words).
DINGTALK_310000: tuple[tuple[str, Meaning], ...] = (
    (
        "sign not match",
        Meaning("签名不匹配", "sign not match", "check the signing secret (SEC…) in the dingtalk:// URL"),
    ),
    (
        "keywords not in content",
        Meaning(
            "消息不含自定义关键词",
            "keywords not in content",
            "a keyword rule refused it: use 加签 instead, or add a keyword all alerts carry (告警)",
        ),
    ),
    (
        "whitelist",
        Meaning(
            "IP 不在白名单", "ip not in whitelist", "add this server's public IP to the robot's IP range"
        ),
    ),
    (
        "timestamp",
        Meaning(
            "时间戳无效",
            "invalid timestamp",
            "this server's clock is over an hour off: check NTP; signed afresh next try",
            permanent=False,
        ),
    ),
)

FEISHU: dict[int, Meaning] = {
    19001: Meaning("webhook 无效", "incoming webhook access token invalid", "check the hook id in the URL"),
    19021: Meaning(
        "签名校验失败",
        "sign match fail or timestamp not within one hour",
        "check the signing secret in the URL, and this server's clock (NTP)",
    ),
    19022: Meaning(
        "IP 不在白名单", "ip not allowed", "add this server's public IP to the bot's IP allow-list"
    ),
    19024: Meaning(
        "消息不含自定义关键词",
        "key words not found",
        "a keyword rule refused it: use 签名校验 instead, or add a keyword all alerts carry (告警)",
    ),
    9499: Meaning("请求格式错误或超过 20 KB", "bad request", "", too_long=True),
    11232: Meaning(
        "发送太频繁",
        "frequency limited",
        "at most 100 messages a minute, 5 a second",
        permanent=False,
        retry_after=60.0,
    ),
}

SLACK: dict[str, Meaning] = {
    "invalid_token": Meaning("webhook 令牌无效", "invalid_token", "the webhook was revoked: make a new one"),
    "no_service": Meaning("webhook 不存在或已停用", "no_service", "the webhook was removed: make a new one"),
    "no_team": Meaning("工作区不存在", "no_team", "the workspace is gone: check the slack:// URL"),
    "team_disabled": Meaning("工作区已停用", "team_disabled", "the workspace is disabled"),
    "channel_not_found": Meaning("频道不存在", "channel_not_found", "the webhook's channel was deleted"),
    "channel_is_archived": Meaning("频道已归档", "channel_is_archived", "unarchive it or make a new webhook"),
    "action_prohibited": Meaning(
        "工作区禁止此 webhook 发言", "action_prohibited", "an admin restricts posting there"
    ),
    "posting_to_general_channel_denied": Meaning(
        "不允许向 #general 发言", "posting_to_general_channel_denied", "only admins may post there"
    ),
    "user_not_found": Meaning("用户不存在", "user_not_found", "check the webhook"),
    "invalid_payload": Meaning("请求体无法解析", "invalid_payload", "", too_long=True),
    "invalid_blocks": Meaning("消息块不合法或超长", "invalid_blocks", "", too_long=True),
    "invalid_blocks_format": Meaning("消息块格式不合法", "invalid_blocks_format", "", too_long=True),
    "no_text": Meaning("消息为空", "no_text", "the message had no text"),
    "rate_limited": Meaning("发送太频繁", "rate_limited", RETRY, permanent=False, retry_after=60.0),
}

SERVICE_ZH = {"WeCom": "企业微信", "DingTalk": "钉钉", "Feishu": "飞书", "Slack": "Slack"}


def dingtalk_meaning(code: int, message: str) -> Meaning | None:
    """DingTalk's meaning of ``code``; for 310000, the rule its message names."""
    if code == 310000:
        lowered = message.lower()
        for words, meaning in DINGTALK_310000:
            if words in lowered:
                return meaning
    return DINGTALK.get(code)


def reason(service: str, meaning: Meaning, code: int | str, said: str) -> str:
    """``钉钉拒绝：签名不匹配 310000 sign not match — check …``: what the service said, in words a
    person reads first in Chinese, the code, the service's own words, and the fix."""
    if meaning.permanent or meaning.too_long:
        verb = "拒绝"
    else:
        verb = "限流" if meaning.retry_after is not None else "暂未接收"
    where = f"{SERVICE_ZH.get(service, service)}{verb}"
    code_text = f"{code} " if isinstance(code, int) else ""
    words = said or meaning.en
    fix = f" — {meaning.fix}" if meaning.fix else ""
    if not meaning.permanent and not meaning.too_long and meaning.retry_after is not None:
        fix += f" (retry after {meaning.retry_after:g} s)"
    return f"{where}：{meaning.zh} {code_text}{words}{fix}"
