"""Evidence: the raw thread pages as fetched when an alert opened or grew (bytes, URL, time, hash),
so the record survives the post being edited or deleted on the forum."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy.orm import Session

from monitor.fetch.client import Page
from monitor.store.models import Evidence


def keep_evidence(session: Session, alert_id: int, reason: str, pages: Sequence[Page]) -> list[Evidence]:
    rows = [
        Evidence(
            alert_id=alert_id,
            reason=reason,
            url=page.url,
            fetched_at=page.fetched_at,
            sha256=hashlib.sha256(page.body).hexdigest(),
            body=page.body,
        )
        for page in pages
        if page.body
    ]
    session.add_all(rows)
    return rows
