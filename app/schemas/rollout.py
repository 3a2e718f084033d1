"""A release's rollout per region and the versions regions run (issue 9)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.schemas.common import StrictSchema, Trimmed, UtcDateTime
from app.services.errors import Msg
from app.services.releases import rollout_states


class TargetMoveSchema(StrictSchema):
    """PATCH a target: a move (`status`), its notes, or both."""

    status = fields.String(validate=validate.OneOf(rollout_states.STATUSES,
                                                   error=Msg("Choose a rollout status: %(choices)s.",
                                                             choices=", ".join(rollout_states.STATUSES))))
    notes = Trimmed(validate=validate.Length(max=2000), allow_none=True)

    @validates_schema
    def _something(self, data, **kwargs):
        if not data.get("status") and data.get("notes") is None:
            raise ValidationError(Msg("Give a status or notes."), "status")


class TargetAddSchema(StrictSchema):
    region = Trimmed(required=True, validate=validate.Length(min=1, max=12))


class SmokeRunSchema(StrictSchema):
    tags = Trimmed(load_default=None, allow_none=True, validate=validate.Length(max=500))


class UserShortSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    name = fields.String()


class TargetSchema(Schema):
    id = fields.Integer()
    release_id = fields.Integer()
    region = fields.String(attribute="region_code")
    region_name = fields.Function(lambda t: t.region.name)
    level = fields.Function(lambda t: t.region.level)
    parent = fields.Function(lambda t: t.region.parent.code if t.region.parent else None)
    status = fields.String()
    notes = fields.String()
    started_at = UtcDateTime()
    started_by = fields.Nested(UserShortSchema, allow_none=True)
    finished_at = UtcDateTime()
    finished_by = fields.Nested(UserShortSchema, allow_none=True)
    smoke_run_id = fields.Integer(allow_none=True)
    overdue = fields.Boolean()
    smoke_passed = fields.Boolean(allow_none=True)


class BoardSchema(Schema):
    release_id = fields.Function(lambda b: b.release.id)
    release_status = fields.Function(lambda b: b.release.status)
    window_end = UtcDateTime()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    overdue = fields.Function(lambda b: [t.id for t in b.overdue])
    targets = fields.Function(lambda b: TargetSchema(many=True).dump(b.views()))


class ReleaseShortSchema(Schema):
    id = fields.Integer()
    version = fields.String()
    status = fields.String()


class RegionVersionSchema(Schema):
    region = fields.Function(lambda v: v.region.code)
    name = fields.Function(lambda v: v.region.name)
    level = fields.Function(lambda v: v.region.level)
    release = fields.Nested(ReleaseShortSchema, allow_none=True)
    since = UtcDateTime()
    inherited = fields.Boolean()
    behind = fields.Boolean()


class VersionsSchema(Schema):
    latest_completed = fields.Nested(ReleaseShortSchema, attribute="latest", allow_none=True)
    items = fields.List(fields.Nested(RegionVersionSchema))


class VersionsQuerySchema(Schema):
    behind = fields.Boolean(load_default=False)
