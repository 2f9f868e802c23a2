"""The signed-in dashboard over HTTP on loopback: sign-in links by real email, cookies, CSRF, lists.

The site (web_site.py) is a real `monitor web` under uvicorn over a SQLite file with one alert,
its SMTP server a real one on loopback, its clock the test's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from html import escape
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select
from test_chinese_first import english_only
from web_site import OPENED, TITLE, Site, free_port, serving, web_config

from monitor.store import repo
from monitor.store.models import (
    Alert,
    AlertEvent,
    DigestRow,
    HealthEvent,
    HostRest,
    WatchGroupRow,
    WatchMatch,
)
from monitor.web.app import create_app
from monitor.web.dashboard import RISING_REUSE_SECONDS
from monitor.web.session import COOKIE, session_keys
from monitor.web.signin_mail import SUBJECT

LI_NA = "li.na@pr.demo.invalid"
SIGNIN_LINK = re.compile(r"^ +(https?://\S+/signin/[\w.-]+)\s*$", re.M)


def _text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def _ask_for_link(site: Site, address: str = LI_NA) -> httpx.Response:
    return httpx.post(f"{site.base_url}/signin", data={"email": address})


def _link_from_mail(site: Site, count: int) -> str:
    assert site.sink.wait_for(count)
    message = site.sink.messages[count - 1]
    assert message["Subject"] == SUBJECT
    found = SIGNIN_LINK.findall(_text(message))
    assert len(found) == 1, _text(message)
    return str(found[0])


def _signed_in(site: Site, address: str = LI_NA) -> httpx.Client:
    before = len(site.sink.messages)
    assert _ask_for_link(site, address).status_code == 200
    link = _link_from_mail(site, before + 1)
    client = _client(site)
    used = client.post(link)
    assert used.status_code == 303 and used.headers["location"] == "/alerts"
    return client


def _client(site: Site) -> httpx.Client:
    """A browser-like client keeping cookies; the site closes it when the test ends."""
    client = httpx.Client(base_url=site.base_url)
    site.closing.append(client.close)
    return client


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None, "no CSRF field on the page"
    return found.group(1)


def _alert(site: Site) -> Alert:
    alert = site.sessions().get(Alert, site.alert_id)
    assert alert is not None
    return alert


def test_signed_out_pages_send_you_to_sign_in(site: Site) -> None:
    for path in ("/alerts", f"/alerts/{site.alert_id}", "/digests", "/digests/1"):
        response = httpx.get(site.base_url + path)
        assert response.status_code == 303 and response.headers["location"] == "/signin", path
    form = httpx.get(f"{site.base_url}/signin")
    assert form.status_code == 200 and 'name="email"' in form.text
    home = httpx.get(site.base_url + "/")
    assert 'href="/signin"' in home.text


def test_sign_in_by_emailed_link_then_acknowledge_from_the_dashboard(site: Site) -> None:
    asked = _ask_for_link(site)
    assert asked.status_code == 200 and "a sign-in link is on its way" in asked.text
    link = _link_from_mail(site, 2)
    assert site.sink.envelopes[1].rcpt_tos == (LI_NA,)
    assert "李娜" in _text(site.sink.messages[1]) and "within 15 minutes" in _text(site.sink.messages[1])

    opened = httpx.get(link)  # what a mail scanner does: no session comes of it
    assert opened.status_code == 200 and "李娜（公关部发言人）" in opened.text
    assert "set-cookie" not in opened.headers

    client = _client(site)
    used = client.post(link)
    assert used.status_code == 303 and used.headers["location"] == "/alerts"
    cookie = used.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http on loopback; https base URLs get Secure (test below)
    assert "Max-Age=43200" in cookie  # web.session_hours = 12
    assert httpx.post(link).status_code == 410  # a sign-in link works once

    listing = client.get("/alerts")
    assert listing.status_code == 200
    assert escape(TITLE) in listing.text and "<script>document.title" not in listing.text
    assert f'href="/alerts/{site.alert_id}"' in listing.text
    assert "待确认 unacknowledged: <strong>1</strong>" in listing.text
    assert 'http-equiv="refresh"' not in listing.text  # reloading is asked for (test_accessibility.py)

    page = client.get(f"/alerts/{site.alert_id}")
    assert page.status_code == 200 and "signed in until" in page.text
    refused = client.post(f"/alerts/{site.alert_id}", data={"do": "ack"})  # no CSRF token
    assert refused.status_code == 403 and _alert(site).acknowledged_at is None
    forged = client.post(f"/alerts/{site.alert_id}", data={"do": "ack", "csrf": "x" * 32})
    assert forged.status_code == 403 and _alert(site).acknowledged_at is None

    site.now += timedelta(minutes=2)
    done = client.post(f"/alerts/{site.alert_id}", data={"do": "ack", "csrf": _csrf(page.text)})
    assert done.status_code == 303 and done.headers["location"] == f"/alerts/{site.alert_id}?done=ack"
    alert = _alert(site)
    assert alert.acknowledged_by == "li_na (web)" and alert.acknowledged_at == site.now
    after = client.get(done.headers["location"])
    assert "已确认 此告警现在由你负责，不会再通知备岗。 Acknowledged: you own" in after.text
    events = site.sessions().scalars(select(AlertEvent).where(AlertEvent.alert_id == site.alert_id))
    assert ("acknowledged", "li_na (web)") in [(e.kind, e.actor) for e in events]

    ticked = client.post(
        f"/alerts/{site.alert_id}", data={"do": "tick", "step": "1", "csrf": _csrf(after.text)}
    )
    assert ticked.status_code == 303
    assert _alert(site).checklist[0].done_by == "li_na (web)"

    page = client.get(ticked.headers["location"])
    noted = client.post(
        f"/alerts/{site.alert_id}",
        data={"do": "note", "note": "已致电 <b>客户</b>，承诺三日内退款", "csrf": _csrf(page.text)},
    )
    assert noted.status_code == 303
    trail = client.get(noted.headers["location"]).text
    assert "已记录 Note added" in trail and escape("已致电 <b>客户</b>，承诺三日内退款") in trail
    assert _alert(site).progress_prompted_at == site.now  # the progress clock starts again


def test_an_address_not_on_the_team_gets_the_same_answer_and_no_email(site: Site) -> None:
    stranger = _ask_for_link(site, "someone@elsewhere.invalid")
    member = _ask_for_link(site, "LI.NA@pr.demo.invalid")  # addresses match case-insensitively
    assert stranger.status_code == member.status_code == 200
    assert stranger.text.replace("someone@elsewhere.invalid", "X") == member.text.replace(
        "LI.NA@pr.demo.invalid", "X"
    )
    assert site.sink.wait_for(2)
    assert len(site.sink.messages) == 2  # the alert email, then li_na's sign-in link only
    assert site.sink.envelopes[1].rcpt_tos == (LI_NA,)
    bad = _ask_for_link(site, "not an address")
    assert bad.status_code == 400 and "not an email address" in bad.text


def test_sign_in_emails_to_one_person_are_throttled(site: Site) -> None:
    for _ in range(3):
        assert _ask_for_link(site).status_code == 200
    assert site.sink.wait_for(2)
    assert not site.sink.wait_for(3, timeout=0.5)  # one email per minute at most
    site.now += timedelta(seconds=61)
    assert _ask_for_link(site).status_code == 200
    assert site.sink.wait_for(3)


def test_an_expired_sign_in_link_says_so(site: Site) -> None:
    assert _ask_for_link(site).status_code == 200
    link = _link_from_mail(site, 2)
    site.now += timedelta(minutes=16)
    assert httpx.get(link).status_code == 410
    expired = httpx.post(link)
    assert expired.status_code == 410 and "expired" in expired.text and "set-cookie" not in expired.headers
    altered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    assert httpx.post(altered).status_code == 403


def test_a_session_ends_after_its_hours_and_a_forged_cookie_opens_nothing(site: Site) -> None:
    client = _signed_in(site)
    assert client.get("/alerts").status_code == 200
    keys = session_keys(site.config)
    assert keys is not None
    for value in (
        client.cookies[COOKIE][:-2] + "xx",  # altered
        keys.cookie("ghost", "s-ghost", site.now),  # well signed, but nobody of that key in routing.yaml
        site.link("ack").rsplit("/", 1)[1],  # an action link's token is not a session
    ):
        with httpx.Client(base_url=site.base_url, cookies={COOKIE: value}) as other:
            assert other.get("/alerts").headers.get("location") == "/signin"
    site.now += timedelta(hours=12, seconds=1)
    assert client.get("/alerts").headers.get("location") == "/signin"


def test_sign_out_needs_the_form_token_and_clears_the_cookie(site: Site) -> None:
    client = _signed_in(site)
    page = client.get("/alerts")
    assert client.post("/signout", data={}).status_code == 403
    out = client.post("/signout", data={"csrf": _csrf(page.text)})
    assert out.status_code == 303 and out.headers["location"] == "/signin"
    assert f'{COOKIE}=""' in out.headers["set-cookie"] and "Max-Age=0" in out.headers["set-cookie"]
    assert client.get("/alerts").headers.get("location") == "/signin"
    copied = page.request.headers["cookie"].split(f"{COOKIE}=", 1)[1].split(";")[0]
    with httpx.Client(base_url=site.base_url, cookies={COOKIE: copied}) as other:
        assert other.get("/alerts").headers.get("location") == "/signin"  # a copy of the cookie opens nothing


def test_sign_out_everywhere_ends_the_sessions_on_every_device(site: Site) -> None:
    laptop = _signed_in(site)
    site.now += timedelta(minutes=2)  # the email throttle lets the second link through
    phone = _signed_in(site)
    other = _signed_in(site, "wang.qiang@pr.demo.invalid")
    page = laptop.get("/alerts")
    assert 'href="/signout/everywhere"' in page.text and 'name="everywhere"' not in page.text  # asks first
    asked = laptop.get("/signout/everywhere")
    assert asked.status_code == 200 and "every device" in asked.text
    assert laptop.get("/alerts").status_code == 200  # opening the question signed nobody out
    assert phone.get("/alerts").status_code == 200
    assert laptop.post("/signout", data={"everywhere": "1"}).status_code == 403  # the form's token
    assert '<form method="post" action="/signout">' in asked.text
    out = laptop.post("/signout", data={"csrf": _csrf(asked.text), "everywhere": "1"})
    assert out.status_code == 303 and out.headers["location"] == "/signin"
    for device in (laptop, phone):
        assert device.get("/alerts").headers.get("location") == "/signin"
    assert other.get("/alerts").status_code == 200  # only li_na was signed out
    site.now += timedelta(minutes=2)
    assert _signed_in(site).get("/alerts").status_code == 200  # signing in again works at once


def test_the_sign_out_everywhere_question_is_for_the_signed_in_only(site: Site) -> None:
    out = _client(site).get("/signout/everywhere")
    assert out.status_code == 303 and out.headers["location"] == "/signin"


def test_views_and_only_mine(site: Site) -> None:
    client = _signed_in(site)
    assert f"/alerts/{site.alert_id}" in client.get("/alerts?view=open").text
    assert "No alerts here" in client.get("/alerts?view=resolved").text
    assert f"/alerts/{site.alert_id}" in client.get("/alerts?view=all&mine=1").text  # li_na owns it
    site.now += timedelta(seconds=61)
    backup = _signed_in(site, "wang.qiang@pr.demo.invalid")  # li_na's backup sees it as theirs too
    assert f"/alerts/{site.alert_id}" in backup.get("/alerts?mine=1").text
    site.now += timedelta(seconds=61)
    leader = _signed_in(site, "zhao.min@pr.demo.invalid")
    assert "No alerts here" in leader.get("/alerts?mine=1").text
    assert f"/alerts/{site.alert_id}" in leader.get("/alerts").text
    assert "overdue since" not in leader.get("/alerts").text
    site.now = _alert(site).respond_by + timedelta(minutes=1)
    late = leader.get("/alerts").text
    assert "overdue since" in late and 'first contact overdue: <strong class="late">1</strong>' in late


def test_digests_listed_and_shown_as_emailed(site: Site) -> None:
    hostile = "周报 <img src=x onerror=alert(1)>"
    with site.sessions.begin() as session:
        row = DigestRow(
            period_start=datetime(2026, 11, 15, 16, tzinfo=UTC),
            period_end=datetime(2026, 11, 22, 16, tzinfo=UTC),
            created_at=datetime(2026, 11, 23, 1, tzinfo=UTC),
            subject=hostile,
            text="text",
            html='<!DOCTYPE html><html><head></head><body style="margin:0"><h1>本周 This week</h1></body>',
            recipients=[LI_NA],
            status="sent",
            sent_at=datetime(2026, 11, 23, 1, tzinfo=UTC),
        )
        session.add(row)
        session.flush()
        digest_id = row.id
    client = _signed_in(site)
    listing = client.get("/digests")
    assert escape(hostile) in listing.text and "<img src=x" not in listing.text
    assert "2026-11-16 00:00 – 2026-11-23 00:00" in listing.text  # the local week, Asia/Shanghai
    shown = client.get(f"/digests/{digest_id}")
    assert shown.status_code == 200
    assert '<body style="margin:0"><p' in shown.text and 'href="/digests"' in shown.text
    assert "<h1>本周 This week</h1>" in shown.text
    viewport = '<meta name="viewport" content="width=device-width,initial-scale=1">'
    assert f"<head>{viewport}" in shown.text  # laid out at a phone's width
    assert shown.headers["content-security-policy"].startswith("default-src 'none'")
    assert client.get(f"/digests/{digest_id + 1}").status_code == 404


@contextmanager
def _app_with(
    site: Site, tmp_path: Path, base_url: str, smtp_port: int, viewers: tuple[str, ...] = ()
) -> Iterator[httpx.Client]:
    """The same app over the site's database, served on another port with other settings."""
    port = free_port()
    config = web_config(tmp_path, base_url, smtp_port, viewers)
    app = create_app(config, site.sessions, clock=site.clock)
    with serving(app, port), httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        yield client


