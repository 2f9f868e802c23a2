"""One alert's page and its actions, shared by the signed links and the signed-in dashboard."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.responses import HTMLResponse, Response

from monitor.alerting import lifecycle
from monitor.alerting.sla import ack_within
from monitor.alerting.undelivered import undelivered
from monitor.config.loader import MonitorConfig
from monitor.detect.severity import Severity
from monitor.errors import UnknownNameError
from monitor.store.models import Alert, Delivery
from monitor.web.html import when
from monitor.web.links import LinkClaim
from monitor.web.pages import AlertPage, alert_page, error_page
from monitor.web.resend_page import Resent, resent_flash, send_again

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
ACTIONS = ("ack", "contacted", "tick", "note", "handover", "resolve", "resend")


class Refused(Exception):
    """An action the alert's state does not allow; the page says why."""


def only_a_copy(session: Session, alert: Alert, recipient: str) -> bool:
    """``recipient`` heard of ``alert`` only by copies for information (a route's ``also``): not its
    owner nor its backup, and never sent it to act on (an escalation to leadership is). Their signed
    links open the alert to read; acting is the owner's, and an acknowledgement from a copy would
    stop the escalation to the backup while the owner has not seen it."""
    if recipient in (alert.spokesperson, alert.backup):
        return False
    kinds = set(
        session.scalars(
            select(Delivery.kind).where(Delivery.alert_id == alert.id, Delivery.recipient == recipient)
        )
    )
    return kinds <= {"copy"}


