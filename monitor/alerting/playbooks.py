"""Crisis playbooks: one checklist per severity tier, plus steps per complaint category.

An alert's checklist is its tier's steps and its category's extra steps (``by_category``:
product, service, dealer, policy, other), in due order: a dealer complaint also gets "verify
with the dealer, but don't blame them in public", a product complaint "send it to quality for
root-cause analysis" (seeds 000 and 003). Loaded from YAML and validated strictly. A tier's
step may supersede a lower tier's on an escalation (``replaces``, :func:`takes_over`).

The shipped playbooks (``monitor/defaults/playbooks.yaml``, copied to ``config/playbooks.yaml``
as the example ops edit) are written from the seed documents, triage (甄别) to the closing
summary (投诉总结).

Every problem in a file is reported at once as ``file: key: message``, for example
``config/playbooks.yaml: very_urgent.steps[2].due_after_minutes: must be a non-negative integer``.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from monitor.alerting.message import ChecklistLine
from monitor.alerting.playbook_wording import boolean_hint, key_text, kind_of, line_note, unknown_key
from monitor.detect.severity import Severity
from monitor.errors import ConfigError
from monitor.yaml_errors import not_utf8, yaml_problem

logger = logging.getLogger(__name__)

FIRST_CONTACT_STEP = "first_contact"
"""Id of the step that must be due within the tier's first-contact SLA (seed 004)."""


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must be a non-empty string")
    return value


Text = Annotated[StrictStr, AfterValidator(_not_blank)]
StepId = Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


class PlaybookStep(BaseModel):
    """One step of a playbook, due a fixed number of minutes after the alert opened."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    id: StepId | None = None
    title: Text
    gloss: Text | None = None
    due_after_minutes: Annotated[StrictInt, Field(ge=0)]
    detail: Text | None = None
    source: Text | None = None
    replaces: StepId | None = None  # a lower tier's step this one supersedes on an escalation

    @property
    def due_after(self) -> timedelta:
        return timedelta(minutes=self.due_after_minutes)

    @property
    def checklist_title(self) -> str:
        """The title as a checklist shows it: Chinese, then the English gloss."""
        return f"{self.title} ({self.gloss})" if self.gloss else self.title


class Playbook(BaseModel):
    """The checklist a spokesperson works through for one severity tier."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: Text
    summary: Text | None = None
    steps: Annotated[list[PlaybookStep], Field(min_length=1)]

    def step(self, step_id: str) -> PlaybookStep | None:
        """The step with this id, or None."""
        return next((s for s in self.steps if s.id == step_id), None)


class CategorySteps(BaseModel):
    """Extra steps for every alert of one complaint category, whatever its tier."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    summary: Text | None = None
    steps: Annotated[list[PlaybookStep], Field(min_length=1)]


class Playbooks(Mapping[Severity, Playbook]):
    """The tiers' playbooks (a mapping by severity) and the steps added per category."""

    def __init__(self, tiers: Mapping[Severity, Playbook], by_category: Mapping[str, CategorySteps]) -> None:
        self._tiers = dict(tiers)
        self.by_category = dict(by_category)

    def __getitem__(self, severity: Severity) -> Playbook:
        return self._tiers[severity]

    def __iter__(self) -> Iterator[Severity]:
        return iter(self._tiers)

    def __len__(self) -> int:
        return len(self._tiers)

    def steps_for(self, severity: Severity, category: str | None) -> list[PlaybookStep]:
        """The tier's steps with the category's merged in, in due order (ties: tier steps first)."""
        extra = self.by_category.get(category or "")
        steps = [*self[severity].steps, *(extra.steps if extra else [])]
        return sorted(steps, key=lambda step: step.due_after_minutes)


CATEGORY_NAMES = ("product", "service", "dealer", "policy", "other")
"""The complaint categories of seed 003 (the same as :mod:`monitor.enrich.category`)."""
BY_CATEGORY = "by_category"

_TIERS = [severity.value for severity in Severity]
_TOP_KEYS = [*_TIERS, BY_CATEGORY]
_PLAYBOOK_KEYS = list(Playbook.model_fields)
_STEP_KEYS = list(PlaybookStep.model_fields)


