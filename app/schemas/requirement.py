"""Requirement schemas: create, patch, list query, transition, comment, output."""
from __future__ import annotations

from marshmallow import Schema, fields, validate
from webargs.fields import DelimitedList

from app.models.requirement import CUSTOM_DEV_CHOICES
from app.schemas.common import LookupCode, PageQuerySchema, StrictSchema, Trimmed, UtcDateTime
from app.services import requirements, workflow


def _text(max_len: int, **kw) -> fields.String:
    return Trimmed(validate=validate.Length(max=max_len), **kw)


class RequirementFieldsSchema(StrictSchema):
    title = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    description = _text(20000)
    domain = fields.String(required=True, validate=LookupCode("domain"))
    module = _text(100)
    type = fields.String(required=True, validate=LookupCode("type"))
    priority = fields.String(required=True, validate=LookupCode("priority"))
    channel = fields.String(required=True, validate=LookupCode("channel"))
    region = fields.String(required=True, validate=validate.Length(min=1, max=12))
    proposer_name = Trimmed(required=True, validate=validate.Length(min=1, max=100))
    proposer_unit = _text(200)
    proposer_contact = _text(100)
    needs_custom_dev = fields.String(validate=validate.OneOf(CUSTOM_DEV_CHOICES))
    assessment_notes = _text(20000)
    assignee = fields.String(allow_none=True, validate=validate.Length(max=64))
    due_date = fields.Date(allow_none=True)
    external_ref = _text(100)


class RequirementCreateSchema(RequirementFieldsSchema):
    pass


class RequirementPatchSchema(RequirementFieldsSchema):
    """Every field optional; `version` (as read) required for optimistic locking."""

    version = fields.Integer(required=True, strict=True)
    # a code deactivated since may be kept; the service refuses a change *to* an inactive one
    domain = fields.String(validate=LookupCode("domain", allow_inactive=True))
    type = fields.String(validate=LookupCode("type", allow_inactive=True))
    priority = fields.String(validate=LookupCode("priority", allow_inactive=True))
    channel = fields.String(validate=LookupCode("channel", allow_inactive=True))

    def on_bind_field(self, field_name, field_obj):
        if field_name != "version":
            field_obj.required = False


class RequirementFilterSchema(Schema):
    """The filters that pick requirements: the list's, and the figures' that count them."""

    class Meta:
        unknown = "exclude"

    status = DelimitedList(fields.String(validate=validate.OneOf(workflow.STATUSES)))
    domain = DelimitedList(fields.String())
    type = DelimitedList(fields.String())
    priority = DelimitedList(fields.String())
    channel = DelimitedList(fields.String())
    region = fields.String()
    # filed on or after / on or before these days (Beijing time), e.g. a month's bar on the dashboard
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")


class RequirementQuerySchema(PageQuerySchema, RequirementFilterSchema):
    class Meta:
        unknown = "exclude"

    assignee = fields.String()
    # due on or after / on or before these days (the dashboard's overdue and at-risk counts)
    due_from = fields.Date()
    due_to = fields.Date()
    # a service-level clock at risk (80 % of its target used) or breached
    sla = fields.String(validate=validate.OneOf(("at_risk", "breached")))
    q = fields.String(validate=validate.Length(max=200))
    sort = fields.String(
        validate=validate.OneOf([p + s for s in requirements.SORTS for p in ("", "-")])
    )


def _release_of(req) -> dict | None:
    from app.services.releases import release_of

    release = release_of(req)
    return {"id": release.id, "version": release.version} if release else None


class RequirementSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    status = fields.String()
    status_label = fields.Function(lambda r: workflow.label(r.status))
    version = fields.Integer()
    title = fields.String()
    description = fields.String()
    domain = fields.String()
    module = fields.String()
    type = fields.String()
    priority = fields.String()
    channel = fields.String()
    region = fields.Function(lambda r: r.region.code)
    region_name = fields.Function(lambda r: r.region.name)
    proposer_name = fields.String()
    proposer_unit = fields.String()
    proposer_contact = fields.String()
    needs_custom_dev = fields.String()
    assessment_notes = fields.String()
    assignee = fields.Function(lambda r: r.assignee.username if r.assignee else None)
    due_date = fields.Date(allow_none=True)
    external_ref = fields.String()
    duplicate_of = fields.Function(lambda r: r.duplicate_of.code if r.duplicate_of else None)
    # the release carrying it ({id, version}) or null (app.services.releases)
    release = fields.Function(lambda r: _release_of(r))
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    status_changed_at = UtcDateTime()


class RequirementPageSchema(Schema):
    items = fields.List(fields.Nested(RequirementSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class TransitionSchema(StrictSchema):
    to = fields.String(required=True, validate=validate.OneOf(workflow.STATUSES))
    reason = fields.String(validate=validate.Length(max=2000), load_default=None, allow_none=True)
    duplicate_of = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    # the release a move to `scheduled` schedules it into (an open release)
    release_id = fields.Integer(load_default=None, allow_none=True, strict=True)


class MovesSchema(Schema):
    """The moves a user may make on a requirement now."""

    status = fields.String()
    allowed = fields.List(fields.String(), attribute="allowed")


class CommentSchema(StrictSchema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=10000))


class EventSchema(Schema):
    id = fields.Integer()
    at = UtcDateTime()
    kind = fields.String()
    actor = fields.Function(lambda e: e.actor.username if e.actor else None)
    actor_name = fields.Function(lambda e: e.actor.name if e.actor else None)
    summary = fields.Method("get_summary")
    details = fields.Dict(attribute="data")

    def get_summary(self, event):
        from app.services.timeline import describe

        return describe(event)


class AttachmentSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    size = fields.Integer()
    content_type = fields.String()
    uploaded_by = fields.Function(lambda a: a.uploaded_by.username)
    uploaded_at = UtcDateTime()
