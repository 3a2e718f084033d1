"""Review meeting use cases: schedule, agenda, attendance, live minutes, decisions, finalisation.

Each function is one transaction. Finalisation applies every agenda item's decision through
`app.services.workflow.apply_transition` in ONE transaction: if any item cannot be applied,
nothing is. Finalised minutes are locked (409); corrections are amendments.

Scope: a meeting belongs to its organiser's region. It is READ (page, .docx, .ics, printable
minutes) by users of that region and by anyone who can see at least one requirement on its
agenda; everyone else gets 404. It is CHANGED only by users of the organiser's region (others
who may read it get 403). Roles: `manage_meetings` runs meetings, `decide` records decisions,
`view` reads.

A requirement is on at most one draft meeting's agenda at a time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import (
    ActionItem,
    AgendaItem,
    Attendee,
    Event,
    Feedback,
    Meeting,
    MeetingAmendment,
    Region,
    Requirement,
    User,
)
from app.models.meeting import DECISIONS, ORGANIZATIONS
from app.services import permissions, requirements, workflow
from app.services.errors import Conflict, Forbidden, Msg, NotFound, StaleVersion, ValidationFailed
from app.utils import utcnow

# Statuses from which a requirement may be put on an agenda and decided.
AGENDA_STATUSES = ("awaiting_review", "deferred")

ORGANIZATION_LABELS = {
    "provincial_team": _l("Provincial requirement team"),
    "taskforce": _l("Task force"),
    "requirement_management": _l("Requirement management"),
    "onsite_engineering": _l("On-site engineers"),
    "other": _l("Other"),
}
# Documents (Word minutes, calendar) are Chinese official papers: fixed Chinese labels.
ORGANIZATION_LABELS_ZH = {
    "provincial_team": "省厅需求团队",
    "taskforce": "专班",
    "requirement_management": "需求管理",
    "onsite_engineering": "驻场工程师",
    "other": "其他",
}
DECISION_LABELS_ZH = {
    "approved": "评审通过",
    "rejected": "评审不通过",
    "needs_info": "待补充",
    "deferred": "暂缓",
}
# Decisions that need a reason (the workflow requires one for rejected and needs_info).
REASON_REQUIRED = ("rejected", "needs_info")

# Reasons a review meeting commonly gives for rejecting an item (offered in the minutes form;
# any other text may be written instead). They are stored as written and read by proposers.
CANNED_REJECTION_REASONS = (
    "属于全省统一功能，不支持地市个性化定制",
    "可通过现有功能组合或参数配置实现，无需开发",
    "与省统一业务规范或制度要求冲突",
    "需求描述不清晰，无法评估影响范围",
    "已纳入省级统一规划建设，不单独开发",
    "与已评审通过的需求重复",
)


class MinutesLocked(Conflict):
    code = "minutes_finalised"


class FinalizeBlocked(Conflict):
    code = "finalize_blocked"


class OnOtherAgenda(Conflict):
    code = "on_other_agenda"


def _locked_error(meeting: Meeting) -> MinutesLocked:
    return MinutesLocked(
        Msg("The minutes of '%(title)s' are finalised and locked; record a correction as an amendment.",
            title=meeting.title)
    )


# --- scope and lookup --------------------------------------------------------------------


def in_scope(user: User, meeting: Meeting) -> bool:
    """May `user` READ this meeting? Users of the organiser's region (and the regions above
    it), and users who can see at least one requirement on its agenda (e.g. a city's task force
    reads the provincial meeting that decided its items)."""
    if permissions.meeting_in_scope(user, meeting):
        return True
    return any(permissions.in_scope(user, item.requirement) for item in meeting.agenda_items)


def may_edit(user: User, meeting: Meeting) -> bool:
    """Changing a meeting (agenda, minutes, attendees, finalising) stays with the organiser's region."""
    return permissions.meeting_in_scope(user, meeting)


def _ensure_editable(user: User, meeting: Meeting) -> None:
    if not may_edit(user, meeting):
        raise Forbidden(
            Msg("Only users of the organiser's region (%(region)s) may change this meeting.",
                region=meeting.region.name)
        )


def scoped(user: User):
    """A select of the meetings `user` may see (their region and below)."""
    return select(Meeting).where(permissions.region_clause(user, Meeting.region_id))