def test_cookies_are_secure_behind_https(site: Site, tmp_path: Path) -> None:
    base = "https://monitor.example.com"  # behind the reverse proxy; the app itself speaks http
    with _app_with(site, tmp_path, base, site.sink.port) as client:
        page = client.post("/signin", data={"email": LI_NA})
        assert page.status_code == 200
        link = _link_from_mail(site, 2)
        assert link.startswith(f"{base}/signin/")
        used = client.post(link.removeprefix(base))
    assert used.status_code == 303
    assert "Secure" in used.headers["set-cookie"] and "HttpOnly" in used.headers["set-cookie"]


def test_an_smtp_server_that_is_down_is_said_plainly(site: Site, tmp_path: Path) -> None:
    closed = free_port()  # nothing listens there
    with _app_with(site, tmp_path, site.base_url, closed) as client:
        failed = client.post("/signin", data={"email": LI_NA})
        assert failed.status_code == 503 and "could not be sent" in failed.text
        stranger = client.post("/signin", data={"email": "someone@elsewhere.invalid"})
        assert stranger.status_code == 200  # nothing was to be sent: nothing failed


def test_rising_threads_show_what_the_detector_sees_escaped(site: Site) -> None:
    with site.sessions.begin() as session:
        alert = session.get(Alert, site.alert_id)
        assert alert is not None
        thread = alert.thread
        group = WatchGroupRow(name=alert.watch_group, category=None)
        session.add(group)
        session.flush()
        match = WatchMatch(watch_group_id=group.id, thread_id=thread.id, term="途乐旅行", matched_at=OPENED)
        session.add(match)
        repo.record_snapshot(session, thread, repo.thread_posts(session, thread), OPENED, 0.4)
    client = _signed_in(site)
    page = client.get("/threads")
    assert page.status_code == 200
    assert "最近 6 小时内见到的监测帖" in page.text  # schedule.hot_for_hours
    assert "Watched threads seen in the last 6 h" in page.text
    assert english_only(page.text) == []  # the table's headings too, shown only when it has rows
    assert escape(TITLE) in page.text and "<script>document.title" not in page.text
    assert f'<a href="/alerts/{site.alert_id}">告警 Alert #{site.alert_id}</a>' in page.text
    assert 'href="http://forum.test/thread-26-1-1.html"' in page.text
    site.now += timedelta(hours=7)  # not seen in the last 6 h any more
    assert "No watched thread was seen" in client.get("/threads").text
    assert escape(TITLE) in client.get("/threads?hours=12").text
    assert "last 168 h" in client.get("/threads?hours=100000").text  # at most a week
    assert "last 6 h" in client.get("/threads?hours=soon").text  # not a number: the default
    for odd in ("nan", "inf", "-inf"):  # nan had answered 500, with a 160-line traceback in the log
        page = client.get(f"/threads?hours={odd}")
        assert page.status_code == 200 and "last 6 h" in page.text, odd
    # a span is a quarter of an hour: ?hours=2.0001, 2.0002 … had each kept a view, growing the process
    assert "last 2 h" in client.get("/threads?hours=2.0001").text
    assert "last 2.25 h" in client.get("/threads?hours=2.2").text


