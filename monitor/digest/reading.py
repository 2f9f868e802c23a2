"""Forums read: which boards the monitor could not always read during the digest's week.

A week with few posts may be a quiet week or a board the crawler could not read (a login
wall, a captcha, a changed template). The digest says which, from the boards' health
(:mod:`monitor.health`): every board with a health event in the period — recoveries aside — or
failing or empty at the digest's time is listed with what went wrong and when it was last read.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.digest.model import BoardTrouble, DigestPeriod, Reading
from monitor.digest.wording import short_time
from monitor.health import board_status
from monitor.store.models import Board, HealthEvent, SourceRow

PROBLEM_LABELS = {
    "login_wall": "login wall",
    "captcha": "captcha",
    "fetch_failed": "pages not fetched",
    "parse_failed": "pages not understood",
    "zero_threads": "list suddenly empty",
    "disallowed": "robots.txt disallows",
}
TROUBLED_STATUSES = ("failing", "empty")
_STATES = {"failing": "failing now", "empty": "lists no threads now", "never polled": "never read"}


def reading_health(session: Session, period: DigestPeriod) -> Reading:
    """The forums and boards stored, and the boards with problems in the period or now."""
    events = session.execute(
        select(HealthEvent.board_id, HealthEvent.kind, func.count())
        .where(HealthEvent.at >= period.start, HealthEvent.at < period.end, HealthEvent.board_id.is_not(None))
        .where(HealthEvent.kind != "recovered")
        .group_by(HealthEvent.board_id, HealthEvent.kind)
    )
    problems: dict[int, Counter[str]] = {}
    for board_id, kind, count in events:
        if board_id is not None:
            problems.setdefault(board_id, Counter())[kind] += count
    troubled: list[BoardTrouble] = []
    boards = session.execute(select(Board, SourceRow.name).join(SourceRow, SourceRow.id == Board.source_id))
    total = 0
    for board, forum in boards:
        total += 1
        status = board_status(board)
        kinds = problems.get(board.id, Counter())
        if kinds or status in TROUBLED_STATUSES:
            troubled.append(
                BoardTrouble(
                    forum=forum,
                    board=board.name or board.external_id,
                    status=status,
                    problems=tuple(sorted(kinds.items(), key=lambda item: (-item[1], item[0]))),
                    last_success_at=board.last_success_at,
                )
            )
    troubled.sort(key=lambda t: (-sum(n for _, n in t.problems), t.forum, t.board))
    forums = session.scalar(select(func.count()).select_from(SourceRow)) or 0
    return Reading(forums=forums, boards=total, troubled=tuple(troubled))


def reading_lines(reading: Reading | None, timezone: str) -> list[str]:
    """The section's lines, scraped names as they are (callers clean or escape them)."""
    if reading is None:
        return []
    head = f"{_count(reading.forums, 'forum')}, {_count(reading.boards, 'board')}"
    if not reading.troubled:
        return [f"{head}: every board read without problems this week."]
    lines = [
        f"{head}: {_count(len(reading.troubled), 'board')} not always read — "
        "figures from these may be incomplete:"
    ]
    for trouble in reading.troubled:
        what = ", ".join(f"{PROBLEM_LABELS.get(kind, kind)} ×{n}" for kind, n in trouble.problems)
        state = _STATES.get(trouble.status, "recovered")
        read = trouble.last_success_at
        last = f"; last read {short_time(read, timezone)}" if read is not None else ""
        lines.append(f"{trouble.forum} · {trouble.board}: {state}{f' ({what})' if what else ''}{last}")
    return lines


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
