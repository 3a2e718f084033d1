"""Review meetings (需求评审会): schedule, agenda, attendance, live minutes, decisions, finalisation.

One module per use case; this package re-exports their public API (`from app.services import
meetings` then `meetings.finalize(...)`):

- `scope`        who reads and who changes a meeting, loading one for a user (`get_for`),
                 what of it a reader sees (`visible_to`: items outside their region hidden)
- `times`        the users' calendar: local dates, "has the meeting started"
- `schedule`     create and edit a meeting; find meetings (upcoming, past, one in full)
- `agenda`       the agenda and the queue it is built from; a requirement's meetings
- `minutes`      notes, general minutes, decisions, attendees, action items; how minutes read
- `finalisation` apply every decision in one transaction and lock the minutes; amendments
- `documents`    the minutes as Word (.docx) and the meeting as a calendar entry (.ics);
                 imported as `from app.services.meetings import documents`

Every change runs in `app.services.uow.unit_of_work`; loading and role checks go through
`app.services.permissions`.
"""
from app.services.meetings.agenda import (
    AGENDA_STATUSES,
    OnOtherAgenda,
    add_to_agenda,
    agenda_of_requirement,
    draft_meeting_of,
    feedback_of,
    move,
    open_meetings_for,
    queue,
    remove_from_agenda,
    reorder,
)
from app.services.meetings.finalisation import (
    AppliedTransition,
    FinalizeBlocked,
    FinalizeEarly,
    FinalizeResult,
    add_amendment,
    finalize,
)
from app.services.meetings.minutes import (
    CANNED_REASONS,
    CANNED_REJECTION_REASONS,
    DECISION_LABELS_ZH,
    ORGANIZATION_LABELS,
    ORGANIZATION_LABELS_ZH,
    add_action_item,
    add_attendee,
    attendance_text,
    attendees_by_organization,
    host_of,
    record_decision,
    recorder_of,
    remove_action_item,
    remove_attendee,
    save_notes,
    save_summary,
    until_text,
    update_attendee,
    validate_decision,
)
from app.services.meetings.schedule import counts, create, load_for, load_full, search, update
from app.services.meetings.scope import (
    MinutesLocked,
    ReaderView,
    get_for,
    in_scope,
    may_edit,
    scoped,
    visible_to,
)
from app.services.meetings.times import finalised_early, local_text, local_zone, not_started

__all__ = [
    "AGENDA_STATUSES",
    "CANNED_REASONS",
    "CANNED_REJECTION_REASONS",
    "DECISION_LABELS_ZH",
    "ORGANIZATION_LABELS",
    "ORGANIZATION_LABELS_ZH",
    "AppliedTransition",
    "FinalizeBlocked",
    "FinalizeEarly",
    "FinalizeResult",
    "MinutesLocked",
    "ReaderView",
    "OnOtherAgenda",
    "add_action_item",
    "add_amendment",
    "add_attendee",
    "add_to_agenda",
    "agenda_of_requirement",
    "attendance_text",
    "attendees_by_organization",
    "counts",
    "create",
    "draft_meeting_of",
    "feedback_of",
    "finalize",
    "finalised_early",
    "get_for",
    "host_of",
    "in_scope",
    "load_for",
    "load_full",
    "local_text",
    "local_zone",
    "may_edit",
    "move",
    "not_started",
    "open_meetings_for",
    "queue",
    "record_decision",
    "recorder_of",
    "remove_action_item",
    "remove_attendee",
    "remove_from_agenda",
    "reorder",
    "save_notes",
    "save_summary",
    "scoped",
    "search",
    "until_text",
    "update",
    "update_attendee",
    "validate_decision",
    "visible_to",
]
