"""The shipped lexicons load and validate; a broken edited lexicon names its file and key.

Reads monitor/enrich/lexicon/{signals,categories}.yaml; broken copies are written into tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.enrich.category import CategoryClassifier, default_category_lexicon_path, load_category_lexicon
from monitor.enrich.signals import SignalDetector, default_lexicon_path, load_signal_lexicon
from monitor.errors import ConfigError


def test_the_shipped_signal_lexicon_loads_and_every_pattern_compiles() -> None:
    lexicon = load_signal_lexicon()
    names = [s.name for s in lexicon.signals]
    assert names[:5] == ["media", "lawyer", "regulator", "consumer_day", "rights"]
    assert all(s.terms or s.patterns for s in lexicon.signals)
    detector = SignalDetector(lexicon)
    assert [s.name for s in detector.detect("我是律师")] == ["lawyer"]


def test_an_edited_lexicon_can_add_a_signal(tmp_path: Path) -> None:
    text = default_lexicon_path().read_text(encoding="utf-8")
    text += "  - name: police\n    label: police (报警)\n    terms: [报警, 派出所]\n"
    edited = tmp_path / "signals.yaml"
    edited.write_text(text, encoding="utf-8")
    detector = SignalDetector(load_signal_lexicon(edited))
    assert [s.name for s in detector.detect("已经报警了")] == ["police"]
    assert detector.labels["police"] == "police (报警)"
    assert detector.detect("没有报警") == []


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (
            ("terms: [律师,", "terms: [yes, 律师,"),
            "signals.1.terms: every word must be quoted text, got bool True",
        ),
        (("- name: media", "- name: Media"), "signals.0.name: String should match pattern"),
        (
            ("terms: [维权]", "terms: [维权]\n    patterns: ['维权(']"),
            "signals.4.patterns: pattern '维权(' is not a valid regular expression",
        ),
        (("- name: rights", "- name: media"), "signals: duplicate signal names: media"),
    ],
)
def test_a_broken_signal_lexicon_names_file_and_key(
    tmp_path: Path, edit: tuple[str, str], problem: str
) -> None:
    text = default_lexicon_path().read_text(encoding="utf-8")
    assert edit[0] in text
    broken = tmp_path / "signals.yaml"
    broken.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_signal_lexicon(broken)
    assert any(p.startswith(f"{broken}: {problem}") for p in caught.value.problems), caught.value.problems


def test_the_category_lexicon_loads_and_a_broken_one_names_file_and_key(tmp_path: Path) -> None:
    CategoryClassifier(load_category_lexicon())
    text = default_category_lexicon_path().read_text(encoding="utf-8")
    broken = tmp_path / "categories.yaml"
    broken.write_text(text.replace("- name: other", "- name: misc", 1), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_category_lexicon(broken)
    assert caught.value.problems[0].startswith(f"{broken}: categories.4.name:")
    missing = tmp_path / "missing.yaml"
    with pytest.raises(ConfigError, match="cannot read the category lexicon"):
        load_category_lexicon(missing)
