"""Email channel against a real loopback SMTP server (monitor.demo.smtp_sink.MailSink)."""

from __future__ import annotations

import email
import logging
import re
import smtplib
import socket
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser

import pytest

from monitor.alerting.channels.email import EmailChannel, SmtpSettings
from monitor.alerting.compose import NOTICE_TAGS
from monitor.alerting.message import AlertMessage, ChecklistLine, Recipient
from monitor.alerting.render import render_subject
from monitor.demo.smtp_sink import MailSink
from monitor.detect.severity import Severity
from monitor.errors import DeliveryError

OPENED = datetime(2026, 11, 23, 9, 7, tzinfo=UTC)
TITLE = "途乐旅行收了我2万8团费，到了澳洲酒店没订上，客服电话打了一周都没有人管"
STEP = "立即联系投诉人，最迟不超过4小时 (Contact the complainant at once)"
PASSWORD = "s3cret-密码-hunter2"
INVISIBLE = "\u202e\u2066\u200f\u061c\u200b\u2060\ufeff\U000e0041"  # reorder or hide text where shown
TO = ["zhang.min@example.com", "li.qiang@example.com"]


def make_message(**changes) -> AlertMessage:
    fields = dict(
        alert_id=7,
        severity=Severity.VERY_URGENT,
        thread_title=TITLE,
        thread_url="https://bbs.example.cn/forum.php?mod=viewthread&tid=8812",
        board_name="投诉维权",
        source_name="天涯论坛",
        watch_groups=["途乐旅行"],
        figures=["12 replies in the last hour"],
        signals=["lawyer (律师) at floor 14"],
        spokesperson=Recipient(key="zhang", name="张敏", email=TO[0]),
        backup=Recipient(key="li", name="李强", email=TO[1]),
        opened_at=OPENED,
        respond_by=OPENED + timedelta(hours=4),
        playbook_name="非常紧迫 very urgent：危机处理",
        checklist=[ChecklistLine(STEP, OPENED + timedelta(hours=4))],
        excerpt="出发前三天才说签证材料不够。",
    )
    fields.update(changes)
    return AlertMessage(**fields)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def sink(tmp_path):
    with MailSink(tmp_path / "mail") as running:
        yield running


def channel_for(host: str, port: int, **settings) -> EmailChannel:
    return EmailChannel(
        SmtpSettings(
            host=host,
            port=port,
            sender="舆情监控 <monitor@example.com>",
            local_hostname="localhost",
            timeout=5.0,
            **settings,
        ),
        clock=lambda: datetime(2026, 11, 23, 9, 8, tzinfo=UTC),
    )


def test_alert_email_arrives_with_chinese_intact(sink):
    msg = make_message()
    message_id = channel_for(sink.host, sink.port).send(msg, TO)

    assert len(sink.messages) == 1
    received = sink.messages[0]
    assert received["Subject"] == render_subject(msg)
    assert TITLE[:20] in received["Subject"]
    assert received["Message-ID"] == message_id
    assert message_id.startswith("<") and message_id.endswith("@example.com>")
    assert received["From"].addresses[0].display_name == "舆情监控"
    assert received["Date"].datetime == datetime(2026, 11, 23, 9, 8, tzinfo=UTC)
    assert received["References"] == "<alert-7@example.com>"
    assert received["X-Monitor-Severity"] == "very_urgent"
    assert list(sink.envelopes[0].rcpt_tos) == TO
    assert sink.envelopes[0].mail_from == "monitor@example.com"

    assert received.get_content_type() == "multipart/alternative"
    plain = received.get_body(("plain",))
    html = received.get_body(("html",))
    assert plain is not None and html is not None
    for part in (plain, html):
        assert part.get_content_charset() == "utf-8"
        content = part.get_content()
        assert TITLE in content
        assert STEP in content
        assert "2026-11-23 21:07 (Asia/Shanghai)" in content
        assert "其他员工一律不得对外发表评论" in content


def test_wire_format_is_seven_bit_safe_and_written_as_eml(sink):
    channel_for(sink.host, sink.port).send(make_message(), TO)
    [path] = sink.paths
    assert path.parent == sink.directory
    assert path.name.startswith("0001-") and path.suffix == ".eml"
    raw = path.read_bytes()
    assert raw.isascii()  # encoded words and base64: Chinese survives any relay
    assert b"Subject: =?utf-8?" in raw
    reparsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert reparsed["Subject"] == sink.messages[0]["Subject"]


