"""Scheduling a meeting, editing its facts, and finding meetings (upcoming, past, one in full)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import AgendaItem, Meeting, User
from app.services import permissions
from app.services.errors import Msg, StaleVersion
from app.services.meetings.scope import STALE, ReaderView, ensure_open, get_for, scoped, touch, visible_to
from app.services.meetings.times import start_of_local_day, to_utc
from app.services.uow import unit_of_work
from app.utils import utcnow

MEETING_FIELDS = ("title", "scheduled_at", "duration_minutes", "location", "video_link", "summary")


def create(actor: User, data: dict[str, Any]) -> Meeting:
    permissions.require(actor, "manage_meetings")
    fields = {k: v for k, v in data.items() if k in MEETING_FIELDS}
    fields["scheduled_at"] = to_utc(fields["scheduled_at"])
    now = utcnow()
    with unit_of_work(STALE):
        meeting = Meeting(**fields, organiser_id=actor.id, region_id=actor.region_id, status="draft",
                          created_at=now, updated_at=now)
        db.session.add(meeting)
    return meeting


def update(actor: User, meeting: Meeting, data: dict[str, Any]) -> Meeting:
    """Change the meeting's fields; `version` (optional) guards against lost updates."""
    permissions.require(actor, "manage_meetings")
    ensure_open(meeting, actor)
    data = dict(data)
    version = data.pop("version", None)
    if version is not None and version != meeting.version:
        raise StaleVersion(
            Msg("The meeting was changed by someone else (your version %(version)s, current %(current)s); "
                "reload and apply your change again.", version=version, current=meeting.version),
            {"version": [Msg("Stale version %(version)s; current is %(current)s.", version=version,
                             current=meeting.version)]},
        )
    if "scheduled_at" in data:
        data["scheduled_at"] = to_utc(data["scheduled_at"])
    with unit_of_work(STALE):
        changed = False
        for name, value in data.items():
            if name in MEETING_FIELDS and name != "summary" and getattr(meeting, name) != value:
                setattr(meeting, name, value)
                changed = True
        if changed:
            # only the meeting's own fields bump the version the edit form holds
            meeting.version += 1
        if "summary" in data:
            meeting.summary = data["summary"]
            meeting.summary_saved_at = utcnow()
            changed = True
        if changed:
            touch(meeting)
    return meeting


# --- finding -----------------------------------------------------------------------------


def _upcoming(today: datetime):
    """Not finalised and scheduled from today on (a meeting held today stays upcoming until its
    minutes are finalised)."""
    return (Meeting.status != "finalised") & (Meeting.scheduled_at >= today)


def _past(today: datetime):
    """Finalised, or scheduled before today."""
    return (Meeting.status == "finalised") | (Meeting.scheduled_at < today)


def search(user: User, filters: dict[str, Any]):
    """Meetings in scope: `when` upcoming (not finalised, from today on, soonest first) or past
    (finalised or before today, latest first)."""
    stmt = scoped(user).options(
        selectinload(Meeting.agenda_items).joinedload(AgendaItem.requirement),
        selectinload(Meeting.attendees),
    )
    when = filters.get("when")
    today = start_of_local_day(utcnow())
    if filters.get("status"):
        stmt = stmt.where(Meeting.status == filters["status"])
    if when == "upcoming":
        return stmt.where(_upcoming(today)).order_by(Meeting.scheduled_at, Meeting.id)
    if when == "past":
        stmt = stmt.where(_past(today))
    return stmt.order_by(Meeting.scheduled_at.desc(), Meeting.id.desc())


def counts(user: User) -> dict[str, int]:
    today = start_of_local_day(utcnow())
    base = scoped(user).with_only_columns(func.count(Meeting.id))
    return {
        "upcoming": db.session.scalar(base.where(_upcoming(today))) or 0,
        "past": db.session.scalar(base.where(_past(today))) or 0,
    }


def load_full(meeting_id: int) -> Meeting:
    """One meeting with everything its page shows, in a fixed number of queries."""
    return db.session.scalars(
        select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(
            selectinload(Meeting.agenda_items).joinedload(AgendaItem.requirement),
            selectinload(Meeting.agenda_items).joinedload(AgendaItem.decided_by),
            selectinload(Meeting.attendees),
            selectinload(Meeting.action_items),
            selectinload(Meeting.amendments),
        )
        .execution_options(populate_existing=True)
    ).unique().one()


def load_for(user: User, meeting_id: int) -> ReaderView:
    """The meeting in full as `user` may read it (404 if they may not): see `scope.visible_to`."""
    get_for(user, meeting_id)
    return visible_to(user, load_full(meeting_id))
