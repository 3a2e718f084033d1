"""The agenda: which requirements a meeting reviews, in which order.

A requirement is on at most one draft meeting's agenda at a time; only requirements awaiting
review (or deferred) go on an agenda. Also what the requirement page shows of its meetings.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import AgendaItem, Feedback, Meeting, Region, Requirement, User
from app.services import permissions, requirements, workflow
from app.services.errors import Conflict, Msg, NotFound, ValidationFailed
from app.services.meetings.scope import STALE, ensure_open, scoped, touch
from app.services.meetings.times import local_date, start_of_local_day
from app.services.uow import unit_of_work
from app.utils import utcnow

# Statuses from which a requirement may be put on an agenda and decided.
AGENDA_STATUSES = ("awaiting_review", "deferred")


class OnOtherAgenda(Conflict):
    code = "on_other_agenda"


def item_of(meeting: Meeting, requirement_id: int) -> AgendaItem:
    for item in meeting.agenda_items:
        if item.requirement_id == requirement_id:
            return item
    raise NotFound(Msg("This requirement is not on the meeting's agenda."))


def ordered(meeting: Meeting) -> list[AgendaItem]:
    return sorted(meeting.agenda_items, key=lambda i: (i.position, i.id or 0))


# --- reading -----------------------------------------------------------------------------


def queue(user: User, meeting: Meeting, filters: dict[str, Any], limit: int = 100) -> list[Requirement]:
    """Requirements that may go on this agenda: awaiting review (or deferred), in the user's
    scope and the meeting's region, not on this or any other draft meeting's agenda; filtered
    by domain/region/type/q."""
    stmt = requirements.scoped(user).where(
        Requirement.status.in_(filters.get("status") or AGENDA_STATUSES),
        Requirement.region_id.in_(Region.subtree_ids(meeting.region)),
        Requirement.id.not_in(
            select(AgendaItem.requirement_id)
            .join(Meeting, AgendaItem.meeting_id == Meeting.id)
            .where(or_(AgendaItem.meeting_id == meeting.id, Meeting.status == "draft"))
        ),
    )
    for name in ("domain", "type"):
        if filters.get(name):
            stmt = stmt.where(getattr(Requirement, name).in_(filters[name]))
    if filters.get("region"):
        region = db.session.scalar(select(Region).where(Region.code == filters["region"]))
        if region is None:
            raise ValidationFailed.field("region", Msg("Unknown region '%(code)s'.", code=filters["region"]))
        stmt = stmt.where(Requirement.region_id.in_(Region.subtree_ids(region)))
    q = (filters.get("q") or "").strip()
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Requirement.title.ilike(like), Requirement.code == q))
    stmt = stmt.order_by(Requirement.status_changed_at, Requirement.id).limit(limit)
    return list(db.session.scalars(stmt).unique())


def draft_meeting_of(req: Requirement, exclude: Meeting | None = None) -> Meeting | None:
    """The draft meeting whose agenda `req` is on, if any (at most one)."""
    stmt = (
        select(Meeting)
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .where(AgendaItem.requirement_id == req.id, Meeting.status == "draft")
        .order_by(Meeting.id)
        .limit(1)
    )
    if exclude is not None:
        stmt = stmt.where(Meeting.id != exclude.id)
    return db.session.scalars(stmt).unique().first()


def open_meetings_for(user: User, req: Requirement) -> list[Meeting]:
    """Draft meetings this user runs that `req` could be added to (for the requirement page);
    none while `req` is on a draft meeting's agenda already."""
    if not permissions.can(user, "manage_meetings", req) or req.status not in AGENDA_STATUSES:
        return []
    if draft_meeting_of(req) is not None:
        return []
    ancestors = [p for p in req.region.path.strip("/").split("/") if p]
    stmt = (
        scoped(user)
        .join(Region, Meeting.region_id == Region.id)
        .where(
            Meeting.status == "draft",
            Region.code.in_(ancestors),
            Meeting.id.not_in(select(AgendaItem.meeting_id).where(AgendaItem.requirement_id == req.id)),
            Meeting.scheduled_at >= start_of_local_day(utcnow()) - timedelta(days=7),
        )
        .order_by(Meeting.scheduled_at, Meeting.id)
        .limit(20)
    )
    return list(db.session.scalars(stmt).unique())


def agenda_of_requirement(user: User, req: Requirement) -> list[AgendaItem]:
    """Every agenda item `req` was on (newest meeting first), with the meeting loaded."""
    permissions.require(user, "view", req)
    stmt = (
        select(AgendaItem)
        .join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .where(AgendaItem.requirement_id == req.id)
        .options(selectinload(AgendaItem.meeting))
        .order_by(Meeting.scheduled_at.desc(), AgendaItem.id.desc())
    )
    return list(db.session.scalars(stmt).unique())


