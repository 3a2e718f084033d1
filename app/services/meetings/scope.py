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


class ReaderView:
    """A meeting as one reader may see it: the agenda items whose requirement is in the
    reader's scope (in agenda order), the action items not tied to a hidden requirement, and
    `hidden_items`, how many agenda items are left out. Everything else reads through to the
    meeting. The page, the printable minutes, the .docx, the .ics and the API all render this
    view, so a requirement outside the reader's region (404 when fetched directly) never shows
    in any of them; at most "N items outside your region" does."""

    def __init__(self, meeting: Meeting, agenda_items: list, action_items: list, hidden_items: int):
        self.meeting = meeting
        self.agenda_items = agenda_items
        self.action_items = action_items
        self.hidden_items = hidden_items

    def __getattr__(self, name: str):
        return getattr(self.meeting, name)


def visible_to(user: User, meeting: Meeting) -> ReaderView:
    """The one rule for what of a meeting `user` reads: agenda items whose requirement
    `permissions.in_scope` allows; action items about a hidden requirement are left out too.
    Users of the organiser's region (the editors) see every item, since an agenda only holds
    requirements of the meeting's region."""
    items = sorted(meeting.agenda_items, key=lambda i: (i.position, i.id or 0))
    shown = [item for item in items if permissions.in_scope(user, item.requirement)]
    hidden_ids = {item.requirement_id for item in items} - {item.requirement_id for item in shown}
    actions = [a for a in meeting.action_items if a.requirement_id not in hidden_ids]
    return ReaderView(meeting, shown, actions, len(items) - len(shown))


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