def test_rising_threads_within_half_a_minute_are_one_view_not_a_new_assessment(site: Site) -> None:
    """The page reloads every minute in every open tab; each load had assessed every watched thread."""
    client = _signed_in(site)
    assert "No watched thread was seen" in client.get("/threads").text
    with site.sessions.begin() as session:  # the thread becomes watched and read meanwhile
        alert = session.get(Alert, site.alert_id)
        assert alert is not None
        group = WatchGroupRow(name=alert.watch_group, category=None)
        session.add(group)
        session.flush()
        session.add(
            WatchMatch(watch_group_id=group.id, thread_id=alert.thread_id, term="途乐", matched_at=OPENED)
        )
        repo.record_snapshot(session, alert.thread, repo.thread_posts(session, alert.thread), OPENED, 0.4)
    assert "No watched thread was seen" in client.get("/threads").text  # the same half minute: as shown
    assert escape(TITLE) in client.get("/threads?hours=12").text  # another span is its own view
    site.now += timedelta(seconds=RISING_REUSE_SECONDS)
    assert escape(TITLE) in client.get("/threads").text


def test_forums_page_says_which_boards_are_not_being_read(site: Site) -> None:
    with site.sessions.begin() as session:
        alert = session.get(Alert, site.alert_id)
        assert alert is not None
        board = alert.thread.board
        board.consecutive_failures, board.last_error = 3, "login wall <script>x()</script>"
        session.add(
            HealthEvent(
                source_id=board.source_id,
                board_id=board.id,
                at=OPENED,
                kind="login_wall",
                url="http://forum.test/forum-2-1.html?<b>",
                detail="提示信息 <img src=x onerror=alert(1)>",
                kept_as="failed-pages/0001.html",
            )
        )
    client = _signed_in(site)
    page = client.get("/sources")
    assert page.status_code == 200
    assert "1 个版块读取失败" in page.text and "1 board(s) failing" in page.text
    assert ">当前读取失败 failing</span>" in page.text
    assert escape("login wall <script>x()</script>") in page.text and "<script>x()" not in page.text
    assert escape("提示信息 <img src=x onerror=alert(1)>") in page.text and "<img src=x" not in page.text
    assert "2026-11-23 20:00" in page.text and "failed-pages/0001.html" in page.text
    assert '<a href="/sources">' not in page.text  # the page names itself in the navigation, unlinked
    assert english_only(page.text) == []  # the events' table, shown only when there are events


