"""History across releases (the scenario matrix, comparing two releases) and operation manual updates."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.common import LookupCode, PageQuerySchema, StrictSchema, Trimmed, UtcDateTime
from app.services.releases.history import MAX_RELEASES
from app.services.releases.manuals import STATES


class MatrixQuerySchema(PageQuerySchema):
    class Meta:
        unknown = "exclude"

    releases = fields.Integer(load_default=12, validate=validate.Range(min=1, max=MAX_RELEASES))
    domain = fields.String(validate=[validate.Length(max=40), LookupCode("domain", allow_inactive=True)])
    feature = fields.Integer(validate=validate.Range(min=1))
    unstable = fields.Boolean(load_default=None, allow_none=True)


class MatrixReleaseSchema(Schema):
    id = fields.Integer()
    version = fields.String()
    name = fields.String()
    status = fields.String()
    created_at = UtcDateTime()


class MatrixRowSchema(Schema):
    scenario_id = fields.Integer()
    name = fields.String()
    example = fields.Dict(allow_none=True)
    feature_id = fields.Integer()
    feature_path = fields.String()
    feature_name = fields.String()
    domain = fields.String()
    retired = fields.Boolean()
    flips = fields.Integer()
    unstable = fields.Boolean()


def _cells(row, release_ids: list[int]) -> list:
    """One entry per release column, in the columns' order (null: in none of that release's
    acceptance runs the reader sees)."""
    out = []
    for release_id in release_ids:
        cell = row.cells.get(release_id)
        out.append(None if cell is None else {
            "release_id": cell.release_id, "run_id": cell.run_id, "status": cell.status, "waived": cell.waived,
            "result_url": f"/api/v1/runs/{cell.run_id}/results/{row.scenario_id}"})
    return out


class MatrixSchema(Schema):
    releases = fields.List(fields.Nested(MatrixReleaseSchema))
    items = fields.Method("get_items")
    total = fields.Function(lambda m: m.rows.total)
    page = fields.Function(lambda m: m.rows.page)
    per_page = fields.Function(lambda m: m.rows.per_page)
    unstable_total = fields.Integer()

    def get_items(self, matrix) -> list:
        release_ids = [r.id for r in matrix.releases]
        rows = MatrixRowSchema(many=True).dump(matrix.rows.items)
        for dumped, row in zip(rows, matrix.rows.items):
            dumped["cells"] = _cells(row, release_ids)
        return rows


class ComparedScenarioSchema(Schema):
    scenario_id = fields.Integer()
    name = fields.String()
    feature_path = fields.String()
    before = fields.String(allow_none=True)
    after = fields.String(allow_none=True)
    run_before = fields.Integer(allow_none=True)
    run_after = fields.Integer(allow_none=True)
    retired = fields.Boolean()


class ComparisonSchema(Schema):
    a = fields.Nested(MatrixReleaseSchema)
    b = fields.Nested(MatrixReleaseSchema)
    newly_failing = fields.List(fields.Nested(ComparedScenarioSchema))
    newly_passing = fields.List(fields.Nested(ComparedScenarioSchema))
    new = fields.List(fields.Nested(ComparedScenarioSchema))
    retired = fields.List(fields.Nested(ComparedScenarioSchema))
    unchanged = fields.Integer()


# --- operation manual updates -------------------------------------------------------------


class ManualMarkSchema(StrictSchema):
    requirement_id = fields.Integer(required=True, validate=validate.Range(min=1))
    domain = Trimmed(required=True, validate=validate.Length(min=1, max=40))
    note = Trimmed(load_default="", validate=validate.Length(max=2000))


class ManualDoneSchema(StrictSchema):
    note = Trimmed(load_default="", validate=validate.Length(max=2000))


class ManualQuerySchema(PageQuerySchema):
    class Meta:
        unknown = "exclude"

    state = fields.String(load_default="all", validate=validate.OneOf(STATES))


class ManualUpdateSchema(Schema):
    id = fields.Integer()
    release_id = fields.Integer()
    requirement_id = fields.Integer()
    requirement_code = fields.String(attribute="requirement.code")
    requirement_title = fields.String(attribute="requirement.title")
    domain = fields.String()
    note = fields.String()
    created_by = fields.String(attribute="created_by.username")
    created_at = UtcDateTime()
    done = fields.Boolean()
    done_at = UtcDateTime(allow_none=True)
    done_by = fields.Function(lambda u: u.done_by.username if u.done_by else None)
    done_by_name = fields.Function(lambda u: u.done_by.name if u.done_by else None)
    done_note = fields.String()


class ManualPageSchema(Schema):
    items = fields.List(fields.Nested(ManualUpdateSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
