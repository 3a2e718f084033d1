"""Requirement use cases: file, find, edit, move, comment, attach; each one transaction."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, BinaryIO

from flask import current_app
from sqlalchemy import case, select, update
from sqlalchemy.sql.elements import True_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Attachment, CodeSequence, Event, Feedback, Region, Requirement, User
from app.services import duplicates, files, paging, periods, permissions, reference, workflow
from app.services import search as text_search
from app.services.errors import Msg, NotFound, StaleVersion, ValidationFailed
from app.services.uow import unit_of_work
from app.utils import as_utc, utcnow

# Fields an engineer (or anyone with "edit") may change, and those that need "assess".
BASIC_FIELDS = (
    "title",
    "description",
    "domain",
    "module",
    "type",
    "priority",
    "channel",
    "region",
    "proposer_name",
    "proposer_unit",
    "proposer_contact",
    "external_ref",
)
ASSESSMENT_FIELDS = ("needs_custom_dev", "assessment_notes", "assignee", "due_date")
EDITABLE_FIELDS = BASIC_FIELDS + ASSESSMENT_FIELDS
ASSIGNABLE_ROLES = ("manager", "engineer", "admin")
LOOKUP_FIELDS = ("domain", "type", "priority", "channel")

SORTS = {
    "created": (Requirement.created_at, Requirement.id),
    "updated": (Requirement.updated_at, Requirement.id),
    "code": (Requirement.id,),
    "priority": (Requirement.priority, Requirement.id),
    "due": (Requirement.due_date, Requirement.id),
    "status": (Requirement.status, Requirement.id),
}


# --- codes -------------------------------------------------------------------------------


def local_year(utc_now: datetime) -> int:
    """The year on the users' calendar (Beijing time): 1 January 07:00 UTC is already the new year."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return as_utc(utc_now).astimezone(zone).year


def next_code(session: Session, year: int) -> str:
    """Issue the next REQ-YYYY-NNNN in the current transaction (row-locked increment)."""
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if insert is not None:
        session.execute(
            insert(CodeSequence).values(name="requirement", year=year, last=0).on_conflict_do_nothing()
        )
    elif session.get(CodeSequence, ("requirement", year)) is None:  # pragma: no cover - other DBs
        session.add(CodeSequence(name="requirement", year=year, last=0))
        session.flush()
    session.execute(
        update(CodeSequence)
        .where(CodeSequence.name == "requirement", CodeSequence.year == year)
        .values(last=CodeSequence.last + 1)
    )
    number = session.scalar(
        select(CodeSequence.last).where(CodeSequence.name == "requirement", CodeSequence.year == year)
    )
    return f"REQ-{year}-{number:04d}"


# --- finding -----------------------------------------------------------------------------


def scoped(user: User):
    """A select of the requirements `user` may see (a province's: no condition at all, which
    lets a search count its matches from the index alone)."""
    clause = permissions.region_clause(user, Requirement.region_id)
    return select(Requirement) if isinstance(clause, True_) else select(Requirement).where(clause)


def get_for(user: User, requirement_id: int, action: str = "view") -> Requirement:
    return permissions.fetch(user, Requirement, requirement_id, action=action,
                             not_found=Msg("Requirement not found."))


def get_by_code_for(user: User, code: str) -> Requirement:
    req = db.session.scalar(select(Requirement).where(Requirement.code == code))
    if req is None or not permissions.in_scope(user, req):
        raise NotFound(Msg("Requirement %(code)s not found.", code=code))
    return req


def search(user: User, filters: dict[str, Any]):
    """The filtered, sorted select of the list page and `GET /requirements` (`page` cuts it)."""
    return _searched(_filtered(user, filters), filters)


