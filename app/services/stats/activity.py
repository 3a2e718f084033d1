"""Review outcomes per meeting, and overdue / at-risk counts, for the reader's scope.

A meeting's outcomes count only the agenda items whose requirement the reader may see and that
match the figures' filters (a city's task force reading a provincial meeting counts its own items).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import AgendaItem, Meeting, Requirement, User
from app.services import periods, workflow
from app.services.periods import Period
from app.services.stats.query import scoped_where

DECISIONS = ("approved", "rejected", "needs_info", "deferred")
# no longer waiting for anyone: overdue and at-risk count only the others
DONE = frozenset(workflow.TERMINAL) | {"released", "confirmed", "resolved_locally", "rejected"}
AT_RISK_DAYS = 3


@dataclass
class MeetingOutcomes:
    meeting_id: int
    title: str
    held_on: str  # local date, ISO
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _without_period(filters: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in filters.items() if k not in ("date_from", "date_to")}


def review_outcomes(user: User, filters: dict[str, Any], period: Period | None = None,
                    limit: int | None = None) -> list[MeetingOutcomes]:
    """Finalised meetings (held within `period`) with their decisions on in-scope items."""
    stmt = (
        select(Meeting.id, Meeting.title, Meeting.scheduled_at, AgendaItem.decision, func.count())
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .join(Requirement, Requirement.id == AgendaItem.requirement_id)
        .where(Meeting.status == "finalised", AgendaItem.decision.is_not(None))
        .where(scoped_where(user, _without_period(filters)))
        .group_by(Meeting.id, Meeting.title, Meeting.scheduled_at, AgendaItem.decision)
    )
    if period is not None:
        stmt = stmt.where(Meeting.scheduled_at >= period.start_utc, Meeting.scheduled_at < period.end_utc)
    meetings: dict[int, MeetingOutcomes] = {}
    for meeting_id, title, at, decision, n in db.session.execute(stmt):
        entry = meetings.setdefault(
            meeting_id, MeetingOutcomes(meeting_id, title, periods.local_date(at).isoformat()))
        entry.counts[decision] = n
    ordered = sorted(meetings.values(), key=lambda m: (m.held_on, m.meeting_id))
    return ordered[-limit:] if limit else ordered


OPEN_STATUSES = tuple(s for s in workflow.STATUSES if s not in DONE)


def overdue_filters(statuses: list[str] | None = None, today=None) -> dict[str, dict[str, str]]:
    """The requirement list's arguments behind the overdue and at-risk counts (within the
    figures' own status filter, if any)."""
    today = today or periods.local_today()
    status = ",".join(s for s in OPEN_STATUSES if not statuses or s in statuses)
    return {"overdue": {"status": status, "due_to": (today - timedelta(days=1)).isoformat()},
            "at_risk": {"status": status, "due_from": today.isoformat(),
                        "due_to": (today + timedelta(days=AT_RISK_DAYS)).isoformat()}}


def overdue_counts(user: User, filters: dict[str, Any]) -> dict[str, int]:
    """Open items past their due date, and those due within AT_RISK_DAYS days (Beijing today)."""
    today = periods.local_today()
    base = (select(func.count()).select_from(Requirement).where(scoped_where(user, filters))
            .where(Requirement.status.not_in(DONE), Requirement.due_date.is_not(None)))
    overdue = db.session.scalar(base.where(Requirement.due_date < today)) or 0
    at_risk = db.session.scalar(
        base.where(Requirement.due_date >= today, Requirement.due_date <= today + timedelta(days=AT_RISK_DAYS))) or 0
    return {"overdue": overdue, "at_risk": at_risk}