@dataclass(frozen=True)
class Desk:
    config: MonitorConfig
    sessions: sessionmaker[Session]
    clock: Clock

    def name_of(self, key: str | None) -> str:
        if not key:
            return ""
        try:
            return self.config.spokesperson(key).name
        except UnknownNameError:
            return key

    def names(self) -> dict[str, str]:
        return {person.key: person.name for person in self.config.routing.spokespeople}

    def render(
        self,
        claim: LinkClaim,
        done: str | None,
        problem: str | None = None,
        status: int = 200,
        *,
        csrf: str | None = None,
        nav: str = "",
        read_only: bool = False,
        actor_name: str | None = None,
        full_trail: bool = False,
        resent: Resent | None = None,
    ) -> Response:
        """The alert page for ``claim``'s recipient (signed in: with ``csrf`` in every form;
        ``read_only``: a viewer, shown as ``actor_name``; ``resent``: what a re-queue just did, from the
        address). A signed link of someone who has only a copy of the alert (:func:`only_a_copy`)
        shows it read-only."""
        with self.sessions() as session:
            alert = session.get(Alert, claim.alert_id)
            if alert is None:
                return HTMLResponse(
                    error_page(
                        "告警不存在 No such alert",
                        f"没有保存告警 #{claim.alert_id} Alert #{claim.alert_id} is not stored.",
                    ),
                    status_code=404,
                )
            backup_due = (
                alert.ack_clock_start + ack_within(self.config, Severity(alert.severity))
                if alert.backup
                else None
            )
            copy = not csrf and only_a_copy(session, alert, claim.recipient)
            flash = ""
            if done == "resend" and resent is not None:
                flash = resent_flash(session, alert.id, resent, self.names())
            page = AlertPage(
                claim=claim,
                names=self.names(),
                actor_name=actor_name or self.name_of(claim.recipient),
                backup_due=backup_due,
                first_hour=lifecycle.first_hour(session, alert),
                timezone=self.config.settings.general.timezone,
                now=self.clock(),
                done=done,
                problem=problem,
                csrf=csrf,
                nav=nav,
                read_only=read_only or copy,
                copy_only=copy,
                full_trail=full_trail,
                leadership=any(key != alert.spokesperson for key in self.config.routing.leadership),
                undelivered=tuple(undelivered(session, alert_ids=(alert.id,))),
                flash=flash,
            )
            return HTMLResponse(alert_page(alert, page), status_code=status)

    def act(
        self,
        alert_id: int,
        actor: str,
        do: str,
        step: str,
        note: str,
        *,
        to: str = "",
        actor_name: str | None = None,
        link_of: str | None = None,
        force: bool = False,
    ) -> str:
        """Do ``do`` on the alert as ``actor`` (``actor_name``: how a message names them; ``to``: the
        spokesperson a handover is for; ``force``: re-queue even for an alert resolved long ago);
        :class:`Refused` when its state does not allow it, or when ``link_of`` (the recipient of the
        signed link used) has only a copy of it. Returns the query of the page to land on after it
        (``done=tick``; a re-queue names the messages, :mod:`monitor.web.resend_page`)."""
        with self.sessions.begin() as session:
            alert = lifecycle.held(session, alert_id)  # one action on an alert at a time
            if link_of is not None and only_a_copy(session, alert, link_of):
                raise Refused(
                    f"此告警抄送给你知悉，由 {self.name_of(alert.spokesperson)} 负责处理；未作任何更改。 "
                    f"This alert came to you as a copy for information; {self.name_of(alert.spokesperson)} "
                    "owns it and acts on it. Nothing was changed."
                )
            now = self.clock()
            if do == "note":  # a note is welcome after the close too (总结: what was learnt)
                try:
                    lifecycle.note(session, alert, actor, now, note)
                except ValueError as exc:
                    raise Refused(f"没有添加 Nothing was added: {exc}.") from None
                log.info("web action", extra={"alert_id": alert.id, "action": do, "actor": actor})
                return f"done={do}"
            if do == "resend":  # also after the close: a resolved notice may be what was given up
                try:
                    return send_again(session, self.config, alert, actor, now, anyway=force)
                except ValueError as exc:
                    raise Refused(f"{exc}.") from None  # Chinese first (resend_page.send_again)
            if alert.status == "resolved":
                raise Refused(self._closed(session, alert, do))
            if do == "ack":
                lifecycle.acknowledge(session, alert, actor, now)
            elif do == "contacted":
                lifecycle.contacted(session, alert, actor, now)
            elif do == "tick":
                if not step.isdigit():
                    raise Refused("哪一步？表单没有步骤编号。 Which step? The form sent no step number.")
                lifecycle.tick(session, alert, step, actor, now)
            elif do == "handover":
                if not to.strip():
                    raise Refused(
                        "请选择要转交的发言人；未作任何更改。 "
                        "Choose the spokesperson to hand the alert to; nothing was changed."
                    )
                try:
                    lifecycle.hand_over(
                        session, self.config, alert, to.strip(), actor, now, note, by_name=actor_name
                    )
                except ValueError as exc:
                    raise Refused(f"未能转交 {str(exc)[:1].upper()}{str(exc)[1:]}.") from None
            elif do == "resolve":
                try:
                    lifecycle.resolve(session, alert, actor, now, note)
                except ValueError:
                    raise Refused(
                        "请说明如何解决的（说明记入记录）。 "
                        "Say how it was resolved (the note is kept in the trail)."
                    ) from None
            else:
                raise Refused(f"未知操作 Unknown action {do!r}.")
            log.info("web action", extra={"alert_id": alert.id, "action": do, "actor": actor})
            return f"done={do}"

    def _closed(self, session: Session, alert: Alert, do: str) -> str:
        """Why ``do`` is refused on a resolved alert (a note is still welcome, and is not refused)."""
        if do == "resolve":  # a second tab, a double submit: say who closed it, change nothing
            who, at = lifecycle.resolution(session, alert)
            zone = self.config.settings.general.timezone
            return (
                f"告警 #{alert.id} 已由 {who} 于 {when(at, zone)} 结案；未作任何更改。 "
                f"Alert #{alert.id} was already resolved by {who} at {when(at, zone)}; nothing was changed."
            )
        if do == "handover":
            return (
                f"告警 #{alert.id} 已结案，不能转交；未作任何更改。 "
                f"Alert #{alert.id} is resolved: a resolved alert cannot be handed over; nothing was changed."
            )
        said = f"告警 #{alert.id} 已结案；未作任何更改。 "
        return said + f"Alert #{alert.id} is already resolved; nothing was changed."
