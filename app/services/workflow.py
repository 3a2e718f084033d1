"""The requirement state machine: statuses, legal moves, and applying a move.

This is the one module that changes a requirement's status. Later use cases (review meetings,
release verification) call `apply_transition` inside their own transaction; it never commits.
Who may make a move is decided in `app.services.permissions`.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Event, Requirement, User
from app.services.errors import IllegalTransition, Msg, ValidationFailed
from app.utils import utcnow

STATUS_LABELS = {
    "submitted": _l("Submitted"),
    "assessing": _l("Assessing"),
    "awaiting_review": _l("Awaiting review"),
    "resolved_locally": _l("Resolved by configuration/operations"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "needs_info": _l("Needs information"),
    "deferred": _l("Deferred"),
    "scheduled": _l("Scheduled"),
    "in_verification": _l("In verification"),
    "verified": _l("Verified"),
    "verification_failed": _l("Verification failed"),
    "released": _l("Released"),
    "confirmed": _l("Confirmed by proposer"),
    "closed": _l("Closed"),
    "duplicate": _l("Merged as duplicate"),
    "withdrawn": _l("Withdrawn"),
}
STATUSES = tuple(STATUS_LABELS)

# Open stages before `scheduled`: from any of these an item may be merged or withdrawn.
BEFORE_SCHEDULED = ("submitted", "assessing", "needs_info", "awaiting_review", "deferred", "approved")

_FORWARD: dict[str, tuple[str, ...]] = {
    "submitted": ("assessing",),
    "assessing": ("awaiting_review", "resolved_locally"),
    "awaiting_review": ("approved", "rejected", "needs_info", "deferred"),
    "needs_info": ("assessing",),
    "deferred": ("awaiting_review",),
    "approved": ("scheduled",),
    # taken out of its release again while it is still scheduled (app.services.releases)
    "scheduled": ("in_verification", "approved"),
    "in_verification": ("verified", "verification_failed"),
    "verification_failed": ("scheduled",),
    "verified": ("released",),
    "released": ("confirmed",),
    "resolved_locally": ("confirmed",),
    "confirmed": ("closed",),
    "rejected": ("closed",),
}

TRANSITIONS: dict[str, tuple[str, ...]] = {
    status: _FORWARD.get(status, ())
    + (("duplicate", "withdrawn") if status in BEFORE_SCHEDULED else ())
    for status in STATUSES
}

REASON_REQUIRED = frozenset({"rejected", "needs_info", "withdrawn", "duplicate", "verification_failed"})
# review outcomes the proposer must be told of (a feedback record each, app.services.sla)
FEEDBACK_DECISIONS = frozenset({"rejected", "needs_info"})
# What a review meeting decides. Decided outside a meeting ("会外决定") such a move needs a reason
# and is marked so on the timeline; who may decide outside a meeting is in permissions.
REVIEW_OUTCOMES = frozenset({"approved", "rejected", "needs_info", "deferred"})
REASON_REQUIRED_OUTSIDE_MEETING = REASON_REQUIRED | REVIEW_OUTCOMES
TERMINAL = frozenset(s for s, targets in TRANSITIONS.items() if not targets)

# Waiting for the proposer's answer (app.services.sla.confirmation): they confirm the outcome, or
# are not satisfied, which reopens the requirement to `assessing`. That move is legal only with
# the proposer's reason recorded as their opinion, so it is not in TRANSITIONS (the generic
# transition form and API do not offer it): `apply_transition` takes it with context
# {"confirmation": "not_satisfied"}.
AWAITING_CONFIRMATION = ("released", "resolved_locally")
REOPEN_NOT_SATISFIED = frozenset((status, "assessing") for status in AWAITING_CONFIRMATION)


def is_reopen(req: Requirement, to: str, context: dict | None) -> bool:
    """The proposer-not-satisfied move, made by the confirmation use case."""
    return (req.status, to) in REOPEN_NOT_SATISFIED and (context or {}).get("confirmation") == "not_satisfied"


def label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def label_lazy(status: str):
    return STATUS_LABELS.get(status, status)


class LazyJoin:
    """Labels joined with 、 when shown (so they are translated in the reader's language)."""

    def __init__(self, items):
        self.items = items

    def __str__(self) -> str:
        return "、".join(str(i) for i in self.items) or "—"


def allowed_targets(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


def is_outside_meeting(to: str, context: dict | None) -> bool:
    """A review outcome applied by anything but a review meeting's minutes (a requirement taken
    out of its release goes back to `approved`: that repeats no decision)."""
    context = context or {}
    return to in REVIEW_OUTCOMES and not context.get("meeting_id") and not context.get("release_id")


def check_legal(req: Requirement, to: str) -> None:
    """Raise unless `to` is a known status and a legal move from `req`'s status (409 naming
    the current status and the allowed ones)."""
    if to not in STATUS_LABELS:
        raise ValidationFailed.field("to", Msg("Unknown status '%(to)s'.", to=to))
    allowed = allowed_targets(req.status)
    if to not in allowed:
        allowed_text = ", ".join(allowed) if allowed else "none"
        labels = dict(
            code=req.code,
            current=req.status,
            to=to,
            allowed=allowed_text,
            current_label=label_lazy(req.status),
            to_label=label_lazy(to),
            allowed_labels=LazyJoin([label_lazy(s) for s in allowed]),
        )
        raise IllegalTransition(
            Msg("Cannot move %(code)s from '%(current)s' (%(current_label)s) to '%(to)s' (%(to_label)s); "
                "allowed from '%(current)s': %(allowed)s (%(allowed_labels)s).", **labels),
            {"to": [Msg("'%(to)s' (%(to_label)s) is not allowed from '%(current)s' (%(current_label)s); "
                       "allowed: %(allowed)s (%(allowed_labels)s).", **labels)]},
        )


def check_transition(
    req: Requirement,
    to: str,
    reason: str | None = None,
    duplicate_of: Requirement | None = None,
    context: dict | None = None,
) -> None:
    """Raise if moving `req` to `to` is illegal or lacks what it needs; change nothing.
    `context` says where the move comes from (a review meeting's minutes carry its id)."""
    if not is_reopen(req, to, context):
        check_legal(req, to)
    if to in REASON_REQUIRED and not (reason or "").strip():
        raise ValidationFailed.field(
            "reason", Msg("A reason is required to move to '%(to)s' (%(to_label)s).", to=to, to_label=label_lazy(to))
        )
    if is_outside_meeting(to, context) and not (reason or "").strip():
        raise ValidationFailed.field(
            "reason",
            Msg("'%(to)s' (%(to_label)s) is a review decision: outside a review meeting it needs a reason "
                "(why it is decided outside the meeting).", to=to, to_label=label_lazy(to)),
        )
    if duplicate_of is not None and to != "duplicate":
        raise ValidationFailed.field("duplicate_of", Msg("Only a move to 'duplicate' names an original."))
    if to == "duplicate":
        if duplicate_of is None:
            raise ValidationFailed.field("duplicate_of", Msg("The original requirement's code is required."))
        if duplicate_of.id == req.id:
            raise ValidationFailed.field("duplicate_of", Msg("A requirement cannot duplicate itself."))
        if duplicate_of.status == "duplicate":
            raise ValidationFailed.field(
                "duplicate_of", Msg("%(code)s is itself merged; choose its original.", code=duplicate_of.code)
            )


def apply_transition(
    req: Requirement,
    to: str,
    actor: User | None,
    reason: str | None = None,
    duplicate_of: Requirement | None = None,
    context: dict | None = None,
) -> Event:
    """Move `req` to `to` and append the timeline event, in the caller's transaction.

    `context` is kept on the event (e.g. the review meeting that decided the move).
    """
    check_transition(req, to, reason, duplicate_of, context)
    before = req.status
    now = utcnow()
    req.status = to
    req.status_changed_at = now
    data: dict = {"from": before, "to": to, "reason": (reason or "").strip()}
    if duplicate_of is not None:
        req.duplicate_of_id = duplicate_of.id
        data["duplicate_of"] = duplicate_of.code
    if context:
        data["context"] = context
    if is_outside_meeting(to, context):
        data["outside_meeting"] = True
    event = Event(requirement_id=req.id, at=now, kind="transition", actor_id=actor.id if actor else None, data=data)
    db.session.add(event)
    return event
