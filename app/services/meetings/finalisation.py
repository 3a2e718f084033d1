"""Finalising the minutes: every agenda item's decision applied through
`app.services.workflow.apply_transition` in ONE transaction (if any item cannot be applied,
nothing is), then the minutes locked. Before the meeting's scheduled start, finalising needs an
explicit confirmation. Corrections to finalised minutes are amendments."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.extensions import db
from app.models import AgendaItem, Feedback, Meeting, MeetingAmendment, User
from app.services import permissions, workflow
from app.services.errors import Conflict, Msg, StaleVersion, ValidationFailed
from app.services.meetings.agenda import AGENDA_STATUSES, ordered
from app.services.meetings.minutes import until_text, validate_decision
from app.services.meetings.schedule import load_full
from app.services.meetings.scope import STALE, ensure_editable, ensure_open, touch
from app.services.meetings.times import local_text, not_started
from app.services.uow import unit_of_work
from app.utils import utcnow


class FinalizeBlocked(Conflict):
    code = "finalize_blocked"


class FinalizeEarly(Conflict):
    """Finalising before the meeting's scheduled start, unconfirmed."""

    code = "finalize_early"

    def __init__(self, meeting: Meeting):
        when = local_text(meeting.scheduled_at)
        super().__init__(
            Msg("The meeting is scheduled for %(time)s and has not started yet: finalising now applies its "
                "decisions before it is held. Confirm to finalise early.", time=when),
            {"confirm_early": [Msg("The meeting starts at %(time)s; confirm to finalise before it.", time=when)]},
        )
        self.scheduled_at = meeting.scheduled_at


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


def blocker(item: AgendaItem) -> Msg | None:
    """Why this item's decision cannot be applied now, or None."""
    req = item.requirement
    if item.decision is None:
        return Msg("%(code)s (%(title)s) has no decision yet.", code=req.code, title=req.title)
    try:
        validate_decision(item.decision, item.reason or "", item.target or "", item.until)
    except ValidationFailed as error:
        return Msg("%(code)s (%(title)s): %(problem)s", code=req.code, title=req.title, problem=error.message)
    now = dict(code=req.code, title=req.title, status=req.status, label=workflow.label_lazy(req.status))
    if req.status not in AGENDA_STATUSES:
        return Msg(
            "%(code)s (%(title)s) is now '%(status)s' (%(label)s): its status changed after it was put on "
            "the agenda, so the decision '%(decision)s' cannot be applied.", decision=item.decision, **now,
        )
    if item.status_when_decided and req.status != item.status_when_decided:
        return Msg(
            "%(code)s (%(title)s) is now '%(status)s' (%(label)s) but was '%(before)s' when the decision "
            "was recorded: record the decision again to confirm it.", before=item.status_when_decided, **now,
        )
    if not item.status_when_decided and item.status_when_added and req.status != item.status_when_added:
        return Msg(
            "%(code)s (%(title)s) is now '%(status)s' (%(label)s) but was '%(before)s' when it was put on "
            "the agenda: record the decision again to confirm it.", before=item.status_when_added, **now,
        )
    if req.status == "deferred" and item.status_when_added and item.status_when_added != "deferred":
        return Msg(
            "%(code)s (%(title)s) was deferred outside this meeting after it was put on the agenda; "
            "finalising would silently return it to review. Take it off the agenda and add it again.",
            code=req.code, title=req.title,
        )
    return None


def _check_ready(meeting: Meeting, items: list[AgendaItem]) -> None:
    if not items:
        raise FinalizeBlocked(
            Msg("The agenda is empty: add the requirements the meeting reviewed before finalising."),
            {"agenda": [Msg("The agenda is empty.")]},
        )
    # Re-read the requirements: a status may have changed since the page was loaded.
    for item in items:
        db.session.refresh(item.requirement)
    problems = {f"agenda.{item.requirement_id}": [msg] for item in items if (msg := blocker(item)) is not None}
    if problems:
        first = next(iter(problems.values()))[0]
        raise FinalizeBlocked(
            Msg("Nothing was applied: %(problem)s", problem=first)
            if len(problems) == 1
            else Msg("Nothing was applied: %(n)s agenda items cannot be applied; first: %(problem)s",
                     n=len(problems), problem=first),
            problems,
        )


def _apply(actor: User, meeting: Meeting, item: AgendaItem, result: FinalizeResult, now) -> None:
    """One item's decision: its transitions (a deferred item returns to review first), and the
    proposer's feedback where the decision carries a reason."""
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
        permissions.require(actor, "transition", req, to=to)
        before = req.status
        final = to == item.decision
        reason = item.reason if final else ""
        event = workflow.apply_transition(req, to, actor, reason,
                                          context=context if final else {**context, "decision": "returned_to_review"})
        req.updated_at = now
        db.session.flush()
        result.transitions.append(AppliedTransition(req.id, req.code, before, to, item.decision, reason, event.id))
    if item.decision in workflow.REASON_REQUIRED:
        feedback = Feedback(requirement_id=req.id, meeting_id=meeting.id, decision=item.decision,
                            reason=item.reason, created_at=now, created_by_id=actor.id)
        db.session.add(feedback)
        result.feedback.append(feedback)


def finalize(actor: User, meeting: Meeting, confirm_early: bool = False) -> FinalizeResult:
    """Apply every decision and lock the minutes, all in one transaction (or nothing).

    Before the meeting's scheduled start this answers FinalizeEarly (409) unless
    `confirm_early`: minutes are normally finalised after the meeting was held."""
    permissions.require(actor, "manage_meetings")
    ensure_open(meeting, actor)
    items = ordered(meeting)
    _check_ready(meeting, items)
    if not_started(meeting) and not confirm_early:
        raise FinalizeEarly(meeting)
    result = FinalizeResult(meeting=meeting)
    now = utcnow()
    try:
        with unit_of_work(STALE):
            for item in items:
                _apply(actor, meeting, item, result, now)
            meeting.status = "finalised"
            meeting.finalised_at = now
            meeting.finalised_by_id = actor.id
            meeting.version += 1
            touch(meeting)
            db.session.flush()
    except StaleVersion:
        raise FinalizeBlocked(
            Msg("Nothing was applied: a requirement or the meeting was changed by someone else meanwhile; reload.")
        ) from None
    except Conflict as error:
        raise FinalizeBlocked(Msg("Nothing was applied: %(problem)s", problem=error.message), error.errors) from None
    result.meeting = load_full(meeting.id)
    return result


def add_amendment(actor: User, meeting: Meeting, text: str) -> MeetingAmendment:
    """A correction to finalised minutes, kept on the meeting's history."""
    permissions.require(actor, "manage_meetings")
    ensure_editable(actor, meeting)
    if not meeting.finalised:
        raise Conflict(Msg("The minutes are not finalised yet: edit them directly."))
    text = text.strip()
    if not text:
        raise ValidationFailed.field("text", Msg("An amendment cannot be empty."))
    with unit_of_work(STALE):
        amendment = MeetingAmendment(text=text, author_id=actor.id, at=utcnow())
        meeting.amendments.append(amendment)
    return amendment
