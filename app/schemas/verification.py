"""Scenario library and verification schemas: the one validation source for API and forms."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.models.verification import ENVIRONMENTS, RESULT_STATUSES
from app.schemas.common import LookupCode, PageQuerySchema, StrictSchema, UtcDateTime

VERSION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-]*$"



# --- scenario library --------------------------------------------------------------------


class FeatureImportSchema(StrictSchema):
    path = fields.String(required=True, validate=validate.Length(min=1, max=500))
    text = fields.String(required=True, validate=validate.Length(max=2_000_000))


class FeatureImportResultSchema(Schema):
    id = fields.Integer()
    path = fields.String()
    name = fields.String()
    revision = fields.Integer()
    scenario_count = fields.Integer()
    unchanged = fields.Boolean()
    added = fields.List(fields.String())
    changed = fields.List(fields.String())
    renamed = fields.Function(lambda r: [{"from": a, "to": b} for a, b in r.renamed])
    retired = fields.List(fields.String())
    restored = fields.List(fields.String())
    unknown_requirements = fields.List(fields.String())


class FeatureSchema(Schema):
    id = fields.Integer()
    path = fields.String()
    name = fields.String()
    language = fields.String()
    revision = fields.Integer()
    scenario_count = fields.Integer()
    updated_at = UtcDateTime()


class FeatureRevisionSchema(Schema):
    revision = fields.Integer()
    name = fields.String()
    scenario_count = fields.Integer()
    summary = fields.Dict()
    uploaded_by = fields.Function(lambda r: r.uploaded_by.username if r.uploaded_by else None)
    uploaded_at = UtcDateTime()


class FeaturePageSchema(Schema):
    items = fields.List(fields.Nested(FeatureSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class ScenarioQuerySchema(PageQuerySchema):
    class Meta:
        unknown = "exclude"

    feature = fields.Integer()
    domain = fields.String(validate=validate.Length(max=40))
    tag = fields.String(validate=validate.Length(max=200))
    requirement = fields.String(validate=validate.Length(max=20))
    q = fields.String(validate=validate.Length(max=200))
    include_retired = fields.Boolean(load_default=False)


class ScenarioSchema(Schema):
    id = fields.Integer()
    feature_id = fields.Integer()
    feature_path = fields.Function(lambda s: s.feature.path)
    name = fields.String()
    keyword = fields.String()
    rule = fields.String()
    description = fields.String()
    example = fields.Dict(allow_none=True)
    examples_name = fields.String()
    tags = fields.List(fields.String())
    steps = fields.List(fields.Dict())
    line = fields.Integer()
    example_line = fields.Integer(allow_none=True)
    retired = fields.Boolean()
    first_revision = fields.Integer()
    last_revision = fields.Integer()


class ScenarioPageSchema(Schema):
    items = fields.List(fields.Nested(ScenarioSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


# --- releases and runs -------------------------------------------------------------------


class ReleaseCreateSchema(StrictSchema):
    version = fields.String(required=True, validate=[validate.Length(min=1, max=40), validate.Regexp(
        VERSION_PATTERN, error="Use letters, digits, '.', '_' and '-' (e.g. V2026.11).")])
    name = fields.String(load_default="", validate=validate.Length(max=200))
    planned_date = fields.Date(allow_none=True, load_default=None)
    domains = fields.List(fields.String(validate=LookupCode("domain")), load_default=list)
    notes = fields.String(load_default="", validate=validate.Length(max=20000))


class RunBriefSchema(Schema):
    id = fields.Integer()
    release_id = fields.Integer()
    environment = fields.String()
    region = fields.Function(lambda r: r.region.code if r.region else None)
    scenario_count = fields.Integer()
    created_at = UtcDateTime()


class ReleaseSchema(Schema):
    id = fields.Integer()
    version = fields.String()
    name = fields.String()
    planned_date = fields.Date(allow_none=True)
    domains = fields.List(fields.String())
    notes = fields.String()
    created_by = fields.Function(lambda r: r.created_by.username)
    created_at = UtcDateTime()


class ReleaseDetailSchema(ReleaseSchema):
    runs = fields.List(fields.Nested(RunBriefSchema))


class RunCreateSchema(StrictSchema):
    environment = fields.String(required=True, validate=validate.OneOf(ENVIRONMENTS))
    region = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=12))
    tags = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=1000))
    domains = fields.List(fields.String(validate=LookupCode("domain")), load_default=list)
    requirements = fields.List(fields.String(validate=validate.Length(min=1, max=20)), load_default=list)
    scenario_ids = fields.List(fields.Integer(strict=True), load_default=list)


class RunSchema(Schema):
    id = fields.Integer()
    release_id = fields.Integer()
    release = fields.Function(lambda r: r.release.version)
    environment = fields.String()
    region = fields.Function(lambda r: r.region.code if r.region else None)
    selection = fields.Dict()
    scenario_count = fields.Integer()
    created_by = fields.Function(lambda r: r.created_by.username)
    created_at = UtcDateTime()
    totals = fields.Dict()


class StepResultSchema(StrictSchema):
    index = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    status = fields.String(required=True, validate=validate.OneOf(RESULT_STATUSES))


class ResultUpdateSchema(StrictSchema):
    status = fields.String(allow_none=True, validate=validate.OneOf(RESULT_STATUSES))
    steps = fields.List(fields.Nested(StepResultSchema))
    note = fields.String(validate=validate.Length(max=5000))
    defect = fields.String(validate=validate.Length(max=100))
    fed_back = fields.Boolean()


class BulkResultSchema(ResultUpdateSchema):
    scenario_id = fields.Integer(required=True, strict=True)


class StepOutSchema(Schema):
    index = fields.Integer()
    keyword = fields.String()
    text = fields.String()
    status = fields.String()
    background = fields.Boolean()
    data_table = fields.List(fields.List(fields.String()))
    doc_string = fields.Dict()
    error = fields.String()


class ResultRowSchema(Schema):
    scenario_id = fields.Integer()
    name = fields.String()
    example = fields.Dict(allow_none=True)
    status = fields.String()
    steps = fields.List(fields.Nested(StepOutSchema))
    keyword = fields.String()
    feature_path = fields.String()
    feature_name = fields.String()
    examples_name = fields.String(allow_none=True)
    attempt = fields.Integer()
    set_directly = fields.Boolean()
    note = fields.String()
    defect = fields.String()
    fed_back = fields.Boolean()
    source = fields.String(allow_none=True)
    tester = fields.String(allow_none=True)
    recorded_at = UtcDateTime()
    evidence = fields.List(fields.Dict())


class ResultQuerySchema(Schema):
    class Meta:
        unknown = "exclude"

    status = fields.String(validate=validate.OneOf(RESULT_STATUSES + ("failures",)))


class RerunSchema(StrictSchema):
    scenario_ids = fields.List(fields.Integer(strict=True), load_default=list)


class ImportAnswerSchema(Schema):
    format = fields.String()
    matched = fields.Integer()
    unmatched = fields.List(fields.String())
    passed = fields.Integer()
    failed = fields.Integer()
    blocked = fields.Integer()
    skipped = fields.Integer()

