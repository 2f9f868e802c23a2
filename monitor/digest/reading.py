"""Forums read: which boards the monitor could not always read during the digest's week.

A week with few posts may be a quiet week or a board the crawler could not read (a login
wall, a captcha, a changed template). The digest says which, from the boards' health
(:mod:`monitor.health`): every board with a health event seen in the period — recoveries and
threads the forum deleted (404, :data:`~monitor.crawl_failures.THREAD_GONE`) aside —
or failing, degraded or empty at the digest's time is listed with what went wrong and when it was
last read. A health event is an outage of one page, however many polls it lasted: the digest
counts per kind the board's outages seen in its week (begun before its end, last seen after its
start), events of the same kind that overlap in time counting once (:func:`_outages`), and how long
they lasted within the week (``login wall: 2 outages lasting 5 h 20 min in all``), so a reader can tell a
blip from a day of missing posts.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.crawl_failures import THREAD_GONE
from monitor.digest.model import BoardTrouble, DigestPeriod, Reading
from monitor.digest.said import Said, joined
from monitor.digest.sentences import minutes_zh
from monitor.digest.wording import duration, short_time
from monitor.health import ONE_OFF, board_status
from monitor.store.models import Board, HealthEvent, SourceRow, Thread

PROBLEM_LABELS = {
    "login_wall": "login wall",
    "captcha": "captcha",
    "fetch_failed": "pages not fetched",
    "parse_failed": "pages not understood",
    "zero_threads": "list suddenly empty",
    "disallowed": "robots.txt disallows",
}
PROBLEM_LABELS_ZH = {
    "login_wall": "登录墙",
    "captcha": "验证码",
    "fetch_failed": "页面抓取失败",
    "parse_failed": "页面无法解析",
    "zero_threads": "列表突然为空",
    "disallowed": "robots.txt 禁止抓取",
}
TROUBLED_STATUSES = ("failing", "degraded", "empty")
STATES = {
    "failing": "failing now",
    "degraded": "thread pages not read now",
    "empty": "lists no threads now",
    "never polled": "never read",
}
STATES_ZH = {
    "failing": "当前读取失败",
    "degraded": "当前读不到帖子页",
    "empty": "当前列表没有帖子",
    "never polled": "从未读取",
}


def reading_health(session: Session, period: DigestPeriod) -> Reading:
    """The forums and boards stored, and the boards with problems in the period or now."""
    events = session.execute(
        select(
            HealthEvent.board_id, HealthEvent.kind, HealthEvent.at, HealthEvent.last_at, HealthEvent.ended_at
        )
        .where(
            HealthEvent.at < period.end,
            HealthEvent.last_at >= period.start,
            HealthEvent.board_id.is_not(None),
        )
        .where(HealthEvent.kind.not_in(("recovered", THREAD_GONE)))
    )
    spans: dict[tuple[int, str], list[tuple[datetime, datetime]]] = {}
    for board_id, kind, at, last_at, ended_at in events:
        if board_id is not None:
            spans.setdefault((board_id, kind), []).append((at, ended_at or last_at))
    problems: dict[int, Counter[str]] = {}
    down: dict[int, dict[str, float]] = {}
    for (board_id, kind), times in spans.items():
        count, seconds = _outages(times, period)
        problems.setdefault(board_id, Counter())[kind] = count
        if kind not in ONE_OFF and seconds > 0:  # one poll: no length to tell
            down.setdefault(board_id, {})[kind] = seconds / 60
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
                    down_minutes=tuple(sorted(down.get(board.id, {}).items())),
                )
            )
    troubled.sort(key=lambda t: (-sum(n for _, n in t.problems), t.forum, t.board))
    forums = session.scalar(select(func.count()).select_from(SourceRow)) or 0
    since = monitored_since(session)
    return Reading(
        forums=forums,
        boards=total,
        troubled=tuple(troubled),
        watched_from=since if since is not None and period.start < since < period.end else None,
        unwatched=since is None or since >= period.end,
    )


def monitored_since(session: Session) -> datetime | None:
    """When the monitor began to watch: the first thread it stored or the first problem it met
    reading a forum, whichever came first (None: it has not tried yet)."""
    firsts = [
        session.scalar(select(func.min(Thread.first_seen_at))),
        session.scalar(select(func.min(HealthEvent.at))),
    ]
    return min((first for first in firsts if first is not None), default=None)


def _outages(spans: list[tuple[datetime, datetime]], period: DigestPeriod) -> tuple[int, float]:
    """How many outages events of one kind on one board make, and their seconds within ``period``:
    from its first time to the poll that no longer met it (or its last time, if none has yet), those
    that overlap are one — a board list and its thread pages failing alike, or thread pages failing
    together."""
    merged: list[list[datetime]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    seconds = sum(
        max(0.0, (min(end, period.end) - max(start, period.start)).total_seconds()) for start, end in merged
    )
    return len(merged), seconds


def reading_lines(reading: Reading | None, timezone: str) -> list[Said]:
    """The section's lines, scraped names as they are (callers clean or escape them)."""
    if reading is None:
        return []
    head = Said(
        f"{reading.forums} 个论坛，{reading.boards} 个版块",
        f"{_count(reading.forums, 'forum')}, {_count(reading.boards, 'board')}",
    )
    if reading.unwatched:
        return [
            head
            + Said(
                "：本周未监测——本周结束前监测还没有读到任何内容；如有数据，来自开始监测时仍在线的帖子。",
                ": not monitored this week — the monitor read nothing before it ended; "
                "any figures come from posts still online when it began.",
            )
        ]
    if reading.watched_from is not None:
        since = short_time(reading.watched_from, timezone)
        head += Said(
            f"，{since} 起才开始监测（更早的日子：仅含当时仍在线的帖子）",
            f", monitored only since {since} (earlier days: posts still online then)",
        )
    if not reading.troubled:
        if reading.watched_from is not None:
            return [
                head + Said("：此后所有版块读取正常。", ": every board read without problems since then.")
            ]
        return [head + Said("：本周所有版块读取正常。", ": every board read without problems this week.")]
    count = len(reading.troubled)
    lines = [
        head
        + Said(
            f"：{count} 个版块未能一直读取，其数据可能不完整：",
            f": {_count(count, 'board')} not always read — figures from these may be incomplete:",
        )
    ]
    for trouble in reading.troubled:
        lengths = dict(trouble.down_minutes)
        what = joined([_problem(kind, n, lengths.get(kind)) for kind, n in trouble.problems], "；", ", ")
        state = Said(STATES_ZH.get(trouble.status, "已恢复"), STATES.get(trouble.status, "recovered"))
        read = trouble.last_success_at
        last = Said("", "")
        if read is not None:
            last = Said(
                f"；最后读取 {short_time(read, timezone)}", f"; last read {short_time(read, timezone)}"
            )
        said = state + (Said(f"（{what.zh}）", f" ({what.en})") if what else Said("", "")) + last
        lines.append(Said(f"{trouble.forum} · {trouble.board}：{said.zh}", said.en))
    return lines


def _problem(kind: str, n: int, minutes: float | None = None) -> Said:
    """``登录墙：2 次中断，共 5 小时 20 分`` / ``login wall: 2 outages lasting 5 h 20 min in all`` (each one
    poll or many; the length left out when under a minute: one poll); a change, such as a list gone
    empty: ``×n``."""
    label = Said(PROBLEM_LABELS_ZH.get(kind, kind), PROBLEM_LABELS.get(kind, kind))
    if kind in ONE_OFF:
        return Said(f"{label.zh} ×{n}", f"{label.en} ×{n}")
    said = Said(f"{label.zh}：{n} 次中断", f"{label.en}: {_count(n, 'outage')}")
    if minutes is None or minutes < 1:
        return said
    return said + Said(
        f"，{'共' if n > 1 else '持续'} {minutes_zh(minutes)}",
        f" lasting {duration(minutes)}" + (" in all" if n > 1 else ""),
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
