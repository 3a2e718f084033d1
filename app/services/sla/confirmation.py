"""Closing the loop with the proposer (issue 10): their confirmation of the outcome, the automatic
confirmation when they do not answer, follow-up calls (回访) and the opinions kept for the reports.

- A `released` or `resolved_locally` requirement waits for the proposer's answer (the
  `confirmation` clock runs). The engineer records `confirmed`, or `not_satisfied` with the
  proposer's reason: that reopens the requirement to `assessing` (the one move
  `workflow.REOPEN_NOT_SATISFIED` allows only here) and keeps the reason as a `UserOpinion`.
- Without an answer after `AUTO_CONFIRM_WORKING_DAYS` working days (default 5, the confirmation
  target's default; 0 turns it off) `sla tick` confirms it, marked automatic on the timeline.
- A follow-up call is a timeline event of its own kind (`follow_up`).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Event, Requirement, User, UserOpinion
from app.services import paging, periods, permissions, workflow
from app.services.calendar import WorkingCalendar
from app.services.errors import Conflict, Msg, StaleVersion, ValidationFailed
from app.services.uow import unit_of_work
from app.utils import utcnow

OUTCOMES = ("confirmed", "not_satisfied")
DEFAULT_AUTO_CONFIRM_DAYS = 5
NOT_FOUND = Msg("Requirement not found.")


def auto_confirm_days() -> int:
    """Working days without an answer before `sla tick` confirms (0: never)."""
    try:
        days = int(current_app.config.get("AUTO_CONFIRM_WORKING_DAYS", DEFAULT_AUTO_CONFIRM_DAYS))
    except (TypeError, ValueError):
        days = DEFAULT_AUTO_CONFIRM_DAYS
    return max(days, 0)


def awaiting(req: Requirement) -> bool:
    return req.status in workflow.AWAITING_CONFIRMATION


def auto_confirm_at(req: Requirement, calendar: WorkingCalendar | None = None) -> datetime | None:
    """When `sla tick` confirms the requirement for the proposer, while it waits for them."""
    days = auto_confirm_days()
    if not awaiting(req) or not days:
        return None
    calendar = calendar or WorkingCalendar.load()
    return calendar.add_working_minutes(req.status_changed_at, days * calendar.minutes_per_day)


def record(actor: User, requirement_id: int, data: dict[str, Any]) -> Requirement:
    """The proposer's answer: `confirmed`, or `not_satisfied` with the reason (reopens the
    requirement to `assessing`, the reason kept as their opinion). 409 unless it awaits one."""
    outcome, reason = data["outcome"], (data.get("reason") or "").strip()
    to = "confirmed" if outcome == "confirmed" else "assessing"
    req = permissions.fetch(actor, Requirement, requirement_id, not_found=NOT_FOUND, action="transition")
    permissions.require(actor, "transition", req, to=to)
    if outcome == "not_satisfied" and not reason:
        raise ValidationFailed.field("reason", Msg("Say why the proposer is not satisfied."))
    if not awaiting(req):
        raise Conflict(Msg("%(code)s is not waiting for the proposer's confirmation (status: %(status)s).",
                           code=req.code, status=workflow.label_lazy(req.status)))
    now = utcnow()
    with unit_of_work():
        workflow.apply_transition(req, to, actor, reason, context={"confirmation": outcome})
        req.updated_at = now
        if outcome == "not_satisfied":
            db.session.add(UserOpinion(requirement_id=req.id, region_id=req.region_id, reason=reason,
                                       recorded_by_id=actor.id, recorded_at=now))
    return req


def auto_confirm(now: datetime | None = None, calendar: WorkingCalendar | None = None) -> int:
    """Confirm every requirement whose proposer has not answered within the working days
    configured; each gets a timeline note that it was automatic. Idempotent (a confirmed
    requirement no longer waits). Returns how many were confirmed."""
    days = auto_confirm_days()
    if not days:
        return 0
    now = now or utcnow()
    calendar = calendar or WorkingCalendar.load()
    waiting = db.session.scalars(
        select(Requirement).where(Requirement.status.in_(workflow.AWAITING_CONFIRMATION)).order_by(Requirement.id))
    due = [req.id for req in waiting if auto_confirm_at(req, calendar) <= now]
    confirmed = 0
    for req_id in due:
        # one transaction each: a requirement answered (or confirmed by a concurrent tick)
        # meanwhile is skipped, the others still confirmed
        try:
            with unit_of_work():
                req = db.session.get(Requirement, req_id)
                if req is None or not awaiting(req):
                    continue
                event = workflow.apply_transition(
                    req, "confirmed", None, "", context={"confirmation": "automatic", "working_days": days})
                # the tick's time (the clock of record), not the wall clock of this process
                event.at = req.status_changed_at = req.updated_at = now
            confirmed += 1
        except StaleVersion:
            continue
    return confirmed


def follow_up(actor: User, requirement_id: int, data: dict[str, Any]) -> Event:
    """Record a follow-up call (回访) with the proposer: how, and what was said."""
    req = permissions.fetch(actor, Requirement, requirement_id, not_found=NOT_FOUND, action="comment")
    now = utcnow()
    with unit_of_work():
        event = Event(requirement_id=req.id, at=now, kind="follow_up", actor_id=actor.id,
                      data={"channel": data["channel"], "note": data["note"]})
        db.session.add(event)
        req.updated_at = now
    return event


def opinions(user: User, page: int = 1, per_page: int = 20, date_from: date | None = None,
             date_to: date | None = None) -> paging.Page:
    """The proposers' opinions (not satisfied, with the reason) in the user's region, newest
    first; `date_from`/`date_to` are local dates, both inclusive."""
    permissions.require(user, "view")
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed.field("to", Msg("The end date is before the start date."))
    stmt = (select(UserOpinion)
            .where(permissions.region_clause(user, UserOpinion.region_id))
            .order_by(UserOpinion.recorded_at.desc(), UserOpinion.id.desc()))
    if date_from:
        stmt = stmt.where(UserOpinion.recorded_at >= periods.day_start_utc(date_from))
    if date_to:
        stmt = stmt.where(UserOpinion.recorded_at < periods.day_start_utc(date_to + timedelta(days=1)))
    return paging.paginate(stmt, page, per_page)
