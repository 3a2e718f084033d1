"""Admin page of the freeze periods (封网期) no upgrade window may overlap without an override
(issue 9): list, declare, change, remove (after a confirmation). The API's schemas validate."""
from __future__ import annotations

from flask import g, render_template, request, url_for

from app.schemas.upgrade import FreezeCreateSchema, FreezeQuerySchema, FreezeUpdateSchema
from app.services import permissions
from app.services.meetings.times import local
from app.services.releases import upgrade
from app.web import bp
from app.web.helpers import FormSubmission, htmx_redirect, load_query, render_page_or_block

TEMPLATE = "admin/freeze_periods.html"


def _form_values(freeze) -> dict:
    """A stored period as the form shows it (Beijing time, yyyy-mm-dd HH:MM)."""
    return {"name": freeze.name, "reason": freeze.reason,
            "start": f"{local(freeze.starts_at):%Y-%m-%d %H:%M}", "end": f"{local(freeze.ends_at):%Y-%m-%d %H:%M}"}


def _page(errors=None, values=None, editing=None, status=200, full=False):
    permissions.require(g.user, "manage_reference")
    args, _raw, _errors = load_query(FreezeQuerySchema())
    page = upgrade.freeze_listing(g.user, args["page"], args["per_page"])
    if editing is not None and values is None:
        values = _form_values(editing)
    context = dict(page=page, errors=errors or {}, values=values or {}, editing=editing)
    if full:  # a GET (also after HX-Location) is the whole page
        return render_template(TEMPLATE, **context), status
    return render_page_or_block(TEMPLATE, "content", **context), status


@bp.route("/admin/freeze-periods", methods=["GET", "POST"])
def admin_freeze_periods():
    permissions.require(g.user, "manage_reference")
    if request.method == "GET":
        return _page(full=True)
    form = FormSubmission(FreezeCreateSchema())
    if form.submit(lambda data: upgrade.create_freeze(g.user, data)):
        return htmx_redirect(url_for("web.admin_freeze_periods"))
    return _page(form.errors, form.values, status=form.status if form.status in (409, 422) else 422)


@bp.route("/admin/freeze-periods/<int:freeze_id>", methods=["GET", "POST"])
def admin_freeze_edit(freeze_id: int):
    freeze = upgrade.get_freeze(g.user, freeze_id, action="manage_reference")
    if request.method == "GET":
        return _page(editing=freeze, full=True)
    form = FormSubmission(FreezeUpdateSchema())
    if form.submit(lambda data: upgrade.update_freeze(g.user, freeze_id, data)):
        return htmx_redirect(url_for("web.admin_freeze_periods"))
    return _page(form.errors, form.values, editing=freeze,
                 status=form.status if form.status in (409, 422) else 422)


@bp.route("/admin/freeze-periods/<int:freeze_id>/delete", methods=["POST"])
def admin_freeze_delete(freeze_id: int):
    upgrade.delete_freeze(g.user, freeze_id)
    return htmx_redirect(url_for("web.admin_freeze_periods"))
