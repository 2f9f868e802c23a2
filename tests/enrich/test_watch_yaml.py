"""``monitor watch add|remove`` edit a hand-written ``watch_groups.yaml`` without disturbing it
(:mod:`monitor.enrich.watch_yaml`): quotes, comments, indentation and the untouched groups stay as
they were, and every term the CLI writes reads back (with ``yaml.safe_load``, YAML 1.1) as the
same text.

The hand-written files are written by the test into tmp_path; the CLI runs through
``monitor.cli.main``."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from monitor.cli import main
from monitor.enrich.watch_admin import load_watch_groups

# quoted and unquoted terms, words YAML 1.1 reads as bool or int when bare, comments everywhere
HAND = """\
# Watch groups, written by hand.
watch_groups:
  - name: 测数   # numbers and yes/no words, quoted
    category: product
    include: ["8848", "no", 'on', "yes", 测数]
    exclude: ["测数据"]
  - name: "星耀"
    # block style, one quoted and one bare term
    include:
      - "off"
      - 星耀Pro14
    expression: '"星耀" AND NOT 招聘'
"""

ADDED = """\
  - name: "路由器"
    category: other
    include: ["路由器", "no"]
"""


def _watch(capsys: pytest.CaptureFixture[str], directory: Path, *argv: str) -> tuple[int, str]:
    (directory / "monitor.toml").touch()  # a config directory; its other files play no part here
    code = main(["watch", *argv, "--config", str(directory)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_an_edit_keeps_quotes_comments_and_the_other_groups_byte_for_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "watch_groups.yaml"
    file.write_text(HAND, encoding="utf-8")

    assert _watch(capsys, tmp_path, "add", "路由器", "--include", "路由器", "--include", "no") == (
        0,
        "added watch group '路由器' in "
        f"{file} (recorded in watch_groups.audit.jsonl)\n路由器  [other]\n    include: 路由器, no\n",
    )
    assert file.read_text(encoding="utf-8") == HAND + ADDED
    assert [g.include for g in load_watch_groups(file)] == [
        ["8848", "no", "on", "yes", "测数"],
        ["off", "星耀Pro14"],
        ["路由器", "no"],
    ]

    # the user's second edit failed here: "include[1]: must be text, got bool False"
    code, out = _watch(capsys, tmp_path, "add", "测试", "--include", "测试词")
    assert code == 0, out
    assert file.read_text(encoding="utf-8").startswith(HAND + ADDED)
    code, out = _watch(capsys, tmp_path, "remove", "测试")
    assert code == 0, out
    code, out = _watch(capsys, tmp_path, "remove", "路由器")
    assert code == 0, out
    assert file.read_text(encoding="utf-8") == HAND


def test_a_replace_keeps_the_groups_around_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "watch_groups.yaml"
    file.write_text(HAND, encoding="utf-8")
    code, out = _watch(capsys, tmp_path, "add", "测数", "--include", "on", "--include", "8848", "--replace")
    assert code == 0, out
    assert file.read_text(encoding="utf-8") == HAND.replace(
        "  - name: 测数   # numbers and yes/no words, quoted\n    category: product\n"
        '    include: ["8848", "no", \'on\', "yes", 测数]\n    exclude: ["测数据"]\n',
        "  - name: 测数   # numbers and yes/no words, quoted\n    category: product\n"  # kept: not given
        '    include: ["on", "8848"]\n',
    )


def test_the_file_s_own_indentation_is_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    flush_left = "watch_groups:\n- name: 甲乙  # dash in column 0\n  include:\n  - '甲乙'\n  - 'on'\n"
    file = tmp_path / "watch_groups.yaml"
    file.write_text(flush_left, encoding="utf-8")
    code, out = _watch(capsys, tmp_path, "add", "丙丁", "--include", "yes")
    assert code == 0, out
    assert file.read_text(encoding="utf-8") == (
        flush_left + '- name: "丙丁"\n  category: other\n  include: ["yes"]\n'
    )


# bool, null, int, float, date and sexagesimal to YAML 1.1 when bare, and YAML's own characters
WORDS = ["no", "on", "off", "yes", "true", "null", "Null", "8848", "0123", "1_000", "0x1F", "1:20", "1.5"]
WORDS += [
    "1e3",
    ".inf",
    "2026-11-24",
    "~~",
    "'引号'",
    '"双引号"',
    "a: b",
    "# 井号",
    "- 减号",
    "[方括号]",
    "途乐\\n",
]


@pytest.mark.parametrize("word", WORDS)
def test_every_term_the_cli_writes_reads_back_as_the_same_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], word: str
) -> None:
    file = tmp_path / "watch_groups.yaml"
    code, out = _watch(capsys, tmp_path, "add", word, "--include", word, "--alias", f"{word}x")
    assert code == 0, out
    code, out = _watch(capsys, tmp_path, "add", "另一组", "--include", "另一组")  # round trip the first
    assert code == 0, out
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    assert data["watch_groups"][0] == {
        "name": word,
        "category": "other",
        "include": [word],
        "aliases": [f"{word}x"],
    }


def test_a_one_character_name_yaml_reads_as_null_stays_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "watch_groups.yaml"
    for name in ("~", "另一组"):
        code, out = _watch(capsys, tmp_path, "add", name, "--include", f"{name}词")
        assert code == 0, out
    assert [g.name for g in load_watch_groups(file)] == ["~", "另一组"]
