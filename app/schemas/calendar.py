"""The working calendar: the days it answers and the admin's overrides."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.common import StrictSchema, Trimmed, UtcDateTime


class CalendarQuerySchema(Schema):
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)


class CalendarDaySchema(Schema):
    date = fields.Date(attribute="day")
    workday = fields.Boolean()
    # weekend, holiday, makeup_workday, override, workday
    reason = fields.String()
    # the official holiday (English name and Chinese label) of a holiday or a make-up working day
    holiday = fields.String(allow_none=True)
    holiday_label = fields.String(allow_none=True)
    # the override's note
    note = fields.String()
    # False: the package has no official schedule for the year (weekends + overrides only)
    official = fields.Boolean()


class OverrideSchema(Schema):
    date = fields.Date(attribute="day")
    workday = fields.Boolean()
    note = fields.String()
    created_at = UtcDateTime()


class OverrideCreateSchema(StrictSchema):
    date = fields.Date(required=True)
    workday = fields.Boolean(required=True)
    note = Trimmed(load_default="", validate=validate.Length(max=200))
