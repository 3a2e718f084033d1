"""Service levels: targets, a requirement's clocks, feedback delivery."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.common import StrictSchema, Trimmed, UtcDateTime
from app.services.sla import CHANNELS
from app.services.sla.clocks import CLOCKS, STATES


class SlaTargetSchema(StrictSchema):
    clock = fields.String(required=True, validate=validate.OneOf(CLOCKS))
    # a requirement type code, or * for any
    type = fields.String(load_default="*", validate=validate.Length(min=1, max=40))
    # a priority code, or * for any
    priority = fields.String(load_default="*", validate=validate.Length(min=1, max=20))
    # working minutes (a working day of the default hours is 420)
    minutes = fields.Integer(required=True, validate=validate.Range(min=1, max=366 * 24 * 60))


class SlaTargetsSchema(StrictSchema):
    targets = fields.List(fields.Nested(SlaTargetSchema), required=True, validate=validate.Length(min=1, max=500))


class SlaReadingSchema(Schema):
    clock = fields.String(metadata={"enum": list(CLOCKS)})
    state = fields.String(metadata={"enum": list(STATES)})
    used_minutes = fields.Integer()
    target_minutes = fields.Integer()
    started_at = UtcDateTime()
    # while running: when 80 % of the target is used, and when all of it is
    at_risk_at = UtcDateTime(allow_none=True)
    due_at = UtcDateTime(allow_none=True)


class RequirementSlaSchema(Schema):
    requirement_id = fields.Integer()
    clocks = fields.List(fields.Nested(SlaReadingSchema))


class FeedbackDeliverySchema(StrictSchema):
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    note = Trimmed(load_default="", validate=validate.Length(max=1000))


class FeedbackDeliveredSchema(Schema):
    feedback_id = fields.Integer()
    channel = fields.String()
    note = fields.String()
    delivered_at = UtcDateTime()
