"""Who may do what, and to which requirements. The one place permission rules live.

Scope first, then role: a requirement outside the user's region answers 404 (its existence
is not revealed), a missing role answers 403.
"""
from __future__ import annotations

from typing import Any, Callable, TypeVar

from sqlalchemy import literal, or_, select, true

from app.extensions import db
from app.models import Region, Requirement, Run, User
from app.services import workflow
from app.services.errors import Forbidden, Msg, NotFound, ValidationFailed

T = TypeVar("T")

# The largest id any table can hold on every supported database (PostgreSQL INTEGER): a larger
# number names nothing, so it answers 404 instead of overflowing the driver.
MAX_ID = 2**31 - 1

ACTIONS = (
    "view",
    "create",
    "edit",
    "assess",
    "comment",
    "attach",
    "transition",
    "manage_users",
    "manage_reference",
    # review meetings: schedule, agenda, attendees, minutes, finalise
    "manage_meetings",
    # record an agenda item's decision in the minutes
    "decide",
    # scenario library: import .feature files
    "manage_scenarios",
    # releases and verification runs: create, sign off
    "manage_releases",
    # verification results: record pass/fail, import automated reports
    "record_results",
    # a review outcome (approved, rejected, needs_info, deferred) outside a review meeting
    "decide_outside_meeting",
    # a release's acceptance: accept a failed or blocked scenario with a reason (有条件通过)
    "waive",
    # the audit log: read, filter, export (administrators only)
    "view_audit",
)

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    # administrators run the system, not the business: review decisions stay with the teams
    "admin": frozenset(ACTIONS) - {"decide_outside_meeting", "waive"},
    "manager": frozenset(
        {"view", "create", "edit", "assess", "comment", "attach", "transition", "manage_meetings", "decide",
         "manage_scenarios", "manage_releases", "record_results", "decide_outside_meeting", "waive"}
    ),
    "engineer": frozenset(
        {"view", "create", "edit", "comment", "attach", "transition", "manage_scenarios", "record_results"}
    ),
    "reviewer": frozenset({"view", "comment", "transition", "decide", "decide_outside_meeting", "waive"}),
    "taskforce": frozenset({"view"}),
}

ROLE_TRANSITIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(workflow.STATUSES),
    "manager": frozenset(workflow.STATUSES),
    # Engineers file, start assessment (again, once information is supplied), withdraw, and
    # record the proposer's confirmation they collect on site.
    "engineer": frozenset({"assessing", "withdrawn", "confirmed"}),
    "reviewer": frozenset({"approved", "rejected", "needs_info", "deferred"}),
    "taskforce": frozenset(),
}


def region_in_scope(user: User, region: Region) -> bool:
    """The region is the user's own or below it: what a user sees and may act within."""
    return user.region.contains(region)


def region_to_act_in(user: User, code: str, field: str = "region") -> Region:
    """The region a user names for something they create or move (a requirement, a run): it
    must exist, be within the user's region and be active. 422 naming `field` otherwise."""
    region = db.session.scalar(select(Region).where(Region.code == code))
    if region is None:
        raise ValidationFailed.field(field, Msg("Unknown region '%(code)s'.", code=code))
    if not region_in_scope(user, region):
        raise ValidationFailed.field(field, Msg("Region '%(code)s' is outside your region.", code=code))
    if not region.active:
        raise ValidationFailed.field(field, Msg("Region '%(code)s' is deactivated.", code=code))
    return region


def region_clause(user: User, region_id_column):
    """`region_in_scope` as a WHERE clause on a region id column (so lists filter in SQL)."""
    if user.region.parent_id is None:
        return true()
    return region_id_column.in_(Region.subtree_ids(user.region))


def in_scope(user: User, req: Requirement) -> bool:
    return region_in_scope(user, req.region)


def meeting_in_scope(user: User, meeting) -> bool:
    """A review meeting belongs to its organiser's region."""
    return region_in_scope(user, meeting.region)


