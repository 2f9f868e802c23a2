"""`monitor sources add`: the key of a new source, and a taken key refused before anything is
claimed or asked of the forum (fixtures: the loopback forum and config of conftest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from forum_fixtures import FIXTURE_GBK, FixtureForum

from monitor.cli import main


def _add(config: Path, url: str, *more: str) -> int:
    return main(["sources", "add", "discuz", url, "--name", "论坛", *more, "--config", str(config)])


def _keys(config: Path) -> list[str]:
    text = (config / "sources.yaml").read_text(encoding="utf-8")
    return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.strip().startswith("- key:")]


def test_two_forums_on_one_host_get_keys_with_their_ports(
    fixture_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _add(fixture_config, "http://127.0.0.1:8181/", "--board", "2") == 0
    assert _add(fixture_config, "http://127.0.0.1:8182/", "--board", "2") == 0
    assert _add(fixture_config, "http://forum.example.com:80/bbs/", "--board", "2") == 0  # the default port
    assert _keys(fixture_config) == ["fixture-bbs", "127-0-0-1-8181", "127-0-0-1-8182", "forum-example-com"]
    assert "added 127-0-0-1-8182: 论坛 (http://127.0.0.1:8182/) boards 2" in capsys.readouterr().out
    assert main(["check-config", "--config", str(fixture_config)]) == 0


def test_a_taken_key_is_refused_before_the_forum_is_asked_and_names_a_free_one(
    fixture_config: Path, fixture_forum: FixtureForum, capsys: pytest.CaptureFixture[str]
) -> None:
    fixture_forum.overrides["/forum.php"] = (200, (FIXTURE_GBK / "forum_index.html").read_bytes())
    (fixture_config / "sources.yaml").write_text(
        "sources: []\n", encoding="utf-8"
    )  # the forum, not yet added
    assert _add(fixture_config, fixture_forum.url, "--board", "3") == 0
    key = _keys(fixture_config)[-1]
    sources = fixture_config / "sources.yaml"
    before = sources.read_bytes()
    capsys.readouterr()

    assert _add(fixture_config, fixture_forum.url + "forum.php?mod=forumdisplay&fid=2") == 2
    said = capsys.readouterr()
    assert "watching" not in said.out and "found board" not in said.out  # nothing claimed
    assert fixture_forum.requests == []  # nor asked of the forum
    assert (
        f"{sources}: sources: source '{key}' watches {fixture_forum.url} already: add the boards to its entry"
    ) in said.err
    assert "--key" not in said.err  # one forum is one source: another key would be refused too
    assert sources.read_bytes() == before

    assert _add(fixture_config, "http://bbs.example.org/", "--key", key, "--board", "1") == 2
    assert (
        f"key '{key}' is used by the source watching {fixture_forum.url}; choose another key with "
        f"--key, e.g. --key {key}-2"
    ) in capsys.readouterr().err
    assert sources.read_bytes() == before


def test_the_board_of_the_url_is_said_once_it_is_added(
    fixture_config: Path, fixture_forum: FixtureForum, capsys: pytest.CaptureFixture[str]
) -> None:
    fixture_forum.overrides["/forum.php"] = (200, (FIXTURE_GBK / "forum_index.html").read_bytes())
    (fixture_config / "sources.yaml").write_text(
        "sources: []\n", encoding="utf-8"
    )  # the forum, not yet added
    assert _add(fixture_config, fixture_forum.url + "forum-4-1.html") == 0
    out = capsys.readouterr().out
    assert out.index("added ") < out.index("watching board 4 (数码), the board of the URL")
    assert "restart a running `monitor run` to poll it (it reads sources.yaml at start)" in out
