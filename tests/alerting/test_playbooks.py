"""Playbooks: the shipped files (config/playbooks.yaml and its packaged copy) and the loader's errors."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from monitor.alerting.playbooks import (
    DEFAULT_PLAYBOOKS_PATH,
    FIRST_CONTACT_STEP,
    checklist_for,
    default_playbooks_path,
    load_playbooks,
)
from monitor.detect.severity import Severity
from monitor.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
CONFIG_PLAYBOOKS = REPO / "config" / "playbooks.yaml"
MIN_STEPS = 8


@pytest.fixture(scope="module")
def shipped():
    return load_playbooks(default_playbooks_path())


def minimal_doc() -> dict:
    """A small valid playbooks document (as YAML would load it)."""
    doc = {}
    for severity in Severity:
        sla = int(severity.first_contact.total_seconds() // 60)
        doc[severity.value] = {
            "name": f"{severity.label_zh} playbook",
            "steps": [
                {"id": "triage", "title": "甄别", "due_after_minutes": 30},
                {"id": "one_voice", "title": "统一口径", "due_after_minutes": 30},
                {"id": FIRST_CONTACT_STEP, "title": "首次联系投诉人", "due_after_minutes": sla},
            ],
        }
    return doc


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "playbooks.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def write_doc(tmp_path: Path, doc: object) -> Path:
    return write(tmp_path, yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_playbooks(path)
    return caught.value.problems


# --- the shipped playbooks -------------------------------------------------------------


def test_default_path_is_inside_the_package_not_config():
    path = default_playbooks_path()
    assert path == DEFAULT_PLAYBOOKS_PATH
    assert path.parts[-3:] == ("monitor", "defaults", "playbooks.yaml")
    assert path.is_file()


def test_packaged_copy_is_identical_to_config_example():
    assert DEFAULT_PLAYBOOKS_PATH.read_bytes() == CONFIG_PLAYBOOKS.read_bytes()


def test_config_example_loads():
    assert set(load_playbooks(CONFIG_PLAYBOOKS)) == set(Severity)


def test_every_tier_has_a_playbook_with_enough_steps(shipped):
    assert set(shipped) == set(Severity)
    for severity, playbook in shipped.items():
        assert len(playbook.steps) >= MIN_STEPS, severity
        assert playbook.name.startswith(severity.label_zh)


@pytest.mark.parametrize("severity", list(Severity))
def test_first_contact_is_due_within_the_tier_sla(shipped, severity):
    step = shipped[severity].step(FIRST_CONTACT_STEP)
    assert step is not None
    assert step.due_after <= severity.first_contact
    assert "seed 004" in (step.source or "")


@pytest.mark.parametrize("severity", list(Severity))
def test_steps_are_in_due_order_and_close_with_the_summary(shipped, severity):
    steps = shipped[severity].steps
    dues = [step.due_after_minutes for step in steps]
    assert dues == sorted(dues)
    assert steps[0].id == "triage" and steps[0].due_after_minutes <= 60  # first-hour triage (甄别)
    assert steps[-1].id == "summary" and "投诉总结" in steps[-1].title and "统计分析" in steps[-1].title


def test_every_step_is_chinese_with_an_english_gloss_and_cites_a_seed(shipped):
    for playbook in shipped.values():
        ids = [step.id for step in playbook.steps]
        assert None not in ids and len(set(ids)) == len(ids)
        for step in playbook.steps:
            assert re.search(r"[\u4e00-\u9fff]", step.title), step.title
            assert step.gloss and step.gloss.isascii(), step.title
            assert re.fullmatch(r"seed 00[0-4](; seed 00[0-4])*", step.source or ""), step.source


@pytest.mark.parametrize(
    ("severity", "must_cover"),
    [
        (
            Severity.GENERAL,
            ["甄别", "统一口径", "道歉不等于承担责任", "不把问题推给合作方", "何时解决", "每天", "跟踪回访"],
        ),
        (Severity.URGENT, ["甄别", "统一口径", "上报部门主管", "道歉不等于承担责任", "1–2次", "消费者组织"]),
        (
            Severity.VERY_URGENT,
            [
                "甄别",
                "统一口径",
                "公司主管领导",
                "最迟不超过4小时",
                "道歉不等于承担责任",
                "政府有关部门",
                "新闻媒体",
                "消费者组织",
                "及时对外发布",
                "整顿改造",
                "理赔",
                "修复品牌形象",
                "跟踪回访",
            ],
        ),
    ],
)
def test_playbooks_cover_what_the_seeds_teach(shipped, severity, must_cover):
    text = "\n".join(f"{step.title} {step.detail or ''}" for step in shipped[severity].steps)
    for phrase in must_cover:
        assert phrase in text, phrase


def test_tier_order_of_report_up_and_contact(shipped):
    very, urgent = shipped[Severity.VERY_URGENT], shipped[Severity.URGENT]
    assert very.step("report_up").due_after < urgent.step("report_up").due_after
    assert shipped[Severity.GENERAL].step("report_up") is None
    assert very.step("continuous_contact") is not None


def test_shared_steps_keep_one_title_across_tiers(shipped):
    """An escalated alert gains the new tier's steps; identical titles are not added twice."""
    for step_id in ("triage", "one_voice", "ownership", "apology", "ibm_answer", "follow_up", "summary"):
        titles = {pb.step(step_id).checklist_title for pb in shipped.values()}
        assert len(titles) == 1, step_id


