"""The pages behind the signed links, over HTTP on loopback: links from a real email, a real server."""

from __future__ import annotations

import re
from datetime import timedelta
from html import escape, unescape

import httpx
from sqlalchemy import select
from web_site import TITLE, Site

from monitor.alerting.sla import check_sla
from monitor.store.models import Alert, AlertEvent, Thread
from monitor.web.app import SECURITY_HEADERS


def _alert(site: Site) -> Alert:
    session = site.sessions()
    alert = session.get(Alert, site.alert_id)
    assert alert is not None
    return alert


def _events(site: Site) -> list[tuple[str, str]]:
    with site.sessions() as session:
        rows = session.scalars(select(AlertEvent).where(AlertEvent.alert_id == site.alert_id))
        return [(e.kind, e.actor) for e in rows]


def test_the_email_carries_signed_links_for_its_recipient(site: Site) -> None:
    assert set(site.links) == {"确认 Acknowledge", "已联系投诉人 Mark contacted", "打开告警 Open the alert"}
    assert all(url.startswith(f"{site.base_url}/l/") for url in site.links.values())
    html = site.email.get_body(("html",))
    assert html is not None
    assert escape(site.link("ack"), quote=True) in html.get_content()
    assert "valid until 2026-11-26 20:01" in site.email.get_body(("plain",)).get_content()  # 72 h, CST


def test_opening_a_link_changes_nothing_the_button_does(site: Site) -> None:
    url = site.link("ack")
    page = httpx.get(url)
    assert page.status_code == 200
    assert "确认 Acknowledge" in page.text and 'value="ack"' in page.text
    assert _alert(site).acknowledged_at is None  # a mail scanner fetching the link acknowledges nothing
    assert ("acknowledged", "li_na (web link)") not in _events(site)

    done = httpx.post(url, data={"do": "ack"})
    assert done.status_code == 303 and done.headers["location"] == "?done=ack"
    after = httpx.get(url + "?done=ack")
    assert "已确认 此告警现在由你负责" in after.text and "Acknowledged: you own this alert now" in after.text
    alert = _alert(site)
    assert alert.acknowledged_by == "li_na (web link)" and alert.status == "acknowledged"
    assert alert.acknowledged_at == site.now
    assert ("acknowledged", "li_na (web link)") in _events(site)

    again = httpx.post(url, data={"do": "ack"})  # a second click is harmless
    assert again.status_code == 303
    assert _events(site).count(("acknowledged", "li_na (web link)")) == 1


def test_acknowledging_after_the_backup_was_told_says_so_not_that_they_will_not_be(site: Site) -> None:
    with site.sessions.begin() as session:  # nobody acknowledged in time: backup, then leadership told
        told = [a.kind for a in check_sla(session, site.config, site.now + timedelta(hours=3))]
    assert told == ["to_backup", "to_leadership"]
    httpx.post(site.link("ack"), data={"do": "ack"})
    after = httpx.get(site.link("ack") + "?done=ack").text
    assert "王强（客服总监） and 赵敏（副总裁） were told already: tell them you have it" in after
    assert "will not be called" not in after


def _backup_ack_link(site: Site) -> str:
    from monitor.alerting.compose import link_signer

    signer = link_signer(site.config)
    assert signer is not None
    return signer.url(site.alert_id, "ack", "wang_qiang", site.now)  # 李娜's backup


def test_the_backups_acknowledge_page_speaks_to_the_backup_as_the_backup(site: Site) -> None:
    owner = "李娜（公关部发言人）"
    page = unescape(httpx.get(_backup_ack_link(site)).text)
    assert (
        f"Acknowledging as {owner}'s backup says you have it in hand and stops the escalation to "
        f"leadership. {owner} stays its spokesperson (统一口径: one spokesperson); to take it on yourself, "
        "hand it over to yourself below."
    ) in page
    assert "says you own this alert" not in page and "The backup, 王强" not in page
    with site.sessions.begin() as session:  # nobody acknowledged in time: the backup told, then leadership
        check_sla(session, site.config, site.now + timedelta(hours=3))
    page = unescape(httpx.get(_backup_ack_link(site)).text)
    assert (
        f"Acknowledging as {owner}'s backup says you have it in hand; leadership has already been told"
        in page
    )
    assert "has already been told." not in page.replace("leadership has already been told", "")
    httpx.post(_backup_ack_link(site), data={"do": "ack"})
    said = unescape(httpx.get(_backup_ack_link(site) + "?done=ack").text)
    assert f"已确认 你以 {owner} 的备岗身份在处理，领导已收到通知：请告诉他们你在处理。" in said
    assert (
        f"Acknowledged as {owner}'s backup: you have it in hand, and leadership was told already: "
        f"tell them you have it. {owner} stays its spokesperson; to take it on yourself, hand it over"
    ) in said


def test_the_backups_acknowledgement_says_leadership_will_not_be_called(site: Site) -> None:
    httpx.post(_backup_ack_link(site), data={"do": "ack"})
    said = unescape(httpx.get(_backup_ack_link(site) + "?done=ack").text)
    assert "已确认 你以 李娜（公关部发言人） 的备岗身份在处理，不会再通知领导。" in said
    assert (
        "Acknowledged as 李娜（公关部发言人）'s backup: you have it in hand, and leadership will not" in said
    )
    assert "you own this alert" not in said


