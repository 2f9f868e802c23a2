"""Log lines carry the details the code attaches to them (extra=…), before any traceback."""

from __future__ import annotations

import logging

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