def _require_any(user: User, actions: tuple[str, ...]) -> None:
    if not any(permissions.can(user, a) for a in actions):
        raise Forbidden(Msg("Your role (%(role)s) may not %(action)s.", role=user.role, action=actions[0]))


def get_for(user: User, meeting_id: int, action: str | tuple[str, ...] = "view") -> Meeting:
    """The meeting if `user` may see it (else 404) and has the role for `action` (else 403)."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not in_scope(user, meeting):
        raise NotFound(Msg("Meeting not found."))
    actions = (action,) if isinstance(action, str) else action
    _require_any(user, actions)
    if actions != ("view",):
        _ensure_editable(user, meeting)
    return meeting


def _ensure_open(meeting: Meeting, actor: User | None = None) -> None:
    """The meeting may still be changed (by `actor`, who must be of the organiser's region)."""
    if actor is not None:
        _ensure_editable(actor, meeting)
    if meeting.finalised:
        raise _locked_error(meeting)


def _item(meeting: Meeting, requirement_id: int) -> AgendaItem:
    for item in meeting.agenda_items:
        if item.requirement_id == requirement_id:
            return item
    raise NotFound(Msg("This requirement is not on the meeting's agenda."))


def _to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValidationFailed.field("scheduled_at", Msg("Give the time with its UTC offset (ISO 8601)."))
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def local_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _local_date(value: datetime) -> str:
    """A stored naive-UTC time as the users' calendar date (ISO)."""
    return value.replace(tzinfo=timezone.utc).astimezone(local_zone()).date().isoformat()


def _start_of_local_day(now: datetime) -> datetime:
    """Midnight today on the users' calendar, as naive UTC."""
    zone = local_zone()
    local = now.replace(tzinfo=timezone.utc).astimezone(zone)
    midnight = datetime.combine(local.date(), time(0), tzinfo=zone)
    return midnight.astimezone(timezone.utc).replace(tzinfo=None)


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
    today = _start_of_local_day(utcnow())
    if filters.get("status"):
        stmt = stmt.where(Meeting.status == filters["status"])
    if when == "upcoming":
        return stmt.where(_upcoming(today)).order_by(Meeting.scheduled_at, Meeting.id)
    if when == "past":
        stmt = stmt.where(_past(today))
    return stmt.order_by(Meeting.scheduled_at.desc(), Meeting.id.desc())


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
            Meeting.scheduled_at >= _start_of_local_day(utcnow()) - timedelta(days=7),
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
    permissions.require(user, "view", req)
    return list(
        db.session.scalars(
            select(Feedback).where(Feedback.requirement_id == req.id).order_by(Feedback.id.desc())
        ).unique()
    )


# --- helpers for changing ----------------------------------------------------------------


def _commit() -> None:
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleVersion(Msg("The meeting was changed by someone else meanwhile; reload.")) from None
    except Exception:
        db.session.rollback()
        raise


def _touch(meeting: Meeting) -> None:
    meeting.updated_at = utcnow()


# --- schedule and edit -------------------------------------------------------------------


MEETING_FIELDS = ("title", "scheduled_at", "duration_minutes", "location", "video_link", "summary")


def create(actor: User, data: dict[str, Any]) -> Meeting:
    permissions.require(actor, "manage_meetings")
    fields = {k: v for k, v in data.items() if k in MEETING_FIELDS}
    fields["scheduled_at"] = _to_utc(fields["scheduled_at"])
    now = utcnow()
    meeting = Meeting(
        **fields,
        organiser_id=actor.id,
        region_id=actor.region_id,
        status="draft",
        created_at=now,
        updated_at=now,
    )
    db.session.add(meeting)
    _commit()
    return meeting


def update(actor: User, meeting: Meeting, data: dict[str, Any]) -> Meeting:
    """Change the meeting's fields; `version` (optional) guards against lost updates."""
    permissions.require(actor, "manage_meetings")
    _ensure_open(meeting, actor)
    version = data.pop("version", None)
    if version is not None and version != meeting.version:
        raise StaleVersion(
            Msg("The meeting was changed by someone else (your version %(version)s, current %(current)s); "
                "reload and apply your change again.", version=version, current=meeting.version),
            {"version": [Msg("Stale version %(version)s; current is %(current)s.", version=version,
                             current=meeting.version)]},
        )
    if "scheduled_at" in data:
        data["scheduled_at"] = _to_utc(data["scheduled_at"])
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
        _touch(meeting)
    _commit()
    return meeting


def save_summary(actor: User, meeting: Meeting, summary: str) -> Meeting:
    """Autosave of the general minutes (no version check, no version bump: the minute-taker
    owns the text, and an edit form open meanwhile must not go stale)."""
    _require_any(actor, ("manage_meetings", "decide"))
    _ensure_open(meeting, actor)
    meeting.summary = summary
    meeting.summary_saved_at = utcnow()
    _touch(meeting)
    _commit()
    return meeting


# --- agenda ------------------------------------------------------------------------------


def add_to_agenda(actor: User, meeting: Meeting, requirement_ids: list[int]) -> list[AgendaItem]:
    """Append requirements to the agenda in the order given; ones already on it are skipped.

    Out of the user's scope: 404. Outside the meeting's region: 422. Not awaiting review or
    deferred: 409. Nothing is added unless every id is acceptable.
    """
    permissions.require(actor, "manage_meetings")
    _ensure_open(meeting, actor)
    if not requirement_ids:
        raise ValidationFailed.field("requirement_ids", Msg("Choose at least one requirement."))
    present = {item.requirement_id for item in meeting.agenda_items}
    reqs: list[Requirement] = []
    seen: set[int] = set()
    for rid in requirement_ids:
        if rid in seen or rid in present:
            continue
        seen.add(rid)
        req = db.session.get(Requirement, rid)
        if req is None or not permissions.in_scope(actor, req):
            raise NotFound(Msg("Requirement %(id)s not found.", id=rid))
        if not req.region.path.startswith(meeting.region.path):
            raise ValidationFailed.field(
                "requirement_ids",
                Msg("%(code)s is outside the meeting's region (%(region)s).", code=req.code,
                    region=meeting.region.name),
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
                    date=_local_date(other.scheduled_at), id=other.id),
                {"requirement_ids": [Msg("%(code)s is on the agenda of '%(title)s'.", code=req.code,
                                         title=other.title)]},
            )
        reqs.append(req)
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
        _touch(meeting)
    _commit()
    return added


