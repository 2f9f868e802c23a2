"""Raw copies of unreadable pages: kept and bounded, and never a reason for the crawl to fail."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.fetch import failed_pages
from monitor.fetch.failed_pages import keep_failed_page

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_a_page_is_kept_with_its_note_and_the_oldest_go_beyond_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(failed_pages, "KEEP_AT_MOST", 2)
    kept = [
        keep_failed_page(tmp_path, f"http://f/{i}", b"<html>%d" % i, "no posts", NOW + timedelta(seconds=i))
        for i in range(3)
    ]
    assert kept[0] is not None and not kept[0].exists()  # the oldest dropped
    assert kept[2] is not None and kept[2].read_bytes() == b"<html>2"
    assert json.loads(kept[2].with_suffix(".json").read_text(encoding="utf-8"))["url"] == "http://f/2"


def test_a_data_directory_that_cannot_be_written_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("not a directory", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="monitor.fetch.failed_pages"):
        assert keep_failed_page(blocker / "failed-pages", "http://f/1", b"x", "login wall", NOW) is None
    assert "raw page not kept: " in caplog.text and "check general.data_dir" in caplog.text
