"""Upgrade window and freeze periods: input times are ISO 8601; one without an offset is
Beijing time (the configured zone); answers are UTC with their offset."""
from __future__ import annotations

from datetime import timezone

from flask import current_app
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.schemas.common import PageQuerySchema, StrictSchema, Trimmed, UtcDateTime
from app.services.errors import Msg


class LocalDateTime(fields.DateTime):
    """An ISO 8601 time loaded as naive UTC; without an offset it is Beijing time."""

    default_error_messages = {"invalid": Msg("Not a valid date and time (ISO 8601).")}

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment.tzinfo is None:
            from zoneinfo import ZoneInfo

            moment = moment.replace(tzinfo=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
        try:
            return moment.astimezone(timezone.utc).replace(tzinfo=None)
        except (OverflowError, ValueError):  # beyond the calendar's ends (year 1, year 9999)
            raise self.make_error("invalid") from None


def _check_order(data, start_key: str, end_key: str) -> None:
    if data.get(start_key) is not None and data.get(end_key) is not None and data[end_key] <= data[start_key]:
        raise ValidationError(Msg("The end must be after the start."), "end")


class WindowSetSchema(StrictSchema):
    start = LocalDateTime(required=True)
    end = LocalDateTime(required=True)
    override_reason = Trimmed(load_default=None, allow_none=True)

    @validates_schema
    def _order(self, data, **kwargs):
        _check_order(data, "start", "end")


class FreezeShortSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class WindowSchema(Schema):
    release_id = fields.Integer()
    start = UtcDateTime(attribute="starts_at")
    end = UtcDateTime(attribute="ends_at")
    override_reason = fields.String()
    overridden_freeze = fields.Nested(FreezeShortSchema, allow_none=True)
    set_by = fields.Function(lambda w: w.set_by.username if w.set_by else None)
    set_at = UtcDateTime()


class FreezeCreateSchema(StrictSchema):
    name = Trimmed(required=True, validate=validate.Length(min=1, max=100))
    start = LocalDateTime(required=True, data_key="start", attribute="starts_at")
    end = LocalDateTime(required=True, data_key="end", attribute="ends_at")
    reason = Trimmed(load_default="")

    @validates_schema
    def _order(self, data, **kwargs):
        _check_order(data, "starts_at", "ends_at")


class FreezeUpdateSchema(StrictSchema):
    name = Trimmed(validate=validate.Length(min=1, max=100))
    start = LocalDateTime(data_key="start", attribute="starts_at")
    end = LocalDateTime(data_key="end", attribute="ends_at")
    reason = Trimmed()

    @validates_schema
    def _order(self, data, **kwargs):
        _check_order(data, "starts_at", "ends_at")


class FreezeSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    start = UtcDateTime(attribute="starts_at")
    end = UtcDateTime(attribute="ends_at")
    reason = fields.String()
    created_at = UtcDateTime()


class FreezePageSchema(Schema):
    items = fields.List(fields.Nested(FreezeSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


FreezeQuerySchema = PageQuerySchema
