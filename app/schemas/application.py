"""The upgrade application with its emergency plan, and the upgrade announcement (issue 9)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.common import PageQuerySchema, StrictSchema, Trimmed, UtcDateTime
from app.services.releases.application import BODY_MAX, SECTION_MAX, SECTIONS, TITLE_MAX


def _section(**kwargs):
    # an emptied textarea of the page's form arrives as null: it empties the section
    return Trimmed(allow_none=True, validate=validate.Length(max=SECTION_MAX), **kwargs)


class ApplicationUpdateSchema(StrictSchema):
    """Some or all of the seven sections; a section not sent is left as it is."""

    scope = _section()
    risks = _section()
    criteria = _section()
    method = _section()
    rollback = _section()
    tracking = _section()
    contacts = _section()


assert tuple(ApplicationUpdateSchema().fields) == SECTIONS


class ApplicationRequirementSchema(Schema):
    code = fields.String()
    title = fields.String()
    domain = fields.String(allow_none=True)
    verdict = fields.String()
    removed = fields.Boolean()


class AcceptanceSchema(Schema):
    result = fields.String(metadata={"description": "passed, failed or pending"})
    accepted_at = fields.String(allow_none=True)
    report_url = fields.String()
    report_docx_url = fields.String()
    totals = fields.Dict(keys=fields.String(), values=fields.Integer())


class ApplicationSchema(Schema):
    release_id = fields.Function(lambda a: a.release.id)
    version = fields.Function(lambda a: a.release.version)
    name = fields.Function(lambda a: a.release.name)
    build = fields.Function(lambda a: a.release.build)
    status = fields.Function(lambda a: a.release.status)
    domains = fields.Function(lambda a: list(a.release.domains or []))
    requirements = fields.List(fields.Nested(ApplicationRequirementSchema))
    acceptance = fields.Method("_acceptance")
    scope = fields.Function(lambda a: a.sections["scope"])
    risks = fields.Function(lambda a: a.sections["risks"])
    criteria = fields.Function(lambda a: a.sections["criteria"])
    method = fields.Function(lambda a: a.sections["method"])
    rollback = fields.Function(lambda a: a.sections["rollback"])
    tracking = fields.Function(lambda a: a.sections["tracking"])
    contacts = fields.Function(lambda a: a.sections["contacts"])
    empty_sections = fields.List(fields.String(), attribute="empty")
    complete = fields.Boolean()
    updated_at = UtcDateTime(allow_none=True)
    updated_by = fields.Function(lambda a: a.updated_by.username if a.updated_by else None)

    def _acceptance(self, app):
        from flask import url_for

        return AcceptanceSchema().dump({
            **app.acceptance,
            "report_url": url_for("web.release_report", release_id=app.release.id),
            "report_docx_url": url_for("web.release_report_docx", release_id=app.release.id)})


class AnnouncementUpdateSchema(StrictSchema):
    # an emptied input of the page's form arrives as null: the service names it (422)
    title = Trimmed(allow_none=True, validate=validate.Length(min=1, max=TITLE_MAX))
    body = Trimmed(allow_none=True, validate=validate.Length(min=1, max=BODY_MAX))
    publish = fields.Boolean(metadata={"description": "true publishes (needs the window), false withdraws"})


class AnnouncementSchema(Schema):
    id = fields.Integer(allow_none=True)
    release_id = fields.Function(lambda a: a.release.id)
    version = fields.Function(lambda a: a.release.version)
    title = fields.String()
    body = fields.String()
    drafted = fields.Boolean(metadata={"description": "true: drafted from the release and window, not yet saved"})
    published = fields.Boolean()
    published_at = UtcDateTime(allow_none=True)
    published_by = fields.Function(lambda a: a.published_by.username if a.published_by else None)
    updated_at = UtcDateTime(allow_none=True)


class PublishedAnnouncementSchema(Schema):
    id = fields.Integer()
    release_id = fields.Integer()
    version = fields.Function(lambda a: a.release.version)
    title = fields.String()
    body = fields.String()
    published_at = UtcDateTime()
    published_by = fields.Function(lambda a: a.published_by.username if a.published_by else None)


class AnnouncementPageSchema(Schema):
    items = fields.List(fields.Nested(PublishedAnnouncementSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


AnnouncementQuerySchema = PageQuerySchema
