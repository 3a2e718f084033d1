"""Closing the loop with the proposer: feedback drafts, confirmation, opinions, follow-up calls,
and the e-mail outbox's delivery status."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.common import PageQuerySchema, StrictSchema, Trimmed, UtcDateTime
from app.services import workflow
from app.services.mail import STATUSES as MAIL_STATUSES
from app.services.sla import CHANNELS
from app.services.sla.confirmation import OUTCOMES
from app.utils import iso_utc


class FeedbackDraftSchema(Schema):
    feedback_id = fields.Integer()
    requirement_id = fields.Integer()
    code = fields.String()
    decision = fields.String()
    # the message to the proposer, in Chinese
    text = fields.String()
    # an active status link exists: `text` holds `link_placeholder` where to paste its URL
    share_link_active = fields.Boolean()
    share_link_expires_at = UtcDateTime(allow_none=True)
    link_placeholder = fields.String()
    delivered = fields.Boolean()
    delivered_at = fields.Function(lambda d: iso_utc(d.delivery.delivered_at) if d.delivery else None)
    delivered_channel = fields.Function(lambda d: d.delivery.channel if d.delivery else None)


class ConfirmationSchema(StrictSchema):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    # required when not satisfied: kept as the proposer's opinion
    reason = Trimmed(load_default="", validate=validate.Length(max=2000))


class ConfirmationResultSchema(Schema):
    requirement_id = fields.Integer(attribute="id")
    code = fields.String()
    status = fields.String()
    status_label = fields.Function(lambda r: workflow.label(r.status))


class FollowUpSchema(StrictSchema):
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    note = Trimmed(required=True, validate=validate.Length(min=1, max=2000))


class FollowUpResultSchema(Schema):
    id = fields.Integer()
    requirement_id = fields.Integer()
    kind = fields.String()
    at = UtcDateTime()
    channel = fields.Function(lambda e: e.data.get("channel"))
    note = fields.Function(lambda e: e.data.get("note"))


class OpinionQuerySchema(PageQuerySchema):
    # recorded on or after / on or before these local dates (the reports' periods)
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")


class OpinionSchema(Schema):
    id = fields.Integer()
    requirement_id = fields.Integer()
    code = fields.Function(lambda o: o.requirement.code)
    title = fields.Function(lambda o: o.requirement.title)
    region = fields.Function(lambda o: o.region.code)
    region_name = fields.Function(lambda o: o.region.name)
    reason = fields.String()
    recorded_by = fields.Function(lambda o: o.recorded_by.name if o.recorded_by else None)
    recorded_at = UtcDateTime()


class OpinionPageSchema(Schema):
    items = fields.List(fields.Nested(OpinionSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class OutboxQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(MAIL_STATUSES))


class OutboxMessageSchema(Schema):
    id = fields.Integer()
    to_address = fields.String()
    subject = fields.String()
    status = fields.String(metadata={"enum": list(MAIL_STATUSES)})
    attempts = fields.Integer()
    last_error = fields.String()
    created_at = UtcDateTime()
    next_attempt_at = UtcDateTime()
    sent_at = UtcDateTime(allow_none=True)


class OutboxPageSchema(Schema):
    items = fields.List(fields.Nested(OutboxMessageSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