def test_leaderships_acknowledge_page_says_the_owner_stays_the_owner(site: Site) -> None:
    from monitor.alerting.compose import link_signer

    with site.sessions.begin() as session:  # leadership is asked to act once nobody acknowledged
        check_sla(session, site.config, site.now + timedelta(hours=3))
    signer = link_signer(site.config)
    assert signer is not None
    page = unescape(httpx.get(signer.url(site.alert_id, "ack", "zhao_min", site.now)).text)
    assert (
        "Acknowledging says it is in hand and stops its escalation; 李娜（公关部发言人） stays its "
        "spokesperson. The backup, 王强（客服总监）, has already been told."
    ) in page
    assert "says you own this alert" not in page


def test_acknowledging_says_who_owns_it_when_someone_else_acknowledged_or_owns_it(site: Site) -> None:
    from monitor.alerting.compose import link_signer

    signer = link_signer(site.config)
    assert signer is not None
    backup = signer.url(site.alert_id, "ack", "wang_qiang", site.now)
    httpx.post(backup, data={"do": "ack"})  # the backup first: li_na stays the spokesperson
    said = httpx.get(backup + "?done=ack").text
    assert "李娜（公关部发言人） stays its spokesperson; to take it on yourself, hand it over" in said
    assert "you own this alert now" not in said
    httpx.post(site.link("ack"), data={"do": "ack"})  # li_na second: nothing changes, and she is told why
    said = httpx.get(site.link("ack") + "?done=ack").text
    assert re.search(
        r"Already acknowledged by wang_qiang \(web link\) at [\d-]+ [\d:]+; nothing was changed\.", said
    )
    assert _alert(site).acknowledged_by == "wang_qiang (web link)"


def test_acknowledging_on_the_web_stops_the_escalation_to_the_backup(site: Site) -> None:
    httpx.post(site.link("ack"), data={"do": "ack"})
    with site.sessions.begin() as session:
        actions = check_sla(session, site.config, site.now + timedelta(hours=3))
    assert "to_backup" not in [a.kind for a in actions]


def test_contacted_and_ticking_steps_land_in_the_trail(site: Site) -> None:
    url = site.link("contacted")
    assert httpx.post(url, data={"do": "contacted"}).status_code == 303
    alert = _alert(site)
    assert alert.contacted_at == site.now and alert.acknowledged_at == site.now
    first = next(item for item in alert.checklist if item.step_id == "first_contact")
    assert first.done_by == "li_na (web link)"

    site.now += timedelta(minutes=10)
    ticked = httpx.post(url, data={"do": "tick", "step": "1"})
    assert ticked.status_code == 303
    assert ticked.headers["location"] == "?done=tick#checklist"  # back at the checklist, not the top
    alert = _alert(site)
    assert alert.checklist[0].done_at == site.now and alert.checklist[0].done_by == "li_na (web link)"
    page = httpx.get(site.link("view"))
    assert "☑" in page.text and "li_na (web link)" in page.text
    assert "— 按时 met</td>" in page.text  # the deadline met, not a bold deadline still ahead
    kinds = [kind for kind, _ in _events(site)]
    # the first-contact step ticked by 已联系 and step 1 ticked by hand: one trail line each
    assert kinds.count("checklist") == 2 and "contacted" in kinds

    missing = httpx.post(url, data={"do": "tick", "step": "99"})
    assert missing.status_code == 404 and "no checklist step" in missing.text


def test_resolve_needs_a_note_and_a_resolved_alert_refuses_actions(site: Site) -> None:
    url = site.link("view")
    refused = httpx.post(url, data={"do": "resolve", "note": "  "})
    assert refused.status_code == 409 and "Say how it was resolved" in refused.text
    assert _alert(site).status != "resolved"
    assert httpx.post(url, data={"do": "resolve", "note": "退款已到账，客户致谢"}).status_code == 303
    alert = _alert(site)
    assert alert.status == "resolved" and alert.resolved_at == site.now
    late = httpx.post(site.link("ack"), data={"do": "ack"})
    assert late.status_code == 409 and "already resolved" in late.text
    assert _alert(site).acknowledged_at is None
    unknown = httpx.post(url, data={"do": "delete"})
    assert unknown.status_code == 400


def test_expired_altered_and_foreign_links_are_refused(site: Site) -> None:
    url = site.link("ack")
    site.now += timedelta(hours=72)
    expired = httpx.get(url)
    assert expired.status_code == 410 and "expired at 2026-11-26 20:01" in expired.text
    assert "sign in to the dashboard with your email" in expired.text  # what a spokesperson can do
    assert '<a href="/signin">' in expired.text  # a link a phone can tap, not a path to type
    assert f"monitor alerts ack {site.alert_id})" in expired.text  # the alert's own number, not ID
    assert httpx.post(url, data={"do": "ack"}).status_code == 410
    site.now -= timedelta(hours=1)

    body, signature = url.rsplit("/", 1)[1].split(".")
    altered = f"{site.base_url}/l/{body[:-2]}{'A' if body[-2] != 'A' else 'B'}{body[-1]}.{signature}"
    assert httpx.get(altered).status_code == 403
    assert httpx.post(altered, data={"do": "ack"}).status_code == 403
    assert httpx.get(f"{site.base_url}/l/not-a-token").status_code == 403
    assert _alert(site).acknowledged_at is None


