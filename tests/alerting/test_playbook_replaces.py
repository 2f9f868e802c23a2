"""A stricter step of a higher tier ``replaces`` the lower tier's step it supersedes.

紧迫's "update the customer once or twice a day" (daily_feedback) and 非常紧迫's "stay in
continuous contact" (continuous_contact) are one duty at two strengths: after an escalation the
checklist must not hold both. Fixtures: the shipped playbooks (monitor/defaults/playbooks.yaml)
and small documents written by the test; :func:`takes_over` is what an escalation asks, step by
step, of the alert's checklist (step id -> done).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from monitor.alerting.playbooks import FIRST_CONTACT_STEP, PlaybookStep, load_playbooks, takes_over
from monitor.detect.severity import Severity
from monitor.errors import ConfigError

SHIPPED = Path(__file__).resolve().parents[2] / "monitor" / "defaults" / "playbooks.yaml"


def doc() -> dict:
    """A valid document: each tier has triage and first contact; urgent and general a daily update."""
    out: dict = {}
    for severity in Severity:
        sla = int(severity.first_contact.total_seconds() // 60)
        steps = [
            {"id": "triage", "title": "甄别", "due_after_minutes": 30},
            {"id": FIRST_CONTACT_STEP, "title": "首次联系投诉人", "due_after_minutes": sla},
        ]
        if severity is not Severity.VERY_URGENT:
            steps.append({"id": "daily_feedback", "title": "每天反馈", "due_after_minutes": 1440})
        out[severity.value] = {"name": f"{severity.label_zh} playbook", "steps": steps}
    return out


def problems(tmp_path: Path, data: dict) -> list[str]:
    path = tmp_path / "playbooks.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_playbooks(path)
    # where each is in the file is tested in test_playbooks.py; here, what is said
    return [
        re.sub(r" \(line \d+\)$", "", problem.removeprefix(f"{path}: ")) for problem in caught.value.problems
    ]


def with_step(data: dict, tier: str, step: dict) -> dict:
    data[tier]["steps"].append(step)
    return data


def test_the_shipped_continuous_contact_replaces_the_daily_update() -> None:
    shipped = load_playbooks(SHIPPED)
    very = shipped[Severity.VERY_URGENT].step("continuous_contact")
    assert very is not None and very.replaces == "daily_feedback"
    assert shipped[Severity.URGENT].step("daily_feedback") is not None
    assert shipped[Severity.VERY_URGENT].step("daily_feedback") is None


def test_a_valid_replacement_loads(tmp_path: Path) -> None:
    data = with_step(
        doc(),
        "very_urgent",
        {
            "id": "continuous_contact",
            "replaces": "daily_feedback",
            "title": "随时联系",
            "due_after_minutes": 480,
        },
    )
    path = tmp_path / "playbooks.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    step = load_playbooks(path)[Severity.VERY_URGENT].step("continuous_contact")
    assert step is not None and step.replaces == "daily_feedback"


@pytest.mark.parametrize(
    ("tier", "step", "expected"),
    [
        (
            "very_urgent",
            {
                "id": "keep_in_touch",
                "replaces": "daily_feedbak",
                "title": "随时联系",
                "due_after_minutes": 480,
            },
            "very_urgent.steps[2].replaces: 'daily_feedbak' is not a step of a lower tier; "
            "did you mean 'daily_feedback'?",
        ),
        (
            "general",
            {
                "id": "keep_in_touch",
                "replaces": "daily_feedback",
                "title": "随时联系",
                "due_after_minutes": 480,
            },
            "general.steps[3].replaces: general has the step 'daily_feedback' too; it cannot come back",
        ),
        (
            "very_urgent",
            {"id": "keep_in_touch", "replaces": "triage", "title": "随时联系", "due_after_minutes": 480},
            "very_urgent.steps[2].replaces: very_urgent has the step 'triage' too; it cannot come back",
        ),
        (
            "very_urgent",
            {"replaces": "daily_feedback", "title": "随时联系", "due_after_minutes": 480},
            "very_urgent.steps[2].id: missing; a step that replaces another needs an id",
        ),
        (
            "very_urgent",
            {
                "id": "keep_in_touch",
                "replaces": "Daily Feedback",
                "title": "随时联系",
                "due_after_minutes": 1,
            },
            "very_urgent.steps[2].replaces: must be lowercase letters, digits and _, starting with a letter "
            "(at most 64 characters)",
        ),
        (
            "very_urgent",
            {"id": "keep_in_touch", "replaces": False, "title": "随时联系", "due_after_minutes": 1},
            "very_urgent.steps[2].replaces: must be a non-empty string; YAML read the value as the boolean "
            "false (no/yes/on/off/true/false): quote it",
        ),
    ],
    ids=["misspelt", "not-from-a-lower-tier", "own-tier-keeps-it", "no-id", "bad-id", "boolean"],
)
def test_a_bad_replacement_is_reported_with_its_key(
    tmp_path: Path, tier: str, step: dict, expected: str
) -> None:
    assert problems(tmp_path, with_step(doc(), tier, step)) == [expected]


def test_a_higher_tier_cannot_bring_a_replaced_step_back(tmp_path: Path) -> None:
    data = with_step(
        doc(),
        "urgent",
        {"id": "keep_in_touch", "replaces": "daily_feedback", "title": "随时联系", "due_after_minutes": 480},
    )
    data["urgent"]["steps"] = [s for s in data["urgent"]["steps"] if s["id"] != "daily_feedback"]
    data["very_urgent"]["steps"].append(
        {"id": "daily_feedback", "title": "每天反馈", "due_after_minutes": 60}
    )
    assert problems(tmp_path, data) == [
        "urgent.steps[2].replaces: very_urgent has the step 'daily_feedback' too; it cannot come back"
    ]


def test_a_category_step_cannot_replace(tmp_path: Path) -> None:
    data = doc()
    data["by_category"] = {
        "dealer": {
            "steps": [{"id": "dealer_x", "replaces": "triage", "title": "核实", "due_after_minutes": 60}]
        }
    }
    assert problems(tmp_path, data) == [
        "by_category.dealer.steps[0].replaces: only a tier's step can replace a lower tier's step"
    ]


STRICT = PlaybookStep(
    id="continuous_contact", replaces="daily_feedback", title="随时联系", due_after_minutes=480
)


def test_the_stricter_step_takes_over_the_open_step_it_replaces() -> None:
    assert takes_over(STRICT, {"triage": True, "daily_feedback": False}) == "daily_feedback"


def test_a_done_replaced_step_stays_done_and_the_stricter_step_is_added() -> None:
    assert takes_over(STRICT, {"triage": True, "daily_feedback": True}) is None


def test_a_step_already_on_the_alert_is_its_own_and_a_new_one_is_added() -> None:
    assert takes_over(STRICT, {"continuous_contact": True, "daily_feedback": False}) == "continuous_contact"
    apology = PlaybookStep(id="apology", title="道歉", due_after_minutes=240)
    assert takes_over(apology, {"apology": True}) == "apology"
    assert takes_over(apology, {"triage": False}) is None
    assert takes_over(PlaybookStep(title="无编号", due_after_minutes=1), {"triage": False}) is None


# --- the escalation itself (monitor/alerting/checklist.py: add_checklist) -------------------


@pytest.mark.parametrize("done_first", [pytest.param(False, id="open"), pytest.param(True, id="done")])
def test_an_escalation_leaves_one_contact_duty_on_the_checklist(tmp_path: Path, done_first: bool) -> None:
    from datetime import UTC, datetime, timedelta

    from monitor.alerting.service import consider
    from monitor.config.loader import load_config
    from monitor.detect.assess import Assessment
    from monitor.sources.base import ThreadSummary
    from monitor.store import repo
    from monitor.store.db import ensure_schema, make_engine, session_factory
    from monitor.store.models import Alert

    config = load_config(Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config", environ={})
    engine = make_engine(f"sqlite:///{tmp_path / 'monitor.db'}")
    ensure_schema(engine, auto_migrate=True)
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    with session_factory(engine)() as session:
        source = repo.ensure_source(session, config.sources[0])
        board = repo.ensure_board(session, source, "2", "投诉维权")
        summary = ThreadSummary(
            thread_id="26",
            title="途乐旅行不退款",
            author="a",
            author_id="1",
            replies=0,
            views=1,
            sticky=False,
            url="http://x/26",
        )
        thread, _ = repo.upsert_thread(session, source, board, summary, now)

        def found(severity: Severity) -> Assessment:
            return Assessment(
                escalating=True,
                severity=severity,
                figures=["f"],
                signals=[],
                negative_share=0.8,
                replies_per_hour=9.0,
            )

        change = consider(session, config, thread, config.watch_groups[0], found(Severity.URGENT), now)
        assert change is not None
        alert = session.get(Alert, change.alert_id)
        assert alert is not None
        daily = next(item for item in alert.checklist if item.step_id == "daily_feedback")
        position, due = alert.checklist.index(daily), daily.due_at
        assert due is not None
        if done_first:
            daily.done_at, daily.done_by = now + timedelta(minutes=20), "li_na"
        later = now + timedelta(hours=1)
        consider(session, config, thread, config.watch_groups[0], found(Severity.VERY_URGENT), later)
        strict = config.playbooks[Severity.VERY_URGENT].step("continuous_contact")
        assert strict is not None
        open_duties = [
            item
            for item in alert.checklist
            if item.step_id in ("daily_feedback", "continuous_contact") and item.done_at is None
        ]
        assert [item.title for item in open_duties] == [strict.checklist_title]
        if done_first:  # the done step stays as it was, the stricter one is added after it
            assert (alert.checklist[position].step_id, alert.checklist[position].done_by) == (
                "daily_feedback",
                "li_na",
            )
        else:  # taken over in place: its number (alerts tick N) now means the stricter step
            assert alert.checklist[position].step_id == "continuous_contact"
            assert alert.checklist[position].due_at == min(due, later + strict.due_after)
    engine.dispose()


def test_an_escalation_brings_a_step_worded_alike_in_both_tiers_forward(tmp_path: Path) -> None:
    """The apology reads the same in 紧迫 (due in 8 h) and 非常紧迫 (4 h): it is still moved up."""
    from datetime import UTC, datetime, timedelta

    from monitor.alerting.service import consider
    from monitor.config.loader import load_config
    from monitor.detect.assess import Assessment
    from monitor.sources.base import ThreadSummary
    from monitor.store import repo
    from monitor.store.db import ensure_schema, make_engine, session_factory
    from monitor.store.models import Alert

    config = load_config(Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config", environ={})
    engine = make_engine(f"sqlite:///{tmp_path / 'monitor.db'}")
    ensure_schema(engine, auto_migrate=True)
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    with session_factory(engine)() as session:
        source = repo.ensure_source(session, config.sources[0])
        board = repo.ensure_board(session, source, "2", "投诉维权")
        summary = ThreadSummary("26", "途乐旅行不退款", "a", "1", 0, 1, False, "http://x/26")
        thread, _ = repo.upsert_thread(session, source, board, summary, now)
        group = config.watch_groups[0]
        change = consider(
            session, config, thread, group, Assessment(True, Severity.URGENT, ["f"], [], 0.8, 9.0), now
        )
        assert change is not None
        alert = session.get(Alert, change.alert_id)
        assert alert is not None
        urgent = config.playbooks[Severity.URGENT].step("apology")
        strict = config.playbooks[Severity.VERY_URGENT].step("apology")
        assert urgent is not None and strict is not None
        assert urgent.checklist_title == strict.checklist_title and strict.due_after < urgent.due_after
        [apology] = [item for item in alert.checklist if item.step_id == "apology"]
        assert apology.due_at == now + urgent.due_after
        later = now + timedelta(hours=1)
        consider(
            session, config, thread, group, Assessment(True, Severity.VERY_URGENT, ["f"], [], 0.8, 9.0), later
        )
        assert [item for item in alert.checklist if item.step_id == "apology"] == [apology]  # still one
        assert apology.due_at == later + strict.due_after  # 13:00 + 4 h, not 12:00 + 8 h
        assert apology.severity == Severity.VERY_URGENT.value
    engine.dispose()
