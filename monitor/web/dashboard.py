"""The signed-in dashboard's routes: sign in by email link, every alert, one alert, the digests.

``GET /alerts`` lists the alerts (:mod:`monitor.web.alert_list`), ``GET /alerts/{id}`` is the
same alert page as a signed link shows, acting as the signed-in person (``li_na (web)`` in
the trail); ``GET /threads`` is the detector's view of every watched thread seen lately,
alerting or not (as ``monitor threads rising``); ``GET /sources`` how each forum's boards are
being read (as ``monitor sources status``); ``GET /digests`` lists the weekly digests
kept and ``GET /digests/{id}`` shows one as it was emailed. How signing in works: :mod:`monitor.web.session`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from monitor.admin.forum_health import SourceHealth, forum_health
from monitor.admin.rising import rising_threads
from monitor.alerting.channels.email import EmailChannel
from monitor.config.loader import MonitorConfig
from monitor.errors import DeliveryError, UnknownNameError
from monitor.facts import FactsReader
from monitor.store.models import DigestRow
from monitor.web.alert_list import VIEWS, alert_counts, list_alerts
from monitor.web.dashboard_pages import (
    AlertsView,
    Nav,
    RisingView,
    alerts_page,
    digests_page,
    rising_page,
    signin_confirm_page,
    signin_page,
    signin_sent_page,
    sources_page,
)
from monitor.web.desk import ACTIONS, Desk, Refused
from monitor.web.links import LinkClaim
from monitor.web.pages import DONE_MESSAGES, error_page
from monitor.web.session import COOKIE, SessionError, SessionKeys, SpentNonces, Throttle, Visitor
from monitor.web.signin_mail import signin_email

log = logging.getLogger(__name__)

MAX_ADDRESS_CHARS = 320
SIGNIN_EMAIL_EVERY = timedelta(minutes=1)
MAX_RISING_HOURS = 7 * 24.0
MAX_RISING_ROWS = 100
SOURCE_EVENTS = 10  # newest health events shown per forum
_ASK_AGAIN = "Ask for a new one on the sign-in page: /signin"
_NOT_ON_THE_LIST = "This person is no longer on the team's list (routing.yaml, web.viewers)."
VIEWER = "viewer:"  # the key of a viewer (web.viewers) is this and their address
_BACK_TO_DIGESTS = (
    '<p style="font-family:sans-serif;font-size:13px;margin:8px"><a href="/digests">← 周报 Digests</a></p>'
)


def dashboard_routes(desk: Desk, keys: SessionKeys, email: EmailChannel | None) -> list[Route]:
    config, clock = desk.config, desk.clock
    zone = config.settings.general.timezone
    minutes = config.settings.web.signin_link_minutes
    spent = SpentNonces()
    facts = FactsReader(config)  # boards' baselines, cached hourly, for the rising threads
    throttle = Throttle(SIGNIN_EMAIL_EVERY)

    def member(key: str) -> Member | None:
        """Only people still in routing.yaml (or ``web.viewers``) may sign in or stay signed in."""
        return find_member(config, key)

    def by_address(address: str) -> Member | None:
        wanted = address.strip().lower()
        for person in config.routing.spokespeople:
            if person.email.strip().lower() == wanted:
                return Member(person.key, person.name, person.email, can_act=True)
        for viewer in config.settings.web.viewers:
            if viewer.lower() == wanted:
                return Member(VIEWER + viewer.lower(), viewer, viewer, can_act=False)
        return None

    def signed_in(request: Request) -> tuple[Visitor, Nav, Member] | None:
        cookie = request.cookies.get(COOKIE, "")
        if not cookie:
            return None
        try:
            visitor = keys.visitor(cookie, clock())
        except SessionError:
            return None
        who = member(visitor.key)
        if who is None:
            return None
        return visitor, Nav(name=who.name, csrf=keys.csrf(cookie), here="alerts"), who

    def csrf_ok(request: Request, token: str) -> bool:
        return keys.csrf_ok(request.cookies.get(COOKIE, ""), token)

    def to_signin() -> Response:
        response = RedirectResponse("/signin", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    def forbidden(message: str) -> Response:
        return HTMLResponse(
            error_page("请求被拒绝 Refused", message, "Reload the page and try again."), status_code=403
        )

    async def signin_form(request: Request) -> Response:
        if signed_in(request) is not None:
            return RedirectResponse("/alerts", status_code=303)
        return HTMLResponse(signin_page(email_on=email is not None))

    async def signin_request(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=4)
        address = str(form.get("email") or "").strip()
        if email is None:
            return HTMLResponse(signin_page(email_on=False), status_code=409)
        if not address or len(address) > MAX_ADDRESS_CHARS or "@" not in address:
            return HTMLResponse(
                signin_page(email_on=True, problem="That is not an email address.", address=address[:100]),
                status_code=400,
            )
        who = by_address(address)
        now = clock()
        if who is not None and throttle.allow(who.key, now):
            url = keys.signin_url(who.key, now)
            message = signin_email(config.settings.smtp.sender, who.name, who.email, url, minutes, now)
            try:
                await run_in_threadpool(email.send_email, message, [who.email], {"signin": who.key})
            except DeliveryError as exc:
                log.warning("sign-in email failed", extra={"spokesperson": who.key, "reason": str(exc)})
                return HTMLResponse(
                    signin_page(
                        email_on=True,
                        problem="The sign-in email could not be sent (the SMTP server did not take it). "
                        "Try again in a minute; if it keeps failing, tell whoever runs the monitor.",
                        address=address,
                    ),
                    status_code=503,
                )
            log.info("sign-in link sent", extra={"spokesperson": who.key})
        return HTMLResponse(signin_sent_page(address, minutes))

    def signin_problem(exc: SessionError) -> Response:
        if exc.expired:
            return HTMLResponse(
                error_page("链接已过期 Link expired", str(exc), _ASK_AGAIN),
                status_code=410,
            )
        return HTMLResponse(
            error_page("链接无效 Invalid link", str(exc), "Copy the whole link from the email."),
            status_code=403,
        )

    async def signin_link(request: Request) -> Response:
        try:
            found = keys.read_signin(request.path_params["token"], clock())
        except SessionError as exc:
            return signin_problem(exc)
        who = member(found.key)
        if who is None:
            return forbidden(_NOT_ON_THE_LIST)
        return HTMLResponse(signin_confirm_page(who.name))

    async def signin_use(request: Request) -> Response:
        now = clock()
        try:
            found = keys.read_signin(request.path_params["token"], now)
        except SessionError as exc:
            return signin_problem(exc)
        if member(found.key) is None:
            return forbidden(_NOT_ON_THE_LIST)
        if not spent.spend(found, now):
            return HTMLResponse(
                error_page(
                    "链接已用过 Link already used",
                    "A sign-in link works once.",
                    _ASK_AGAIN,
                ),
                status_code=410,
            )
        response = RedirectResponse("/alerts", status_code=303)
        response.set_cookie(
            COOKIE,
            keys.cookie(found.key, now),
            max_age=int(keys.session_ttl.total_seconds()),
            path="/",
            httponly=True,
            samesite="lax",
            secure=keys.secure_cookie,
        )
        log.info("signed in", extra={"spokesperson": found.key})
        return response

    async def signout(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=4)
        if signed_in(request) is not None and not csrf_ok(request, str(form.get("csrf") or "")):
            return forbidden("The form's security token did not match this session.")
        return to_signin()

    async def alerts(request: Request) -> Response:
        found = signed_in(request)
        if found is None:
            return to_signin()
        visitor, nav, _ = found
        view = request.query_params.get("view", "active")
        if view not in VIEWS:
            view = "active"
        mine = request.query_params.get("mine") == "1"

        def collect() -> AlertsView:
            with desk.sessions() as session:
                rows, total = list_alerts(session, view, visitor.key if mine else None)
                now = clock()
                counts = alert_counts(session, now)
                return AlertsView(rows, total, counts, view, mine, desk.names(), zone, now)

        return HTMLResponse(alerts_page(nav, await run_in_threadpool(collect)))

    def alert_claim(request: Request, visitor: Visitor) -> LinkClaim:
        return LinkClaim(int(request.path_params["alert_id"]), "view", visitor.key, visitor.expires_at)

    async def alert_show(request: Request) -> Response:
        found = signed_in(request)
        if found is None:
            return to_signin()
        visitor, nav, who = found
        done = request.query_params.get("done")
        return await run_in_threadpool(
            lambda: desk.render(
                alert_claim(request, visitor),
                done if done in DONE_MESSAGES else None,
                csrf=nav.csrf,
                nav=nav.html(),
                read_only=not who.can_act,
                actor_name=who.name,
            )
        )

    async def alert_act(request: Request) -> Response:
        found = signed_in(request)
        if found is None:
            return to_signin()
        visitor, nav, who = found
        form = await request.form(max_files=0, max_fields=8)
        do, step, note, token = (str(form.get(key) or "") for key in ("do", "step", "note", "csrf"))
        if not csrf_ok(request, token):
            return forbidden("The form's security token did not match this session; nothing was changed.")
        if not who.can_act:
            return forbidden("Viewers read the dashboard; only spokespeople (routing.yaml) act on alerts.")
        claim = alert_claim(request, visitor)

        def again(problem: str, status: int) -> Response:
            return desk.render(claim, None, problem, status, csrf=nav.csrf, nav=nav.html())

        if do not in ACTIONS:
            return await run_in_threadpool(again, f"Unknown action {do!r}.", 400)
        try:
            await run_in_threadpool(desk.act, claim.alert_id, f"{visitor.key} (web)", do, step, note)
        except Refused as exc:
            return await run_in_threadpool(again, str(exc), 409)
        except UnknownNameError as exc:
            return await run_in_threadpool(again, str(exc), 404)
        return RedirectResponse(f"/alerts/{claim.alert_id}?done={do}", status_code=303)

    async def threads(request: Request) -> Response:
        found = signed_in(request)
        if found is None:
            return to_signin()
        _, nav, _ = found
        try:
            hours = float(request.query_params.get("hours", config.settings.schedule.hot_for_hours))
        except ValueError:
            hours = config.settings.schedule.hot_for_hours
        hours = min(max(hours, 0.25), MAX_RISING_HOURS)
        detect = config.settings.detect

        def collect() -> RisingView:
            with desk.sessions() as session:
                rows = rising_threads(config, facts, session, clock(), hours)[:MAX_RISING_ROWS]
            tiers = (detect.general_score, detect.urgent_score, detect.very_urgent_score)
            return RisingView(rows, hours, *tiers)

        shown = await run_in_threadpool(collect)
        return HTMLResponse(rising_page(Nav(nav.name, nav.csrf, "threads"), shown))

    async def sources(request: Request) -> Response:
        found = signed_in(request)
        if found is None:
            return to_signin()
        _, nav, _ = found

        def collect() -> list[SourceHealth]:
            with desk.sessions() as session:
                return forum_health(session, config, events=SOURCE_EVENTS)

        shown = await run_in_threadpool(collect)
        return HTMLResponse(sources_page(Nav(nav.name, nav.csrf, "sources"), shown, zone))

    async def digests(request: Request) -> Response:
        found = signed_in(request)
        if found is None:
            return to_signin()
        _, nav, _ = found

        def collect() -> list[DigestRow]:
            with desk.sessions() as session:
                newest = select(DigestRow).order_by(DigestRow.period_end.desc()).limit(104)
                return list(session.scalars(newest))

        shown = await run_in_threadpool(collect)
        return HTMLResponse(digests_page(Nav(nav.name, nav.csrf, "digests"), shown, zone))

    async def digest_show(request: Request) -> Response:
        if signed_in(request) is None:
            return to_signin()

        def body() -> str | None:
            with desk.sessions() as session:
                row = session.get(DigestRow, int(request.path_params["digest_id"]))
                return row.html if row is not None else None

        html = await run_in_threadpool(body)
        if html is None:
            return HTMLResponse(error_page("周报不存在 No such digest", "It is not in the database."), 404)
        return HTMLResponse(_with_back_link(html))

    return [
        Route("/signin", signin_form, methods=["GET", "HEAD"]),
        Route("/signin", signin_request, methods=["POST"]),
        Route("/signin/{token}", signin_link, methods=["GET", "HEAD"]),
        Route("/signin/{token}", signin_use, methods=["POST"]),
        Route("/signout", signout, methods=["POST"]),
        Route("/alerts", alerts, methods=["GET", "HEAD"]),
        Route("/alerts/{alert_id:int}", alert_show, methods=["GET", "HEAD"]),
        Route("/alerts/{alert_id:int}", alert_act, methods=["POST"]),
        Route("/threads", threads, methods=["GET", "HEAD"]),
        Route("/sources", sources, methods=["GET", "HEAD"]),
        Route("/digests", digests, methods=["GET", "HEAD"]),
        Route("/digests/{digest_id:int}", digest_show, methods=["GET", "HEAD"]),
    ]


@dataclass(frozen=True)
class Member:
    """Someone who may sign in: a spokesperson (acts on alerts) or a viewer (``web.viewers``, reads)."""

    key: str  # spokesperson key, or VIEWER + address
    name: str
    email: str
    can_act: bool


def find_member(config: MonitorConfig, key: str) -> Member | None:
    """The spokesperson or viewer ``key`` names, if still configured."""
    if key.startswith(VIEWER):
        address = key.removeprefix(VIEWER)
        listed = next((v for v in config.settings.web.viewers if v.lower() == address), None)
        return Member(key, listed, listed, can_act=False) if listed else None
    person = next((p for p in config.routing.spokespeople if p.key == key), None)
    return Member(person.key, person.name, person.email, can_act=True) if person else None


def _with_back_link(html: str) -> str:
    """The digest as emailed, with a way back to the list just inside its body."""
    start = html.find("<body")
    end = html.find(">", start) if start >= 0 else -1
    if end < 0:
        return _BACK_TO_DIGESTS + html
    return html[: end + 1] + _BACK_TO_DIGESTS + html[end + 1 :]