def run_in_scope(user: User, run) -> bool:
    """A verification run without a region is provincial (everyone sees it); a regional run is
    seen within that region and by the regions above it (the province, its city)."""
    if run.region is None:
        return True
    return region_in_scope(user, run.region) or run.region.contains(user.region)


def run_clause(user: User):
    """`run_in_scope` as a WHERE clause on Run."""
    if user.region.parent_id is None:
        return true()
    visible = select(Region.id).where(
        or_(Region.path.startswith(user.region.path), literal(user.region.path).startswith(Region.path))
    )
    return or_(Run.region_id.is_(None), Run.region_id.in_(visible))


def can(user: User, action: str, req: Requirement | None = None, to: str | None = None) -> bool:
    if req is not None and not in_scope(user, req):
        return False
    if action not in ROLE_ACTIONS.get(user.role, ()):
        return False
    if action == "transition" and to is not None:
        return to in ROLE_TRANSITIONS.get(user.role, ())
    return True


def may_decide_outside_meeting(user: User, to: str) -> bool:
    """Review outcomes outside a meeting: only reviewers and requirement managers (a meeting's
    minutes apply theirs through `require(..., "transition", to=...)` alone)."""
    return to not in workflow.REVIEW_OUTCOMES or can(user, "decide_outside_meeting")


def require_decision_outside_meeting(user: User, to: str) -> None:
    if not may_decide_outside_meeting(user, to):
        raise Forbidden(Msg("Only the provincial requirement team and requirement managers may record a review "
                            "decision ('%(to)s') outside a review meeting.", to=to))


def require(user: User, action: str, req: Requirement | None = None, to: str | None = None) -> None:
    """Raise NotFound (out of scope) or Forbidden (role) unless `user` may do `action`."""
    if req is not None and not in_scope(user, req):
        raise NotFound(Msg("Requirement not found."))
    if not can(user, action, to=to):
        if to:
            raise Forbidden(Msg("Your role (%(role)s) may not move requirements to '%(to)s'.", role=user.role, to=to))
        raise Forbidden(Msg("Your role (%(role)s) may not %(action)s.", role=user.role, action=action))


def require_any(user: User, *actions: str) -> None:
    """Raise Forbidden unless the user's role has at least one of `actions` (e.g. a meeting's
    minutes are kept by whoever runs the meeting or decides in it)."""
    if not any(can(user, action) for action in actions):
        raise Forbidden(Msg("Your role (%(role)s) may not %(action)s.", role=user.role, action=actions[0]))


def transitions_for(user: User, req: Requirement) -> list[str]:
    """The moves this user may make on this requirement now (legal and permitted)."""
    if not in_scope(user, req):
        return []
    return [to for to in workflow.allowed_targets(req.status)
            if can(user, "transition", to=to) and may_decide_outside_meeting(user, to)]


def _visible(user: User, obj: Any) -> bool:
    """The scope rule of each kind of record; kinds not named are seen by every signed-in user."""
    if isinstance(obj, Requirement):
        return in_scope(user, obj)
    if isinstance(obj, Run):
        return run_in_scope(user, obj)
    return True


def fetch(
    user: User | None,
    model: type[T],
    ident: Any,
    *,
    not_found: Msg,
    action: str = "view",
    visible: Callable[[User, T], bool] | None = None,
) -> T:
    """Load one record for `user`: missing or outside their scope answers 404 (`not_found`),
    then a role without `action` answers 403. `visible` replaces the kind's scope rule (e.g. a
    meeting's readers); `user` None is the server operator (CLI): no scope or role applies."""
    obj = db.session.get(model, ident) if isinstance(ident, int) and 0 < ident <= MAX_ID else None
    return check(user, obj, not_found=not_found, action=action, visible=visible)


def check(
    user: User | None,
    obj: T | None,
    *,
    not_found: Msg,
    action: str = "view",
    visible: Callable[[User, T], bool] | None = None,
) -> T:
    """`fetch` for a record already loaded (or None)."""
    if obj is None or (user is not None and not (visible or _visible)(user, obj)):
        raise NotFound(not_found)
    if user is not None:
        require(user, action)
    return obj
