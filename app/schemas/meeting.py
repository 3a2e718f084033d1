"""Review meeting schemas: the one validation source for /api/v1/meetings and the meeting pages."""
from __future__ import annotations

from marshmallow import Schema, fields, missing, validate
from webargs.fields import DelimitedList

from app.models.meeting import DECISIONS, MEETING_STATUSES, ORGANIZATIONS
from app.schemas.common import PageQuerySchema, StrictSchema, Trimmed, UtcDateTime
from app.services import workflow


class MeetingCreateSchema(StrictSchema):
    title = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    # ISO 8601 with an offset, e.g. 2026-06-18T14:30:00+08:00
    scheduled_at = fields.AwareDateTime(required=True, format="iso")
    duration_minutes = fields.Integer(validate=validate.Range(min=15, max=24 * 60))
    location = Trimmed(validate=validate.Length(max=200))
    video_link = Trimmed(validate=validate.Length(max=500))
    summary = fields.String(validate=validate.Length(max=50000))


class MeetingPatchSchema(MeetingCreateSchema):
    """Every field optional; `version` (as read) optional, a stale one answers 409."""

    version = fields.Integer(strict=True)

    def on_bind_field(self, field_name, field_obj):
        field_obj.required = False


class MeetingQuerySchema(PageQuerySchema):
    class Meta:
        unknown = "exclude"

    when = fields.String(validate=validate.OneOf(("upcoming", "past", "all")))
    status = fields.String(validate=validate.OneOf(MEETING_STATUSES))


class AgendaAddSchema(StrictSchema):
    requirement_ids = fields.List(fields.Integer(strict=True), required=True, validate=validate.Length(min=1, max=200))


class AgendaOrderSchema(StrictSchema):
    requirement_ids = fields.List(fields.Integer(strict=True), required=True, validate=validate.Length(min=1))


class AgendaMoveSchema(StrictSchema):
    direction = fields.String(required=True, validate=validate.OneOf(("up", "down")))


class QueueQuerySchema(Schema):
    class Meta:
        unknown = "exclude"

    domain = DelimitedList(fields.String())
    type = DelimitedList(fields.String())
    region = fields.String(validate=validate.Length(max=12))
    q = fields.String(validate=validate.Length(max=200))


class DecisionSchema(StrictSchema):
    """PUT /meetings/<id>/agenda/<requirement_id>: the item's minutes and decision."""

    decision = fields.String(allow_none=True, validate=validate.OneOf(DECISIONS))
    reason = fields.String(allow_none=True, validate=validate.Length(max=2000))
    notes = fields.String(allow_none=True, validate=validate.Length(max=50000))
    target = fields.String(allow_none=True, validate=validate.Length(max=200))
    until = fields.Date(allow_none=True)


class NotesSchema(StrictSchema):
    notes = fields.String(load_default="", validate=validate.Length(max=50000))


class SummarySchema(StrictSchema):
    summary = fields.String(load_default="", validate=validate.Length(max=50000))


class AttendeeCreateSchema(StrictSchema):
    name = Trimmed(required=True, validate=validate.Length(min=1, max=100))
    organization = fields.String(required=True, validate=validate.OneOf(ORGANIZATIONS))
    role = Trimmed(validate=validate.Length(max=100))
    present = fields.Boolean(load_default=True)


class AttendeePatchSchema(AttendeeCreateSchema):
    def on_bind_field(self, field_name, field_obj):
        field_obj.required = False
        field_obj.load_default = missing


class ActionItemCreateSchema(StrictSchema):
    text = Trimmed(required=True, validate=validate.Length(min=1, max=2000))
    owner = Trimmed(required=True, validate=validate.Length(min=1, max=100))
    due = fields.Date(allow_none=True)
    requirement_id = fields.Integer(strict=True, allow_none=True)


class AmendmentCreateSchema(StrictSchema):
    text = Trimmed(required=True, validate=validate.Length(min=1, max=10000))


class FinalizeSchema(StrictSchema):
    """POST /meetings/<id>/finalize: no body after the meeting's start; before it,
    `{"confirm_early": true}` confirms finalising early (else 409 naming the scheduled time)."""

    confirm_early = fields.Boolean(load_default=False)


# --- output ------------------------------------------------------------------------------