@pytest.mark.parametrize(
    ("title", "board", "source", "changes"),
    [
        ("大家要小心", "旅游天地", "天涯论坛", {}),  # came back "大家要小心— 旅游天地"
        (
            "途乐旅行收了我2万8团费，行程取消后三个月不退款！大家要小心",
            "旅游天地",
            "演示论坛 Demo BBS",
            {"escalated_from": Severity.URGENT, "notice_tag": "上报 leadership"},
        ),
        ("大家要小心", "投诉维权", "演示论坛 Demo BBS", {}),
        ("Refund =?utf-8?q?fake?= 退款", "旅游天地", "天涯论坛", {}),  # what reads as an encoded word
        ("Refund still pending after three months", "Travel", "Demo BBS", {}),  # ASCII: as it was
    ],
)
def test_a_long_mixed_subject_reads_back_exactly(sink, title, board, source, changes):
    msg = make_message(thread_title=title, board_name=board, source_name=source, **changes)
    channel_for(sink.host, sink.port).send(msg, TO)
    raw = sink.paths[0].read_bytes()
    assert raw.isascii()
    head = raw.split(b"\r\n\r\n")[0].split(b"\r\n")
    assert max(len(line) for line in head) <= 78  # folded as RFC 5322 asks
    subject = render_subject(msg)
    assert email.message_from_bytes(raw, policy=policy.default)["Subject"] == subject
    assert sink.messages[0]["Subject"] == subject


def test_every_notice_tag_and_title_length_reads_back_exactly(sink):
    title = "途乐旅行收了我2万8团费，行程取消后三个月不退款！大家要小心"
    sent = [
        make_message(
            thread_title=title[-length:],
            board_name="旅游天地",
            source_name="演示论坛 Demo BBS",
            notice_tag=tag,
            escalated_from=escalated,
        )
        for tag in ["", *NOTICE_TAGS.values()]
        for length in range(5, len(title) + 1, 3)
        for escalated in (None, Severity.URGENT)
    ]
    channel = channel_for(sink.host, sink.port)
    for msg in sent:
        channel.send(msg, TO)
    wrong = [
        (render_subject(msg), email.message_from_bytes(path.read_bytes(), policy=policy.default)["Subject"])
        for msg, path in zip(sent, sink.paths, strict=True)
    ]
    assert [(want, got) for want, got in wrong if want != got] == []


def test_html_part_escapes_forum_text(sink):
    channel_for(sink.host, sink.port).send(make_message(thread_title="<script>alert(1)</script> & 途乐"), TO)
    html = sink.messages[0].get_body(("html",)).get_content()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 途乐" in html


def test_a_title_cannot_reorder_or_hide_words_in_the_subject_or_the_body(sink):
    """U+202E in a title would show the rest of the subject backwards; zero-width ones hide text."""
    title = f"退{INVISIBLE}款{INVISIBLE}三个月"
    msg = make_message(thread_title=title, board_name=f"投诉{INVISIBLE}维权", excerpt=f"第一行{INVISIBLE}")
    channel_for(sink.host, sink.port).send(msg, TO)
    received = sink.messages[0]
    subject = received["Subject"]
    assert subject.endswith("] 退款三个月 — 投诉维权 · 天涯论坛")
    html = received.get_body(("html",)).get_content()
    plain = received.get_body(("plain",)).get_content()
    for shown in (subject, html, plain):
        assert not set(shown) & set(INVISIBLE)
    assert ">退款三个月</a></h1>" in html and "投诉维权 (天涯论坛)" in html and "第一行" in html
    assert "帖子 Thread:              退款三个月" in plain


def test_nothing_listening_raises_delivery_error_without_password(caplog):
    port = free_port()
    channel = channel_for("127.0.0.1", port, username="monitor", password=PASSWORD)
    with caplog.at_level(logging.DEBUG), pytest.raises(DeliveryError) as caught:
        channel.send(make_message(), TO)
    text = str(caught.value)
    assert f"127.0.0.1:{port}" in text
    assert PASSWORD not in text
    assert caught.value.__cause__ is None and caught.value.__context__ is not None
    assert all(
        PASSWORD not in record.getMessage() and PASSWORD not in str(record.__dict__)
        for record in caplog.records
    )


def test_rejected_login_raises_delivery_error_without_password(sink, caplog):
    # The sink offers no AUTH (aiosmtpd only allows it over TLS), so the login fails.
    channel = channel_for(sink.host, sink.port, username="monitor", password=PASSWORD)
    with caplog.at_level(logging.DEBUG), pytest.raises(DeliveryError) as caught:
        channel.send(make_message(), TO)
    assert f"{sink.host}:{sink.port}" in str(caught.value)
    assert PASSWORD not in str(caught.value)
    assert all(PASSWORD not in str(record.__dict__) for record in caplog.records)
    assert sink.messages == []


