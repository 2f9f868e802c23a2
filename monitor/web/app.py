"""``monitor web``: the pages behind the signed links in alert messages, and the dashboard.

``GET /l/{token}`` shows the alert to the person the link was sent to, with one button for
the action the link was sent for (acknowledge, or mark the complainant contacted), the
checklist with a button per open step, the clocks, the first-hour figures and the trail.
``POST /l/{token}`` does what the button says, as that person, and lands it in the trail.
The signed-in dashboard (``/signin``, ``/alerts``, ``/digests``) is in
:mod:`monitor.web.dashboard`.

Why a button and not a bare GET: mail security scanners (and chat link previews) fetch every
link in a message. An acknowledgement made by a scanner would stop the escalation to the
backup while nobody has read the alert, so a GET never changes anything.

Pages carry no script; every response forbids framing, scripts and referrers (the token is a
credential and must not leak to the forum through a Referer header).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from monitor.alerting.compose import link_signer
from monitor.alerting.render import local_time
from monitor.app import email_channel
from monitor.config.loader import MonitorConfig
from monitor.errors import UnknownNameError
from monitor.web import words
from monitor.web.dashboard import dashboard_routes
from monitor.web.desk import ACTIONS, Clock, Desk, Refused
from monitor.web.links import LinkClaim, LinkError, LinkSigner
from monitor.web.origin import foreign_form, origin_of
from monitor.web.pages import DONE_MESSAGES, error_page, home_page
from monitor.web.resend_page import resent_of
from monitor.web.session import session_keys

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response


class _OwnFormsOnly(BaseHTTPMiddleware):
    """Refuse a POST that a page of another site made the browser send (:mod:`monitor.web.origin`)."""

    def __init__(self, app: ASGIApp, base_url: str) -> None:
        super().__init__(app)
        self.base_origin = origin_of(base_url)

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        here = origin_of(f"{request.url.scheme}://{request.headers.get('host', '')}")
        own = frozenset({self.base_origin, here})
        reason = foreign_form(request.method, request.headers, own)
        if reason is None:
            return await call_next(request)
        page = request.url.path.split("/")[1] or "/"  # never the rest: a link's token is a credential
        log.warning("form from another site refused", extra={"page": page, "reason": reason})
        return HTMLResponse(
            error_page(
                "请求被拒绝 Refused",
                "此表单不是从监测系统自己的页面发出的 "
                f"This form was not sent from the monitor's own page: {reason}.",
                f"请打开 {self.base_origin or '监测系统'} 上的页面，用页面上的按钮。 "
                f"Open the page on {self.base_origin or 'the monitor'} and use its buttons.",
            ),
            status_code=403,
        )


def create_app(config: MonitorConfig, sessions: sessionmaker[Session], clock: Clock = _utc_now) -> Starlette:
    """The web app; ``clock`` gives the time (tests pass their own)."""
    signer = link_signer(config)
    keys = session_keys(config)
    if signer is None or keys is None:
        raise UnknownNameError(
            "monitor web needs web.base_url in monitor.toml and a signing key in "
            f"${config.settings.web.secret_env}"
        )
    zone = config.settings.general.timezone
    desk = Desk(config, sessions, clock)

    def claim_of(token: str) -> LinkClaim | HTMLResponse:
        try:
            return signer.verify(token, clock())
        except LinkError as exc:
            return _link_problem(exc, signer, zone)

    async def show(request: Request) -> Response:
        claim = claim_of(request.path_params["token"])
        if isinstance(claim, HTMLResponse):
            return claim
        done = request.query_params.get("done")
        full = request.query_params.get("trail") == "all"
        resent = resent_of(request.query_params)
        return await run_in_threadpool(
            lambda: desk.render(
                claim, done if done in DONE_MESSAGES else None, full_trail=full, resent=resent
            )
        )

    async def perform(request: Request) -> Response:
        claim = claim_of(request.path_params["token"])
        if isinstance(claim, HTMLResponse):
            return claim
        form = await request.form(max_files=0, max_fields=8)
        do, step, note, to, force = (str(form.get(k) or "") for k in ("do", "step", "note", "to", "force"))
        if do not in ACTIONS:
            return await run_in_threadpool(desk.render, claim, None, f"未知操作 Unknown action {do!r}.", 400)
        try:
            landing = await run_in_threadpool(
                lambda: desk.act(
                    claim.alert_id,
                    f"{claim.recipient} (web link)",
                    do,
                    step,
                    note,
                    to=to,
                    actor_name=desk.name_of(claim.recipient),
                    link_of=claim.recipient,
                    force=force == "1",
                )
            )
        except Refused as exc:
            return await run_in_threadpool(desk.render, claim, None, str(exc), 409)
        except UnknownNameError as exc:
            return await run_in_threadpool(desk.render, claim, None, str(exc), 404)
        # Post/redirect/get: reloading the page never repeats the action.
        # a step ticked lands back at the checklist, not at the top of a long page (on a phone)
        return RedirectResponse(f"?{landing}" + ("#checklist" if do == "tick" else ""), status_code=303)

    async def home(request: Request) -> Response:
        return HTMLResponse(home_page())

    async def health(request: Request) -> Response:
        """For a load balancer or a monitoring system: 200 ``ok`` while the pages can be served,
        503 naming the cause while the database cannot be used (they would all answer 500)."""

        def ask() -> str | None:
            try:
                with sessions() as session:
                    session.execute(text("SELECT 1"))
            except SQLAlchemyError as exc:
                cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()
                return cause[0] if cause else type(exc).__name__
            return None

        problem = await run_in_threadpool(ask)
        if problem is not None:
            return PlainTextResponse(f"database unavailable: {problem}\n", status_code=503)
        return PlainTextResponse("ok\n")

    return Starlette(
        routes=[
            Route("/", home),
            Route("/healthz", health),
            Route("/l/{token}", show, methods=["GET", "HEAD"]),
            Route("/l/{token}", perform, methods=["POST"]),
            *dashboard_routes(desk, keys, email_channel(config)),
        ],
        middleware=[
            Middleware(_SecurityHeaders),
            Middleware(_OwnFormsOnly, base_url=config.settings.web.base_url),
        ],
    )


def _link_problem(exc: LinkError, signer: LinkSigner, zone: str) -> HTMLResponse:
    if exc.expired and exc.expired_at is not None:
        hours = signer.ttl.total_seconds() / 3600
        return HTMLResponse(
            error_page(
                "链接已过期 Link expired",
                f"此链接已于 {local_time(exc.expired_at, zone)} 过期（链接有效 {hours:g} 小时）。 "
                f"This link expired at {local_time(exc.expired_at, zone)} (links last {hours:g} h).",
                "下一条提醒或进展消息会带来新链接；在此之前，请用邮箱登录仪表板处理告警。 "
                "The next reminder or progress message carries fresh links. Meanwhile, sign in to the "
                "dashboard with your email to act on the alert there (or, from a terminal: "
                f"monitor alerts ack {exc.alert_id if exc.alert_id is not None else 'ID'}).",
                signin=True,
            ),
            status_code=410,
        )
    return HTMLResponse(
        error_page(
            "链接无效 Invalid link",
            words.link_problem(exc),
            "请从消息中复制完整的链接；监测系统的签名密钥更换后，旧链接不再有效。 "
            "Copy the whole link from the message; if the monitor's signing key was changed, "
            "old links stop working.",
        ),
        status_code=403,
    )