def _searched(stmt, filters: dict[str, Any]):
    """`stmt` (from `_filtered`) searched by `q` and sorted."""
    q = (filters.get("q") or "").strip()
    if q:
        # the full-text index (code, title, description, module, units, comments); ranked by
        # relevance unless a sort is asked for (app.services.search)
        stmt, ranked = text_search.apply(stmt, q, rank=not filters.get("sort"))
        if ranked:
            return stmt.order_by(Requirement.id.desc())
    sort = filters.get("sort") or "-created"
    desc = sort.startswith("-")
    columns = SORTS.get(sort.lstrip("-"), SORTS["created"])
    if sort.lstrip("-") == "priority":
        # by the priorities' configured order (urgent first), not alphabetically; "-priority"
        # (the default click) puts the most urgent on top
        order = {row.code: row.sort_order for row in reference.lookups("priority", include_inactive=True)}
        rank = case(order, value=Requirement.priority, else_=len(order)) if order else Requirement.priority
        desc = not desc
        columns = (rank, Requirement.id)
    return stmt.order_by(*[c.desc() if desc else c.asc() for c in columns])


def page(user: User, filters: dict[str, Any], number: int, per_page: int) -> paging.Page:
    """One page of `search`: a ranked search reads its relevance tiers one at a time (a word
    in most requirements must not rank them all); every other list pages the select."""
    q = (filters.get("q") or "").strip()
    filtered = _filtered(user, filters)
    if q and not filters.get("sort"):
        result = text_search.page(filtered, q, number, per_page)
        if result is not None:
            return result
    total = text_search.count(filtered, q) if q else None
    return paging.paginate(_searched(filtered, filters), number, per_page, total=total)


def _filtered(user: User, filters: dict[str, Any]):
    """The requirements in the user's scope passing every filter but the text `q`."""
    stmt = scoped(user)
    for field in ("status", "domain", "type", "priority", "channel"):
        values = filters.get(field)
        if values:
            stmt = stmt.where(getattr(Requirement, field).in_(values))
    if filters.get("region"):
        region = db.session.scalar(select(Region).where(Region.code == filters["region"]))
        if region is None:
            raise ValidationFailed.field("region", Msg("Unknown region '%(code)s'.", code=filters["region"]))
        stmt = stmt.where(Requirement.region_id.in_(Region.subtree_ids(region)))
    if filters.get("date_from"):
        stmt = stmt.where(Requirement.created_at >= periods.day_start_utc(filters["date_from"]))
    if filters.get("date_to"):
        stmt = stmt.where(Requirement.created_at < periods.day_start_utc(filters["date_to"] + timedelta(days=1)))
    if filters.get("due_from"):
        stmt = stmt.where(Requirement.due_date >= filters["due_from"])
    if filters.get("due_to"):
        stmt = stmt.where(Requirement.due_date <= filters["due_to"])
    if filters.get("sla"):
        from app.services import sla

        stmt = stmt.where(Requirement.id.in_(sla.filter_clause(filters["sla"])))
    assignee = filters.get("assignee")
    if assignee:
        if assignee == "none":
            stmt = stmt.where(Requirement.assignee_id.is_(None))
        else:
            stmt = stmt.where(
                Requirement.assignee_id.in_(select(User.id).where(User.username == assignee))
            )
    return stmt


# --- changing ----------------------------------------------------------------------------


def _resolve_assignee(code: str | None, region: Region) -> User | None:
    """An active manager, engineer or admin who can see requirements of `region`."""
    if not code:
        return None
    user = db.session.scalar(select(User).where(User.username == code, User.active.is_(True)))
    if user is None:
        raise ValidationFailed.field("assignee", Msg("Unknown user '%(code)s'.", code=code))
    if user.role not in ASSIGNABLE_ROLES or not permissions.region_in_scope(user, region):
        raise ValidationFailed.field(
            "assignee", Msg("%(name)s cannot be assigned a requirement of %(region)s.", name=user.name,
                            region=region.name)
        )
    return user


def _event(req: Requirement, actor: User, kind: str, **data) -> Event:
    event = Event(requirement_id=req.id, actor_id=actor.id, kind=kind, data=data, at=utcnow())
    db.session.add(event)
    return event


