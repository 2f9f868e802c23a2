"""Ops commands on sources and stored threads, against the loopback fixture forum (conftest)."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx
from closed_port import closed_port
from forum_fixtures import FIXTURE_GBK, FixtureForum

from monitor.cli import main


def test_add_with_boards_keeps_comments_and_validates(
    fixture_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = fixture_config / "sources.yaml"
    sources.write_text("# forums we watch\n" + sources.read_text(encoding="utf-8"), encoding="utf-8")
    code = main(
        [
            "sources",
            "add",
            "discuz",
            "https://bbs.example.com",
            "--name",
            "示例论坛",
            "--board",
            "5",
            "--board",
            "7",
            "--config",
            str(fixture_config),
        ]
    )
    assert code == 0
    text = sources.read_text(encoding="utf-8")
    assert text.startswith("# forums we watch\n")
    assert "key: bbs-example-com" in text and "boards: ['5', '7']" in text
    assert main(["check-config", "--config", str(fixture_config)]) == 0
    assert main(["sources", "list", "--config", str(fixture_config)]) == 0
    assert "bbs-example-com: 示例论坛 — discuz https://bbs.example.com/" in capsys.readouterr().out

    before = sources.read_bytes()
    again = ["sources", "add", "discuz", "https://bbs.example.com", "--name", "x", "--board", "1"]
    assert main([*again, "--config", str(fixture_config)]) == 2  # duplicate key
    assert (
        main(
            [
                "sources",
                "add",
                "discuz",
                "not a url",
                "--name",
                "x",
                "--key",
                "y",
                "--board",
                "1",
                "--config",
                str(fixture_config),
            ]
        )
        == 2
    )  # invalid URL: rejected, file untouched
    assert sources.read_bytes() == before
    assert "not a url: missing an 'http://' or 'https://' at the start" in capsys.readouterr().err

    assert main(["sources", "remove", "bbs-example-com", "--config", str(fixture_config)]) == 0
    assert "bbs-example-com" not in sources.read_text(encoding="utf-8")
    assert main(["sources", "remove", "bbs-example-com", "--config", str(fixture_config)]) == 1


def test_add_discovers_boards_from_the_forum_index(
    fixture_config: Path, fixture_forum: FixtureForum, capsys: pytest.CaptureFixture[str]
) -> None:
    index = (FIXTURE_GBK / "forum_index.html").read_bytes()  # the real Discuz! X3.5 index, GBK
    fixture_forum.overrides["/forum.php"] = (200, index)
    sources = fixture_config / "sources.yaml"
    add_again = ["sources", "add", "discuz", fixture_forum.url, "--name", "again", "--key", "again"]
    asked = len(fixture_forum.requests)
    assert main([*add_again, "--config", str(fixture_config)]) == 2  # the same forum under another key
    err = capsys.readouterr().err
    assert f"source 'fixture-bbs' watches {fixture_forum.url} already: add the boards to its entry" in err
    assert len(fixture_forum.requests) == asked  # refused before the forum was asked anything
    sources.write_text("sources: []\n", encoding="utf-8")
    code = main(
        [
            "sources",
            "add",
            "discuz",
            fixture_forum.url,
            "--name",
            "GBK forum",
            "--key",
            "gbk",
            "--config",
            str(fixture_config),
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "found board 2: 投诉维权" in out and "found board 4: 数码" in out
    assert "boards: ['2', '3', '4']" in (fixture_config / "sources.yaml").read_text(encoding="utf-8")


def test_status_and_export_after_a_crawl(
    fixture_config: Path, fixture_forum: FixtureForum, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sources", "status", "--config", str(fixture_config)]) == 0
    assert "board 2: never polled" in capsys.readouterr().out
    main(["crawl", "--once", "--config", str(fixture_config)])
    capsys.readouterr()
    assert main(["sources", "status", "--config", str(fixture_config)]) == 0
    out = capsys.readouterr().out
    assert "board 2 投诉维权: ok" in out and "21 threads" in out
    assert out.startswith("Forums and their boards (times in Asia/Shanghai):")
    assert "thread_gone: http://127.0.0.1" in out  # uncaptured thread pages answer 404, as deleted ones

    fixture_forum.overrides["/forum.php?mod=forumdisplay&fid=2&page=1"] = (
        200,
        "<html><body><div id='messagetext'><p>抱歉，您需要登录后才能访问该版块</p></div>"
        "</body></html>".encode("gbk"),
    )
    main(["crawl", "--once", "--config", str(fixture_config)])
    capsys.readouterr()
    assert main(["sources", "status", "--config", str(fixture_config)]) == 1
    out = capsys.readouterr().out
    assert "board 2 投诉维权: failing" in out and "login_wall" in out and "raw page kept" in out

    target = tmp_path / "threads.jsonl"
    assert (
        main(
            [
                "threads",
                "export",
                "--format",
                "jsonl",
                "--output",
                str(target),
                "--config",
                str(fixture_config),
            ]
        )
        == 0
    )
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 21
    tid2 = next(r for r in records if r["thread_id"] == "2")
    truth = json.loads((FIXTURE_GBK / "ground_truth.json").read_text(encoding="utf-8"))
    expected = next(t for t in truth["threads"] if t["tid"] == 2)
    assert tid2["title"] == expected["subject"] and tid2["replies"] == expected["replies"]
    assert [(p["post_id"], p["floor"], p["author"]) for p in tid2["posts"]] == [
        (str(p["pid"]), p["floor"], p["author"]) for p in expected["posts"]
    ]
    assert (
        main(
            [
                "threads",
                "export",
                "--source",
                "nope",
                "--output",
                str(target),
                "--config",
                str(fixture_config),
            ]
        )
        == 0
    )
    assert target.read_text(encoding="utf-8") == ""


@pytest.fixture
def no_sources_config(fixture_config: Path) -> Path:
    """The fixture config watching no forum yet, so the fixture forum can be added to it."""
    (fixture_config / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    return fixture_config


def _add(config: Path, url: str, *more: str) -> int:
    return main(
        ["sources", "add", "discuz", url, "--name", "X", "--key", "x", *more, "--config", str(config)]
    )


def test_a_board_nothing_polls_any_more_is_stale_and_status_exits_1(
    fixture_config: Path, fixture_forum: FixtureForum, capsys: pytest.CaptureFixture[str]
) -> None:
    """A stopped `monitor run` (or a worker that died) had left `sources status` saying ok, exit 0."""
    from sqlalchemy import update

    from monitor.config.loader import load_config
    from monitor.store.db import make_engine
    from monitor.store.models import Board

    main(["crawl", "--once", "--config", str(fixture_config)])
    engine = make_engine(load_config(fixture_config, environ={}).settings.database_url())
    with engine.begin() as connection:  # the crawl stopped 31 min ago (a pass every 10 min)
        before = datetime.now(UTC) - timedelta(minutes=31)
        connection.execute(update(Board).values(last_success_at=before, last_failure_at=None))
    engine.dispose()
    capsys.readouterr()
    assert main(["sources", "status", "--config", str(fixture_config)]) == 1
    out = capsys.readouterr().out
    assert "board 2 投诉维权: stale: not polled since " in out
    assert (
        "(a pass every 10 min) — is `monitor run` (or its scheduler and workers, or the cron job) running?"
        in out
    )
    main(["crawl", "--once", "--config", str(fixture_config)])  # crawling again
    assert main(["sources", "status", "--config", str(fixture_config)]) == 0
    assert "stale" not in capsys.readouterr().out


def test_add_an_unreachable_forum_says_it_cannot_be_reached_and_why(
    fixture_config: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """A closed loopback port: connection refused, not "disallowed by robots.txt"."""
    sources = fixture_config / "sources.yaml"
    before = sources.read_bytes()
    base = f"http://127.0.0.1:{closed_port()}/"
    assert _add(fixture_config, base) == 1
    err = capsys.readouterr().err
    assert f"error: cannot reach the forum at {base}: connection refused at {base}robots.txt" in err
    # the cause once, as the error: not the WARNING `monitor run` logs before it as well
    assert [r.getMessage() for r in caplog.records if r.name == "monitor.fetch.robots_file"] == []
    assert "disallowed" not in err
    assert sources.read_bytes() == before


def test_add_a_forum_whose_name_is_not_found_says_so(
    fixture_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = "http://bbs.nonexistent.invalid/"
    with respx.mock(assert_all_called=True) as router:  # the resolver's answer, without a resolver
        router.get(f"{base}robots.txt").mock(
            side_effect=httpx.ConnectError("[Errno -2] Name or service not known")
        )
        assert _add(fixture_config, base) == 1
    err = capsys.readouterr().err
    assert f"error: cannot reach the forum at {base}: host name not found at {base}robots.txt" in err


def test_add_a_forum_whose_robots_txt_disallows_the_index_says_that(
    no_sources_config: Path, fixture_forum: FixtureForum, capsys: pytest.CaptureFixture[str]
) -> None:
    fixture_forum.overrides["/robots.txt"] = (200, b"User-agent: *\nDisallow: /forum.php\n")
    assert _add(no_sources_config, fixture_forum.url) == 1
    err = capsys.readouterr().err
    assert f"error: {fixture_forum.url}forum.php: the forum's robots.txt disallows its index" in err
    assert "/forum.php" not in fixture_forum.requests


@pytest.mark.parametrize(
    ("path", "boards", "watching"),
    [
        ("forum.php", "['2', '3', '4']", None),
        ("forum.php?mod=forumdisplay&fid=2", "['2']", "watching board 2 (投诉维权), the board of the URL"),
        ("forum-4-1.html", "['4']", "watching board 4 (数码), the board of the URL"),
        ("forum.php?mod=viewthread&tid=2", "['2', '3', '4']", None),
    ],
)
def test_add_takes_the_forum_root_from_a_pasted_url(
    no_sources_config: Path,
    fixture_forum: FixtureForum,
    capsys: pytest.CaptureFixture[str],
    path: str,
    boards: str,
    watching: str | None,
) -> None:
    """A board URL copied from the browser watches that board; the forum's index is still read."""
    fixture_forum.overrides["/forum.php"] = (200, (FIXTURE_GBK / "forum_index.html").read_bytes())
    assert _add(no_sources_config, fixture_forum.url + path) == 0
    out = capsys.readouterr().out
    assert f"forum root: {fixture_forum.url}\n" in out
    assert (watching in out) if watching else ("watching" not in out)
    text = (no_sources_config / "sources.yaml").read_text(encoding="utf-8")
    assert f"base_url: {fixture_forum.url}\n" in text and f"boards: {boards}" in text
    assert "/forum.php" in fixture_forum.requests  # the index, at the root
    assert main(["check-config", "--config", str(no_sources_config)]) == 0