# --- checklist_for ----------------------------------------------------------------------


def test_checklist_due_times_are_opened_at_plus_offset(shipped):
    playbook = shipped[Severity.VERY_URGENT]
    opened = datetime(2026, 11, 23, 13, 7, tzinfo=UTC)
    lines = checklist_for(playbook, opened)
    assert [line.due_at for line in lines] == [opened + step.due_after for step in playbook.steps]
    assert lines[0].title == f"{playbook.steps[0].title} ({playbook.steps[0].gloss})"
    assert not any(line.done for line in lines)


def test_checklist_times_are_utc(shipped):
    playbook = shipped[Severity.GENERAL]
    shanghai = datetime(2026, 11, 23, 21, 7, tzinfo=timezone(timedelta(hours=8)))
    naive_utc = datetime(2026, 11, 23, 13, 7)
    for opened in (shanghai, naive_utc):
        first = checklist_for(playbook, opened)[0]
        assert first.due_at == datetime(2026, 11, 23, 14, 7, tzinfo=UTC)
        assert first.due_at.utcoffset() == timedelta(0)


# --- bad files ------------------------------------------------------------------------


def test_minimal_document_loads(tmp_path):
    playbooks = load_playbooks(write_doc(tmp_path, minimal_doc()))
    assert [step.id for step in playbooks[Severity.URGENT].steps] == ["triage", "one_voice", "first_contact"]


def test_misspelt_key_names_file_key_and_suggestion(tmp_path):
    doc = minimal_doc()
    step = doc["very_urgent"]["steps"][2]
    step["due_after_minute"] = step.pop("due_after_minutes")
    path = write_doc(tmp_path, doc)
    problems = problems_of(path)
    line = next(
        n
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "due_after_minute:" in text
    )
    misspelt = "very_urgent.steps[2].due_after_minute: unknown key; did you mean 'due_after_minutes'?"
    assert f"{path}: {misspelt} (line {line})" in problems
    said = f"{path}: very_urgent.steps[2].due_after_minutes: missing; this key is required (line "
    assert any(p.startswith(said) for p in problems)  # the step's line: the key is not there


def test_misspelt_playbook_key(tmp_path):
    doc = minimal_doc()
    doc["urgent"]["stpes"] = doc["urgent"].pop("steps")
    problems = problems_of(write_doc(tmp_path, doc))
    assert any("urgent.stpes: unknown key; did you mean 'steps'?" in p for p in problems)


def test_boolean_title_from_bare_no_is_rejected(tmp_path):
    text = yaml.safe_dump(minimal_doc(), allow_unicode=True, sort_keys=False)
    text = text.replace("title: 统一口径", "title: no", 1)
    path = write(tmp_path, text)
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: general.steps[1].title: must be a non-empty string")
    assert "boolean false" in problem and "quote it" in problem


@pytest.mark.parametrize("title", ["", "   ", None, 42, ["甄别"]])
def test_title_must_be_a_non_empty_string(tmp_path, title):
    doc = minimal_doc()
    doc["urgent"]["steps"][0]["title"] = title
    [problem] = problems_of(write_doc(tmp_path, doc))
    assert "urgent.steps[0].title: must be a non-empty string" in problem


def test_missing_tier(tmp_path):
    doc = minimal_doc()
    del doc["urgent"]
    path = write_doc(tmp_path, doc)
    assert problems_of(path) == [
        f"{path}: urgent: missing; every severity needs a playbook (general, urgent, very_urgent)"
    ]


def test_unknown_tier(tmp_path):
    doc = minimal_doc()
    doc["very-urgent"] = doc.pop("very_urgent")
    problems = problems_of(write_doc(tmp_path, doc))
    assert any("very-urgent: unknown key; did you mean 'very_urgent'?" in p for p in problems)
    assert any(
        p.endswith("very_urgent: missing; every severity needs a playbook (general, urgent, very_urgent)")
        for p in problems
    )


def test_not_yaml(tmp_path):
    path = write(tmp_path, "general:\n  steps: [\n    {title: 甄别\n  : }\n")
    [problem] = problems_of(path)
    assert re.match(rf"{re.escape(str(path))}: line \d+(, column \d+)?: not valid YAML: ", problem)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "(top level): the file is empty"),
        ("- general\n- urgent\n", "(top level): must be a mapping of severity"),
        ("just some words\n", "(top level): must be a mapping of severity"),
    ],
)
def test_top_level_must_be_a_mapping(tmp_path, text, expected):
    path = write(tmp_path, text)
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: {expected}")


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: (file): cannot read")