def remove_from_agenda(actor: User, meeting: Meeting, requirement_id: int) -> None:
    permissions.require(actor, "manage_meetings")
    _ensure_open(meeting, actor)
    item = _item(meeting, requirement_id)
    meeting.agenda_items.remove(item)
    # action items about it stay (they were agreed at the meeting) but no longer point at it
    for action in meeting.action_items:
        if action.requirement_id == requirement_id:
            action.requirement_id = None
            action.requirement = None
    _renumber(meeting)
    _touch(meeting)
    _commit()


def _renumber(meeting: Meeting) -> None:
    for index, item in enumerate(sorted(meeting.agenda_items, key=lambda i: (i.position, i.id or 0)), start=1):
        item.position = index


def move(actor: User, meeting: Meeting, requirement_id: int, direction: str) -> None:
    """Move an item one place up or down."""
    permissions.require(actor, "manage_meetings")
    _ensure_open(meeting, actor)
    if direction not in ("up", "down"):
        raise ValidationFailed.field("direction", Msg("Choose 'up' or 'down'."))
    moving = _item(meeting, requirement_id)
    items = sorted(meeting.agenda_items, key=lambda i: (i.position, i.id))
    index = items.index(moving)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for position, item in enumerate(items, start=1):
        item.position = position
    _touch(meeting)
    _commit()


def reorder(actor: User, meeting: Meeting, requirement_ids: list[int]) -> None:
    """Set the whole order: `requirement_ids` must list every agenda item exactly once."""
    permissions.require(actor, "manage_meetings")
    _ensure_open(meeting, actor)
    current = {item.requirement_id: item for item in meeting.agenda_items}
    if sorted(requirement_ids) != sorted(current) or len(set(requirement_ids)) != len(requirement_ids):
        raise ValidationFailed.field(
            "requirement_ids", Msg("List every requirement on the agenda exactly once, in the new order.")
        )
    for position, rid in enumerate(requirement_ids, start=1):
        current[rid].position = position
    _touch(meeting)
    _commit()


# --- live minutes and decisions ----------------------------------------------------------


