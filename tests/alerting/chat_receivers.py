"""Loopback HTTP receivers that behave like the chat services the alert channels post to.

Each one checks a request the way its service does — DingTalk recomputes ``sign`` from the
``timestamp`` in the query, Feishu from the ``timestamp`` in the body, both refuse a timestamp more
than an hour from their own clock — and answers with the service's real success or error shape
(HTTP 200 with an error code in the body, or Slack's plain-text answers). Every request is kept in
``requests`` for the test to inspect. Used as context managers::

    with DingTalkReceiver(secret=SECRET) as receiver:
        channel = DingTalkChannel(client, base_url=receiver.url + "/robot/send")

Also here: :func:`sample_alert`, the alert the channel tests send.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from monitor.alerting.message import AlertMessage, ChecklistLine, Recipient
from monitor.detect.severity import Severity

OPENED = datetime(2026, 11, 23, 9, 7, tzinfo=UTC)
TITLE = "途乐旅行收了我2万8团费，到了澳洲酒店没订上，客服电话打了一周都没有人管"
HOSTILE_TITLE = (
    "<script>alert(1)</script> @all <!channel> <at id=all></at> [点我](javascript:alert(2)) **粗体**"
)

# Secrets shaped like the real ones (WeCom keys are UUIDs, DingTalk tokens 64 hex, secrets SEC + 64 hex).
WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DINGTALK_TOKEN = "9b781aec3378947947e0ed1cbd8ad593ee293475b4164c8d2f6067145e6da37f"
DINGTALK_SECRET = "SEC7b7b301ffd31fa80c6f0f16a4da98b60338c916ce79d054d4dd35b4bc3fa3a35"
FEISHU_HOOK = "5e3d587e-d78e-4a07-bd07-265f269f86fd"
FEISHU_SECRET = "nIMtb7r3N9pkXyXdtAbx6e"
SLACK_PATH = "T0001ABCD/B0002EFGH/XXXXxxxxXXXXxxxxXXXXxxxx"
WEBHOOK_SECRET = "whsec-5f2b9c0d7e1a4c3b"
ALL_SECRETS = (
    WECOM_KEY,
    DINGTALK_TOKEN,
    DINGTALK_SECRET,
    FEISHU_HOOK,
    FEISHU_SECRET,
    "B0002EFGH/XXXXxxxxXXXXxxxxXXXXxxxx",
    "XXXXxxxxXXXXxxxxXXXXxxxx",
    WEBHOOK_SECRET,
)
ONE_HOUR = 3600


def sample_alert(**changes: Any) -> AlertMessage:
    """A very urgent alert with five checklist steps; ``changes`` replace fields."""
    msg = AlertMessage(
        alert_id=7,
        severity=Severity.VERY_URGENT,
        thread_title=TITLE,
        thread_url="https://bbs.example.cn/forum.php?mod=viewthread&tid=8812",
        board_name="投诉维权",
        source_name="天涯论坛",
        watch_groups=["途乐旅行"],
        figures=["12 replies in the last hour (alert at 6/h)", "80% of 15 posts read negative"],
        signals=["lawyer (律师) at floor 14"],
        spokesperson=Recipient(key="zhang", name="张敏", email="zhang.min@example.com"),
        backup=Recipient(key="li", name="李强", email="li.qiang@example.com"),
        opened_at=OPENED,
        respond_by=OPENED + timedelta(hours=4),
        playbook_name="非常紧迫 very urgent：危机处理",
        checklist=[
            ChecklistLine("甄别：核实事实，判断威胁程度 (Triage)", OPENED, done=True),
            ChecklistLine("统一口径：指定发言人 (One voice)", OPENED),
            ChecklistLine("上报公司领导 (Report to leadership)", OPENED + timedelta(hours=1)),
            ChecklistLine("立即联系投诉人，最迟不超过4小时 (First contact)", OPENED + timedelta(hours=4)),
            ChecklistLine("投诉总结 (Summary)", None),
        ],
        excerpt="出发前三天才说签证材料不够，\n到了悉尼酒店说没有预订。",
        also_on=["猫扑 · 旅游"],
    )
    return replace(msg, **changes)


@dataclass
class Received:
    """One request as the receiver saw it."""

    method: str
    path: str
    raw_query: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


Answer = tuple[int, str, bytes]  # status, content type, body


def json_answer(data: dict[str, Any], status: int = 200) -> Answer:
    return status, "application/json;charset=utf-8", json.dumps(data, ensure_ascii=False).encode("utf-8")


def text_answer(text: str, status: int = 200) -> Answer:
    return status, "text/plain; charset=utf-8", text.encode("utf-8")


@dataclass
class Receiver:
    """A threaded HTTP server on 127.0.0.1 (a free port) that records requests and answers them."""

    now: Callable[[], float] = time.time  # the service's own clock, in seconds
    requests: list[Received] = field(default_factory=list)
    url: str = ""
    tls: ssl.SSLContext | None = None  # served over HTTPS with this server context

    def __post_init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def answer(self, request: Received) -> Answer:
        raise NotImplementedError

    def __enter__(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length", "0"))
                request = Received(
                    method="POST",
                    path=parts.path,
                    raw_query=parts.query,
                    query={key: values[0] for key, values in parse_qs(parts.query).items()},
                    headers={key.lower(): value for key, value in self.headers.items()},
                    body=self.rfile.read(length),
                )
                receiver.requests.append(request)
                status, content_type, body = receiver.answer(request)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if self.tls is not None:
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        scheme = "https" if self.tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@dataclass
class WeComReceiver(Receiver):
    """``POST /cgi-bin/webhook/send?key=KEY``; markdown content at most 4096 bytes."""

    key: str = WECOM_KEY
    messages: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, request: Received) -> Answer:
        if request.path != "/cgi-bin/webhook/send" or request.query.get("key") != self.key:
            return json_answer({"errcode": 93000, "errmsg": "invalid webhook url, hint: [1700000000_1_abc]"})
        try:
            data = request.json()
        except ValueError:
            return json_answer({"errcode": 40062, "errmsg": "invalid json"})
        if data.get("msgtype") != "markdown" or not isinstance(data.get("markdown", {}).get("content"), str):
            return json_answer({"errcode": 40008, "errmsg": "invalid message type"})
        content = data["markdown"]["content"]
        if len(content.encode("utf-8")) > 4096:
            return json_answer({"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"})
        self.messages.append(data)
        return json_answer({"errcode": 0, "errmsg": "ok"})


def dingtalk_sign(timestamp: str, secret: str) -> str:
    """What DingTalk computes to check ``sign``: base64(HMAC-SHA256(secret, "timestamp\\nsecret"))."""
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@dataclass
class DingTalkReceiver(Receiver):
    """``POST /robot/send?access_token=…&timestamp=…&sign=…`` of a robot with 加签 turned on."""

    token: str = DINGTALK_TOKEN
    secret: str = DINGTALK_SECRET
    messages: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, request: Received) -> Answer:
        if request.path != "/robot/send" or request.query.get("access_token") != self.token:
            return json_answer({"errcode": 300001, "errmsg": "token is not exist"})
        timestamp, signature = request.query.get("timestamp", ""), request.query.get("sign", "")
        if not timestamp.isdigit() or abs(self.now() * 1000 - int(timestamp)) > ONE_HOUR * 1000:
            return json_answer({"errcode": 310000, "errmsg": "invalid timestamp"})
        # parse_qs has URL-decoded the query, as DingTalk does: an un-encoded '+' would now be a space.
        if not hmac.compare_digest(signature, dingtalk_sign(timestamp, self.secret)):
            return json_answer(
                {"errcode": 310000, "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com]"}
            )
        data = request.json()
        markdown = data.get("markdown", {})
        if data.get("msgtype") != "markdown" or not markdown.get("title") or not markdown.get("text"):
            return json_answer({"errcode": 40035, "errmsg": "缺少参数 json"})
        self.messages.append(data)
        return json_answer({"errcode": 0, "errmsg": "ok"})


def feishu_sign(timestamp: str, secret: str) -> str:
    """What Feishu computes: base64(HMAC-SHA256(key="timestamp\\nsecret", msg=empty))."""
    return base64.b64encode(
        hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    ).decode()


@dataclass
class FeishuReceiver(Receiver):
    """``POST /open-apis/bot/v2/hook/HOOK_ID`` of a bot with 签名校验 turned on."""

    hook: str = FEISHU_HOOK
    secret: str = FEISHU_SECRET
    legacy_answer: bool = False  # older deployments answer {"StatusCode": 0, ...} without "code"
    messages: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, request: Received) -> Answer:
        if request.path != f"/open-apis/bot/v2/hook/{self.hook}":
            return json_answer(
                {"code": 19001, "data": {}, "msg": "param invalid: incoming webhook access token invalid"}
            )
        if len(request.body) > 20 * 1024:
            return json_answer({"code": 9499, "data": {}, "msg": "request body exceeds 20 KB"})
        try:
            data = request.json()
        except ValueError:
            return json_answer({"code": 9499, "data": {}, "msg": "Bad Request"}, status=400)
        timestamp, signature = str(data.get("timestamp", "")), str(data.get("sign", ""))
        fresh = timestamp.isdigit() and abs(self.now() - int(timestamp)) <= ONE_HOUR
        if not fresh or not hmac.compare_digest(signature, feishu_sign(timestamp, self.secret)):
            return json_answer(
                {
                    "code": 19021,
                    "data": {},
                    "msg": "sign match fail or timestamp is not within one hour from current time",
                }
            )
        if data.get("msg_type") != "interactive" or not isinstance(data.get("card"), dict):
            return json_answer({"code": 9499, "data": {}, "msg": "Bad Request"})
        self.messages.append(data)
        if self.legacy_answer:
            return json_answer({"Extra": None, "StatusCode": 0, "StatusMessage": "success"})
        return json_answer(
            {"StatusCode": 0, "StatusMessage": "success", "code": 0, "data": {}, "msg": "success"}
        )


@dataclass
class SlackReceiver(Receiver):
    """``POST /services/T…/B…/…``: plain-text ``ok``, or Slack's error words with a 4xx status."""

    path: str = SLACK_PATH
    messages: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, request: Received) -> Answer:
        if request.path != f"/services/{self.path}":
            return text_answer("no_service", status=404)
        try:
            data = request.json()
        except ValueError:
            return text_answer("invalid_payload", status=400)
        if not data.get("text") and not data.get("blocks"):
            return text_answer("no_text", status=400)
        for block in data.get("blocks", []):
            if len(block.get("text", {}).get("text", "")) > 3000:
                return text_answer("invalid_blocks", status=400)
        self.messages.append(data)
        return text_answer("ok")


@dataclass
class WebhookReceiver(Receiver):
    """Any path; checks ``X-Monitor-Signature`` (given a secret) and ``sent_at``, like a careful receiver."""

    secret: str | None = None
    status: int = 204
    messages: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, request: Received) -> Answer:
        if self.secret is not None:
            expected = "sha256=" + hmac.new(self.secret.encode(), request.body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(request.headers.get("x-monitor-signature", ""), expected):
                return json_answer({"error": "bad signature"}, status=401)
        data = request.json()
        sent_at = datetime.fromisoformat(data["sent_at"].replace("Z", "+00:00"))
        if abs(self.now() - sent_at.timestamp()) > ONE_HOUR:
            return json_answer({"error": "stale"}, status=401)
        self.messages.append(data)
        return self.status, "text/plain", b""
