"""SQLAlchemy 2.0 models: what the monitor remembers.

sources ─< boards ─< threads ─< posts
                      threads ─< snapshots (a thread's readings as they change: the detector's input)
watch_groups ─< watch_matches >─ threads
alerts ─< alert_events, checklist_items, deliveries   (alerts >─ threads)
digests (one per week sent)
signin_uses (the dashboard's spent sign-in links, and the sessions they started)
host_rests (forums that asked, with a Retry-After, to be left alone)

Declared in monitor/store/forum_models.py and monitor/store/alert_models.py; importing this module
maps every table.
"""

from __future__ import annotations

from monitor.store.alert_models import (
    Alert,
    AlertEvent,
    AlertThread,
    ChecklistItem,
    Delivery,
    DigestRow,
    Evidence,
    SignInUse,
)
from monitor.store.base import Base
from monitor.store.forum_models import (
    Board,
    HealthEvent,
    HostRest,
    Post,
    Snapshot,
    SourceRow,
    Thread,
    WatchGroupRow,
    WatchMatch,
)

__all__ = [
    "Alert",
    "AlertEvent",
    "AlertThread",
    "Base",
    "Board",
    "ChecklistItem",
    "Delivery",
    "DigestRow",
    "Evidence",
    "HealthEvent",
    "HostRest",
    "Post",
    "SignInUse",
    "Snapshot",
    "SourceRow",
    "Thread",
    "WatchGroupRow",
    "WatchMatch",
]