def test_add_without_http_fails_before_any_request(
    fixture_config: Path, fixture_forum: FixtureForum, capsys: pytest.CaptureFixture[str]
) -> None:
    bare = fixture_forum.url.removeprefix("http://").rstrip("/")  # 127.0.0.1:PORT
    started = time.monotonic()
    assert _add(fixture_config, bare) == 2
    assert time.monotonic() - started < 2
    err = capsys.readouterr().err
    assert f"{bare}: missing an 'http://' or 'https://' at the start (did you mean http://{bare}/ ?)" in err
    assert fixture_forum.requests == []


# a hyperlink, a clear-screen and a right-to-left override (as a character reference: GBK has none)
HOSTILE_BOARD = "投诉\x1b]8;;http://evil.example/\x07维权\x1b]8;;\x07\x1b[2J&#x202e;"


def test_board_names_from_the_forum_reach_the_terminal_without_control_codes(
    no_sources_config: Path, fixture_forum: FixtureForum, capsys: pytest.CaptureFixture[str]
) -> None:
    """A board name is the forum's text: no escape sequence (hyperlink, clear screen) or bidi
    override in it reaches the terminal, in `sources add` nor in `sources status`."""
    index = (
        (FIXTURE_GBK / "forum_index.html")
        .read_bytes()
        .replace("投诉维权".encode("gbk"), HOSTILE_BOARD.encode("gbk"))
    )
    fixture_forum.overrides["/forum.php"] = (200, index)
    assert _add(no_sources_config, fixture_forum.url) == 0
    added = capsys.readouterr().out
    assert "found board 2: 投诉]8;;http://evil.example/维权]8;;[2J\n" in added  # its text, inert
    board_page = "/forum.php?mod=forumdisplay&fid=2&page=1"
    listed = (FIXTURE_GBK / "forumdisplay_fid2_p1.html").read_bytes()
    listed = listed.replace("投诉维权".encode("gbk"), HOSTILE_BOARD.encode("gbk"))
    fixture_forum.overrides[board_page] = (200, listed)
    main(["crawl", "--once", "--config", str(no_sources_config)])
    capsys.readouterr()
    main(["sources", "status", "--config", str(no_sources_config)])
    status = capsys.readouterr().out
    assert "board 2 投诉" in status
    for said in (added, status):
        assert "\x1b" not in said and "\x07" not in said and "\u202e" not in said