def create(actor: User, data: dict[str, Any]) -> Requirement:
    """File a requirement; `data` has been loaded by RequirementCreateSchema."""
    permissions.require(actor, "create")
    if any(data.get(f) not in (None, "", "undecided") for f in ASSESSMENT_FIELDS):
        permissions.require(actor, "assess")
    with unit_of_work():
        fields = dict(data)
        region = permissions.region_to_act_in(actor, fields.pop("region"))
        assignee = _resolve_assignee(fields.pop("assignee", None), region)
        now = utcnow()
        req = Requirement(
            **fields,
            code=next_code(db.session, local_year(now)),
            region=region,
            assignee=assignee,
            status="submitted",
            created_by_id=actor.id,
            created_at=now,
            updated_at=now,
            status_changed_at=now,
        )
        db.session.add(req)
        db.session.flush()
        duplicates.add_first_proposer(req)
        _event(req, actor, "created", status="submitted")
        if assignee is not None:
            _event(req, actor, "assigned", before=None, after=assignee.username, after_name=assignee.name)
        text_search.index(req)
    return req


def _display(field: str, value: Any) -> Any:
    if isinstance(value, Region):
        return value.code
    if isinstance(value, User):
        return value.username
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def update_fields(actor: User, req: Requirement, data: dict[str, Any]) -> Requirement:
    """Apply a PATCH carrying the `version` the client read; stale versions answer 409."""
    permissions.require(actor, "edit", req)
    version = data.pop("version")
    if any(f in data for f in ASSESSMENT_FIELDS):
        permissions.require(actor, "assess", req)
    if version != req.version:
        raise StaleVersion(
            Msg("%(code)s was changed by someone else (your version %(version)s, current %(current)s); "
                "reload and apply your change again.", code=req.code, version=version, current=req.version),
            {"version": [Msg("Stale version %(version)s; current is %(current)s.", version=version,
                             current=req.version)]},
        )
    with unit_of_work(Msg("%(code)s was changed by someone else meanwhile; reload.", code=req.code)):
        changes: list[tuple[str, Any, Any]] = []
        # Look up region and assignee before changing anything: a query after a setattr would
        # autoflush, and one PATCH would bump the version twice.
        if "region" in data:
            data["region"] = permissions.region_to_act_in(actor, data["region"])
        if "assignee" in data:
            data["assignee"] = _resolve_assignee(data["assignee"], data.get("region", req.region))
        for field in LOOKUP_FIELDS:
            # a code deactivated since may stay; changing *to* it may not
            if field in data and data[field] != getattr(req, field) and not reference.is_valid_code(field, data[field]):
                raise ValidationFailed.field(
                    field, Msg("Unknown %(kind)s code '%(code)s'.", kind=field, code=data[field])
                )
        names = {u.username: u.name for u in (req.assignee, data.get("assignee")) if u is not None}
        for field, value in data.items():
            if field == "region":
                before = req.region
            elif field == "assignee":
                before = req.assignee
            else:
                before = getattr(req, field)
            if _display(field, before) == _display(field, value):
                continue
            setattr(req, field, value)
            changes.append((field, _display(field, before), _display(field, value)))
        if changes:
            for field, before, after in changes:
                if field == "assignee":
                    _event(req, actor, "assigned", before=before, after=after,
                           before_name=names.get(before), after_name=names.get(after))
                else:
                    _event(req, actor, "field_changed", field=field, before=before, after=after)
            db.session.flush()
            if {f for f, _b, _a in changes} & {"proposer_name", "proposer_unit", "proposer_contact", "region"}:
                duplicates.sync_first_proposer(req)
            text_search.index(req)
    return req


