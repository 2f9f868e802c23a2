"""``monitor sources test KEY`` against the loopback 贴吧-style forum (tests/tieba_forum.py, pages in
tests/fixtures/generic/tieba_*.html) configured with docs/sources.md's ``tieba`` entry: what a pass
would read is printed, nothing is stored, and a page the entry cannot read is the error it would be."""

from __future__ import annotations

import re
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from tieba_forum import TiebaForum, tieba_config, tieba_entry

from monitor.cli import main

OPENING = "途乐旅行收了我1万2定金，出发前一天说团取消了，退款拖了两个月！客服只会说在走流程，已经打了12315。"


@pytest.fixture
def forum() -> Iterator[TiebaForum]:
    served = TiebaForum()
    try:
        yield served
    finally:
        served.close()


def test_sources_test_prints_rows_and_posts_and_stores_nothing(
    tmp_path: Path, forum: TiebaForum, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tieba_config(tmp_path, tieba_entry() | {"base_url": forum.url})
    assert main(["sources", "test", "huimin-bbs", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert f"board 7 投诉建议, page 1 of 2: {forum.url}thread.php?fid=7&page=1" in out
    assert "5001 sticky 【版规】投诉建议区发帖须知（必读） — 版主小白 (1); replies 0 views —;" in out
    assert "started 2025-03-01 10:00, last 2025-03-01 10:00" in out  # relative ones: on the crawl's clock
    assert "3 rows; the list does not show: views" in out
    assert "page 2 of 2: 3 rows, 2 not on page 1" in out  # the sticky thread again, and two more
    assert (  # the rows' last posts are relative times ("1小时前"): within any week
        "  a board's first read pages back up to 10 pages / 7 days (the board has 2): 2 of page 1's 2 rows "
        "had a post in the last 7 days\n"
    ) in out
    assert "thread 5002: 途乐旅行收了我1万2定金" in out
    assert f"page 1 of 2: {forum.url}read.php?tid=5002&page=1" in out
    floors = re.findall(r"floor +(\d+) +(\d+) (\S+) \((\d+)\) \d{4}-\d\d-\d\d \d\d:\d\d: (\S+)", out)
    assert floors == [
        ("1", "91000", "退款无门的阿强", "201", OPENING[:40]),
        ("2", "91001", "小鱼儿", "300", "我也遇到了，去年十月的团，钱到现在没退"),
        ("3", "91002", "上海老张", "301", "我也遇到了！同样说团取消，定金8000"),
    ]
    assert "3 posts; the page shows replies 5" in out
    assert "page 2 of 2: 3 posts, floors 4–6" in out
    assert "/read.php?tid=5002&page=2" in forum.requests[-1]
    assert not (tmp_path / "data" / "monitor.db").exists()


def test_sources_test_names_what_the_entry_cannot_read(
    tmp_path: Path, forum: TiebaForum, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = tieba_entry() | {"base_url": forum.url, "pages_per_board": 1, "first_read_pages": 1}
    entry["selectors"]["thread"].pop("first_floor")
    config = tieba_config(tmp_path, entry)
    assert main(["sources", "test", "huimin-bbs", "--thread", "5002", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "pages_per_board is 1: a pass reads no page after page 1" in out
    assert "first_read_pages is 1: a board's first read reads no more pages than a pass" in out
    assert (
        f"error: {forum.url}read.php?tid=5002&page=1: a post shows floor 0: this forum numbers its "
        "opening post 0 (set thread.first_floor: 0)"
    ) in out
    assert main(["sources", "test", "nope", "--config", str(config)]) == 1
    assert "no source 'nope'" in capsys.readouterr().err


def test_a_row_selector_that_finds_nothing_is_said(
    tmp_path: Path, forum: TiebaForum, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = tieba_entry() | {"base_url": forum.url}
    entry["selectors"]["board"]["row"] = "ul#topic > li.topic"  # a typo: the list is ul#topics
    config = tieba_config(tmp_path, entry)
    assert main(["sources", "test", "huimin-bbs", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "0 rows" in out
    assert "error: no thread rows read from the board page (a generic entry: board.row and board.link" in out


def test_sources_add_of_a_generic_forum_says_how_to_add_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tieba_config(tmp_path, tieba_entry())
    before = (config / "sources.yaml").read_bytes()
    add = ["sources", "add", "generic", "http://127.0.0.1:9/", "--name", "x"]
    assert main([*add, "--config", str(config)]) == 1
    said = capsys.readouterr().err
    assert "sources add reads Discuz! forums only; a generic source is written into sources.yaml" in said
    assert "monitor sources test KEY" in said
    assert (config / "sources.yaml").read_bytes() == before


def test_sources_test_trusts_the_ca_bundle_a_pass_trusts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An intranet forum on HTTPS with a private CA: ``sources test`` reads it with ``[fetch] ca_bundle``
    as ``monitor run`` does, and without it says the certificate was not accepted."""
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    bundle = tmp_path / "intranet-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    served = TiebaForum(tls=server)
    try:
        config = tieba_config(tmp_path, tieba_entry() | {"base_url": served.url})
        toml = config / "monitor.toml"
        plain = toml.read_text(encoding="utf-8")
        assert main(["sources", "test", "huimin-bbs", "--config", str(config)]) == 1
        assert "TLS certificate not accepted" in capsys.readouterr().out
        toml.write_text(plain.replace("[fetch]\n", f'[fetch]\nca_bundle = "{bundle.as_posix()}"\n'))
        assert main(["sources", "test", "huimin-bbs", "--config", str(config)]) == 0
        assert "thread 5002: 途乐旅行收了我1万2定金" in capsys.readouterr().out
    finally:
        served.close()


def test_rows_without_a_last_post_time_are_said_to_page_back_to_the_cap(
    tmp_path: Path, forum: TiebaForum, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = tieba_entry() | {"base_url": forum.url, "first_read_pages": 4}
    entry["selectors"]["board"].pop("last_post")
    config = tieba_config(tmp_path, entry)
    assert main(["sources", "test", "huimin-bbs", "--config", str(config)]) == 0
    assert (
        "  a board's first read pages back up to 4 pages / 7 days (the board has 2): 2 of page 1's 2 rows "
        "show no last post time, so it reads on to the cap or the last page "
        "(a generic entry: board.last_post)"
    ) in capsys.readouterr().out
