"""What a channel needs to tell a person about an alert: a plain value object.

Everything that came from a forum (titles, board names, excerpts, author names)
is untrusted; renderers escape it for the medium they write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from monitor.detect.severity import Severity


@dataclass(frozen=True)
class ChecklistLine:
    """One playbook step attached to an alert."""

    title: str
    due_at: datetime | None = None  # UTC
    done: bool = False


@dataclass(frozen=True)
class ActionLink:
    """A signed link that acts on the alert for the message's recipient (see :mod:`monitor.web.links`)."""

    kind: str  # "ack", "contacted" or "view"
    label: str  # written by us, never from a forum
    url: str
    expires_at: datetime  # UTC


@dataclass(frozen=True)
class Recipient:
    """A spokesperson (or backup) as a channel addresses them."""

    key: str
    name: str
    email: str | None = None


@dataclass(frozen=True)
class AlertMessage:
    """An alert as it is told to its spokesperson."""

    alert_id: int
    severity: Severity
    thread_title: str
    thread_url: str
    board_name: str
    source_name: str
    watch_groups: list[str]
    figures: list[str]  # why it fired, one short line each ("12 replies in the last hour")
    signals: list[str]  # crisis signals seen ("lawyer (律师) at floor 14")
    spokesperson: Recipient
    backup: Recipient | None
    opened_at: datetime  # UTC
    respond_by: datetime  # UTC: opened_at + the severity's first-contact SLA
    playbook_name: str
    checklist: list[ChecklistLine] = field(default_factory=list)
    escalated_from: Severity | None = None  # set when this is a re-notification after escalation
    excerpt: str = ""  # opening words of the thread's first post
    also_on: list[str] = field(default_factory=list)  # other boards carrying the same story
    timezone: str = "Asia/Shanghai"
    notice_tag: str = ""  # short tag for reminders, escalations to the backup, progress prompts
    notice: str = ""  # one line saying why this message comes now
    acknowledged: bool = False
    actions: tuple[ActionLink, ...] = ()  # empty unless web.base_url is configured
    actions_for: str = ""  # the name of the person the action links act for
    for_information: bool = False  # a copy (a route's ``also``): its one link opens the alert to read
    as_backup: bool = False  # a copy to the owner's backup: their page lets them act, and the links do
    terminal_for: str = ""  # no links (web.base_url unset): the recipient's key, for the commands to act
    contacted_at: datetime | None = None  # UTC: the first contact, made (then it, not respond_by, is shown)
    delivery_id: int | None = None  # the outbox row this message is for: its email's Message-ID follows it