def transition(
    actor: User, req: Requirement, to: str, reason: str | None = None, duplicate_of: str | None = None,
    release_id: int | None = None,
) -> Requirement:
    permissions.require(actor, "transition", req)
    # a requirement is scheduled into a release and taken out of it by the release's use cases
    from app.services import releases

    if release_id is not None or releases.membership_of(req) is not None:
        handled = releases.requirement_move(actor, req, to, reason, release_id)
        if handled is not None:
            return handled
    try:
        original = get_by_code_for(actor, duplicate_of) if duplicate_of else None
    except NotFound:  # bad input in the body, not a missing resource: 422 naming the field
        raise ValidationFailed.field("duplicate_of", Msg("Unknown requirement '%(code)s'.", code=duplicate_of)) from None
    # Legality first (409 names the allowed moves), then the role's right to this move (403),
    # then what the move needs (a reason, the original: 422).
    workflow.check_legal(req, to)
    permissions.require(actor, "transition", req, to=to)
    permissions.require_decision_outside_meeting(actor, to)
    workflow.check_transition(req, to, reason, original)
    with unit_of_work(Msg("%(code)s was changed by someone else meanwhile; reload.", code=req.code)):
        workflow.apply_transition(req, to, actor, reason, original)
        req.updated_at = utcnow()
        if to in workflow.FEEDBACK_DECISIONS:
            # decided outside a meeting, the proposer is told just the same: a feedback record
            # (drafted, delivered, the `feedback` clock), as a meeting's minutes make one
            db.session.add(Feedback(requirement_id=req.id, decision=to, reason=(reason or "").strip(),
                                    created_at=req.status_changed_at, created_by_id=actor.id))
        if to == "duplicate" and original is not None:
            # the original gains the proposers and attachments; both timelines say so
            duplicates.absorb(actor, req, original, reason or "")
    return req


@dataclass(frozen=True)
class Moves:
    status: str
    allowed: list[str]


def moves(user: User, req: Requirement) -> Moves:
    """The requirement's status and the moves `user` may make from it now."""
    return Moves(req.status, permissions.transitions_for(user, req))


def comment(actor: User, req: Requirement, body: str) -> Event:
    permissions.require(actor, "comment", req)
    body = body.strip()
    if not body:
        raise ValidationFailed.field("body", Msg("A comment cannot be empty."))
    with unit_of_work():
        event = _event(req, actor, "comment", body=body)
        text_search.index(req)
    return event


# --- attachments -------------------------------------------------------------------------


def attachment_dir() -> str:
    return files.folder("attachments")


def add_attachment(actor: User, req: Requirement, filename: str, stream: BinaryIO, content_type: str | None) -> Attachment:
    permissions.require(actor, "attach", req)
    # the file is removed again if the transaction fails (the commit happens inside the upload)
    with files.stored_upload("attachments", filename, stream, content_type) as stored, unit_of_work():
        attachment = Attachment(
            requirement_id=req.id,
            filename=stored.filename,
            stored_name=stored.stored_name,
            content_type=stored.content_type,
            size=stored.size,
            uploaded_by_id=actor.id,
        )
        db.session.add(attachment)
        db.session.flush()
        _event(req, actor, "attachment", attachment_id=attachment.id, filename=stored.filename, size=stored.size)
    return attachment


def attachments(req: Requirement) -> list[Attachment]:
    return list(
        db.session.scalars(
            select(Attachment).where(Attachment.requirement_id == req.id).order_by(Attachment.id)
        )
    )


def get_attachment_for(user: User, attachment_id: int) -> tuple[Attachment, str]:
    attachment = permissions.fetch(None, Attachment, attachment_id, not_found=Msg("Attachment not found."))
    get_for(user, attachment.requirement_id)
    return attachment, os.path.join(attachment_dir(), attachment.stored_name)


# --- timeline ----------------------------------------------------------------------------


def events(req: Requirement) -> list[Event]:
    return list(
        db.session.scalars(select(Event).where(Event.requirement_id == req.id).order_by(Event.id))
    )


@dataclass
class Stage:
    status: str
    started: datetime
    ended: datetime | None
    seconds: float


def stages(req: Requirement, timeline: list[Event], now: datetime | None = None) -> list[Stage]:
    """Time spent in each status, from the created and transition events (oldest first)."""
    now = now or utcnow()
    result: list[Stage] = []
    current: tuple[str, datetime] | None = None
    for event in timeline:
        if event.kind == "created":
            current = (event.data.get("status", "submitted"), event.at)
        elif event.kind == "transition" and current is not None:
            status, started = current
            result.append(Stage(status, started, event.at, (event.at - started).total_seconds()))
            current = (event.data["to"], event.at)
    if current is not None:
        status, started = current
        result.append(Stage(status, started, None, (now - started).total_seconds()))
    return result
