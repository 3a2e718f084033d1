"""Query and answer schemas of the task force's figures and reports (API and pages alike)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from webargs.fields import DelimitedList

from app.schemas.common import StrictSchema, Trimmed, UtcDateTime
from app.schemas.requirement import RequirementFilterSchema
from app.services.errors import Msg
from app.services.stats import DIMENSIONS, MEASURES


class StatsFilterSchema(RequirementFilterSchema):
    """The requirement list's filters that figures take (period, region and the coded fields);
    here a period running backwards is an error, as figures over it would be empty."""

    @validates_schema
    def _period(self, data, **kwargs):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError(Msg("'from' must not be after 'to'."), "to")


class StatsQuerySchema(StatsFilterSchema):
    by = DelimitedList(fields.String(validate=validate.OneOf(DIMENSIONS)), required=True,
                       validate=validate.Length(min=1, max=2))
    # what is counted: requirements, or their proposers (the units that raised them)
    measure = fields.String(load_default="requirements", validate=validate.OneOf(MEASURES))

    @validates_schema
    def _distinct(self, data, **kwargs):
        by = data.get("by") or []
        if len(set(by)) != len(by):
            raise ValidationError(Msg("Name two different dimensions."), "by")


class StatsSchema(Schema):
    by = fields.List(fields.String())
    measure = fields.String()
    rows = fields.List(fields.Dict())
    total = fields.Integer()


class MonthQuerySchema(Schema):
    # YYYY-MM within the years the half-year and annual reports take (2000-2100)
    month = fields.String(required=True, validate=validate.Regexp(r"^(20\d\d|2100)-(0[1-9]|1[0-2])$"))
    region = fields.String()


class HalfYearQuerySchema(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    half = fields.Integer(required=True, validate=validate.OneOf([1, 2]))
    region = fields.String()


class YearQuerySchema(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    region = fields.String()


class NotableCaseInSchema(StrictSchema):
    write_up = Trimmed(required=True, validate=validate.Length(min=1, max=2000))


class NotableCaseSchema(Schema):
    requirement = fields.Function(lambda c: c.requirement.code)
    write_up = fields.String()
    marked_by = fields.Function(lambda c: c.marked_by.username)
    marked_by_name = fields.Function(lambda c: c.marked_by.name)
    marked_at = UtcDateTime()
