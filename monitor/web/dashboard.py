"""The signed-in dashboard's pages: every alert, one alert, rising threads, forums, the digests.

``GET /alerts`` lists the alerts (:mod:`monitor.web.alert_list`), ``GET /alerts/{id}`` is the
same alert page as a signed link shows, acting as the signed-in person (``li_na (web)`` in
the trail); ``GET /threads`` is the detector's view of every watched thread seen lately,
alerting or not (as ``monitor threads rising``); ``GET /sources`` how each forum's boards are
being read (as ``monitor sources status``); ``GET /digests`` lists the weekly digests
kept and ``GET /digests/{id}`` shows one as it was emailed. Signing in: :mod:`monitor.web.signin`.
"""

from __future__ import annotations

import math
import threading
from datetime import datetime

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from monitor.admin.forum_health import SourceHealth, forum_health
from monitor.admin.rising import rising_threads
from monitor.alerting.channels.email import EmailChannel
from monitor.enrich.watch_admin import WATCH_FILE, WatchGroupsReloader
from monitor.errors import UnknownNameError
from monitor.facts import FactsReader
from monitor.store.models import DigestRow
from monitor.web.alert_list import LIMIT, VIEWS, alert_counts, list_alerts
from monitor.web.dashboard_pages import (
    AlertsView,
    Nav,
    alerts_page,
    digests_page,
)
from monitor.web.desk import ACTIONS, Desk, Refused
from monitor.web.forums_page import sources_page
from monitor.web.links import LinkClaim
from monitor.web.pages import DONE_MESSAGES, error_page
from monitor.web.resend_page import resent_of
from monitor.web.rising_page import RisingView, rising_page
from monitor.web.session import SessionKeys, Visitor
from monitor.web.signin import make_gate, signin_routes

MAX_RISING_HOURS = 7 * 24.0
MAX_RISING_ROWS = 100
RISING_REUSE_SECONDS = 30  # the page reloads every minute; a view is shared for 30 s after it is computed
SOURCE_EVENTS = 10  # newest health events shown per forum
_BACK_TO_DIGESTS = (
    '<p style="font-family:sans-serif;font-size:13px;margin:8px"><a href="/digests">← 周报 Digests</a></p>'
)


