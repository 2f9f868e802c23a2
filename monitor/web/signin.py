"""Signing in and out of the dashboard (routes), and the gate every dashboard page passes.

How the links, cookies and form tokens work: :mod:`monitor.web.session`; who may sign in:
:mod:`monitor.web.members`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from monitor.alerting.channels.email import EmailChannel
from monitor.config.loader import MonitorConfig
from monitor.errors import DeliveryError
from monitor.web import words
from monitor.web.dashboard_pages import Nav
from monitor.web.desk import Clock
from monitor.web.members import Member, find_member, member_by_address
from monitor.web.pages import error_page
from monitor.web.session import (
    COOKIE,
    EmailThrottle,
    SessionError,
    SessionKeys,
    Throttle,
    Visitor,
)
from monitor.web.signin_mail import signin_email
from monitor.web.signin_pages import (
    signin_confirm_page,
    signin_page,
    signin_sent_page,
    signout_everywhere_page,
)
from monitor.web.signin_store import SignInSessions

log = logging.getLogger(__name__)

MAX_ADDRESS_CHARS = 320
SIGNIN_EMAIL_EVERY = timedelta(minutes=1)
_ASK_AGAIN = "请在登录页重新申请。 Ask for a new one on the sign-in page."
_NOT_ON_THE_LIST = (
    "此人已不在团队名单上（routing.yaml、web.viewers）。 "
    "This person is no longer on the team's list (routing.yaml, web.viewers)."
)


@dataclass
class Gate:
    """Who a request comes from, and the answers for those who may not pass."""

    config: MonitorConfig
    keys: SessionKeys
    clock: Clock
    signins: SignInSessions
    throttle: EmailThrottle = field(default_factory=lambda: Throttle(SIGNIN_EMAIL_EVERY))

    def signed_in(self, request: Request) -> tuple[Visitor, Nav, Member] | None:
        """The visitor, their navigation bar and who they are; None: not (or no longer) signed in."""
        cookie = request.cookies.get(COOKIE, "")
        if not cookie:
            return None
        try:
            visitor = self.keys.visitor(cookie, self.clock())
        except SessionError:
            return None
        who = find_member(self.config, visitor.key)  # removed from the config: signed out
        if who is None or not self.signins.live(visitor.session, visitor.key, self.clock()):
            return None
        return visitor, Nav(name=who.name, csrf=self.keys.csrf(cookie), here="alerts"), who

    def csrf_ok(self, request: Request, token: str) -> bool:
        return self.keys.csrf_ok(request.cookies.get(COOKIE, ""), token)

    @staticmethod
    def to_signin() -> Response:
        response = RedirectResponse("/signin", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @staticmethod
    def forbidden(message: str) -> Response:
        return HTMLResponse(error_page("请求被拒绝 Refused", message, words.RELOAD), status_code=403)


def make_gate(
    config: MonitorConfig, keys: SessionKeys, clock: Clock, sessions: sessionmaker[Session]
) -> Gate:
    """The gate. Spent sign-in links are kept in the database; with a broker configured, the email
    throttle is shared by every web process through Redis (:mod:`monitor.distributed.web_state`)."""
    signins = SignInSessions(sessions)
    if not config.settings.distributed.broker_url:
        return Gate(config, keys, clock, signins)
    from monitor.distributed.web_state import shared_signin_throttle

    throttle = shared_signin_throttle(config.settings.distributed, SIGNIN_EMAIL_EVERY)
    return Gate(config, keys, clock, signins, throttle)


def signin_routes(gate: Gate, email: EmailChannel | None) -> list[Route]:
    config, keys, clock = gate.config, gate.keys, gate.clock
    minutes = config.settings.web.signin_link_minutes
    signed_in, forbidden = gate.signed_in, gate.forbidden

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
                signin_page(
                    email_on=True,
                    problem="这不是邮箱地址。 That is not an email address.",
                    address=address[:100],
                ),
                status_code=400,
            )
        who = member_by_address(config, address)
        now = clock()
        if who is not None and gate.throttle.allow(who.key, now):
            url = keys.signin_url(who.key, now)
            message = signin_email(config.settings.smtp.sender, who.name, who.email, url, minutes, now)
            try:
                await run_in_threadpool(email.send_email, message, [who.email], {"signin": who.key})
            except DeliveryError as exc:
                log.warning("sign-in email failed", extra={"spokesperson": who.key, "reason": str(exc)})
                return HTMLResponse(
                    signin_page(
                        email_on=True,
                        problem="登录邮件发送失败（SMTP 服务器没有接收）。"
                        "请过一分钟再试；一直失败请告诉运维。 "
                        "The sign-in email could not be sent (the SMTP server did not take it). "
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
                error_page("链接已过期 Link expired", words.link_problem(exc), _ASK_AGAIN, signin=True),
                status_code=410,
            )
        return HTMLResponse(
            error_page(
                "链接无效 Invalid link",
                words.link_problem(exc),
                "请从邮件中复制完整的链接。 Copy the whole link from the email.",
            ),
            status_code=403,
        )

    async def signin_link(request: Request) -> Response:
        try:
            found = keys.read_signin(request.path_params["token"], clock())
        except SessionError as exc:
            return signin_problem(exc)
        who = find_member(config, found.key)
        if who is None:
            return forbidden(_NOT_ON_THE_LIST)
        return HTMLResponse(signin_confirm_page(who.name))

    async def signin_use(request: Request) -> Response:
        now = clock()
        try:
            found = keys.read_signin(request.path_params["token"], now)
        except SessionError as exc:
            return signin_problem(exc)
        if find_member(config, found.key) is None:
            return forbidden(_NOT_ON_THE_LIST)
        if not await run_in_threadpool(gate.signins.start, found, now, now + keys.session_ttl):
            return HTMLResponse(
                error_page(
                    "链接已用过 Link already used",
                    "登录链接只能用一次。 A sign-in link works once.",
                    _ASK_AGAIN,
                    signin=True,
                ),
                status_code=410,
            )
        response = RedirectResponse("/alerts", status_code=303)
        response.set_cookie(
            COOKIE,
            keys.cookie(found.key, found.nonce, now),
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
        found = signed_in(request)
        if found is None:
            return gate.to_signin()
        if not gate.csrf_ok(request, str(form.get("csrf") or "")):
            return forbidden(
                "表单的安全令牌与本次登录不符。 The form's security token did not match this session."
            )
        visitor = found[0]
        if form.get("everywhere"):
            ended = await run_in_threadpool(gate.signins.sign_out_everywhere, visitor.key, clock())
            log.info("signed out everywhere", extra={"spokesperson": visitor.key, "sessions": ended})
        else:
            await run_in_threadpool(gate.signins.sign_out, visitor.session, clock())
        return gate.to_signin()

    async def signout_everywhere(request: Request) -> Response:
        """The page that asks; its button posts to /signout with ``everywhere``."""
        found = signed_in(request)
        if found is None:
            return gate.to_signin()
        nav = found[1]
        page = signout_everywhere_page(Nav(nav.name, nav.csrf, "").html(), nav.name, nav.csrf)
        return HTMLResponse(page)

    return [
        Route("/signin", signin_form, methods=["GET", "HEAD"]),
        Route("/signin", signin_request, methods=["POST"]),
        Route("/signin/{token}", signin_link, methods=["GET", "HEAD"]),
        Route("/signin/{token}", signin_use, methods=["POST"]),
        Route("/signout", signout, methods=["POST"]),
        Route("/signout/everywhere", signout_everywhere, methods=["GET", "HEAD"]),
    ]