def default_playbooks_path() -> Path:
    """The playbooks shipped inside the package (``monitor/defaults/playbooks.yaml``)."""
    resource = resources.files("monitor").joinpath("defaults", "playbooks.yaml")
    return Path(str(resource))


DEFAULT_PLAYBOOKS_PATH = default_playbooks_path()


def load_playbooks(path: Path) -> Playbooks:
    """Read and validate a playbooks file; raise :class:`ConfigError` listing every problem."""
    label = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError([not_utf8(label, exc)]) from exc
    except OSError as exc:
        raise ConfigError([f"{label}: (file): cannot read: {exc.strerror or exc}"]) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError([yaml_problem(label, exc)]) from exc

    problems: list[str] = []
    playbooks = _validate(data, problems)
    if problems:
        from monitor.config.yaml_lines import YamlLines  # not at the top: monitor.config imports this module

        lines = YamlLines(yaml.compose(text, Loader=yaml.SafeLoader))
        raise ConfigError([f"{label}: {problem}{line_note(lines, problem)}" for problem in problems])
    logger.debug("loaded playbooks", extra={"path": label})
    return playbooks


def checklist_for(playbook: Playbook, opened_at: datetime) -> list[ChecklistLine]:
    """The playbook's steps as checklist lines due ``opened_at + due_after_minutes`` (UTC).

    A naive ``opened_at`` is taken to be UTC, as the store keeps every time in UTC.
    """
    opened = opened_at.replace(tzinfo=UTC) if opened_at.tzinfo is None else opened_at.astimezone(UTC)
    return [
        ChecklistLine(title=step.checklist_title, due_at=opened + step.due_after) for step in playbook.steps
    ]


def takes_over(step: PlaybookStep, done: Mapping[str, bool]) -> str | None:
    """On an escalation, the id of the alert's step (``done``: step id -> done) that ``step`` takes
    over: its own, or the open step it ``replaces`` (to be reworded as ``step``, id and all).
    None: ``step`` is added (beside a done replaced step, which stays done as it was)."""
    if step.id in done:
        return step.id
    if step.replaces and done.get(step.replaces) is False:
        return step.replaces
    return None


def _validate(data: object, problems: list[str]) -> Playbooks:
    if data is None:
        problems.append(f"(top level): the file is empty; expected playbooks for {', '.join(_TIERS)}")
        return Playbooks({}, {})
    if not isinstance(data, Mapping):
        problems.append(
            f"(top level): must be a mapping of severity ({', '.join(_TIERS)}) to playbook, "
            f"got {kind_of(data)}"
        )
        return Playbooks({}, {})
    for key in data:
        if key not in _TOP_KEYS:
            problems.append(f"{key_text((key,))}: {unknown_key(key, _TOP_KEYS)}")
    playbooks: dict[Severity, Playbook] = {}
    for severity in Severity:
        if severity.value not in data:
            problems.append(
                f"{severity.value}: missing; every severity needs a playbook ({', '.join(_TIERS)})"
            )
            continue
        try:
            playbook = Playbook.model_validate(data[severity.value])
        except ValidationError as exc:
            for error in exc.errors():
                loc = (severity.value, *error["loc"])
                problems.append(f"{key_text(loc)}: {_message(error, loc)}")
            continue
        problems.extend(_check_steps(severity, playbook))
        playbooks[severity] = playbook
    problems.extend(_check_replaces(playbooks))
    return Playbooks(playbooks, _validate_categories(data.get(BY_CATEGORY), playbooks, problems))