def feedback_of(user: User, req: Requirement) -> list[Feedback]:
    """What review meetings fed back to the proposer (rejected / needs_info), newest first."""
    permissions.require(user, "view", req)
    return list(
        db.session.scalars(
            select(Feedback).where(Feedback.requirement_id == req.id).order_by(Feedback.id.desc())
        ).unique()
    )


# --- changing ----------------------------------------------------------------------------


def _acceptable(actor: User, meeting: Meeting, rid: int) -> Requirement:
    """The requirement `rid` if it may go on this agenda; 404 / 422 / 409 saying why not."""
    req = permissions.fetch(actor, Requirement, rid, not_found=Msg("Requirement %(id)s not found.", id=rid))
    if not meeting.region.contains(req.region):
        raise ValidationFailed.field(
            "requirement_ids",
            Msg("%(code)s is outside the meeting's region (%(region)s).", code=req.code, region=meeting.region.name),
        )
    if req.status not in AGENDA_STATUSES:
        raise Conflict(
            Msg("%(code)s is '%(status)s' (%(label)s); only requirements awaiting review or deferred "
                "can be put on an agenda.", code=req.code, status=req.status,
                label=workflow.label_lazy(req.status)),
            {"requirement_ids": [Msg("%(code)s is '%(status)s'.", code=req.code, status=req.status)]},
        )
    other = draft_meeting_of(req, exclude=meeting)
    if other is not None:
        raise OnOtherAgenda(
            Msg("%(code)s is already on the agenda of the draft meeting '%(title)s' (%(date)s, #%(id)s); "
                "take it off that agenda first.", code=req.code, title=other.title,
                date=local_date(other.scheduled_at), id=other.id),
            {"requirement_ids": [Msg("%(code)s is on the agenda of '%(title)s'.", code=req.code,
                                     title=other.title)]},
        )
    return req


def add_to_agenda(actor: User, meeting: Meeting, requirement_ids: list[int]) -> list[AgendaItem]:
    """Append requirements to the agenda in the order given; ones already on it are skipped.

    Out of the user's scope: 404. Outside the meeting's region: 422. Not awaiting review or
    deferred: 409. Nothing is added unless every id is acceptable.
    """
    permissions.require(actor, "manage_meetings")
    ensure_open(meeting, actor)
    if not requirement_ids:
        raise ValidationFailed.field("requirement_ids", Msg("Choose at least one requirement."))
    present = {item.requirement_id for item in meeting.agenda_items}
    new_ids = [rid for rid in dict.fromkeys(requirement_ids) if rid not in present]
    reqs = [_acceptable(actor, meeting, rid) for rid in new_ids]
    with unit_of_work(STALE):
        position = max((item.position for item in meeting.agenda_items), default=0)
        added = []
        for req in reqs:
            position += 1
            item = AgendaItem(requirement_id=req.id, position=position, added_at=utcnow(),
                              status_when_added=req.status)
            item.requirement = req
            meeting.agenda_items.append(item)
            added.append(item)
        if added:
            touch(meeting)
    return added


def remove_from_agenda(actor: User, meeting: Meeting, requirement_id: int) -> None:
    permissions.require(actor, "manage_meetings")
    ensure_open(meeting, actor)
    item = item_of(meeting, requirement_id)
    with unit_of_work(STALE):
        meeting.agenda_items.remove(item)
        # action items about it stay (they were agreed at the meeting) but no longer point at it
        for action in meeting.action_items:
            if action.requirement_id == requirement_id:
                action.requirement_id = None
                action.requirement = None
        for position, rest in enumerate(ordered(meeting), start=1):
            rest.position = position
        touch(meeting)


def move(actor: User, meeting: Meeting, requirement_id: int, direction: str) -> None:
    """Move an item one place up or down."""
    permissions.require(actor, "manage_meetings")
    ensure_open(meeting, actor)
    if direction not in ("up", "down"):
        raise ValidationFailed.field("direction", Msg("Choose 'up' or 'down'."))
    moving = item_of(meeting, requirement_id)
    items = ordered(meeting)
    index = items.index(moving)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    with unit_of_work(STALE):
        for position, item in enumerate(items, start=1):
            item.position = position
        touch(meeting)


def reorder(actor: User, meeting: Meeting, requirement_ids: list[int]) -> None:
    """Set the whole order: `requirement_ids` must list every agenda item exactly once."""
    permissions.require(actor, "manage_meetings")
    ensure_open(meeting, actor)
    current = {item.requirement_id: item for item in meeting.agenda_items}
    if set(requirement_ids) != set(current) or len(requirement_ids) != len(current):
        raise ValidationFailed.field(
            "requirement_ids", Msg("List every requirement on the agenda exactly once, in the new order.")
        )
    with unit_of_work(STALE):
        for position, rid in enumerate(requirement_ids, start=1):
            current[rid].position = position
        touch(meeting)
