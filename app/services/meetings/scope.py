"""Who reads a meeting, who changes it, and loading one for a user.

A meeting belongs to its organiser's region. It is READ (page, .docx, .ics, printable minutes)
by users of that region (and the regions above it) and by anyone who can see at least one
requirement on its agenda; everyone else gets 404. It is CHANGED only by users of the
organiser's region (others who may read it get 403), and only until its minutes are finalised
(409). Roles: `manage_meetings` runs meetings, `decide` records decisions, `view` reads.
"""
from __future__ import annotations

from sqlalchemy import select

from app.models import Meeting, User
from app.services import permissions
from app.services.errors import Conflict, Forbidden, Msg
from app.utils import utcnow

NOT_FOUND = Msg("Meeting not found.")
STALE = Msg("The meeting was changed by someone else meanwhile; reload.")


class MinutesLocked(Conflict):
    code = "minutes_finalised"


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


def scoped(user: User):
    """A select of the meetings `user` may see in lists (their region and below)."""
    return select(Meeting).where(permissions.region_clause(user, Meeting.region_id))


def get_for(user: User, meeting_id: int, action: str | tuple[str, ...] = "view") -> Meeting:
    """The meeting if `user` may read it (else 404) and has the role for `action`, or for one
    of several actions (else 403); any action but "view" also needs the organiser's region."""
    actions = (action,) if isinstance(action, str) else tuple(action)
    meeting = permissions.fetch(user, Meeting, meeting_id, not_found=NOT_FOUND, visible=in_scope)
    permissions.require_any(user, *actions)
    if actions != ("view",):
        ensure_editable(user, meeting)
    return meeting


def ensure_editable(user: User, meeting: Meeting) -> None:
    if not may_edit(user, meeting):
        raise Forbidden(
            Msg("Only users of the organiser's region (%(region)s) may change this meeting.",
                region=meeting.region.name)
        )


def locked_error(meeting: Meeting) -> MinutesLocked:
    return MinutesLocked(
        Msg("The minutes of '%(title)s' are finalised and locked; record a correction as an amendment.",
            title=meeting.title)
    )


def ensure_open(meeting: Meeting, actor: User | None = None) -> None:
    """The meeting may still be changed (by `actor`, who must be of the organiser's region)."""
    if actor is not None:
        ensure_editable(actor, meeting)
    if meeting.finalised:
        raise locked_error(meeting)


def touch(meeting: Meeting) -> None:
    meeting.updated_at = utcnow()