def save_notes(actor: User, meeting: Meeting, requirement_id: int, notes: str) -> AgendaItem:
    """Autosave of one item's discussion notes."""
    _require_any(actor, ("manage_meetings", "decide"))
    _ensure_open(meeting, actor)
    item = _item(meeting, requirement_id)
    item.notes = notes
    item.notes_saved_at = utcnow()
    _commit()
    return item


def validate_decision(decision: str | None, reason: str, target: str, until: date | None) -> None:
    if decision is None:
        return
    if decision not in DECISIONS:
        raise ValidationFailed.field("decision", Msg("Unknown decision '%(decision)s'.", decision=decision))
    if decision == "rejected" and not reason.strip():
        raise ValidationFailed.field("reason", Msg("A rejection needs a reason: choose one or write it."))
    if decision == "needs_info" and not reason.strip():
        raise ValidationFailed.field("reason", Msg("Say what information is missing."))
    if decision == "deferred" and not (target.strip() or until):
        raise ValidationFailed.field("target", Msg("Say until when the item is deferred."))


def record_decision(actor: User, meeting: Meeting, requirement_id: int, data: dict[str, Any]) -> AgendaItem:
    """PUT an item's minutes: `notes` alone autosaves; `decision` (with reason/target/until)
    replaces the decision as a whole (`decision: null` clears it)."""
    deciding = "decision" in data or any(k in data for k in ("reason", "target", "until"))
    if deciding:
        permissions.require(actor, "decide")
    else:
        _require_any(actor, ("manage_meetings", "decide"))
    _ensure_open(meeting, actor)
    item = _item(meeting, requirement_id)
    if deciding:
        decision = data.get("decision", item.decision)
        reason = (data.get("reason") or "").strip()
        target = (data.get("target") or "").strip()
        until = data.get("until")
        validate_decision(decision, reason, target, until)
        if decision is None:
            reason, target, until = "", "", None
        item.decision = decision
        item.reason = reason
        item.target = target
        item.until = until
        item.decided_by_id = actor.id if decision else None
        item.decided_at = utcnow() if decision else None
        # what the decision was taken against; finalising checks it has not moved since
        item.status_when_decided = item.requirement.status if decision else None
    if "notes" in data and data["notes"] is not None:
        item.notes = data["notes"]
        item.notes_saved_at = utcnow()
    _commit()
    return item


# --- attendees and action items ----------------------------------------------------------


def add_attendee(actor: User, meeting: Meeting, data: dict[str, Any]) -> Attendee:
    permissions.require(actor, "manage_meetings")
    _ensure_open(meeting, actor)
    attendee = Attendee(
        name=data["name"].strip(),
        organization=data["organization"],
        role=(data.get("role") or "").strip(),
        present=data.get("present", True),
    )
    meeting.attendees.append(attendee)
    _commit()
    return attendee


def _attendee(meeting: Meeting, attendee_id: int) -> Attendee:
    for attendee in meeting.attendees:
        if attendee.id == attendee_id:
            return attendee
    raise NotFound(Msg("Attendee not found."))


def update_attendee(actor: User, meeting: Meeting, attendee_id: int, data: dict[str, Any]) -> Attendee:
    permissions.require(actor, "manage_meetings")
    _ensure_open(meeting, actor)
    attendee = _attendee(meeting, attendee_id)
    for name in ("name", "organization", "role", "present"):
        if name in data:
            setattr(attendee, name, data[name].strip() if isinstance(data[name], str) else data[name])
    _commit()
    return attendee


def remove_attendee(actor: User, meeting: Meeting, attendee_id: int) -> None:
    permissions.require(actor, "manage_meetings")
    _ensure_open(meeting, actor)
    meeting.attendees.remove(_attendee(meeting, attendee_id))
    _commit()


def add_action_item(actor: User, meeting: Meeting, data: dict[str, Any]) -> ActionItem:
    _require_any(actor, ("manage_meetings", "decide"))
    _ensure_open(meeting, actor)
    rid = data.get("requirement_id")
    if rid is not None and rid not in {item.requirement_id for item in meeting.agenda_items}:
        raise ValidationFailed.field("requirement_id", Msg("Link an action item to a requirement on this agenda."))
    action = ActionItem(
        text=data["text"].strip(),
        owner=data["owner"].strip(),
        due=data.get("due"),
        requirement_id=rid,
        created_by_id=actor.id,
        created_at=utcnow(),
    )
    meeting.action_items.append(action)
    _commit()
    return action