class AgendaItemSchema(Schema):
    requirement_id = fields.Integer()
    code = fields.Function(lambda i: i.requirement.code)
    title = fields.Function(lambda i: i.requirement.title)
    status = fields.Function(lambda i: i.requirement.status)
    status_label = fields.Function(lambda i: workflow.label(i.requirement.status))
    domain = fields.Function(lambda i: i.requirement.domain)
    region = fields.Function(lambda i: i.requirement.region.code)
    position = fields.Integer()
    notes = fields.String()
    notes_saved_at = UtcDateTime()
    decision = fields.String(allow_none=True)
    decision_label = fields.Function(lambda i: workflow.label(i.decision) if i.decision else None)
    reason = fields.String()
    target = fields.String()
    until = fields.Date(allow_none=True)
    decided_by = fields.Function(lambda i: i.decided_by.username if i.decided_by else None)
    decided_at = UtcDateTime()
    # the requirement's status when put on the agenda / when decided (finalising checks them)
    status_when_added = fields.String(allow_none=True)
    status_when_decided = fields.String(allow_none=True)


class AttendeeSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    organization = fields.String()
    organization_label = fields.Method("get_label")
    role = fields.String()
    present = fields.Boolean()

    def get_label(self, attendee):
        from app.services.meetings.minutes import ORGANIZATION_LABELS_ZH

        return ORGANIZATION_LABELS_ZH.get(attendee.organization, attendee.organization)


class ActionItemSchema(Schema):
    id = fields.Integer()
    text = fields.String()
    owner = fields.String()
    due = fields.Date(allow_none=True)
    requirement_id = fields.Integer(allow_none=True)
    requirement_code = fields.Function(lambda a: a.requirement.code if a.requirement else None)


class AmendmentSchema(Schema):
    id = fields.Integer()
    text = fields.String()
    author = fields.Function(lambda a: a.author.username)
    author_name = fields.Function(lambda a: a.author.name)
    at = UtcDateTime()


class MeetingSummarySchema(Schema):
    id = fields.Integer()
    title = fields.String()
    scheduled_at = UtcDateTime()
    duration_minutes = fields.Integer()
    location = fields.String()
    video_link = fields.String()
    status = fields.String()
    organiser = fields.Function(lambda m: m.organiser.username)
    organiser_name = fields.Function(lambda m: m.organiser.name)
    region = fields.Function(lambda m: m.region.code)
    version = fields.Integer()
    agenda_count = fields.Function(lambda m: len(m.agenda_items))
    agenda_codes = fields.Function(lambda m: [i.requirement.code for i in m.agenda_items])
    finalised_at = UtcDateTime()


class MeetingSchema(MeetingSummarySchema):
    summary = fields.String()
    summary_saved_at = UtcDateTime()
    finalised_by = fields.Function(lambda m: m.finalised_by.username if m.finalised_by else None)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    agenda = fields.List(fields.Nested(AgendaItemSchema), attribute="agenda_items")
    attendees = fields.List(fields.Nested(AttendeeSchema))
    action_items = fields.List(fields.Nested(ActionItemSchema))
    amendments = fields.List(fields.Nested(AmendmentSchema))
    hidden_items = fields.Integer(dump_default=0, metadata={
        "description": "How many agenda items are outside your region (left out of `agenda`)."})


class MeetingPageSchema(Schema):
    items = fields.List(fields.Nested(MeetingSummarySchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class AppliedTransitionSchema(Schema):
    requirement_id = fields.Integer()
    code = fields.String()
    # "from" is a Python keyword: the attribute is from_status
    from_ = fields.String(attribute="from_status", data_key="from")
    to = fields.String(attribute="to_status")
    decision = fields.String()
    reason = fields.String()
    event_id = fields.Integer()


class CannedReasonsSchema(Schema):
    """The canned reasons the minutes form offers, by decision."""

    rejected = fields.List(fields.String())


class FeedbackSchema(Schema):
    id = fields.Integer()
    requirement_id = fields.Integer()
    meeting_id = fields.Integer()
    meeting_title = fields.Function(lambda f: f.meeting.title if f.meeting else None)
    # a merge's feedback: the proposer told, and the original their requirement joined
    proposer_id = fields.Integer(allow_none=True)
    original = fields.Function(lambda f: f.original.code if f.original else None)
    decision = fields.String()
    decision_label = fields.Function(lambda f: workflow.label(f.decision))
    reason = fields.String()
    created_at = UtcDateTime()


class FinalizeResultSchema(Schema):
    meeting = fields.Nested(MeetingSchema)
    transitions = fields.List(fields.Nested(AppliedTransitionSchema))
    feedback = fields.List(fields.Nested(FeedbackSchema))


class RequirementMeetingSchema(Schema):
    """A meeting a requirement was on, with what it decided for it."""

    meeting_id = fields.Integer()
    title = fields.Function(lambda i: i.meeting.title)
    scheduled_at = UtcDateTime(attribute="meeting.scheduled_at")
    meeting_status = fields.Function(lambda i: i.meeting.status)
    decision = fields.String(allow_none=True)
    reason = fields.String()
    target = fields.String()
    until = fields.Date(allow_none=True)
    notes = fields.String()
