"""Notifications: the list, marking read, the e-mail preference."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.schemas.common import PageQuerySchema, StrictSchema, UtcDateTime
from app.services.notifications import KINDS, describe


class NotificationQuerySchema(PageQuerySchema):
    # only the unread ones
    unread = fields.Boolean(load_default=False)


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": list(KINDS)})
    text = fields.Function(describe)
    requirement_id = fields.Integer(allow_none=True)
    release_id = fields.Integer(allow_none=True)
    data = fields.Dict()
    created_at = UtcDateTime()
    read_at = UtcDateTime(allow_none=True)


class NotificationPageSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    unread_count = fields.Integer()


class MarkReadSchema(StrictSchema):
    ids = fields.List(fields.Integer(validate=validate.Range(min=1)), validate=validate.Length(max=1000))
    all = fields.Boolean()

    @validates_schema
    def _one_of(self, data, **kwargs):
        if not data.get("all") and "ids" not in data:
            raise ValidationError("Send 'ids' (a list) or 'all': true.", field_name="ids")


class MarkReadResultSchema(Schema):
    marked = fields.Integer()
    unread_count = fields.Integer()


class WatchSchema(Schema):
    requirement_id = fields.Integer()
    watching = fields.Boolean()


class NotificationSettingsSchema(StrictSchema):
    email_enabled = fields.Boolean(required=True)