def remove_action_item(actor: User, meeting: Meeting, action_item_id: int) -> None:
    _require_any(actor, ("manage_meetings", "decide"))
    _ensure_open(meeting, actor)
    for action in meeting.action_items:
        if action.id == action_item_id:
            meeting.action_items.remove(action)
            _commit()
            return
    raise NotFound(Msg("Action item not found."))


# --- finalisation ------------------------------------------------------------------------


@dataclass
class AppliedTransition:
    requirement_id: int
    code: str
    from_status: str
    to_status: str
    decision: str
    reason: str
    event_id: int


@dataclass
class FinalizeResult:
    meeting: Meeting
    transitions: list[AppliedTransition] = field(default_factory=list)
    feedback: list[Feedback] = field(default_factory=list)


def _blocker(item: AgendaItem) -> Msg | None:
    """Why this item's decision cannot be applied now, or None."""
    req = item.requirement
    if item.decision is None:
        return Msg("%(code)s (%(title)s) has no decision yet.", code=req.code, title=req.title)
    try:
        validate_decision(item.decision, item.reason or "", item.target or "", item.until)
    except ValidationFailed as error:
        return Msg("%(code)s (%(title)s): %(problem)s", code=req.code, title=req.title, problem=error.message)
    if req.status not in AGENDA_STATUSES:
        return Msg(
            "%(code)s (%(title)s) is now '%(status)s' (%(label)s): its status changed after it was put on "
            "the agenda, so the decision '%(decision)s' cannot be applied.",
            code=req.code, title=req.title, status=req.status, label=workflow.label_lazy(req.status),
            decision=item.decision,
        )
    if item.status_when_decided and req.status != item.status_when_decided:
        return Msg(
            "%(code)s (%(title)s) is now '%(status)s' (%(label)s) but was '%(before)s' when the decision "
            "was recorded: record the decision again to confirm it.",
            code=req.code, title=req.title, status=req.status, label=workflow.label_lazy(req.status),
            before=item.status_when_decided,
        )
    if not item.status_when_decided and item.status_when_added and req.status != item.status_when_added:
        return Msg(
            "%(code)s (%(title)s) is now '%(status)s' (%(label)s) but was '%(before)s' when it was put on "
            "the agenda: record the decision again to confirm it.",
            code=req.code, title=req.title, status=req.status, label=workflow.label_lazy(req.status),
            before=item.status_when_added,
        )
    if req.status == "deferred" and item.status_when_added and item.status_when_added != "deferred":
        return Msg(
            "%(code)s (%(title)s) was deferred outside this meeting after it was put on the agenda; "
            "finalising would silently return it to review. Take it off the agenda and add it again.",
            code=req.code, title=req.title,
        )
    return None


