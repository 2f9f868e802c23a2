"""A copy for information (a route's `also`, leadership) opens the alert but cannot acknowledge it."""

from __future__ import annotations

from web_site import Site

from monitor.alerting.compose import compose
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
