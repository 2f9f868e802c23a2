"""The mistakes a new ops person makes in watch_groups.yaml, each refused with its key and line
(fixture: a copy of config/ in tmp_path, loaded as `monitor run` and `check-config` load it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.config.loader import load_config
from monitor.enrich.watch_admin import load_watch_groups
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
    assert problem.startswith(f"{file}: watch_groups[0].include[1]: term {term!r} looks like a pattern")
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


@pytest.mark.parametrize(
    ("groups", "said"),
    [
        (  # the dash forgotten: one group where a list of them belongs
            "watch_groups:\n  name: 路由器\n  include: [路由器]\n",
            "watch_groups: must be a list of groups, each starting with a dash ('  - name: …'); this reads "
            "as one group written without its '- ' (line 2)",
        ),
        (
            "watch_groups:\n  - name: 途乐\n    include: [途乐]\n  - 路由器\n",
            "watch_groups[1]: must be a group with its keys (name:, include: …), got str '路由器' (line 4)",
        ),
        (
            "- name: 路由器\n  include: [路由器]\n",
            "expected a mapping at the top level, got list (put 'watch_groups:' on the first line and "
            "indent the list under it)",
        ),
    ],
)
def test_a_file_of_the_wrong_shape_says_what_to_write(config_dir: Path, groups: str, said: str) -> None:
    """Before, these said pydantic's 'Input should be a valid list / dictionary or instance of
    WatchGroupConfig', or nothing of the missing key line."""
    file = config_dir / "watch_groups.yaml"
    assert _problems_with(config_dir, groups) == [f"{file}: {said}"]
    with pytest.raises(ConfigError) as caught:  # what `monitor run` says when it reloads the file
        load_watch_groups(file)
    assert caught.value.problems == [f"{file}: {said}"]


def test_watch_groups_with_every_group_taken_out_is_no_groups(tmp_path: Path) -> None:
    file = tmp_path / "watch_groups.yaml"
    file.write_text("watch_groups:\n#  - name: 途乐\n#    include: [途乐]\n", encoding="utf-8")
    assert load_watch_groups(file) == []


def test_a_file_of_groups_may_be_a_bare_list_and_its_problems_have_lines(
    config_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proposed = tmp_path / "new.yaml"
    proposed.write_text(
        "- name: 路由器\n  include: [路由器]\n- name: 光猫\n  include: [光猫]\n  exclude: [光貓]\n",
        encoding="utf-8",
    )
    base = ["--config", str(config_dir)]
    assert main(["watch", "add", "--file", str(proposed), *base]) == 2
    err = capsys.readouterr().err
    assert f"{proposed}: [1].exclude: exclude term '光貓' is the group's term '光猫' once folded" in err
    assert err.rstrip().splitlines()[1].endswith("(line 5)")
    proposed.write_text("- name: 路由器\n  include: [路由器]\n- 光猫\n", encoding="utf-8")
    assert main(["watch", "add", "--file", str(proposed), *base]) == 2
    assert f"{proposed}: [1]: must be a group with its keys (name:, include: …), got str '光猫' (line 3)" in (
        capsys.readouterr().err
    )
    proposed.write_text(
        "- name: 路由器\n  include: [路由器]\n- name: 光猫\n  include: [光猫]\n", encoding="utf-8"
    )
    assert main(["watch", "add", "--file", str(proposed), *base]) == 0
    names = [group.name for group in load_config(config_dir, environ={}).watch_groups]
    assert names[-2:] == ["路由器", "光猫"]


@pytest.mark.parametrize(
    ("written", "said"),
    [
        (  # a Chinese input method's comma: one term that never matches
            "[途乐，退款]",
            "include[0]: term '途乐，退款' is several terms typed as one (a comma or 、 inside it), so it "
            "would only match that exact text; separate them with a half-width comma, [途乐, 退款] (on the "
            "command line: one --include each) (line 3)",
        ),
        ("[途乐、退款、退货]", "include[0]: term '途乐、退款、退货' is several terms typed as one"),
        (  # the brackets left out: before, 'Input should be a valid list'
            "途乐, 退款",
            "include: must be a list of terms in brackets, [途乐, 退款], or one '- term' line each (line 3)",
        ),
    ],
)
def test_a_list_typed_as_one_term_is_refused(config_dir: Path, written: str, said: str) -> None:
    file = config_dir / "watch_groups.yaml"
    [problem] = _problems_with(config_dir, f"watch_groups:\n  - name: x\n    include: {written}\n")
    assert problem.startswith(f"{file}: watch_groups[0].{said}")
