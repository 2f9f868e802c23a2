"""A copy for information (a route's `also`, leadership) opens the alert but cannot act on it:
its message carries no action link, and its link's page is read-only and refuses actions. A copy
to the owner's backup carries the backup's links, and their page acts."""

from __future__ import annotations

import re

import httpx
from web_site import Site

from monitor.alerting.compose import compose, link_signer
from monitor.alerting.render import render_text
from monitor.store.models import Alert, Delivery


def _message_links(site: Site, kind: str, recipient: str) -> list[str]:
    with site.sessions() as session:
        alert = session.get(Alert, site.alert_id)
        assert alert is not None
        delivery = Delivery(
            alert_id=alert.id,
            channel="email",
            target="x@test.invalid",
            kind=kind,
            recipient=recipient,
            severity=alert.severity,
            created_at=site.now,
        )
        return [link.kind for link in compose(session, site.config, alert, delivery, site.now).actions]


def test_the_owner_and_the_backup_get_every_action_and_a_copy_only_opens_the_alert(site: Site) -> None:
    assert _message_links(site, "alert", "li_na") == ["ack", "contacted", "view"]
    assert _message_links(site, "to_backup", "wang_qiang") == ["ack", "contacted", "view"]
    assert _message_links(site, "copy", "zhao_min") == ["view"]
    assert _message_links(site, "copy", "wang_qiang") == ["ack", "contacted", "view"]  # li_na's backup


def _copy_to(site: Site, recipient: str, kind: str = "copy") -> str:
    """Queue a ``kind`` delivery of the alert to ``recipient``; the 'open the alert' link it carries."""
    with site.sessions.begin() as session:
        alert = session.get(Alert, site.alert_id)
        assert alert is not None
        session.add(
            Delivery(
                alert_id=alert.id,
                channel="email",
                target="zhao.min@test.invalid",
                kind=kind,
                recipient=recipient,
                severity=alert.severity,
                created_at=site.now,
            )
        )
    signer = link_signer(site.config)
    assert signer is not None
    return signer.url(site.alert_id, "view", recipient, site.now)


def _acknowledged_by(site: Site) -> str | None:
    with site.sessions() as session:
        alert = session.get(Alert, site.alert_id)
        assert alert is not None
        return alert.acknowledged_by


def test_a_copys_link_opens_the_alert_read_only_and_cannot_act(site: Site) -> None:
    url = _copy_to(site, "zhao_min")
    page = httpx.get(url)
    assert page.status_code == 200
    assert "came to you as a copy for information" in page.text
    assert re.search(r"This link is valid until \d{4}-\d\d-\d\d \d\d:\d\d", page.text), page.text[-400:]
    assert 'value="ack"' not in page.text and "<form" not in page.text
    for do in ("ack", "contacted", "resolve"):
        refused = httpx.post(url, data={"do": do, "note": "seen"})
        assert refused.status_code == 409
        assert "copy for information" in refused.text
    assert _acknowledged_by(site) is None
    # The owner's own link still acts.
    assert httpx.post(site.link("view"), data={"do": "ack"}).status_code == 303
    assert _acknowledged_by(site) == "li_na (web link)"


def test_someone_sent_the_alert_to_act_on_may_act_through_the_same_kind_of_link(site: Site) -> None:
    url = _copy_to(site, "zhao_min")
    _copy_to(site, "zhao_min", kind="to_leadership")  # nobody acknowledged: leadership is asked to
    assert "<form" in httpx.get(url).text
    assert httpx.post(url, data={"do": "ack"}).status_code == 303
    assert _acknowledged_by(site) == "zhao_min (web link)"


def test_the_backups_copy_says_they_can_act_and_its_links_act_on_the_page(site: Site) -> None:
    with site.sessions() as session:
        alert = session.get(Alert, site.alert_id)
        assert alert is not None and alert.backup == "wang_qiang"
        delivery = Delivery(
            alert_id=alert.id,
            channel="email",
            target="wang.qiang@test.invalid",
            kind="copy",
            recipient="wang_qiang",
            severity=alert.severity,
            created_at=site.now,
        )
        text = render_text(compose(session, site.config, alert, delivery, site.now))
    assert "as 李娜（公关部发言人）'s backup you can act on it on its page" in text
    assert "no button to act" not in text
    links = dict(re.findall(r"^ +(\S[^:\n]*): (http://\S+)", text, re.M))
    page = httpx.get(links["打开告警 Open the alert"]).text
    assert 'value="ack"' in page and 'value="contacted"' in page and 'value="resolve"' in page
    assert "copy for information" not in page
    assert httpx.post(links["确认 Acknowledge"], data={"do": "ack"}).status_code == 303
    assert _acknowledged_by(site) == "wang_qiang (web link)"
