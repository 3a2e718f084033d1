from __future__ import annotations

from flask import g, make_response, render_template, request, send_file, url_for
from flask_babel import gettext as _
from jinja2_fragments.flask import render_block, render_blocks

from app.schemas.requirement import (
    CommentSchema,
    RequirementCreateSchema,
    RequirementPatchSchema,
    RequirementQuerySchema,
    TransitionSchema,
)
from app.services import paging, permissions, reference, requirements, users, workflow
from app.services.errors import DomainError, ValidationFailed
from app.web import bp
from app.web.helpers import FORM_ERRORS, errors_of, form_error_status, load_form, load_query, render_page_or_block, display_labels

LIST_TEMPLATE = "requirements/list.html"
DETAIL_TEMPLATE = "requirements/detail.html"


def _form_context(**extra):
    context = {
        "lookups": {kind: reference.lookups(kind) for kind in ("domain", "type", "channel", "priority")},
        "regions": reference.regions(g.user.region),
        **extra,
    }
    context.setdefault("assignees", users.assignable(g.user))
    return context


@bp.route("/requirements")
def requirement_list():
    schema = RequirementQuerySchema()
    args, raw, errors = load_query(schema)
    page, per_page = args.pop("page"), args.pop("per_page")
    try:
        stmt = requirements.search(g.user, args)
    except ValidationFailed as error:  # e.g. an unknown region code in a shared link
        errors.update(error.errors)
        stmt = requirements.search(g.user, {k: v for k, v in args.items() if k not in error.errors})
    result = paging.paginate(stmt, page, per_page)
    context = _form_context(
        result=result,
        filters=raw,
        errors=errors,
        status_options=[(s, workflow.label(s)) for s in workflow.STATUSES],
        assignee_options=[("none", _("Unassigned"))] + [(u.username, u.name) for u in users.assignable(g.user)],
        labels=display_labels(),
    )
    response = make_response(render_page_or_block(LIST_TEMPLATE, "results", **context))
    if request.headers.get("HX-Request") == "true":
        # the address bar shows the filters, so the view can be bookmarked and shared
        response.headers["HX-Push-Url"] = url_for("web.requirement_list", **raw)
    return response


@bp.route("/requirements/new", methods=["GET", "POST"])
def requirement_new():
    permissions.require(g.user, "create")
    if request.method == "POST":
        try:
            data = load_form(RequirementCreateSchema())
            req = requirements.create(g.user, data)
        except FORM_ERRORS as error:
            status = form_error_status(error)
            context = _form_context(errors=errors_of(error), values=request.form)
            return render_page_or_block("requirements/new.html", "form", **context), status
        response = make_response("", 303)
        target = url_for("web.requirement_detail", requirement_id=req.id)
        response.headers["Location"] = target
        if request.headers.get("HX-Request") == "true":
            response.status_code = 200
            response.headers["HX-Location"] = target
        return response
    values = {"region": g.user.region.code, "priority": "medium"}
    return render_template("requirements/new.html", **_form_context(errors={}, values=values))


def _detail_context(req, **extra):
    timeline = requirements.events(req)
    extra.setdefault("assignees", users.assignable(g.user, req.region))
    return _form_context(
        req=req,
        timeline=timeline,
        stages=requirements.stages(req, timeline),
        attachments=requirements.attachments(req),
        transitions=permissions.transitions_for(g.user, req),
        reason_required=workflow.REASON_REQUIRED,
        terminal_statuses=workflow.TERMINAL,
        labels=display_labels(),
        errors=extra.pop("errors", {}),
        **extra,
    )


@bp.route("/requirements/<int:requirement_id>")
def requirement_detail(requirement_id: int):
    req = requirements.get_for(g.user, requirement_id)
    return render_template(DETAIL_TEMPLATE, **_detail_context(req))


@bp.route("/requirements/<int:requirement_id>/edit", methods=["GET", "POST"])
def requirement_edit(requirement_id: int):
    """Inline edit of the fields panel: GET swaps in the form, POST saves it."""
    req = requirements.get_for(g.user, requirement_id, "edit")
    if request.method == "GET":
        return render_block(DETAIL_TEMPLATE, "fields_form", **_detail_context(req, values=None))
    schema = RequirementPatchSchema()
    if not permissions.can(g.user, "assess", req):
        schema = RequirementPatchSchema(exclude=requirements.ASSESSMENT_FIELDS)
    try:
        data = load_form(schema)
        requirements.update_fields(g.user, req, data)
    except FORM_ERRORS as error:
        status = form_error_status(error)
        context = _detail_context(req, errors=errors_of(error), values=request.form)
        return render_block(DETAIL_TEMPLATE, "fields_form", **context), status
    return _detail_blocks(req, "fields", extra_blocks=("title_oob",))


def _detail_blocks(req, main_block: str, skip: str | None = None, extra_blocks: tuple[str, ...] = (), **extra):
    """The changed block plus status, actions and timeline out of band."""
    context = _detail_context(req, **extra)
    blocks = [main_block, *extra_blocks] + [b for b in ("status_oob", "actions_oob", "timeline_oob") if b != skip]
    return render_blocks(DETAIL_TEMPLATE, blocks, **context)


@bp.route("/requirements/<int:requirement_id>/transitions", methods=["POST"])
def requirement_transition(requirement_id: int):
    req = requirements.get_for(g.user, requirement_id)
    try:
        data = load_form(TransitionSchema())
        requirements.transition(g.user, req, data["to"], data["reason"], data["duplicate_of"])
    except FORM_ERRORS as error:
        status = form_error_status(error)
        context = _detail_context(req, errors=errors_of(error), attempted=request.form.get("to"))
        return render_block(DETAIL_TEMPLATE, "actions", **context), status
    response = make_response(_detail_blocks(req, "actions", skip="actions_oob"))
    response.headers["HX-Trigger"] = "requirement-changed"
    return response


@bp.route("/requirements/<int:requirement_id>/comments", methods=["POST"])
def requirement_comment(requirement_id: int):
    req = requirements.get_for(g.user, requirement_id)
    try:
        data = load_form(CommentSchema())
        requirements.comment(g.user, req, data["body"])
    except FORM_ERRORS as error:
        status = form_error_status(error)
        context = _detail_context(req, errors=errors_of(error), comment_value=request.form.get("body", ""))
        return render_block(DETAIL_TEMPLATE, "comment_form", **context), status
    return _detail_blocks(req, "comment_form")


@bp.route("/requirements/<int:requirement_id>/attachments", methods=["POST"])
def requirement_attach(requirement_id: int):
    req = requirements.get_for(g.user, requirement_id)
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            from app.services.errors import ValidationFailed

            raise ValidationFailed.field("file", _("Choose a file to upload."))
        requirements.add_attachment(g.user, req, upload.filename, upload.stream, upload.mimetype)
    except DomainError as error:
        status = form_error_status(error)
        return render_block(DETAIL_TEMPLATE, "attachments", **_detail_context(req, errors=errors_of(error))), status
    return _detail_blocks(req, "attachments")


@bp.route("/attachments/<int:attachment_id>")
def attachment_download(attachment_id: int):
    attachment, path = requirements.get_attachment_for(g.user, attachment_id)
    return send_file(path, mimetype=attachment.content_type, as_attachment=True,
                     download_name=attachment.filename)