def test_password_is_scrubbed_if_a_server_echoes_it(monkeypatch):
    def echoing_server(*args, **kwargs):
        raise smtplib.SMTPAuthenticationError(535, f"bad credentials {PASSWORD}".encode())

    monkeypatch.setattr(smtplib, "SMTP", echoing_server)
    with pytest.raises(DeliveryError) as caught:
        channel_for("mail.example.com", 587, username="u", password=PASSWORD).send(make_message(), TO)
    assert "mail.example.com:587" in str(caught.value)
    assert PASSWORD not in str(caught.value)
    assert "<secret>" in str(caught.value)


def test_settings_hide_the_password_and_reject_nonsense():
    settings = SmtpSettings(host="smtp.example.com", port=465, sender="m@example.com", password=PASSWORD)
    assert PASSWORD not in repr(settings) and PASSWORD not in str(settings)
    assert settings.address == "smtp.example.com:465"
    with pytest.raises(ValueError, match="not both"):
        SmtpSettings(host="h", port=465, sender="m@example.com", starttls=True, use_ssl=True)
    with pytest.raises(ValueError, match="port"):
        SmtpSettings(host="h", port=0, sender="m@example.com")


def test_no_recipients_is_a_programming_error(sink):
    with pytest.raises(ValueError):
        channel_for(sink.host, sink.port).send(make_message(), [])


# --- the sink itself ---------------------------------------------------------------------


def test_sink_binds_a_free_loopback_port_and_restarts(tmp_path):
    sink = MailSink(tmp_path)
    with sink:
        first_port = sink.port
        assert sink.host == "127.0.0.1" and first_port > 0
        channel_for(sink.host, sink.port).send(make_message(alert_id=1), TO)
    assert not sink.running
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", first_port), timeout=1).close()
    with sink:  # the same sink, started again in the same process
        channel_for(sink.host, sink.port).send(make_message(alert_id=2), TO)
    with MailSink(tmp_path) as other:  # and a second sink writing to the same directory
        channel_for(other.host, other.port).send(make_message(alert_id=3), TO)
    assert [m["X-Monitor-Alert"] for m in sink.messages] == ["1", "2"]
    assert [p.name[:5] for p in sink.paths] == ["0001-", "0002-"]
    assert all(p.is_file() for p in sink.paths + other.paths)


def test_sink_on_a_fixed_port(tmp_path):
    port = free_port()
    with MailSink(tmp_path, port=port) as sink:
        assert sink.port == port
        channel_for("127.0.0.1", port).send(make_message(), TO)
        assert sink.wait_for(1, timeout=1.0)
    with MailSink(tmp_path, port=port) as again:  # the port is free again once stopped
        assert again.port == port


def test_sink_file_names_are_safe(tmp_path):
    with MailSink(tmp_path) as sink, smtplib.SMTP(sink.host, sink.port, local_hostname="localhost") as smtp:
        smtp.sendmail("a@example.com", ["b@example.com"], b"Message-ID: <../../etc/passwd@x y>\r\n\r\nhi\r\n")
        smtp.sendmail("a@example.com", ["b@example.com"], b"Subject: no id\r\n\r\nhi\r\n")
    names = [path.name for path in sink.paths]
    assert re.fullmatch(r"0001-[A-Za-z0-9][A-Za-z0-9._-]*\.eml", names[0]) and "passwd" in names[0]
    assert names[1] == "0002-no-message-id.eml"
    assert all(path.parent == tmp_path for path in sink.paths)


def test_each_attempt_at_one_delivery_has_the_same_message_id_and_other_deliveries_another():
    """A message sent again after a process was killed mid-send is the same message to mail clients."""
    channel = EmailChannel(SmtpSettings(host="127.0.0.1", port=1, sender="monitor@pr.example.com"))
    first = channel.build(make_message(delivery_id=7), TO)["Message-ID"]
    again = channel.build(make_message(delivery_id=7), TO)["Message-ID"]
    other = channel.build(make_message(delivery_id=8), TO)["Message-ID"]
    elsewhere = channel.build(make_message(delivery_id=7, opened_at=datetime(2026, 1, 1, tzinfo=UTC)), TO)
    assert first == again and first.endswith("@pr.example.com>") and first.startswith("<monitor.alert")
    assert len({first, other, elsewhere["Message-ID"]}) == 3
    unsaved = {channel.build(make_message(), TO)["Message-ID"] for _ in range(2)}
    assert len(unsaved) == 2  # no delivery row (a preview): a fresh one each time