def test_forums_page_says_a_board_is_degraded_and_shows_an_outage_once(site: Site) -> None:
    with site.sessions.begin() as session:
        alert = session.get(Alert, site.alert_id)
        assert alert is not None
        board = alert.thread.board
        board.consecutive_failures, board.last_success_at = 0, OPENED
        board.degraded_since = OPENED - timedelta(hours=1)  # its list read, none of its thread pages
        board.last_thread_pages_read, board.last_thread_pages_failed = 0, 4
        board.last_error = "4 thread pages tried, none read (login_wall ×4): 请先登录"
        session.add(
            HealthEvent(
                source_id=board.source_id,
                board_id=board.id,
                at=OPENED - timedelta(hours=1),
                last_at=OPENED,
                times=21,  # a poll every 3 minutes for an hour: one event
                kind="login_wall",
                url="http://forum.test/thread-26-1-1.html",
                detail="请先登录",
            )
        )
    page = _signed_in(site).get("/sources")
    assert page.status_code == 200
    assert "1 board(s) degraded (list read, no thread page): what they post is not being read" in page.text
    assert ">当前读不到帖子页 degraded</span>" in page.text and "始于 since 2026-11-23 19:00" in page.text
    assert "4 of 4 thread pages failed" in page.text and "none read (login_wall ×4)" in page.text
    assert "2026-11-23 19:00 – 2026-11-23 20:00" in page.text and "登录墙 login_wall ×21" in page.text
    assert english_only(page.text) == []


