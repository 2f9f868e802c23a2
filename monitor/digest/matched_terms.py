"""Every watch term a thread matched, for the digest's "matched by" line under each watch group.

The store keeps one term per thread and group: the one that first matched it
(``WatchMatch.term``). A thread that names 途乐旅行 in its title and 途乐 and its alias Tule in the
replies matched by all three, and ops tuning the group need to see them all. So the digest matches
each thread again as the pipeline does — its title and its posts, up to the period's end — against
the watch groups configured now, and keeps the terms of the groups it was recorded in.

A thread's terms for a group are the recorded one first, then the others in the group's own order
(include terms, aliases, then the expression's terms), each once, only outside the group's
exclude words and not only inside a longer term of the group; at most :data:`TERMS_PER_THREAD`,
so one long thread naming every term cannot fill the line alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.config.files import WatchGroupConfig
from monitor.enrich.expressions import parse, terms
from monitor.enrich.keywords import WatchMatcher
from monitor.store.models import Post, Thread

__all__ = ["TERMS_PER_THREAD", "thread_terms"]

TERMS_PER_THREAD = 5
_CHUNK = 500  # thread ids per query (SQLite's bound parameters)


def thread_terms(
    session: Session,
    recorded: Mapping[int, Sequence[tuple[str, str]]],
    groups: Sequence[WatchGroupConfig],
    before: datetime,
) -> dict[tuple[int, str], tuple[str, ...]]:
    """For each thread's ``(group, recorded term)``: the terms it matched that group by, from its title
    and its posts posted before ``before``. Without ``groups`` (or for a group no longer configured),
    only the recorded term."""
    found: dict[tuple[int, str], tuple[str, ...]] = {
        (thread, group): (term,) for thread, pairs in recorded.items() for group, term in pairs
    }
    if not groups or not recorded:
        return found
    matcher = WatchMatcher(groups)
    order = {group.name: _term_order(group) for group in groups}
    ids = sorted(recorded)
    for start in range(0, len(ids), _CHUNK):
        for thread_id, text in _texts(session, ids[start : start + _CHUNK], before):
            hits = _hits(matcher, text)
            for group, term in recorded[thread_id]:
                if group in order:
                    found[thread_id, group] = _bounded(term, hits.get(group, set()), order[group])
    return found


def _texts(session: Session, ids: Sequence[int], before: datetime) -> Iterable[tuple[int, str]]:
    """Each thread's title and posts (by floor) joined, as the pipeline matches them."""
    rows = session.execute(select(Thread.id, Thread.title).where(Thread.id.in_(ids)).order_by(Thread.id))
    titles = {thread_id: title for thread_id, title in rows}
    posts: dict[int, list[str]] = {thread_id: [] for thread_id in titles}
    texts = session.execute(
        select(Post.thread_id, Post.text)
        .where(Post.thread_id.in_(ids), Post.posted_at < before)
        .order_by(Post.thread_id, Post.floor, Post.id)
    )
    for thread_id, text in texts:
        posts[thread_id].append(text)
    return [(thread_id, "\n".join([title, *posts[thread_id]])) for thread_id, title in titles.items()]


def _hits(matcher: WatchMatcher, text: str) -> dict[str, set[str]]:
    """Per group, the terms that occur in ``text`` outside its exclude words, and not only inside a
    longer term of the group (途乐 within 途乐旅行 does not count on its own; a separate 途乐 does)."""
    found: dict[str, set[str]] = {}
    for report in matcher.explain(text):
        counted = [hit for hit in report.hits if hit.role != "exclude" and hit.excluded_by is None]
        found[report.group] = {
            hit.term
            for hit in counted
            if not any(
                o.start <= hit.start and hit.end <= o.end and o.end - o.start > hit.end - hit.start
                for o in counted
            )
        }
    return found


def _term_order(group: WatchGroupConfig) -> dict[str, int]:
    written = [*group.include, *group.aliases]
    if group.expression is not None:
        written += [term.text for term in terms(parse(group.expression))]
    return {term: place for place, term in reversed(list(enumerate(written)))}


def _bounded(recorded: str, hits: set[str], order: Mapping[str, int]) -> tuple[str, ...]:
    others = sorted(hits - {recorded}, key=lambda term: (order.get(term, len(order)), term))
    return (recorded, *others)[:TERMS_PER_THREAD]
