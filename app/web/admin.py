"""Admin pages: users and reference data."""
from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from app.models import LOOKUP_KINDS
from app.models.reference import REGION_LEVELS
from app.models.user import ROLES
from app.schemas.reference import (
    LookupCreateSchema,
    LookupUpdateSchema,
    RegionCreateSchema,
    RegionUpdateSchema,
    UserCreateSchema,
    UserUpdateSchema,
)
from app.services import permissions, reference, users
from app.web import bp
from app.web.helpers import FormSubmission, render_page_or_block


def _users_context(**extra):
    return {
        "users": users.list_users(g.user),
        "roles": ROLES,
        "regions": reference.regions(),
        "errors": {},
        "values": {},
        **extra,
    }


@bp.route("/admin/users", methods=["GET", "POST"])
def admin_users():
    permissions.require(g.user, "manage_users")
    if request.method == "POST":
        form = FormSubmission(UserCreateSchema())
        if not form.submit(lambda data: users.admin_create(g.user, data)):
            context = _users_context(errors=form.errors, values=form.values)
            return render_page_or_block("admin/users.html", "content", **context), form.status
        return redirect(url_for("web.admin_users", created=request.form.get("username")), 303)
    return render_page_or_block("admin/users.html", "content", **_users_context())


@bp.route("/admin/users/<int:user_id>", methods=["POST"])
def admin_user_update(user_id: int):
    permissions.require(g.user, "manage_users")
    extra = {"active": request.form.get("active") == "on"}
    form = FormSubmission(UserUpdateSchema(), extra)
    if not form.submit(lambda data: users.admin_update(g.user, user_id, data)):
        context = _users_context(errors=form.errors, editing=user_id)
        return render_page_or_block("admin/users.html", "content", **context), form.status
    return redirect(url_for("web.admin_users"), 303)


def _reference_context(**extra):
    return {
        "lists": {kind: reference.lookups(kind, include_inactive=True) for kind in LOOKUP_KINDS},
        "regions": reference.regions(),
        "levels": REGION_LEVELS[1:],
        "errors": {},
        "form_kind": None,
        **extra,
    }


@bp.route("/admin/reference")
def admin_reference():
    permissions.require(g.user, "manage_reference")
    return render_template("admin/reference.html", **_reference_context())


@bp.route("/admin/reference/<kind>", methods=["POST"])
def admin_lookup_create(kind: str):
    form = FormSubmission(LookupCreateSchema())
    if not form.submit(lambda data: reference.create_lookup(g.user, kind, data)):
        context = _reference_context(errors=form.errors, form_kind=kind, values=form.values)
        return render_template("admin/reference.html", **context), form.status
    return redirect(url_for("web.admin_reference") + f"#list-{kind}", 303)


@bp.route("/admin/reference/<kind>/<code>", methods=["POST"])
def admin_lookup_update(kind: str, code: str):
    extra = {"active": request.form.get("active") == "on"}
    form = FormSubmission(LookupUpdateSchema(), extra)
    if not form.submit(lambda data: reference.update_lookup(g.user, kind, code, data)):
        context = _reference_context(errors=form.errors, form_kind=kind)
        return render_template("admin/reference.html", **context), form.status
    return redirect(url_for("web.admin_reference") + f"#list-{kind}", 303)


@bp.route("/admin/regions", methods=["POST"])
def admin_region_create():
    form = FormSubmission(RegionCreateSchema())
    if not form.submit(lambda data: reference.create_region(g.user, data)):
        context = _reference_context(errors=form.errors, form_kind="region", values=form.values)
        return render_template("admin/reference.html", **context), form.status
    return redirect(url_for("web.admin_reference") + "#regions", 303)


@bp.route("/admin/regions/<code>", methods=["POST"])
def admin_region_update(code: str):
    extra = {"active": request.form.get("active") == "on"}
    form = FormSubmission(RegionUpdateSchema(), extra)
    if not form.submit(lambda data: reference.update_region(g.user, code, data)):
        context = _reference_context(errors=form.errors, form_kind="region")
        return render_template("admin/reference.html", **context), form.status
    return redirect(url_for("web.admin_reference") + "#regions", 303)