def finalize(actor: User, meeting: Meeting) -> FinalizeResult:
    """Apply every decision and lock the minutes, all in one transaction (or nothing)."""
    permissions.require(actor, "manage_meetings")
    _ensure_open(meeting, actor)
    items = sorted(meeting.agenda_items, key=lambda i: (i.position, i.id))
    if not items:
        raise FinalizeBlocked(
            Msg("The agenda is empty: add the requirements the meeting reviewed before finalising."),
            {"agenda": [Msg("The agenda is empty.")]},
        )
    # Re-read the requirements: a status may have changed since the page was loaded.
    for item in items:
        db.session.refresh(item.requirement)
    problems = {f"agenda.{item.requirement_id}": [msg] for item in items if (msg := _blocker(item)) is not None}
    if problems:
        first = next(iter(problems.values()))[0]
        raise FinalizeBlocked(
            Msg("Nothing was applied: %(problem)s", problem=first)
            if len(problems) == 1
            else Msg("Nothing was applied: %(n)s agenda items cannot be applied; first: %(problem)s",
                     n=len(problems), problem=first),
            problems,
        )
    result = FinalizeResult(meeting=meeting)
    now = utcnow()
    try:
        for item in items:
            req = item.requirement
            deferred = item.decision == "deferred"
            context = {
                "meeting_id": meeting.id,
                "meeting_title": meeting.title,
                "decision": item.decision,
                # a deferral's "until when" (date and/or text) is its own key, not a target
                "target": "" if deferred else item.target,
                "until": until_text(item) if deferred else None,
                "decided_by": item.decided_by.username if item.decided_by else None,
            }
            moves = (["awaiting_review"] if req.status == "deferred" else []) + [item.decision]
            for to in moves:
                if not permissions.can(actor, "transition", req, to=to):
                    raise Forbidden(Msg("Your role (%(role)s) may not move requirements to '%(to)s'.",
                                        role=actor.role, to=to))
                before = req.status
                reason = item.reason if to == item.decision else ""
                ctx = context if to == item.decision else {**context, "decision": "returned_to_review"}
                event = workflow.apply_transition(req, to, actor, reason, context=ctx)
                req.updated_at = now
                db.session.flush()
                result.transitions.append(
                    AppliedTransition(req.id, req.code, before, to, item.decision, reason, event.id)
                )
            if item.decision in REASON_REQUIRED:
                feedback = Feedback(
                    requirement_id=req.id,
                    meeting_id=meeting.id,
                    decision=item.decision,
                    reason=item.reason,
                    created_at=now,
                    created_by_id=actor.id,
                )
                db.session.add(feedback)
                result.feedback.append(feedback)
        meeting.status = "finalised"
        meeting.finalised_at = now
        meeting.finalised_by_id = actor.id
        meeting.version += 1
        _touch(meeting)
        db.session.flush()
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise FinalizeBlocked(
            Msg("Nothing was applied: a requirement or the meeting was changed by someone else meanwhile; reload.")
        ) from None
    except Conflict as error:
        db.session.rollback()
        raise FinalizeBlocked(Msg("Nothing was applied: %(problem)s", problem=error.message), error.errors) from None
    except Exception:
        db.session.rollback()
        raise
    return result


def add_amendment(actor: User, meeting: Meeting, text: str) -> MeetingAmendment:
    """A correction to finalised minutes, kept on the meeting's history."""
    permissions.require(actor, "manage_meetings")
    _ensure_editable(actor, meeting)
    if not meeting.finalised:
        raise Conflict(Msg("The minutes are not finalised yet: edit them directly."))
    text = text.strip()
    if not text:
        raise ValidationFailed.field("text", Msg("An amendment cannot be empty."))
    amendment = MeetingAmendment(text=text, author_id=actor.id, at=utcnow())
    meeting.amendments.append(amendment)
    _commit()
    return amendment


# --- small read helpers for pages and documents ------------------------------------------


def attendees_by_organization(meeting: Meeting) -> list[tuple[str, list[Attendee]]]:
    groups = []
    for org in ORGANIZATIONS:
        members = [a for a in meeting.attendees if a.organization == org]
        if members:
            groups.append((org, members))
    return groups


def attendance_text(members: list[Attendee]) -> str:
    """One organisation's attendees as the minutes write them: 张三（主持）、李四；缺席：王五."""

    def names(people):
        return "、".join(f"{a.name}（{a.role}）" if a.role else a.name for a in people)

    present = [a for a in members if a.present]
    absent = [a for a in members if not a.present]
    parts = [names(present)] if present else []
    if absent:
        parts.append(f"缺席：{names(absent)}")
    return "；".join(parts) or "—"


def until_text(item: AgendaItem) -> str:
    """Until when a deferred item is deferred: the date and/or the text given."""
    parts = [p for p in ((item.target or "").strip(), item.until.isoformat() if item.until else "") if p]
    return " / ".join(parts)


def host_of(meeting: Meeting) -> str:
    """The attendee whose role says 主持 (host), else the organiser."""
    for attendee in meeting.attendees:
        if "主持" in attendee.role or "host" in attendee.role.lower():
            return attendee.name
    return meeting.organiser.name


def recorder_of(meeting: Meeting) -> str | None:
    for attendee in meeting.attendees:
        if "记录" in attendee.role or "minute" in attendee.role.lower():
            return attendee.name
    return None


def counts(user: User) -> dict[str, int]:
    today = _start_of_local_day(utcnow())
    base = scoped(user).with_only_columns(func.count(Meeting.id))
    return {
        "upcoming": db.session.scalar(base.where(_upcoming(today))) or 0,
        "past": db.session.scalar(base.where(_past(today))) or 0,
    }


def decision_events(req: Requirement) -> list[Event]:
    return [e for e in requirements.events(req) if (e.data or {}).get("context", {}).get("meeting_id")]
