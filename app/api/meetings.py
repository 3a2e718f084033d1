"""Review meetings API: schedule, agenda, attendees, minutes, decisions, finalisation, exports."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView

from app.api import actor, make_blueprint
from app.api.contract import DOCX, ICS, error_responses, file_response
from app.schemas.meeting import (
    ActionItemCreateSchema,
    ActionItemSchema,
    AgendaAddSchema,
    AgendaItemSchema,
    AgendaMoveSchema,
    AgendaOrderSchema,
    AmendmentCreateSchema,
    AmendmentSchema,
    AttendeeCreateSchema,
    AttendeePatchSchema,
    AttendeeSchema,
    CannedReasonsSchema,
    DecisionSchema,
    FeedbackSchema,
    FinalizeResultSchema,
    FinalizeSchema,
    MeetingCreateSchema,
    MeetingPageSchema,
    MeetingPatchSchema,
    MeetingQuerySchema,
    MeetingSchema,
    QueueQuerySchema,
    RequirementMeetingSchema,
)
from app.schemas.requirement import RequirementSchema
from app.services import meetings, paging, requirements
from app.services.meetings import documents

blp = make_blueprint("meetings", "Review meetings: agenda, attendance, minutes, decisions")


def _full(meeting_id: int):
    """The meeting in full as the caller may read it (agenda items outside their region hidden)."""
    return meetings.visible_to(actor(), meetings.load_full(meeting_id))


@blp.route("/meetings")
class Meetings(MethodView):
    @blp.arguments(MeetingQuerySchema, location="query")
    @blp.response(200, MeetingPageSchema)
    def get(self, args):
        """Meetings in your region: `when=upcoming` (soonest first) or `past` (latest first)."""
        page, per_page = args.pop("page"), args.pop("per_page")
        return paging.paginate(meetings.search(actor(), args), page, per_page)

    @blp.arguments(MeetingCreateSchema)
    @blp.response(201, MeetingSchema)
    @error_responses(blp, 403, invalid="`scheduled_at` is ISO 8601 with an offset; the region must be "
                     "within yours.")
    def post(self, data):
        """Schedule a meeting (managers). `scheduled_at` is ISO 8601 with an offset."""
        return _full(meetings.create(actor(), data).id)


@blp.route("/meetings/reasons")
class CannedReasons(MethodView):
    @blp.response(200, CannedReasonsSchema)
    def get(self):
        """The canned rejection reasons the minutes form offers."""
        return meetings.CANNED_REASONS


@blp.route("/meetings/<int:meeting_id>")
class MeetingItem(MethodView):
    @blp.response(200, MeetingSchema)
    def get(self, meeting_id):
        """The meeting; agenda and action items outside your region are left out and counted
        in `hidden_items`."""
        return meetings.load_for(actor(), meeting_id)

    @blp.arguments(MeetingPatchSchema)
    @blp.response(200, MeetingSchema)
    @error_responses(blp, 403, 409, conflict="Finalised minutes change only through amendments; a stale "
                     "`version` answers 409 `stale_version`.")
    def patch(self, data, meeting_id):
        """Edit title, time, place, summary; 409 once finalised (or for a stale `version`)."""
        meeting = meetings.get_for(actor(), meeting_id)
        meetings.update(actor(), meeting, data)
        return _full(meeting_id)


@blp.route("/meetings/<int:meeting_id>/queue")
class Queue(MethodView):
    @blp.arguments(QueueQuerySchema, location="query")
    @blp.response(200, RequirementSchema(many=True))
    def get(self, args, meeting_id):
        """Requirements awaiting review (or deferred) that may go on this agenda."""
        meeting = meetings.get_for(actor(), meeting_id)
        return meetings.queue(actor(), meeting, args)


@blp.route("/meetings/<int:meeting_id>/agenda")
class Agenda(MethodView):
    @blp.response(200, AgendaItemSchema(many=True))
    def get(self, meeting_id):
        """The agenda items you may see (items outside your region are left out; the meeting
        itself says how many in `hidden_items`)."""
        return meetings.load_for(actor(), meeting_id).agenda_items

    @blp.arguments(AgendaAddSchema)
    @blp.response(201, MeetingSchema)
    @error_responses(blp, 403, 409, conflict="The agenda is locked once the meeting is finalised.",
                     invalid="Only requirements awaiting review (or deferred) within your region go on "
                     "an agenda.")
    def post(self, data, meeting_id):
        """Append requirements (`requirement_ids`) to the agenda; ones already on it are skipped."""
        meeting = meetings.get_for(actor(), meeting_id)
        meetings.add_to_agenda(actor(), meeting, data["requirement_ids"])
        return _full(meeting_id)

    @blp.arguments(AgendaOrderSchema)
    @blp.response(200, AgendaItemSchema(many=True))
    @error_responses(blp, 403, 409, conflict="The agenda is locked once the meeting is finalised.",
                     invalid="`requirement_ids` must list every agenda item exactly once.")
    def put(self, data, meeting_id):
        """Reorder: `requirement_ids` lists every agenda item once, in the new order."""
        meeting = meetings.get_for(actor(), meeting_id)
        meetings.reorder(actor(), meeting, data["requirement_ids"])
        return _full(meeting_id).agenda_items


@blp.route("/meetings/<int:meeting_id>/agenda/<int:requirement_id>")
class AgendaEntry(MethodView):
    @blp.arguments(DecisionSchema)
    @blp.response(200, AgendaItemSchema)
    @error_responses(blp, 403, 409, conflict="Decisions are recorded until the meeting is finalised.")
    def put(self, data, meeting_id, requirement_id):
        """Record an item's notes and decision (`decision`, `reason`, `notes`, `target`, `until`)."""
        meeting = meetings.get_for(actor(), meeting_id)
        item = meetings.record_decision(actor(), meeting, requirement_id, data)
        return item

    @blp.response(204)
    @error_responses(blp, 403, 409, conflict="Items are taken off only before the meeting is finalised.")
    def delete(self, meeting_id, requirement_id):
        """Take a requirement off the agenda (before finalising)."""
        meeting = meetings.get_for(actor(), meeting_id)
        meetings.remove_from_agenda(actor(), meeting, requirement_id)


