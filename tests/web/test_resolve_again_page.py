"""Resolving an alert that is already resolved (a second tab, a double submit) says by whom and
when it was resolved, and adds nothing to the trail — as `monitor alerts resolve` does.
Over HTTP on loopback against a real `monitor web` (web_site.py)."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select
from web_site import Site

from monitor.store.models import Alert, AlertEvent


def test_resolving_a_resolved_alert_says_by_whom_and_when_and_changes_nothing(site: Site) -> None:
    url = site.link("view")
    assert httpx.post(url, data={"do": "resolve", "note": "退款已到账"}).status_code == 303
    resolved_at = site.now  # 2026-11-23 12:05 UTC: 20:05 in Asia/Shanghai
    site.now += timedelta(minutes=7)
    again = httpx.post(site.link("ack"), data={"do": "resolve", "note": "再次结案"})
    assert again.status_code == 409
    assert "Alert #1 was already resolved by li_na (web link) at 2026-11-23 20:05" in again.text
    with site.sessions() as session:
        alert = session.get(Alert, site.alert_id)
        assert alert is not None and alert.resolved_at == resolved_at
        query = select(AlertEvent).where(AlertEvent.alert_id == site.alert_id, AlertEvent.kind == "resolved")
        assert [(e.actor, e.detail) for e in session.scalars(query)] == [("li_na (web link)", "退款已到账")]
