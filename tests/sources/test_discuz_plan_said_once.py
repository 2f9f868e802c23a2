"""The formats a Discuz! forum is read in are logged once per forum, not once per board planned
(a pass plans every board of a forum side by side), and again when they change. No fixture: the
plan is chosen from robots.txt answers given inline."""

from __future__ import annotations

import logging
import uuid

import pytest

from monitor.sources.discuz import DiscuzSource


def _allow_all(url: str) -> bool:
    return True


def test_the_formats_are_said_once_per_forum_and_again_when_they_change(
    caplog: pytest.LogCaptureFixture,
) -> None:
    base = f"http://{uuid.uuid4().hex}.example.com/"  # a forum no other test planned in this process
    source = DiscuzSource(base)
    with caplog.at_level(logging.INFO, logger="monitor.sources.discuz_plan"):
        for _board in range(3):
            assert source.plan(_allow_all).board_format == "api"
        said = [r.getMessage() for r in caplog.records if "reading board lists" in r.getMessage()]
        assert said == [f"{base}: reading board lists as api, threads as api (what robots.txt allows)"]
        DiscuzSource(base).plan(_allow_all)  # another adapter of the same forum: nothing new
        source.plan(_allow_all, exclude={"api"})  # its mobile API turned out not to work
    said = [r.getMessage() for r in caplog.records if "reading board lists" in r.getMessage()]
    assert said[1:] == [f"{base}: reading board lists as html, threads as html (what robots.txt allows)"]
