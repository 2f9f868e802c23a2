"""Watch groups: terms, aliases, exclusions, expressions, folding, and validation when loaded.

Groups and texts are written in the test; the loader tests write watch_groups.yaml into a copy of
the shipped example config (config/)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from monitor.config.files import WatchGroupConfig
from monitor.config.loader import load_config
from monitor.enrich.keywords import WatchMatcher
from monitor.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]

TULE = WatchGroupConfig(
    name="途乐旅行",
    category="service",
    include=["途乐旅行", "途乐"],
    aliases=["TuLe Travel"],
    exclude=["途乐园"],
)
STAR = WatchGroupConfig(name="星耀Pro14", category="product", include=["星耀Pro14"])
BOSS = WatchGroupConfig(name="途乐高管", expression='"张总" AND (途乐 OR tule) AND NOT 招聘')


def _groups(text: str, *groups: WatchGroupConfig) -> list[str]:
    return [m.group for m in WatchMatcher(groups or (TULE, STAR, BOSS)).match(text)]


def test_traditional_text_matches_a_simplified_term() -> None:
    [match] = WatchMatcher([TULE]).match("回覆：途樂旅行收了我兩萬八")
    assert (match.group, match.term, match.start, match.end) == ("途乐旅行", "途乐旅行", 3, 7)
    assert match.reason == "include 途乐旅行"


def test_full_width_and_case_fold() -> None:
    assert _groups("ＳＴＡＲ 星耀ｐｒｏ14 屏幕亮线") == ["星耀Pro14"]
    assert _groups("tule travel refund please") == ["途乐旅行"]
    assert WatchMatcher([TULE]).match("TULE TRAVEL")[0].reason == "alias TuLe Travel"


@pytest.mark.parametrize("hidden", ["\u200b", "\u2060\ufeff", "\u202e", "\U000e0020", "\u206a", "\ufff9"])
def test_a_term_split_by_invisible_characters_still_matches(hidden: str) -> None:
    text = f"回覆：途{hidden}乐旅行三个月不退款"
    [match] = WatchMatcher([TULE]).match(text)
    assert (match.group, match.term) == ("途乐旅行", "途乐旅行")
    assert text[match.start : match.end] == f"途{hidden}乐旅行"  # the span is the stored text's


def test_an_exclude_word_cancels_only_the_include_terms_inside_it() -> None:
    assert _groups("周末带孩子去途乐园玩") == []
    assert _groups("周末去途乐园，顺便去途乐门店要退款") == ["途乐旅行"]
    report = next(r for r in WatchMatcher([TULE]).explain("去途乐园") if r.group == "途乐旅行")
    assert not report.matched
    assert [(h.role, h.term, h.excluded_by) for h in report.hits] == [
        ("include", "途乐", "途乐园"),
        ("exclude", "途乐园", None),
    ]


def test_expression_groups() -> None:
    assert _groups("张总说途乐会按时退款", BOSS) == ["途乐高管"]
    assert _groups("途乐招聘：张总亲自面试", BOSS) == []
    assert _groups("张总说会按时退款", BOSS) == []
    [match] = WatchMatcher([BOSS]).match("張總說途樂會退款")
    assert match.term == "张总" and (match.start, match.end) == (0, 2)
    assert match.reason == "expression 张总 AND (途乐 OR tule) AND NOT 招聘: 张总, 途乐, NOT 招聘"


def test_include_terms_and_an_expression_must_both_hold() -> None:
    group = WatchGroupConfig(name="退款", include=["途乐"], expression="退款 OR 投诉")
    assert _groups("途乐退款三个月没到", group) == ["退款"]
    assert _groups("途乐的行程不错", group) == []
    assert _groups("退款三个月没到", group) == []


def test_the_matcher_reports_groups_in_configuration_order() -> None:
    assert _groups("张总：途乐旅行的星耀Pro14") == ["途乐旅行", "星耀Pro14", "途乐高管"]
    assert WatchMatcher([TULE, STAR]).group("星耀Pro14") is STAR
    with pytest.raises(LookupError):
        WatchMatcher([TULE]).group("nope")


def test_many_groups_share_terms() -> None:
    groups = [WatchGroupConfig(name=f"g{i}", include=["途乐", f"词{i}"]) for i in range(300)]
    matcher = WatchMatcher(groups)
    assert len(matcher.match("途乐")) == 300
    assert [m.group for m in matcher.match("词7 词299")] == ["g7", "g299"]
    assert matcher.term_count == 301


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"include": [False]}, "must be text, got bool False (YAML reads bare yes/no/on/off/true/false"),
        ({"include": [123]}, "must be text, got int 123 (YAML reads bare numbers as numbers"),
        ({"include": [None]}, "must be text, got nothing"),
        ({"include": ["\u200b"]}, "is empty once invisible characters are removed"),
        ({}, "a watch group needs include terms, aliases or an expression"),
        ({"expression": "NOT 招聘"}, "the expression holds for posts that contain none of its terms"),
        ({"expression": "途乐 AND 退款) OR x"}, "unexpected ')' at column 10"),
        ({"expression": 42}, "must be text, got int 42"),
        (
            {"include": ["途乐"], "exclude": ["招聘"]},
            "exclude term '招聘' overlaps none of the group's terms",
        ),
    ],
)
def test_bad_groups_are_rejected(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        WatchGroupConfig.model_validate({"name": "x", **fields})
    assert message in str(caught.value)


def test_exclude_words_that_overlap_an_include_term_are_accepted() -> None:
    WatchGroupConfig(name="小米", include=["小米"], exclude=["小米粥", "米粥", "大小米"])


def _config(tmp_path: Path, watch_groups: str) -> Path:
    directory = tmp_path / "config"
    shutil.copytree(ROOT / "config", directory)
    (directory / "watch_groups.yaml").write_text(watch_groups, encoding="utf-8")
    return directory


def test_a_malformed_expression_is_rejected_at_load_with_file_key_and_column(tmp_path: Path) -> None:
    directory = _config(
        tmp_path,
        "watch_groups:\n"
        "  - {name: 途乐旅行, include: [途乐]}\n"
        "  - {name: 星耀, include: [星耀]}\n"
        "  - {name: 高管, expression: '张总 AND 途乐) OR x'}\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(directory, environ={})
    assert caught.value.problems == [
        f"{directory / 'watch_groups.yaml'}: watch_groups[2].expression: unexpected ')' at column 10 (line 4)"
    ]


def test_yaml_booleans_and_numbers_are_rejected_with_a_hint(tmp_path: Path) -> None:
    directory = _config(tmp_path, "watch_groups:\n  - name: x\n    include: [on, 0123, 途乐]\n")
    with pytest.raises(ConfigError) as caught:
        load_config(directory, environ={})
    file = directory / "watch_groups.yaml"
    assert [p.split(" (")[0] for p in caught.value.problems] == [
        f"{file}: watch_groups[0].include[0]: must be text, got bool True",
        f"{file}: watch_groups[0].include[1]: must be text, got int 83",  # YAML 1.1 read 0123 as octal
    ]


def test_the_shipped_configs_load() -> None:
    assert len(load_config(ROOT / "config", environ={}).watch_groups) >= 3
    assert [g.name for g in load_config(ROOT / "monitor" / "demo" / "config", environ={}).watch_groups] == [
        "途乐旅行",
        "星耀Pro14",
    ]
