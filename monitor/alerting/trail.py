"""An alert's trail as people read it: what people did, each on its own line, and the monitor's
own long runs of lines (progress prompts, the messages that carried them) summed up in one.

An alert open for weeks gathers hundreds of "progress → li_na" and "delivered email → …" lines;
shown one by one they bury the notes people wrote. Runs of more than :data:`LONGEST_RUN` of the
monitor's lines in a row become one line that counts them by kind; every event stays stored,
and ``--json`` (or the page's full trail) gives each.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor.store.models import AlertEvent

MONITOR = "monitor"  # the actor of the lines the monitor writes itself
LONGEST_RUN = 6  # the monitor's lines in a row shown one by one; a longer run is summed up


@dataclass(frozen=True)
class TrailLine:
    """One line of the trail: an event, or (``until`` set) a run of the monitor's own events."""

    at: datetime
    kind: str
    actor: str
    detail: str
    until: datetime | None = None  # the last event of a summed-up run
    events: int = 1


def readable_trail(events: Iterable[AlertEvent]) -> list[TrailLine]:
    """The trail in order, the monitor's long runs summed up (``progress ×120: to li_na; …``)."""
    lines: list[TrailLine] = []
    run: list[AlertEvent] = []
    for event in events:
        if event.actor == MONITOR:
            run.append(event)
            continue
        lines += _run(run)
        run = []
        lines.append(TrailLine(event.at, event.kind, event.actor, event.detail))
    return lines + _run(run)


def _run(run: Sequence[AlertEvent]) -> list[TrailLine]:
    if len(run) <= LONGEST_RUN:
        return [TrailLine(event.at, event.kind, event.actor, event.detail) for event in run]
    counts = Counter((event.kind, event.detail) for event in run)
    said = "; ".join(
        f"{kind} ×{times}: {detail}" if detail else f"{kind} ×{times}"
        for (kind, detail), times in counts.items()
    )
    return [TrailLine(run[0].at, "…", MONITOR, said, until=run[-1].at, events=len(run))]