def test_not_utf8(tmp_path):
    path = tmp_path / "playbooks.yaml"
    path.write_bytes("general:\n  name: 一般\n".encode("gbk"))
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: not UTF-8 text (byte ") and "save it as UTF-8" in problem


@pytest.mark.parametrize("due", [-5, 1.5, "30", True, None])
def test_due_after_minutes_must_be_a_non_negative_integer(tmp_path, due):
    doc = minimal_doc()
    doc["very_urgent"]["steps"][2]["due_after_minutes"] = due
    path = write_doc(tmp_path, doc)
    [problem] = problems_of(path)
    assert problem.startswith(
        f"{path}: very_urgent.steps[2].due_after_minutes: must be a non-negative integer"
    )


def test_first_contact_later_than_sla(tmp_path):
    doc = minimal_doc()
    doc["very_urgent"]["steps"][2]["due_after_minutes"] = 241
    path = write_doc(tmp_path, doc)
    [problem] = problems_of(path)
    assert problem.startswith(
        f"{path}: very_urgent.steps[2].due_after_minutes: the first contact must be due"
    )
    assert "240 minutes" in problem


def test_first_contact_step_is_required(tmp_path):
    doc = minimal_doc()
    del doc["general"]["steps"][2]
    [problem] = problems_of(write_doc(tmp_path, doc))
    assert "general.steps: needs a step with id 'first_contact'" in problem


def test_duplicate_and_malformed_ids(tmp_path):
    doc = minimal_doc()
    doc["urgent"]["steps"][1]["id"] = "triage"
    doc["general"]["steps"][0]["id"] = "Triage step"
    problems = problems_of(write_doc(tmp_path, doc))
    assert any("urgent.steps[1].id: duplicate id 'triage' (also steps[0])" in p for p in problems)
    assert any("general.steps[0].id: must be lowercase letters" in p for p in problems)


def test_steps_must_be_a_non_empty_list_of_mappings(tmp_path):
    doc = minimal_doc()
    doc["general"]["steps"] = []
    doc["urgent"]["steps"] = "甄别"
    doc["very_urgent"]["steps"][0] = "甄别"
    problems = problems_of(write_doc(tmp_path, doc))
    assert any("general.steps: must list at least one step" in p for p in problems)
    assert any("urgent.steps: must be a list of steps, got a string" in p for p in problems)
    assert any("very_urgent.steps[0]: must be a mapping (a step), got a string" in p for p in problems)


def test_every_problem_is_reported_at_once(tmp_path):
    doc = minimal_doc()
    doc["general"]["steps"][0]["title"] = False
    doc["urgent"]["steps"][1]["due_after_minutes"] = -1
    doc["very_urgent"]["steps"][0]["colour"] = "red"
    problems = problems_of(write_doc(tmp_path, doc))
    assert len(problems) == 3
    assert all(p.startswith(f"{tmp_path / 'playbooks.yaml'}: ") for p in problems)


# --- steps per complaint category ---------------------------------------------------------


def test_every_category_but_other_adds_steps_that_cite_a_seed(shipped):
    assert set(shipped.by_category) == {"product", "service", "dealer", "policy"}
    for entry in shipped.by_category.values():
        for step in entry.steps:
            assert re.search(r"[\u4e00-\u9fff]", step.title) and step.gloss and step.gloss.isascii()
            assert re.fullmatch(r"seed 00[0-4](; seed 00[0-4])*", step.source or ""), step.source


def test_steps_for_merges_the_category_in_due_order(shipped):
    steps = shipped.steps_for(Severity.GENERAL, "dealer")
    assert [s.due_after_minutes for s in steps] == sorted(s.due_after_minutes for s in steps)
    ids = [s.id for s in steps]
    assert {"dealer_verify", "dealer_no_blame", "triage", "summary"} <= set(ids)
    assert ids[-1] == "summary"  # the closing summary stays last
    assert shipped.steps_for(Severity.GENERAL, "other") == list(shipped[Severity.GENERAL].steps)
    assert shipped.steps_for(Severity.GENERAL, None) == list(shipped[Severity.GENERAL].steps)


def test_category_steps_problems_name_the_key(tmp_path):
    doc = minimal_doc()
    doc["by_category"] = {
        "prodcut": {"steps": [{"title": "x", "due_after_minutes": 1}]},
        "dealer": {"steps": [{"id": "triage", "title": "核实", "due_after_minutes": "soon"}]},
        "policy": {"steps": [{"id": "triage", "title": "解释", "due_after_minutes": 5}]},
    }
    problems = problems_of(write_doc(tmp_path, doc))
    assert any("by_category.prodcut: unknown key; did you mean 'product'? (line " in p for p in problems)
    assert any(
        "by_category.dealer.steps[0].due_after_minutes: must be a non-negative integer (whole minutes) (line "
        in p
        for p in problems
    ), problems
    assert any(
        "by_category.policy.steps[0].id: 'triage' is already a tier step's id; choose another (line " in p
        for p in problems
    ), problems
