"""YAML syntax errors in the config files say the common slip in plain words, then the parser's.

Each case writes a broken watch_groups.yaml or routing.yaml into a copy of config/ and loads it
through the config loader (load_config), as `monitor check-config` and every start do.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from monitor.config.loader import load_config
from monitor.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(ROOT / "config", target)
    return target


def _problem(directory: Path, name: str, text: str) -> str:
    file = directory / name
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(directory, environ={})
    [problem] = [p for p in caught.value.problems if p.startswith(f"{file}:")]
    assert "\n" not in problem
    return problem.removeprefix(f"{file}: ")


GROUP = "watch_groups:\n  - name: 途乐旅行\n    category: service\n"


@pytest.mark.parametrize(
    ("text", "hint", "parser"),
    [
        (  # one space short: the key lines up with nothing
            GROUP + "   include: [途乐]\n",
            "line 4: not valid YAML: line 4 is indented 3 spaces, which lines up with no line above it: "
            "line 3 ('category: service') is at 4 spaces, line 2 ('- name: 途乐旅行') at 2; "
            "indent it exactly as the key it belongs beside",
            "[line 4, column 4: expected <block end>, but found '<block mapping start>' "
            "(while parsing a block collection)]",
        ),
        (  # one space too many: read as more of the line above's value
            GROUP + "     include: [途乐]\n",
            "line 4: not valid YAML: line 4 is indented 5 spaces, deeper than line 3 above it "
            "('category: service', 4 spaces), which already has its value: to be a key beside it, "
            "indent it 4 spaces",
            "[line 4, column 13: mapping values are not allowed here]",
        ),
        (  # a Chinese input method's colon: PyYAML blamed the next line
            "watch_groups:\n  - name：途乐旅行\n    include: [途乐]\n",
            "line 2: not valid YAML: line 2 has a full-width colon '：' in '- name：途乐旅行': YAML needs an "
            "ASCII colon and a space after a key, as in 'name: 途乐旅行'",
            "[line 3, column 12: mapping values are not allowed here]",
        ),
        (
            GROUP + "    include: [途乐]\n    aliases: {a: 途乐， b: Tule}\n",
            "line 5: not valid YAML: line 5 has a full-width comma '，'",
            "[line 5, column 23: expected ',' or '}', but got ':' (while parsing a flow mapping)]",
        ),
        (
            GROUP + "\tinclude: [途乐]\n",
            "line 4: not valid YAML: line 4 is indented with a tab character: YAML indents with spaces only",
            "[line 4, column 1: found character '\\t' that cannot start any token",
        ),
        (
            'watch_groups:\n  - name: "途乐旅行\n    include: [途乐]\n',
            'line 2: not valid YAML: the quote " opened at line 2, column 11 is never closed',
            "[line 4, column 1: found unexpected end of stream (while scanning a quoted scalar)]",
        ),
        (
            GROUP + "    include: [途乐, 途乐旅行\n    exclude: [途乐园]\n",
            "line 4: not valid YAML: the [ opened at line 4, column 14 is not closed before line 5: close "
            "it with ] on line 4",
            "[line 5, column 12: expected ',' or ']', but got ':' (while parsing a flow sequence)]",
        ),
    ],
    ids=["indent-short", "indent-deep", "full-width-colon", "full-width-comma", "tab", "quote", "bracket"],
)
def test_a_watch_groups_slip_is_said_plainly_with_the_parser_words_after(
    config_dir: Path, text: str, hint: str, parser: str
) -> None:
    said = _problem(config_dir, "watch_groups.yaml", text)
    assert said.startswith(hint), said
    assert parser in said and said.index(parser) > len(hint)


def test_a_routing_key_indented_between_levels_names_both_lines(config_dir: Path) -> None:
    routing = (config_dir / "routing.yaml").read_text(encoding="utf-8").splitlines()
    first = next(n for n, line in enumerate(routing) if line.startswith("  - key:"))
    routing[first + 1] = routing[first + 1][1:]  # 3 spaces: between '- key' (2) and its key (4)
    said = _problem(config_dir, "routing.yaml", "\n".join(routing) + "\n")
    assert said.startswith(
        f"line {first + 2}: not valid YAML: line {first + 2} is indented 3 spaces, which lines up with no "
        f"line above it: line {first + 1} ('- key: li_na') has its dash at 2 spaces and its key at 4;"
    ), said
    assert "expected <block end>" in said


def test_a_value_with_a_colon_says_to_quote_it(config_dir: Path) -> None:
    said = _problem(config_dir, "watch_groups.yaml", GROUP.replace("service", "service: 售后"))
    assert said.startswith(
        "line 3: not valid YAML: the value on line 3 holds ': ', which YAML reads as another key: put the "
        'value in quotes, as in category: "service: 售后" [line 3, column 22: mapping values'
    ), said


def test_an_error_with_no_common_cause_keeps_the_parser_words_in_place(config_dir: Path) -> None:
    said = _problem(config_dir, "watch_groups.yaml", "watch_groups:\n  - name: *tule\n")
    assert said == "line 2, column 11: not valid YAML: found undefined alias 'tule'"