def test_forums_page_says_until_when_a_forum_asked_to_be_left_alone(site: Site) -> None:
    netloc = urlsplit(str(site.config.sources[0].base_url)).netloc
    cause = "the forum asks us to wait 2 h (Retry-After) <b>"
    with site.sessions.begin() as session:
        until = site.now + timedelta(hours=2)
        session.add(HostRest(netloc=netloc, resting_until=until, cause=cause, waits=[], updated_at=site.now))
    client = _signed_in(site)
    zone = ZoneInfo(site.config.settings.general.timezone)
    shown = until.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    assert f"Not asked anything before {shown}: {escape(cause)}" in client.get("/sources").text
    site.now = until + timedelta(minutes=1)  # the rest is over: nothing said
    assert "Not asked anything before" not in client.get("/sources").text


def test_a_viewer_reads_everything_and_acts_on_nothing(site: Site, tmp_path: Path) -> None:
    with _app_with(site, tmp_path, site.base_url, site.sink.port, viewers=("Ops@Corp.invalid",)) as client:
        assert client.post("/signin", data={"email": "ops@corp.invalid"}).status_code == 200
        link = _link_from_mail(site, 2)
        assert site.sink.envelopes[1].rcpt_tos == ("Ops@Corp.invalid",)
        assert client.post(link.removeprefix(site.base_url)).status_code == 303
        assert f'href="/alerts/{site.alert_id}"' in client.get("/alerts").text
        page = client.get(f"/alerts/{site.alert_id}")
        assert page.status_code == 200 and "a viewer: nothing here acts" in page.text
        assert 'name="do"' not in page.text  # no button, no note or resolve form
        refused = client.post(f"/alerts/{site.alert_id}", data={"do": "ack", "csrf": _csrf(page.text)})
        assert refused.status_code == 403 and "only spokespeople" in refused.text
        assert _alert(site).acknowledged_at is None
        for path in ("/threads", "/sources", "/digests"):
            assert client.get(path).status_code == 200, path
    # the same cookie on an app whose config no longer lists the viewer: signed out
    cookie = client.cookies[COOKIE]
    with httpx.Client(base_url=site.base_url, cookies={COOKIE: cookie}) as other:
        assert other.get("/alerts").headers.get("location") == "/signin"
