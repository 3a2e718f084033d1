"""Service levels: targets, each requirement's clocks on the working calendar, the stored states
the lists filter on, `sla tick`, and recording that feedback reached the proposer.

Every commit that adds a timeline event or a feedback record re-evaluates that requirement's
clocks (a session hook), and `sla tick` re-evaluates every open clock, so `sla_state` always holds
each clock's state, at-risk time and due time: `?sla=at_risk|breached` is an indexed query.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, event, or_, select

from app.extensions import db
from app.models import Event, Feedback, FeedbackDelivery, Lookup, Requirement, SlaState, SlaTarget, User
from app.services import audit, permissions, workflow
from app.services.calendar import WorkingCalendar
from app.services.errors import Conflict, Msg, NotFound, ValidationFailed
from app.services.sla.clocks import CLOCKS, FEEDBACK_DECISIONS, FeedbackRecord, Reading, TimelineEvent, read, runs
from app.services.uow import unit_of_work
from app.utils import utcnow

# a working day of the default hours (09:00–12:00, 14:00–18:00)
WORKING_DAY = 420
# (clock, type, priority, working minutes); `*` matches any. The seeds: a fault is answered within
# half an hour and resolved within 2 hours, a major (urgent) one within 24 hours.
DEFAULT_TARGETS: tuple[tuple[str, str, str, int], ...] = (
    ("response", "*", "*", WORKING_DAY),
    ("assessment", "*", "*", 5 * WORKING_DAY),
    ("feedback", "*", "*", 2 * WORKING_DAY),
    ("confirmation", "*", "*", 5 * WORKING_DAY),
    ("response", "defect", "*", 30),
    ("assessment", "defect", "*", 120),
    ("assessment", "defect", "urgent", 24 * 60),
)
CHANNELS = ("yuezhengyi", "phone", "sms", "in_person", "other")
OPEN_STATES = ("running", "at_risk", "paused")


# --- targets ------------------------------------------------------------------------------

def targets() -> list[dict[str, Any]]:
    """The targets in force: the stored table, or the defaults while it is empty."""
    rows = db.session.scalars(select(SlaTarget).order_by(SlaTarget.clock, SlaTarget.type, SlaTarget.priority)).all()
    if not rows:
        return [{"clock": c, "type": t, "priority": p, "minutes": m} for c, t, p, m in DEFAULT_TARGETS]
    return [{"clock": r.clock, "type": r.type, "priority": r.priority, "minutes": r.minutes} for r in rows]


def target_for(table: list[dict[str, Any]], clock: str, type_: str, priority: str) -> int:
    """The most specific target: type and priority, then type, then priority, then any."""
    index = {(t["clock"], t["type"], t["priority"]): t["minutes"] for t in table}
    for key in ((type_, priority), (type_, "*"), ("*", priority), ("*", "*")):
        if (clock, *key) in index:
            return index[(clock, *key)]
    return next(m for c, t, p, m in DEFAULT_TARGETS if (c, t, p) == (clock, "*", "*"))


def replace_targets(actor: User, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Replace the whole table (admin). Each clock needs its `*`/`*` row; keys are unique."""
    permissions.require(actor, "manage_reference")
    codes = {kind: set(db.session.scalars(select(Lookup.code).where(Lookup.kind == kind))) for kind in ("type", "priority")}
    seen = set()
    for n, row in enumerate(rows):
        key = (row["clock"], row["type"], row["priority"])
        if key in seen:
            raise ValidationFailed.field("targets", Msg("Row %(n)s repeats %(key)s.", n=n + 1, key="/".join(key)))
        seen.add(key)
        for kind in ("type", "priority"):
            if row[kind] != "*" and row[kind] not in codes[kind]:
                raise ValidationFailed.field("targets", Msg("Row %(n)s: unknown %(kind)s '%(code)s'.",
                                                            n=n + 1, kind=kind, code=row[kind]))
    missing = [c for c in CLOCKS if (c, "*", "*") not in seen]
    if missing:
        raise ValidationFailed.field("targets", Msg("Give every clock a target for any type and priority (*/*): %(clocks)s.",
                                                    clocks=", ".join(missing)))
    old = {f"{t['clock']}/{t['type']}/{t['priority']}": t["minutes"] for t in targets()}
    with unit_of_work():
        db.session.execute(delete(SlaTarget))
        db.session.add_all(SlaTarget(**row) for row in rows)
        before, after = audit.changes(old, {f"{r['clock']}/{r['type']}/{r['priority']}": r["minutes"] for r in rows})
        audit.record("settings", "sla_targets", "", "service-level targets (working minutes)", before, after,
                     actor=actor)
    refresh_open(utcnow())
    return targets()