def test_a_sources_file_that_is_not_yaml_is_said_on_one_line_and_left_as_it_is(
    fixture_config: Path, fixture_forum: FixtureForum, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = fixture_config / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + "\t- bad\n", encoding="utf-8")
    before = sources.read_bytes()
    assert main(["sources", "remove", "fixture-bbs", "--config", str(fixture_config)]) == 2
    assert (
        main(
            [
                "sources",
                "add",
                "discuz",
                "http://127.0.0.1:9/",
                "--name",
                "x",
                "--config",
                str(fixture_config),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert err.count(f"{sources}: line ") == 2 and "indented with a tab character" in err
    assert "column 1: found character '\\t'" in err
    assert "Traceback" not in err and sources.read_bytes() == before


def test_sources_remove_keeps_the_files_permissions(fixture_config: Path) -> None:
    """It had rewritten sources.yaml as 0600: a service running as another user could not read it."""
    sources = fixture_config / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    sources.write_text(
        text
        + "  - {key: other, name: Other, engine: discuz, base_url: 'http://127.0.0.1:9/', boards: ['2']}\n",
        encoding="utf-8",
    )
    sources.chmod(0o640)
    assert main(["sources", "remove", "other", "--config", str(fixture_config)]) == 0
    assert sources.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in fixture_config.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_a_board_added_without_a_restart_is_stale_once_the_crawl_has_gone_on_without_it(
    fixture_config: Path, fixture_forum: FixtureForum, capsys: pytest.CaptureFixture[str]
) -> None:
    """A board added to sources.yaml while the service ran (no restart) had stayed "never polled",
    exit 0, for as long as anyone looked."""
    main(["crawl", "--once", "--config", str(fixture_config)])  # the service polls board 2
    sources = fixture_config / "sources.yaml"
    sources.write_text(
        sources.read_text(encoding="utf-8").replace('["2"]', '["2", "4"]', 1), encoding="utf-8"
    )
    capsys.readouterr()
    assert main(["sources", "status", "--config", str(fixture_config)]) == 0  # just added: not yet
    assert "board 4: never polled" in capsys.readouterr().out
    old = time.time() - 31 * 60  # added 31 min ago (a pass every 10 min), and the crawl went on without it
    os.utime(sources, (old, old))
    assert main(["sources", "status", "--config", str(fixture_config)]) == 1
    out = capsys.readouterr().out
    assert "board 4: stale: never polled, while the crawl polls other boards" in out
    assert "restart `monitor run`" in out
    assert "board 2 投诉维权: ok" in out


def test_boards_never_polled_by_anything_are_stale_once_the_service_should_have_run(
    fixture_config: Path, fixture_forum: FixtureForum, capsys: pytest.CaptureFixture[str]
) -> None:
    """A service that never started (or failed at every start) had left every board "never polled",
    exit 0, for as long as a monitoring check looked: the check an install is told to use stayed green."""
    sources = fixture_config / "sources.yaml"
    assert main(["sources", "status", "--config", str(fixture_config)]) == 0  # just configured: not yet
    assert "board 2: never polled" in capsys.readouterr().out
    old = time.time() - 31 * 60  # configured 31 min ago (a pass every 10 min), and nothing has crawled
    os.utime(sources, (old, old))
    assert main(["sources", "status", "--config", str(fixture_config)]) == 1
    out = capsys.readouterr().out
    assert "board 2: stale: never polled, nor any other board" in out
    assert "is `monitor run`" in out and "restart" not in out
    main(["crawl", "--once", "--config", str(fixture_config)])  # it runs: the boards are read
    capsys.readouterr()
    assert main(["sources", "status", "--config", str(fixture_config)]) == 0
    assert "board 2 投诉维权: ok" in capsys.readouterr().out