def dashboard_routes(desk: Desk, keys: SessionKeys, email: EmailChannel | None) -> list[Route]:
    """Sign-in (:mod:`monitor.web.signin`) and the signed-in pages."""
    config, clock = desk.config, desk.clock
    zone = config.settings.general.timezone
    facts = FactsReader(config)  # boards' baselines, cached hourly, for the rising threads
    # the watch groups as `monitor run` reads them: reloaded when ops edit them (one stat per view);
    # the pipeline records hand edits in the audit log, this reader does not record them again
    watch = WatchGroupsReloader(config.directory / WATCH_FILE, config.watch_groups, record_hand_edits=False)
    watch_lock = threading.Lock()  # views of two spans are computed side by side
    gate = make_gate(config, keys, clock, desk.sessions)
    signed_in, csrf_ok, to_signin, forbidden = gate.signed_in, gate.csrf_ok, gate.to_signin, gate.forbidden

    async def alerts(request: Request) -> Response:
        found = signed_in(request)
        if found is None:
            return to_signin()
        visitor, nav, _ = found
        view = request.query_params.get("view", "active")
        if view not in VIEWS:
            view = "active"
        mine = request.query_params.get("mine") == "1"
        try:
            page = max(1, int(request.query_params.get("page", "1")))
        except ValueError:
            page = 1

        def collect() -> AlertsView:
            with desk.sessions() as session:
                offset = (page - 1) * LIMIT
                rows, total = list_alerts(session, view, visitor.key if mine else None, offset=offset)
                now = clock()
                counts = alert_counts(session, now)
                return AlertsView(
                    rows,
                    total,
                    counts,
                    view,
                    mine,
                    desk.names(),
                    zone,
                    now,
                    page,
                    refresh=refreshing(request),
                )

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
                full_trail=request.query_params.get("trail") == "all",
                resent=resent_of(request.query_params),
            )
        )

    async def alert_act(request: Request) -> Response:
        found = signed_in(request)
        if found is None:
            return to_signin()
        visitor, nav, who = found
        form = await request.form(max_files=0, max_fields=8)
        do, step, note, to, token, force = (
            str(form.get(k) or "") for k in ("do", "step", "note", "to", "csrf", "force")
        )
        if not csrf_ok(request, token):
            return forbidden(
                "表单的安全令牌与本次登录不符；未作任何更改。 "
                "The form's security token did not match this session; nothing was changed."
            )
        if not who.can_act:
            return forbidden(
                "只读成员只能查看；只有发言人（routing.yaml）能处理告警。 "
                "Viewers read the dashboard; only spokespeople (routing.yaml) act on alerts."
            )
        claim = alert_claim(request, visitor)

        def again(problem: str, status: int) -> Response:
            return desk.render(claim, None, problem, status, csrf=nav.csrf, nav=nav.html())

        if do not in ACTIONS:
            return await run_in_threadpool(again, f"未知操作 Unknown action {do!r}.", 400)
        try:
            landing = await run_in_threadpool(
                lambda: desk.act(
                    claim.alert_id,
                    f"{visitor.key} (web)",
                    do,
                    step,
                    note,
                    to=to,
                    actor_name=who.name,
                    force=force == "1",
                )
            )
        except Refused as exc:
            return await run_in_threadpool(again, str(exc), 409)
        except UnknownNameError as exc:
            return await run_in_threadpool(again, str(exc), 404)
        anchor = "#checklist" if do == "tick" else ""
        return RedirectResponse(f"/alerts/{claim.alert_id}?{landing}{anchor}", status_code=303)

    rising_views: dict[float, tuple[datetime, RisingView]] = {}  # per span of hours: when computed, the view
    rising_locks: dict[float, threading.Lock] = {}

    async def threads(request: Request) -> Response:
        found = signed_in(request)
        if found is None:
            return to_signin()
        _, nav, _ = found
        hours = _span_of_hours(request.query_params.get("hours"), config.settings.schedule.hot_for_hours)
        detect = config.settings.detect

        def collect() -> RisingView:
            with rising_locks.setdefault(hours, threading.Lock()):  # per span: one never waits on another
                now = clock()
                held = rising_views.get(hours)
                # tabs reloading at once, or within seconds: one assessment of every thread
                if held is not None and 0 <= (now - held[0]).total_seconds() < RISING_REUSE_SECONDS:
                    return held[1]
                with watch_lock:
                    groups = watch.current(now).groups
                    problems = tuple(watch.problems)
                with desk.sessions() as session:
                    rows = rising_threads(config, facts, session, now, hours, groups)[:MAX_RISING_ROWS]
                tiers = (detect.general_score, detect.urgent_score, detect.very_urgent_score)
                view = RisingView(rows, hours, *tiers, watch_problems=problems)
                for span, (at, _) in list(rising_views.items()):  # a view past its reuse is never shown again
                    if not 0 <= (now - at).total_seconds() < RISING_REUSE_SECONDS:
                        rising_views.pop(span, None)
                rising_views[hours] = (now, view)
                return view

        shown = await run_in_threadpool(collect)
        return HTMLResponse(
            rising_page(Nav(nav.name, nav.csrf, "threads"), shown, refresh=refreshing(request))
        )

    async def sources(request: Request) -> Response:
        found = signed_in(request)
        if found is None:
            return to_signin()
        _, nav, _ = found

        def collect() -> list[SourceHealth]:
            with desk.sessions() as session:
                return forum_health(session, config, events=SOURCE_EVENTS, now=clock())

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
            missing = "数据库里没有这份周报。 It is not in the database."
            return HTMLResponse(error_page("周报不存在 No such digest", missing), 404)
        return HTMLResponse(_with_back_link(html))

    return [
        *signin_routes(gate, email),
        Route("/alerts", alerts, methods=["GET", "HEAD"]),
        Route("/alerts/{alert_id:int}", alert_show, methods=["GET", "HEAD"]),
        Route("/alerts/{alert_id:int}", alert_act, methods=["POST"]),
        Route("/threads", threads, methods=["GET", "HEAD"]),
        Route("/sources", sources, methods=["GET", "HEAD"]),
        Route("/digests", digests, methods=["GET", "HEAD"]),
        Route("/digests/{digest_id:int}", digest_show, methods=["GET", "HEAD"]),
    ]


_VIEWPORT = '<meta name="viewport" content="width=device-width,initial-scale=1">'


def _with_back_link(html: str) -> str:
    """The digest as emailed, with a way back to the list just inside its body (and, for one kept
    before digests carried it, the viewport tag that lays it out at a phone's width)."""
    if 'name="viewport"' not in html:
        html = html.replace("<head>", "<head>" + _VIEWPORT, 1)
    start = html.find("<body")
    end = html.find(">", start) if start >= 0 else -1
    if end < 0:
        return _BACK_TO_DIGESTS + html
    return html[: end + 1] + _BACK_TO_DIGESTS + html[end + 1 :]


def refreshing(request: Request) -> bool:
    """``?refresh=1``: the list reloads itself every minute (asked for, for a screen left open)."""
    return request.query_params.get("refresh") == "1"


def _span_of_hours(given: str | None, default: float) -> float:
    """``?hours=`` as a quarter of an hour between 0.25 and :data:`MAX_RISING_HOURS`; anything else
    (text, nan, inf) is the default. Each span keeps its view and lock: at most 672 of them, where any
    float had made one (``?hours=1.0001``, ``1.0002`` … grew the process without end, and ``nan``
    answered 500)."""
    try:
        hours = float(given) if given is not None else default
    except ValueError:
        hours = default
    if not math.isfinite(hours):
        hours = default
    return min(max(round(hours * 4) / 4, 0.25), MAX_RISING_HOURS)