# --- reading a requirement's clocks --------------------------------------------------------

def _inputs(req: Requirement):
    events = [TimelineEvent(e.at, e.kind, e.actor_id, e.data or {}) for e in db.session.scalars(
        select(Event).where(Event.requirement_id == req.id).order_by(Event.id))]
    feedback = [FeedbackRecord(f.created_at, f.decision, delivered) for f, delivered in db.session.execute(
        select(Feedback, FeedbackDelivery.delivered_at)
        .outerjoin(FeedbackDelivery, FeedbackDelivery.feedback_id == Feedback.id)
        .where(Feedback.requirement_id == req.id))]
    return events, feedback


def readings(req: Requirement, now: datetime | None = None, calendar: WorkingCalendar | None = None,
             table: list[dict[str, Any]] | None = None) -> list[Reading]:
    now = now or utcnow()
    calendar = calendar or WorkingCalendar.load()
    table = table if table is not None else targets()
    events, feedback = _inputs(req)
    return [read(run, target_for(table, run.clock, req.type, req.priority), calendar, now)
            for run in runs(events, req.created_by_id, feedback)]


def requirement_sla(user: User, requirement_id: int) -> dict[str, Any]:
    req = permissions.fetch(user, Requirement, requirement_id, not_found=Msg("Requirement not found."))
    return {"requirement_id": req.id, "clocks": readings(req)}


# --- the stored states ---------------------------------------------------------------------

def refresh(requirement_ids, now: datetime, record_breaches: bool = False) -> int:
    """Re-evaluate the requirements' clocks into sla_state (in the caller's transaction); with
    `record_breaches`, a breached clock gets its timeline event, once per episode. Returns the
    number of breach events recorded."""
    calendar, table, recorded = WorkingCalendar.load(), targets(), 0
    for req_id in sorted(set(requirement_ids)):
        req = db.session.get(Requirement, req_id)
        if req is None:
            continue
        stored = {s.clock: s for s in db.session.scalars(select(SlaState).where(SlaState.requirement_id == req_id))}
        current = {r.clock: r for r in readings(req, now, calendar, table)}
        for clock in set(stored) - set(current):
            db.session.delete(stored[clock])
        for clock, reading in current.items():
            row = stored.get(clock)
            if row is None:
                row = SlaState(requirement_id=req_id, clock=clock)
                db.session.add(row)
            row.state, row.used_minutes, row.target_minutes = reading.state, reading.used_minutes, reading.target_minutes
            row.at_risk_at, row.due_at, row.started_at, row.evaluated_at = (
                reading.at_risk_at, reading.due_at, reading.started_at, now)
            if record_breaches and reading.state == "breached" and row.breach_recorded_for != reading.started_at:
                row.breach_recorded_for = reading.started_at
                db.session.add(Event(requirement_id=req_id, at=now, kind="sla_breached", actor_id=None,
                                     data={"clock": clock, "target_minutes": reading.target_minutes,
                                           "used_minutes": reading.used_minutes}))
                recorded += 1
    return recorded


def refresh_open(now: datetime) -> None:
    ids = db.session.scalars(select(SlaState.requirement_id).where(SlaState.state.in_(OPEN_STATES)).distinct())
    with unit_of_work():
        refresh(list(ids), now)


def tick(now: datetime | None = None) -> dict[str, int]:
    """Confirm for the proposers who did not answer in time, then evaluate every open clock
    and those breached without their event yet; idempotent."""
    from app.services.sla import confirmation

    now = now or utcnow()
    calendar = WorkingCalendar.load()
    confirmed = confirmation.auto_confirm(now, calendar)
    stale = select(SlaState.requirement_id).where(or_(
        SlaState.state.in_(OPEN_STATES),
        and_(SlaState.state == "breached", or_(SlaState.breach_recorded_for.is_(None),
                                               SlaState.breach_recorded_for != SlaState.started_at)),
    ))
    # open requirements never evaluated (filed before service levels existed)
    unseen = select(Requirement.id).where(Requirement.status.not_in(workflow.TERMINAL),
                                          Requirement.id.not_in(select(SlaState.requirement_id)))
    ids = set(db.session.scalars(stale)) | set(db.session.scalars(unseen))
    with unit_of_work():
        breaches = refresh(ids, now, record_breaches=True)
    return {"evaluated": len(ids), "breaches": breaches, "confirmed": confirmed}


