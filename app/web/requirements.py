from __future__ import annotations

from flask import g, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from htmx_flask import make_response as htmx_response
from htmx_flask import request
from jinja2_fragments.flask import render_block, render_blocks

from app.schemas.requirement import (
    CommentSchema,
    RequirementCreateSchema,
    RequirementPatchSchema,
    RequirementQuerySchema,
    TransitionSchema,
)
from app.services import permissions, reference, requirements, users, workflow
from app.services.errors import Msg, ValidationFailed
from app.web import bp
from app.web.helpers import (
    FormSubmission,
    display_labels,
    htmx_redirect,
    load_query,
    render_page_or_block,
    wants_fragment,
)

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
        result = requirements.page(g.user, args, page, per_page)
    except ValidationFailed as error:  # e.g. an unknown region code in a shared link
        errors.update(error.errors)
        result = requirements.page(g.user, {k: v for k, v in args.items() if k not in error.errors}, page, per_page)
    context = _form_context(
        result=result,
        filters=raw,
        errors=errors,
        status_options=[(s, workflow.label(s)) for s in workflow.STATUSES],
        assignee_options=[("none", _("Unassigned"))] + [(u.username, u.name) for u in users.assignable(g.user)],
        labels=display_labels(),
    )
    body = render_page_or_block(LIST_TEMPLATE, "results", **context)
    if request.htmx:
        # the address bar shows the filters, so the view can be bookmarked and shared
        return htmx_response(body, push_url=url_for("web.requirement_list", **raw))
    return body


@bp.route("/requirements/new", methods=["GET", "POST"])
def requirement_new():
    permissions.require(g.user, "create")
    if request.method == "POST":
        form = FormSubmission(RequirementCreateSchema())
        if form.submit(lambda data: requirements.create(g.user, data)):
            return htmx_redirect(url_for("web.requirement_detail", requirement_id=form.result.id))
        context = _form_context(errors=form.errors, values=form.values)
        return render_page_or_block("requirements/new.html", "form", **context), form.status
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
        # moves made here are outside a review meeting: review outcomes need a reason too
        reason_required=workflow.REASON_REQUIRED_OUTSIDE_MEETING,
        review_outcomes=workflow.REVIEW_OUTCOMES,
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
    """Inline edit of the fields panel: GET swaps in the form, POST saves it.

    Opened directly (a link, a reload, no JavaScript) it is the requirement page with the form
    in place of the fields, and the form posts back here as an ordinary form."""
    req = requirements.get_for(g.user, requirement_id, "edit")
    fragment = wants_fragment()
    if request.method == "GET":
        if not fragment:
            return render_template(DETAIL_TEMPLATE, **_detail_context(req, values=None, editing=True))
        return render_block(DETAIL_TEMPLATE, "fields_form", **_detail_context(req, values=None))
    schema = RequirementPatchSchema()
    if not permissions.can(g.user, "assess", req):
        schema = RequirementPatchSchema(exclude=requirements.ASSESSMENT_FIELDS)
    form = FormSubmission(schema)
    if not form.submit(lambda data: requirements.update_fields(g.user, req, data)):
        context = _detail_context(req, errors=form.errors, values=form.values, editing=not fragment)
        if not fragment:
            return render_template(DETAIL_TEMPLATE, **context), form.status
        return render_block(DETAIL_TEMPLATE, "fields_form", **context), form.status
    detail = url_for("web.requirement_detail", requirement_id=req.id)
    if not fragment:
        return redirect(detail, 303)
    # the form may have been opened as its own page (/edit): the saved fields are the detail page
    return htmx_response(_detail_blocks(req, "fields", extra_blocks=("title_oob",)), replace_url=detail)


def _detail_blocks(req, main_block: str, skip: str | None = None, extra_blocks: tuple[str, ...] = (), **extra):
    """The changed block plus status, actions and timeline out of band."""
    context = _detail_context(req, **extra)
    blocks = [main_block, *extra_blocks] + [b for b in ("status_oob", "actions_oob", "timeline_oob") if b != skip]
    return render_blocks(DETAIL_TEMPLATE, blocks, **context)


@bp.route("/requirements/<int:requirement_id>/transitions", methods=["POST"])
def requirement_transition(requirement_id: int):
    req = requirements.get_for(g.user, requirement_id)
    form = FormSubmission(TransitionSchema())
    if not form.submit(lambda data: requirements.transition(g.user, req, data["to"], data["reason"],
                                                            data["duplicate_of"], data["release_id"])):
        context = _detail_context(req, errors=form.errors, attempted=form.values.get("to"))
        return render_block(DETAIL_TEMPLATE, "actions", **context), form.status
    return htmx_response(_detail_blocks(req, "actions", skip="actions_oob"), trigger="requirement-changed")


@bp.route("/requirements/<int:requirement_id>/comments", methods=["POST"])
def requirement_comment(requirement_id: int):
    req = requirements.get_for(g.user, requirement_id)
    form = FormSubmission(CommentSchema())
    if not form.submit(lambda data: requirements.comment(g.user, req, data["body"])):
        context = _detail_context(req, errors=form.errors, comment_value=form.values.get("body", ""))
        return render_block(DETAIL_TEMPLATE, "comment_form", **context), form.status
    return _detail_blocks(req, "comment_form")


@bp.route("/requirements/<int:requirement_id>/attachments", methods=["POST"])
def requirement_attach(requirement_id: int):
    req = requirements.get_for(g.user, requirement_id)
    upload = request.files.get("file")

    def attach(_data):
        if upload is None or not upload.filename:
            raise ValidationFailed.field("file", Msg("Choose a file to upload."))
        return requirements.add_attachment(g.user, req, upload.filename, upload.stream, upload.mimetype)

    form = FormSubmission()
    if not form.submit(attach):
        return render_block(DETAIL_TEMPLATE, "attachments", **_detail_context(req, errors=form.errors)), form.status
    return _detail_blocks(req, "attachments")


@bp.route("/attachments/<int:attachment_id>")
def attachment_download(attachment_id: int):
    attachment, path = requirements.get_attachment_for(g.user, attachment_id)
    return send_file(path, mimetype=attachment.content_type, as_attachment=True,
                     download_name=attachment.filename)