def test_a_title_cannot_reorder_or_hide_words_on_the_alert_page(site: Site) -> None:
    hidden = "\u202e\u2066\u200f\u061c\u200b\u2060\ufeff\U000e0041"  # reorder or hide the words around
    with site.sessions.begin() as session:
        alert = session.get(Alert, site.alert_id)
        assert alert is not None
        thread = session.get(Thread, alert.thread_id)
        assert thread is not None
        thread.title = f"退{hidden}款三个月"
    page = httpx.get(site.link("view"))
    assert page.status_code == 200 and not set(page.text) & set(hidden)
    assert "<title>#" in page.text and "退款三个月" in page.text
    with site.sessions() as session:  # what the forum served is kept as evidence
        assert session.scalars(select(Thread.title)).one() == f"退{hidden}款三个月"


def test_forum_text_is_escaped_and_pages_forbid_scripts(site: Site) -> None:
    page = httpx.get(site.link("view"))
    assert TITLE not in page.text and "<script>document" not in page.text
    assert escape('<script>document.title="pwned"</script>', quote=True) in page.text
    assert "&lt;b&gt;bold?&lt;/b&gt;" in page.text
    for name, value in SECURITY_HEADERS.items():
        assert page.headers[name] == value
    assert httpx.get(f"{site.base_url}/healthz").text == "ok\n"


def test_console_output_carries_no_links(site: Site) -> None:
    from monitor.alerting.compose import compose
    from monitor.store.models import Delivery

    with site.sessions() as session:
        alert = session.get(Alert, site.alert_id)
        assert alert is not None
        by_channel = {
            d.channel: d for d in session.scalars(select(Delivery).where(Delivery.alert_id == alert.id))
        }
        assert compose(session, site.config, alert, by_channel["email"], site.now).actions
        console = Delivery(alert_id=alert.id, channel="console", recipient="li_na", severity=alert.severity)
        assert compose(session, site.config, alert, console, site.now).actions == ()


def test_a_progress_note_from_the_link_lands_in_the_trail_even_after_the_close(site: Site) -> None:
    url = site.link("view")
    assert 'value="note"' in httpx.get(url).text
    empty = httpx.post(url, data={"do": "note", "note": "   "})
    assert empty.status_code == 409 and "Nothing was added" in empty.text
    assert httpx.post(url, data={"do": "note", "note": "客户已回电"}).status_code == 303
    assert httpx.post(url, data={"do": "resolve", "note": "已退款"}).status_code == 303
    assert httpx.post(url, data={"do": "note", "note": "总结：退款要提速"}).status_code == 303
    assert httpx.post(url, data={"do": "ack"}).status_code == 409  # but nothing else after the close
    notes = [(kind, actor) for kind, actor in _events(site) if kind == "note"]
    assert notes == [("note", "li_na (web link)")] * 2


def test_the_page_sums_up_the_monitors_long_runs_and_shows_every_line_when_asked(site: Site) -> None:
    with site.sessions.begin() as session:
        for n in range(12):  # weeks of progress prompts, then a note
            at = site.now + timedelta(hours=4 * (n + 1))
            session.add(AlertEvent(alert_id=site.alert_id, at=at, kind="progress", detail="to li_na"))
        at = site.now + timedelta(hours=60)
        session.add(
            AlertEvent(alert_id=site.alert_id, at=at, kind="note", detail="<b>已退款</b>", actor="li_na")
        )
    page = httpx.get(site.link("view")).text
    assert "lines by the monitor — " in page and "progress ×12: to li_na" in page
    assert page.count("<td>to li_na</td>") == 0 and "&lt;b&gt;已退款&lt;/b&gt;" in page
    assert re.search(r'<a href="\?trail=all">全部记录（(\d+) 条）Every line of the trail \(\1\)</a>', page)
    every = httpx.get(
        site.link("view") + "&trail=all" if "?" in site.link("view") else site.link("view") + "?trail=all"
    )
    assert every.text.count("<td>to li_na</td>") == 12 and "Every line of the trail" not in every.text


def test_healthz_answers_503_naming_the_cause_while_the_database_cannot_be_used(site: Site) -> None:
    """It had answered 200 ok with the database down, while every page answered 500."""
    import asyncio

    from closed_port import closed_port

    from monitor.store.db import make_engine, session_factory
    from monitor.web.app import create_app

    gone = make_engine(f"postgresql+psycopg://monitor@127.0.0.1:{closed_port()}/monitor?connect_timeout=2")
    app = create_app(site.config, session_factory(gone), site.clock)

    async def ask() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.get("/healthz")

    answer = asyncio.run(ask())
    gone.dispose()
    assert answer.status_code == 503
    assert answer.text.startswith("database unavailable: connection failed: ")