def filter_clause(kind: str, now: datetime | None = None):
    """Requirement ids with a running clock at risk or overdue now (`kind`: at_risk | breached).
    Only a running clock has a due time: one answered late, or paused, is history for the detail
    page and the timeline, not a marker on today's list."""
    now = now or utcnow()
    if kind == "breached":
        condition = SlaState.due_at <= now
    else:
        condition = and_(SlaState.at_risk_at <= now, SlaState.due_at > now)
    return select(SlaState.requirement_id).where(condition)


def marks(requirement_ids, now: datetime | None = None) -> dict[int, str]:
    """{requirement id: "breached" | "at_risk"} for those of `requirement_ids` that are."""
    ids = list(requirement_ids)
    if not ids:
        return {}
    now = now or utcnow()
    result: dict[int, str] = {}
    for kind in ("at_risk", "breached"):
        for req_id in db.session.scalars(filter_clause(kind, now).where(SlaState.requirement_id.in_(ids))):
            result[req_id] = kind
    return result


# --- feedback delivery ---------------------------------------------------------------------

def undelivered_feedback(req: Requirement) -> list[Feedback]:
    """The requirement's review feedback (rejected / needs_info) not yet delivered, oldest first."""
    return list(db.session.scalars(
        select(Feedback)
        .outerjoin(FeedbackDelivery, FeedbackDelivery.feedback_id == Feedback.id)
        .where(Feedback.requirement_id == req.id, Feedback.decision.in_(FEEDBACK_DECISIONS),
               FeedbackDelivery.feedback_id.is_(None))
        .order_by(Feedback.id)))


def deliver_feedback(actor: User, requirement_id: int, feedback_id: int, data: dict[str, Any]) -> FeedbackDelivery:
    """Record how and when a feedback record reached the proposer; stops the `feedback` clock."""
    req = permissions.fetch(actor, Requirement, requirement_id, not_found=Msg("Requirement not found."), action="comment")
    feedback = db.session.get(Feedback, feedback_id) if 0 < feedback_id <= permissions.MAX_ID else None
    if feedback is None or feedback.requirement_id != req.id:
        raise NotFound(Msg("Feedback %(id)s not found on this requirement.", id=feedback_id))
    if db.session.get(FeedbackDelivery, feedback_id) is not None:
        raise Conflict(Msg("This feedback was already delivered."))
    now = utcnow()
    with unit_of_work():
        delivery = FeedbackDelivery(feedback_id=feedback_id, channel=data["channel"], note=data.get("note", ""),
                                    delivered_at=now, delivered_by_id=actor.id)
        db.session.add(delivery)
        db.session.add(Event(requirement_id=req.id, at=now, kind="feedback_delivered", actor_id=actor.id,
                             data={"feedback_id": feedback_id, "decision": feedback.decision,
                                   "channel": data["channel"], "note": data.get("note", "")}))
    return delivery


# --- the write hook --------------------------------------------------------------------------

_DIRTY = "sla_dirty_requirements"


def _after_flush(session, _context) -> None:
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Event | Feedback) and obj.requirement_id:
            session.info.setdefault(_DIRTY, set()).add(obj.requirement_id)
        elif isinstance(obj, Requirement) and obj in session.dirty:
            # type or priority changed: the targets may differ
            session.info.setdefault(_DIRTY, set()).add(obj.id)


def _before_commit(session) -> None:
    # the commit's own flush comes after this hook: flush first so pending events are seen
    for _ in range(3):
        session.flush()
        dirty = session.info.pop(_DIRTY, None)
        if not dirty:
            return
        refresh(dirty, utcnow())


def _after_rollback(session) -> None:
    session.info.pop(_DIRTY, None)


def install_hooks() -> None:
    if not event.contains(db.session, "after_flush", _after_flush):
        event.listen(db.session, "after_flush", _after_flush)
        event.listen(db.session, "before_commit", _before_commit)
        event.listen(db.session, "after_soft_rollback", lambda session, _previous: _after_rollback(session))
