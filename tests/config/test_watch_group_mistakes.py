"""The mistakes a new ops person makes in watch_groups.yaml, each refused with its key and line
(fixture: a copy of config/ in tmp_path, loaded as `monitor run` and `check-config` load it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.config.loader import load_config
from monitor.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(ROOT / "config", target)
    return target


def _problems_with(config_dir: Path, groups: str) -> list[str]:
    (config_dir / "watch_groups.yaml").write_text(groups, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir, environ={})
    return caught.value.problems


def test_an_exclude_word_that_is_the_term_itself_is_refused(config_dir: Path) -> None:
    """Before, 光貓 excluded 光猫 everywhere and check-config said OK: the group never matched."""
    file = config_dir / "watch_groups.yaml"
    problems = _problems_with(
        config_dir,
        "watch_groups:\n  - name: 路由器\n    include: [路由器, 光猫]\n    exclude: [光貓]\n"
        "  - name: 途乐高管\n    expression: '张总 AND 途乐'\n    exclude: [张总]\n",
    )
    assert problems[0].startswith(
        f"{file}: watch_groups[0].exclude: exclude term '光貓' is the group's term '光猫' once folded"
    )
    assert "cancel every match of it" in problems[0] and "NOT 光貓" in problems[0]
    assert problems[0].endswith("(line 4)")
    assert problems[1].startswith(f"{file}: watch_groups[1].exclude: exclude term '张总' is the group's term")
    assert len(problems) == 2


def test_the_cli_refuses_it_too_and_leaves_the_file_as_it_was(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = config_dir / "watch_groups.yaml"
    before = file.read_bytes()
    argv = ["watch", "add", "迅达快递", "--include", "迅达", "--include", "快递", "--exclude", "快递"]
    assert main([*argv, "--config", str(config_dir)]) == 2
    assert "exclude term '快递' is the group's term '快递', so it would cancel" in capsys.readouterr().err
    assert file.read_bytes() == before


def test_a_duplicate_group_name_names_the_later_entry_and_its_line(config_dir: Path) -> None:
    file = config_dir / "watch_groups.yaml"
    [problem] = _problems_with(
        config_dir,
        "watch_groups:\n  - name: 迅达快递\n    include: [迅达]\n  - name: 星耀\n    include: [星耀]\n"
        "  - name: 迅達快遞\n    include: [快递员]\n",
    )
    assert problem == (
        f"{file}: watch_groups[2].name: duplicate watch group '迅達快遞' (the same name as '迅达快递', "
        "folded) (first at watch_groups[0]) (line 6)"
    )


@pytest.mark.parametrize("term", ["途乐.*退款", "退(款|货)", "途乐*", "^途乐", r"途乐\d+", "途乐｜退款"])
def test_a_term_written_as_a_pattern_is_refused(config_dir: Path, term: str) -> None:
    """Before, 退(款|货) was stored and searched for as those six characters: it never matched."""
    file = config_dir / "watch_groups.yaml"
    quoted = term.replace("\\", "\\\\")
    [problem] = _problems_with(config_dir, f'watch_groups:\n  - name: x\n    include: [途乐, "{quoted}"]\n')
    assert problem.startswith(f"{file}: watch_groups[0].include: term {term!r} looks like a pattern")
    assert "matched as written" in problem and problem.endswith("(line 3)")


def test_words_with_dots_pluses_and_spaces_are_still_terms(config_dir: Path) -> None:
    file = config_dir / "watch_groups.yaml"
    added = '  - name: x\n    include: [C++, 星耀 Pro14, A.I., ¥9.9, 途乐(中国), "[官方]"]\n'
    file.write_text(file.read_text(encoding="utf-8") + added, encoding="utf-8")
    groups = load_config(config_dir, environ={}).watch_groups
    assert groups[-1].include == ["C++", "星耀 Pro14", "A.I.", "¥9.9", "途乐(中国)", "[官方]"]


def test_an_empty_name_says_it_is_empty_not_to_quote_none(config_dir: Path) -> None:
    file = config_dir / "watch_groups.yaml"
    [problem] = _problems_with(config_dir, "watch_groups:\n  - name:\n    include: [路由器]\n")
    assert problem == (
        f"{file}: watch_groups[0].name: must be text, got nothing (an empty value or a bare ~) (line 2)"
    )
