"""Release lifecycle schemas: moves, requirements in a release, gate, waivers, sign-offs, timeline."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_dump, validate, validates

from app.schemas.common import StrictSchema, Trimmed, UtcDateTime
from app.services import workflow
from app.services.releases import SIGNOFF_ROLES, lifecycle
from app.services.releases.gate import BLOCKER_KINDS, VERDICTS


class ReleaseTransitionSchema(StrictSchema):
    to = fields.String(required=True, validate=validate.OneOf(lifecycle.STATUSES))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    build = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


class ReleaseEditSchema(StrictSchema):
    signoff_roles = fields.List(fields.String(validate=validate.OneOf(SIGNOFF_ROLES)),
                                validate=validate.Length(min=1, max=len(SIGNOFF_ROLES)))
    build = fields.String(validate=validate.Length(max=100))

    @validates("signoff_roles")
    def _distinct(self, value: list[str], **kwargs) -> None:
        if len(set(value)) != len(value):
            raise validate.ValidationError("Each role signs once.")


class ReleaseEventSchema(Schema):
    id = fields.Integer()
    at = UtcDateTime()
    kind = fields.String()
    actor = fields.Function(lambda e: e.actor.username if e.actor else None)
    actor_name = fields.Function(lambda e: e.actor.name if e.actor else None)
    summary = fields.Method("get_summary")
    details = fields.Dict(attribute="data")

    def get_summary(self, event) -> str:
        from app.services.releases.timeline import describe

        return describe(event)


class RequirementIdsSchema(StrictSchema):
    requirement_ids = fields.List(fields.Integer(strict=True), required=True, validate=validate.Length(min=1, max=500))


class ReleaseRequirementSchema(Schema):
    """A `releases.RequirementVerdict`: a requirement of the release with its verdict."""

    id = fields.Integer(attribute="requirement.id")
    code = fields.String(attribute="requirement.code")
    title = fields.String(attribute="requirement.title")
    status = fields.String(attribute="requirement.status")
    status_label = fields.Function(lambda v: workflow.label(v.requirement.status))
    verdict = fields.String(validate=validate.OneOf(VERDICTS))
    scenario_ids = fields.List(fields.Integer())
    failing_scenario_ids = fields.List(fields.Integer(), attribute="failing")
    removed = fields.Boolean()


class BlockerSchema(Schema):
    """A gate blocker: `scenario_id` or `requirement_id` where it names one."""

    kind = fields.String(validate=validate.OneOf(BLOCKER_KINDS))
    scenario_id = fields.Integer(allow_none=True)
    requirement_id = fields.Integer(allow_none=True)
    message = fields.String()

    @post_dump
    def _only_what_it_names(self, data: dict[str, Any], **kwargs) -> dict[str, Any]:
        for name in ("scenario_id", "requirement_id"):
            if data.get(name) is None:
                data.pop(name, None)
        return data


class GateSchema(Schema):
    passed = fields.Boolean()
    blockers = fields.List(fields.Nested(BlockerSchema))
    totals = fields.Dict(keys=fields.String(), values=fields.Integer())
    kinds = fields.Dict(keys=fields.String(), values=fields.Dict())
    excluded_scenario_ids = fields.List(fields.Integer(), attribute="excluded")


class WaiverCreateSchema(StrictSchema):
    scenario_id = fields.Integer(required=True, strict=True)
    reason = Trimmed(required=True, validate=validate.Length(min=1, max=2000))


class WaiverSchema(Schema):
    id = fields.Integer()
    scenario_id = fields.Integer()
    reason = fields.String()
    created_by = fields.String(attribute="created_by.username")
    created_at = UtcDateTime()
    withdrawn_at = UtcDateTime(allow_none=True)


class SignoffCreateSchema(StrictSchema):
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "refuse")))
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class SignoffSchema(Schema):
    id = fields.Integer()
    round = fields.Integer()
    role = fields.String()
    decision = fields.String()
    comment = fields.String()
    user = fields.String(attribute="user.username")
    at = UtcDateTime()


class ProblemSchema(Schema):
    scenario_id = fields.Integer()
    run_id = fields.Integer()
    name = fields.String()
    feature_path = fields.String()
    status = fields.String()
    attempt = fields.Integer()
    failing_step = fields.String()
    error = fields.String()
    defect = fields.String()
    evidence = fields.List(fields.Dict())
    fed_back = fields.Boolean()
    waived = fields.Boolean()
    excluded = fields.Boolean()