@blp.route("/meetings/<int:meeting_id>/agenda/<int:requirement_id>/move")
class AgendaMove(MethodView):
    @blp.arguments(AgendaMoveSchema)
    @blp.response(200, AgendaItemSchema(many=True))
    @error_responses(blp, 403, 409)
    def post(self, data, meeting_id, requirement_id):
        """Move one item `up` or `down`."""
        meeting = meetings.get_for(actor(), meeting_id)
        meetings.move(actor(), meeting, requirement_id, data["direction"])
        return _full(meeting_id).agenda_items


@blp.route("/meetings/<int:meeting_id>/attendees")
class Attendees(MethodView):
    @blp.response(200, AttendeeSchema(many=True))
    def get(self, meeting_id):
        return meetings.get_for(actor(), meeting_id).attendees

    @blp.arguments(AttendeeCreateSchema)
    @blp.response(201, AttendeeSchema)
    @error_responses(blp, 403, 409)
    def post(self, data, meeting_id):
        """Record an attendee: `name`, `organization`, `role`, `present`."""
        meeting = meetings.get_for(actor(), meeting_id)
        return meetings.add_attendee(actor(), meeting, data)


@blp.route("/meetings/<int:meeting_id>/attendees/<int:attendee_id>")
class AttendeeItem(MethodView):
    @blp.arguments(AttendeePatchSchema)
    @blp.response(200, AttendeeSchema)
    @error_responses(blp, 403, 409)
    def patch(self, data, meeting_id, attendee_id):
        """Change an attendee, e.g. mark `present` true/false."""
        meeting = meetings.get_for(actor(), meeting_id)
        return meetings.update_attendee(actor(), meeting, attendee_id, data)

    @blp.response(204)
    @error_responses(blp, 403, 409)
    def delete(self, meeting_id, attendee_id):
        meeting = meetings.get_for(actor(), meeting_id)
        meetings.remove_attendee(actor(), meeting, attendee_id)


@blp.route("/meetings/<int:meeting_id>/action-items")
class ActionItems(MethodView):
    @blp.response(200, ActionItemSchema(many=True))
    def get(self, meeting_id):
        """Action items (those about a requirement outside your region are left out)."""
        return meetings.load_for(actor(), meeting_id).action_items

    @blp.arguments(ActionItemCreateSchema)
    @blp.response(201, ActionItemSchema)
    @error_responses(blp, 403, 409)
    def post(self, data, meeting_id):
        """Add an action item: `text`, `owner`, `due` (date), optional `requirement_id`."""
        meeting = meetings.get_for(actor(), meeting_id)
        return meetings.add_action_item(actor(), meeting, data)


