"""Schemas for similar requirements, proposers, merge undo and possible-duplicate groups."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.common import StrictSchema, UtcDateTime
from app.services import workflow


class SimilarQuerySchema(Schema):
    class Meta:
        unknown = "exclude"

    text = fields.String(load_default="", validate=validate.Length(max=20200))
    # the similar-requirements panel of the new-requirement form sends what is being typed
    title = fields.String(load_default="", validate=validate.Length(max=200))
    description = fields.String(load_default="", validate=validate.Length(max=20000))
    limit = fields.Integer(load_default=5, validate=validate.Range(min=1, max=20))
    exclude = fields.Integer(load_default=None, allow_none=True)


class RequirementBriefSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    title = fields.String()
    status = fields.String()
    status_label = fields.Function(lambda r: workflow.label(r.status))
    region = fields.Function(lambda r: r.region.code)
    region_name = fields.Function(lambda r: r.region.name)


class SimilarSchema(RequirementBriefSchema):
    """One similar requirement with its 0..1 similarity score."""

    id = fields.Function(lambda s: s.requirement.id)
    code = fields.Function(lambda s: s.requirement.code)
    title = fields.Function(lambda s: s.requirement.title)
    status = fields.Function(lambda s: s.requirement.status)
    status_label = fields.Function(lambda s: workflow.label(s.requirement.status))
    region = fields.Function(lambda s: s.requirement.region.code)
    region_name = fields.Function(lambda s: s.requirement.region.name)
    score = fields.Float()


class ProposerSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    unit = fields.String()
    contact = fields.String()
    region = fields.Function(lambda p: p.region.code)
    region_name = fields.Function(lambda p: p.region.name)
    channel = fields.String()
    raised_at = UtcDateTime()
    # the requirement it was filed with (another one's code when merged in)
    origin_id = fields.Integer()


class ProposersSchema(Schema):
    items = fields.List(fields.Nested(ProposerSchema))
    proposers = fields.Integer()
    units = fields.Integer()
    cities = fields.Integer()


class UndoMergeSchema(StrictSchema):
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class GroupSchema(Schema):
    original = fields.Nested(RequirementBriefSchema)
    duplicates = fields.List(fields.Nested(SimilarSchema))


class ProposerFiguresSchema(Schema):
    requirements = fields.Integer()
    proposers = fields.Integer()
    units = fields.Integer()
    cities = fields.Integer()
