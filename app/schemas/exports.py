"""Background exports: what to export (a kind and its filters) and the job as reported."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.common import UtcDateTime

from app.services.exports import KINDS, STATUSES


class ExportJobInSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    # the kind's filters as its list takes them, e.g. {"region": "445200", "status": "submitted,assessing",
    # "from": "2026-01-01"}; lists may be given as JSON arrays
    filters = fields.Dict(keys=fields.String(validate=validate.Length(max=40)), load_default=dict)


class ExportJobSchema(Schema):
    id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(KINDS))
    filters = fields.Dict()
    status = fields.String(validate=validate.OneOf(STATUSES))
    total = fields.Integer()
    processed = fields.Integer()
    percent = fields.Integer()
    error = fields.String()
    size = fields.Integer()
    download_name = fields.String()
    created_at = UtcDateTime()
    started_at = UtcDateTime(allow_none=True)
    finished_at = UtcDateTime(allow_none=True)
    status_url = fields.String()
    file_url = fields.String(allow_none=True)