@blp.route("/meetings/<int:meeting_id>/action-items/<int:action_item_id>")
class ActionItemEntry(MethodView):
    @blp.response(204)
    @error_responses(blp, 403, 409)
    def delete(self, meeting_id, action_item_id):
        meeting = meetings.get_for(actor(), meeting_id)
        meetings.remove_action_item(actor(), meeting, action_item_id)


@blp.route("/meetings/<int:meeting_id>/finalize")
class Finalize(MethodView):
    @blp.arguments(FinalizeSchema, required=False)
    @blp.response(200, FinalizeResultSchema)
    @error_responses(blp, 403, 409, conflict="A meeting is finalised once, with a decision on every "
                     "agenda item; each decision must be a move the requirement's workflow allows.")
    def post(self, data, meeting_id):
        """Apply every decision in one transaction and lock the minutes.

        Answers the applied transitions; or 409 naming the agenda item that blocked (nothing
        applied). Before the meeting's scheduled start, 409 `finalize_early` naming the time
        unless the body is `{"confirm_early": true}`.
        """
        meeting = meetings.get_for(actor(), meeting_id)
        return meetings.finalize(actor(), meeting, confirm_early=(data or {}).get("confirm_early", False))


@blp.route("/meetings/<int:meeting_id>/amendments")
class Amendments(MethodView):
    @blp.response(200, AmendmentSchema(many=True))
    def get(self, meeting_id):
        return meetings.get_for(actor(), meeting_id).amendments

    @blp.arguments(AmendmentCreateSchema)
    @blp.response(201, AmendmentSchema)
    @error_responses(blp, 403, 409, conflict="Amendments correct finalised minutes only; before that, "
                     "edit the minutes directly.")
    def post(self, data, meeting_id):
        """Record a correction to finalised minutes."""
        meeting = meetings.get_for(actor(), meeting_id)
        return meetings.add_amendment(actor(), meeting, data["text"])


def _download(body: bytes, mimetype: str, filename: str, ascii_name: str | None = None) -> Response:
    """An attachment: `ascii_name` for old clients, the real (Chinese) name as RFC 5987 filename*."""
    from urllib.parse import quote

    response = Response(body, mimetype=mimetype)
    ascii_name = ascii_name or filename.encode("ascii", "ignore").decode() or "download"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@blp.route("/meetings/<int:meeting_id>/minutes.docx")
class MinutesDocx(MethodView):
    @file_response(blp, DOCX, "The minutes (.docx, A4, official layout).")
    @error_responses(blp, 404)
    def get(self, meeting_id):
        """The minutes as a Word document (Chinese official layout)."""
        meeting = meetings.load_for(actor(), meeting_id)
        return _download(documents.minutes_docx(meeting), DOCX_MIME,
                         documents.docx_filename(meeting), documents.docx_ascii_filename(meeting))


@blp.route("/meetings/<int:meeting_id>.ics")
class MeetingCalendar(MethodView):
    @file_response(blp, ICS, "The meeting as one iCalendar event (.ics).")
    @error_responses(blp, 404)
    def get(self, meeting_id):
        """The meeting as an iCalendar event (stable UID)."""
        meeting = meetings.load_for(actor(), meeting_id)
        return _download(documents.meeting_ics(meeting), "text/calendar", f"meeting-{meeting.id}.ics")


@blp.route("/requirements/<int:requirement_id>/meetings")
class RequirementMeetings(MethodView):
    @blp.response(200, RequirementMeetingSchema(many=True))
    def get(self, requirement_id):
        """Every meeting the requirement was on, newest first, with its decision there."""
        req = requirements.get_for(actor(), requirement_id)
        return meetings.agenda_of_requirement(actor(), req)


@blp.route("/requirements/<int:requirement_id>/feedback")
class RequirementFeedback(MethodView):
    @blp.response(200, FeedbackSchema(many=True))
    def get(self, requirement_id):
        """Feedback to the proposer from review meetings (rejected / needs_info), newest first."""
        req = requirements.get_for(actor(), requirement_id)
        return meetings.feedback_of(actor(), req)
