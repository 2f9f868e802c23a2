"""Log lines carry the details the code attaches to them (extra=…), before any traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import pytest

from monitor.log_format import DetailsFormatter


def _record(**extra: object) -> logging.LogRecord:
    record = logging.LogRecord("monitor.alerting.outbox", logging.INFO, __file__, 1, "email sent", (), None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_details_follow_the_message() -> None:
    formatter = DetailsFormatter("%(levelname)s %(name)s: %(message)s")
    line = formatter.format(_record(alert_id=3, recipients="li.na@pr.test"))
    assert line == "INFO monitor.alerting.outbox: email sent [alert_id=3 recipients=li.na@pr.test]"
    assert formatter.format(_record()) == "INFO monitor.alerting.outbox: email sent"


def test_details_stay_on_the_first_line_of_a_traceback() -> None:
    formatter = DetailsFormatter("%(message)s")
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = _record(alert_id=7)
        record.exc_info = sys.exc_info()
    first, *rest = formatter.format(record).splitlines()
    assert first == "email sent [alert_id=7]"
    assert rest[0].startswith("Traceback") and rest[-1] == "ValueError: boom"


def test_a_message_a_library_repeats_while_redis_is_down_is_one_line_per_five_minutes() -> None:
    from monitor.log_format import RepeatsEvery

    said = "Consumer encountered a connection error"
    repeats = RepeatsEvery("dramatiq.worker.ConsumerThread", said, seconds=300)

    def record(
        at: float, name: str = "dramatiq.worker.ConsumerThread(jobs.DQ)", msg: str = said
    ) -> logging.LogRecord:
        try:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        except ConnectionError:
            import sys

            made = logging.LogRecord(name, logging.CRITICAL, __file__, 1, msg, (), sys.exc_info())
        made.created = at
        return made

    passed = [r for r in (record(1000 + 1.5 * n) for n in range(40)) if repeats.filter(r)]  # a minute of it
    assert (
        len(passed) == 1
        and passed[0].getMessage() == f"{said}: Error 111 connecting to 127.0.0.1:6379. Connection refused."
    )
    assert passed[0].exc_info is None  # the cause on the line, no traceback
    later = record(1000 + 301)
    assert repeats.filter(later) and later.getMessage().endswith("(and 39 times more in the last 5 min)")
    assert repeats.filter(record(1000 + 302, msg="Worker process is ready"))  # other lines untouched
    assert repeats.filter(record(1000 + 302, name="monitor.distributed.worker"))


def test_lines_are_stamped_with_their_offset_in_the_teams_zone_once_the_config_names_it() -> None:
    """The scheduler said "next run at 15:30:00+08:00" beside lines stamped 07:29 (the machine's UTC)."""
    import logging
    from datetime import UTC, datetime

    from monitor.log_format import use_zone

    handler = logging.StreamHandler()
    handler.setFormatter(DetailsFormatter("%(asctime)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    record = logging.LogRecord("monitor", logging.INFO, "", 0, "pass done", (), None)
    record.created = datetime(2026, 12, 7, 7, 29, 5, 250_000, tzinfo=UTC).timestamp()
    try:
        use_zone("Asia/Shanghai")
        assert handler.format(record) == "2026-12-07 15:29:05.250+08:00 pass done"
        use_zone("UTC")
        assert handler.format(record) == "2026-12-07 07:29:05.250+00:00 pass done"
    finally:
        root.removeHandler(handler)


def test_a_forums_words_in_a_line_cannot_drive_the_terminal_or_forge_a_line() -> None:
    """What crawl_failures logs for a Discuz API message page whose notice a hostile forum wrote."""
    notice = (
        "\x1b[2J\x1b[1;1H\n2026-11-23 09:00:00.000+08:00 INFO monitor.alerting: alert resolved"
        "\r\x1b]8;;http://evil.example/\x07点这里\x1b]8;;\x07\u202e"
    )
    url = "http://bbs.test/thread-26\x1b[31m.html"
    record = logging.LogRecord(
        "monitor.crawl_failures", logging.WARNING, __file__, 1, "page skipped: %s: %s", (url, notice), None
    )
    record.url = url
    line = DetailsFormatter("%(levelname)s %(name)s: %(message)s").format(record)
    assert line == (
        "WARNING monitor.crawl_failures: page skipped: http://bbs.test/thread-26\\x1b[31m.html: "
        "\\x1b[2J\\x1b[1;1H\\n2026-11-23 09:00:00.000+08:00 INFO monitor.alerting: alert resolved"
        "\\r\\x1b]8;;http://evil.example/\\x07点这里\\x1b]8;;\\x07\\u202e"
        " [url=http://bbs.test/thread-26\\x1b[31m.html]"
    )


HIDDEN = "退\u200b款 \ufeff\u2060\u00ad\U000e0041 a\u200db\u2028forged 👨\u200d👩\u200d👧"
SHOWN = "退\\u200b款 \\ufeff\\u2060\\xad\\U000e0041 a\\u200db\\u2028forged 👨\u200d👩\u200d👧"


def test_zero_width_and_other_format_characters_are_written_as_escapes_but_an_emoji_family() -> None:
    """A forum's "退\u200b款" reads as 退款 in a terminal but is not found by grepping for it: every
    Unicode format character (Cf) is written as its escape, as bidi controls are, and so are the
    line and paragraph separators; a zero-width joiner between two emoji is kept, as display keeps it."""
    record = logging.LogRecord("m", logging.INFO, __file__, 1, "thread title: %s", (HIDDEN,), None)
    record.title = HIDDEN
    line = DetailsFormatter("%(message)s").format(record)
    assert line == f"thread title: {SHOWN} [title={SHOWN}]"


def test_chinese_text_and_full_width_spaces_are_left_as_they_are() -> None:
    record = logging.LogRecord("m", logging.INFO, __file__, 1, "途乐旅行 退款　全角空格 · ok", (), None)
    assert DetailsFormatter("%(message)s").format(record) == "途乐旅行 退款　全角空格 · ok"


@pytest.fixture
def on_root() -> Iterator[logging.StreamHandler[TextIO]]:
    """A handler with the monitor's formatter on the root logger, as `monitor` sets one up; removed after."""
    from monitor.log_format import use_format, use_zone

    handler = logging.StreamHandler()
    handler.setFormatter(DetailsFormatter("%(asctime)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        use_zone("UTC")
        use_format("text")


def _load_config(**general: str) -> None:
    from monitor.config.loader import load_config

    config = Path(__file__).parent.parent / "config"
    load_config(config, environ={}, overrides={"general": general}, links=False, sends=False)


def test_every_command_that_reads_the_config_stamps_its_lines_in_the_teams_zone(
    on_root: logging.StreamHandler[TextIO],
) -> None:
    """`sources status` migrating a new database had logged +00:00 while `run` logged +08:00
    (deployment walkthrough): the zone was applied by run, worker and web alone."""
    from zoneinfo import ZoneInfo

    _load_config(timezone="Europe/Berlin")
    assert isinstance(on_root.formatter, DetailsFormatter)
    assert on_root.formatter.zone == ZoneInfo("Europe/Berlin")


def test_json_lines_carry_the_details_as_fields_and_escape_the_forums_words(
    on_root: logging.StreamHandler[TextIO],
) -> None:
    """`general.log_format = "json"`, for a log collector (deployment walkthrough: text lines only)."""
    import json

    from monitor.log_format import use_format, use_zone

    _load_config(log_format="json")
    assert isinstance(on_root.formatter, DetailsFormatter)
    assert on_root.formatter.as_json
    notice = ("请先登录\x1b[2J\n",)
    record = logging.LogRecord(
        "monitor.crawl_failures", logging.WARNING, __file__, 1, "page skipped: %s", notice, None
    )
    record.url = "http://bbs.test/thread-26\u202e.html"
    record.title = HIDDEN
    record.created = datetime(2026, 12, 7, 7, 29, 5, tzinfo=UTC).timestamp()
    use_zone("Asia/Shanghai")
    line = on_root.format(record)
    assert "\n" not in line
    assert json.loads(line) == {
        "time": "2026-12-07 15:29:05.000+08:00",
        "level": "WARNING",
        "logger": "monitor.crawl_failures",
        "message": "page skipped: 请先登录\\x1b[2J\\n",
        "url": "http://bbs.test/thread-26\\u202e.html",
        "title": SHOWN,
    }
    use_format("text")
    assert on_root.format(record).startswith("2026-12-07 15:29:05.000+08:00 page skipped: ")