def _validate_categories(
    data: object, tiers: Mapping[Severity, Playbook], problems: list[str]
) -> dict[str, CategorySteps]:
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        problems.append(
            f"{BY_CATEGORY}: must be a mapping of category ({', '.join(CATEGORY_NAMES)}) to steps, "
            f"got {kind_of(data)}"
        )
        return {}
    tier_ids = {step.id for playbook in tiers.values() for step in playbook.steps if step.id}
    out: dict[str, CategorySteps] = {}
    for key, value in data.items():
        if key not in CATEGORY_NAMES:
            problems.append(f"{BY_CATEGORY}.{key}: {unknown_key(key, CATEGORY_NAMES)}")
            continue
        try:
            entry = CategorySteps.model_validate(value)
        except ValidationError as exc:
            for error in exc.errors():
                loc = (BY_CATEGORY, key, *error["loc"])
                problems.append(f"{key_text(loc)}: {_message(error, loc[1:])}")
            continue
        seen: set[str] = set()
        for index, step in enumerate(entry.steps):
            where = f"{BY_CATEGORY}.{key}.steps[{index}]"
            if step.replaces is not None:
                problems.append(f"{where}.replaces: only a tier's step can replace a lower tier's step")
            if step.id is None:
                continue
            if step.id in seen:
                problems.append(f"{where}.id: duplicate id {step.id!r}")
            elif step.id in tier_ids:
                problems.append(f"{where}.id: {step.id!r} is already a tier step's id; choose another")
            seen.add(step.id)
        out[key] = entry
    return out


def _check_steps(severity: Severity, playbook: Playbook) -> list[str]:
    """Checks across steps: unique ids, and the first-contact step within the tier's SLA."""
    problems: list[str] = []
    seen: dict[str, int] = {}
    for index, step in enumerate(playbook.steps):
        if step.id is None:
            continue
        if step.id in seen:
            problems.append(
                f"{severity.value}.steps[{index}].id: duplicate id {step.id!r} (also steps[{seen[step.id]}])"
            )
        else:
            seen[step.id] = index
    sla_minutes = int(severity.first_contact.total_seconds() // 60)
    if FIRST_CONTACT_STEP not in seen:
        problems.append(
            f"{severity.value}.steps: needs a step with id {FIRST_CONTACT_STEP!r}, due within the "
            f"{severity.value} first-contact SLA of {sla_minutes} minutes (seed 004)"
        )
    else:
        index = seen[FIRST_CONTACT_STEP]
        if playbook.steps[index].due_after_minutes > sla_minutes:
            problems.append(
                f"{severity.value}.steps[{index}].due_after_minutes: the first contact must be due within "
                f"the {severity.value} SLA of {sla_minutes} minutes (seed 004)"
            )
    return problems


def _check_replaces(tiers: Mapping[Severity, Playbook]) -> Iterator[str]:
    """``replaces`` names a lower tier's step, gone from its own tier and every higher one."""
    for severity, playbook in tiers.items():
        below = [tier for tier in tiers if tier < severity]
        ids = sorted({step.id for tier in below for step in tiers[tier].steps if step.id})
        for index, step in enumerate(playbook.steps):
            where, old = f"{severity.value}.steps[{index}]", step.replaces
            again = [tier.value for tier in tiers if tier >= severity and old and tiers[tier].step(old)]
            if old and step.id is None:
                yield f"{where}.id: missing; a step that replaces another needs an id"
            if again:
                yield f"{where}.replaces: {again[0]} has the step {old!r} too; it cannot come back"
            elif old and old not in ids:
                close = difflib.get_close_matches(old, ids, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                yield f"{where}.replaces: {old!r} is not a step of a lower tier{hint}"


def _message(error: Mapping[str, Any], loc: Sequence[object]) -> str:
    kind = error["type"]
    value = error.get("input")
    field = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        allowed = _PLAYBOOK_KEYS if len(loc) == 2 else _STEP_KEYS
        return unknown_key(field, allowed)
    if kind == "missing":
        return "missing; this key is required"
    if field == "due_after_minutes":
        return "must be a non-negative integer (whole minutes)" + boolean_hint(value)
    if field == "steps":
        if kind == "too_short":
            return "must list at least one step"
        return f"must be a list of steps, got {kind_of(value)}"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        what = "a step" if isinstance(field, int) else "a playbook"
        return f"must be a mapping ({what}), got {kind_of(value)}"
    if field in ("id", "replaces") and kind in {"string_pattern_mismatch", "string_too_long"}:
        return "must be lowercase letters, digits and _, starting with a letter (at most 64 characters)"
    if kind == "string_type" or (kind == "value_error" and isinstance(value, str)):
        return "must be a non-empty string" + boolean_hint(value)
    return str(error["msg"])
