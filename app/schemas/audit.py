"""The audit log: its filters (API query, page query, export) and an entry as the API answers it."""
from __future__ import annotations

from datetime import date

from marshmallow import Schema, fields, validate

from app.schemas.common import PageQuerySchema, UtcDateTime
from app.services.audit import ACTIONS, action_label, describe_change

# a day beyond these names no entry (and stays far from the date type's limits)
DAYS = validate.Range(min=date(2000, 1, 1), max=date(2999, 12, 31))


class AuditFilterSchema(Schema):
    class Meta:
        unknown = "exclude"

    # a username (a failed sign-in's entry counts under the name tried, known or not)
    actor = fields.String(validate=validate.Length(max=64))
    action = fields.String(validate=validate.OneOf(list(ACTIONS)))
    # from / to: local days (Beijing time), inclusive
    date_from = fields.Date(data_key="from", validate=DAYS)
    date_to = fields.Date(data_key="to", validate=DAYS)
    # text in the summary, path, target, username, endpoint or address
    q = fields.String(validate=validate.Length(max=200))


class AuditQuerySchema(PageQuerySchema, AuditFilterSchema):
    class Meta:
        unknown = "exclude"


class AuditEntrySchema(Schema):
    id = fields.Integer()
    created_at = UtcDateTime()
    actor_id = fields.Integer(allow_none=True)
    actor = fields.String(attribute="actor_name")
    action = fields.String(metadata={"enum": list(ACTIONS)})
    action_label = fields.Function(lambda e: action_label(e.action))
    target_type = fields.String()
    target_id = fields.String()
    summary = fields.String()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    change = fields.Function(lambda e: describe_change(e.before, e.after))
    method = fields.String()
    path = fields.String()
    endpoint = fields.String()
    status = fields.Integer(allow_none=True)
    address = fields.String()
    user_agent = fields.String()


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEntrySchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
