"""Threads with their posts exactly as stored, one JSON object per thread (for ops and checks)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.store.models import Post, SourceRow, Thread


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_threads(session: Session, source_key: str | None = None) -> Iterator[str]:
    query = select(Thread).join(SourceRow, SourceRow.id == Thread.source_id).order_by(Thread.id)
    if source_key is not None:
        query = query.where(SourceRow.key == source_key)
    for thread in session.scalars(query):
        posts = session.scalars(select(Post).where(Post.thread_id == thread.id).order_by(Post.floor))
        record = {
            "source": thread.source.key,
            "board_id": thread.board.external_id,
            "board": thread.board.name,
            "thread_id": thread.external_id,
            "title": thread.title,
            "author": thread.author,
            "url": thread.url,
            "replies": thread.replies,
            "views": thread.views,
            "sticky": thread.sticky,
            "created_at": _iso(thread.created_at),
            "last_post_at": _iso(thread.last_post_at),
            "first_seen_at": _iso(thread.first_seen_at),
            "posts": [
                {
                    "post_id": p.external_id,
                    "floor": p.floor,
                    "author": p.author,
                    "author_id": p.author_id,
                    "posted_at": _iso(p.posted_at),
                    "text": p.text,
                    "quoted": p.quoted,
                    "sentiment": p.sentiment,
                    "signals": p.signals,
                    "me_too": p.me_too,
                }
                for p in posts
            ],
        }
        yield json.dumps(record, ensure_ascii=False)
