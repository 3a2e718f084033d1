"""Pages for duplicates: the similar-requirements panel of the new form, the proposers card of
the requirement page (with undo for a merged one), the managers' possible-duplicates page."""
from __future__ import annotations

from flask import g, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape
from htmx_flask import request
from jinja2_fragments.flask import render_block

from app.schemas.duplicates import SimilarQuerySchema, UndoMergeSchema
from app.services import duplicates, permissions, requirements, search
from app.services.errors import Msg, ValidationFailed
from app.web import bp
from app.web.helpers import FormSubmission, htmx_redirect, load_query, render_page_or_block

SIMILAR_TEMPLATE = "requirements/_similar.html"
PROPOSERS_TEMPLATE = "requirements/_proposers.html"
GROUPS_TEMPLATE = "requirements/duplicates.html"


@bp.app_template_filter("highlight")
def highlight(value: str, q: str | None = None):
    """The text HTML-escaped with the search words marked (<mark>)."""
    return search.highlight(value, q)


@bp.app_template_global("search_excerpt")
def search_excerpt(req, q: str | None) -> Markup:
    """Where a listed requirement holds the search words when its title does not show them: its
    description, module or proposer's unit, cut around the first word (comments: not shown)."""
    if not q or search.excerpt(req.title, q):
        return Markup("")
    for label, value in ((_("Description"), req.description), (_("Module"), req.module),
                         (_("Proposer's unit"), req.proposer_unit)):
        part = search.excerpt(value, q)
        if part:
            return escape(_("%(field)s: ", field=label)) + part
    return Markup("")


@bp.app_template_global("requirement_reach")
def requirement_reach(items) -> dict[int, duplicates.Reach]:
    """Per listed requirement: proposers, units and cities (for "raised by N units in M cities")."""
    return duplicates.reach([r.id for r in items])


@bp.app_template_global("can_merge")
def can_merge(req) -> bool:
    """The signed-in user may move `req` to `duplicate` now (legal at its status, and their role)."""
    return "duplicate" in permissions.transitions_for(g.user, req)


class ProposersCard:
    def __init__(self, user, req):
        self.items = duplicates.proposers(req)
        self.reach = duplicates.reach([req.id]).get(req.id)
        self.can_undo = req.status == "duplicate" and permissions.can(user, "transition", req, to="duplicate")


@bp.app_template_global("proposers_for_requirement")
def proposers_for_requirement(req) -> ProposersCard:
    return ProposersCard(g.user, req)


@bp.route("/requirements/similar")
def requirement_similar():
    """The new-requirement form's panel: the open requirements most like what is being typed."""
    args, _raw, _errors = load_query(SimilarQuerySchema())
    text = " ".join(v for v in (args.get("text"), args.get("title"), args.get("description")) if v)
    items = duplicates.similar(g.user, text, args.get("limit") or 5) if text.strip() else []
    return render_block(SIMILAR_TEMPLATE, "similar", items=items, typed=bool(text.strip()))


@bp.route("/requirements/<int:requirement_id>/undo-merge", methods=["POST"])
def requirement_undo_merge(requirement_id: int):
    req = requirements.get_for(g.user, requirement_id)
    form = FormSubmission(UndoMergeSchema())
    detail = url_for("web.requirement_detail", requirement_id=req.id)
    if not form.submit(lambda data: duplicates.undo_merge(g.user, req, data["reason"])):
        return render_block(PROPOSERS_TEMPLATE, "card", req=req, undo_errors=form.errors), form.status
    return htmx_redirect(detail)


def _groups_context(**extra):
    return {"groups": duplicates.possible_duplicates(g.user), "errors": {}, **extra}


@bp.route("/requirements/duplicates")
def requirement_duplicates():
    """Managers: open requirements that look alike, grouped, each one click from a merge."""
    permissions.require(g.user, "transition", to="duplicate")
    return render_page_or_block(GROUPS_TEMPLATE, "groups", **_groups_context())


@bp.route("/requirements/duplicates/merge", methods=["POST"])
def requirement_duplicates_merge():
    """Merge one requirement of a group into the group's original (reason required)."""
    permissions.require(g.user, "transition", to="duplicate")
    duplicate_id = request.form.get("duplicate_id", type=int)

    def merge(_data):
        if duplicate_id is None:
            raise ValidationFailed.field("duplicate_id", Msg("Choose the requirement to merge."))
        req = requirements.get_for(g.user, duplicate_id)
        return requirements.transition(g.user, req, "duplicate", request.form.get("reason", ""),
                                       request.form.get("duplicate_of") or None)

    form = FormSubmission()
    if not form.submit(merge):
        context = _groups_context(errors=form.errors, failed=duplicate_id, values=request.form)
        return render_page_or_block(GROUPS_TEMPLATE, "groups", **context), form.status
    merged = form.result
    context = _groups_context(merged=merged)
    return render_page_or_block(GROUPS_TEMPLATE, "groups", **context)
