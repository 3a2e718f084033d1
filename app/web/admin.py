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
from app.web.helpers import FORM_ERRORS, errors_of, form_error_status, load_form, render_page_or_block


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
        try:
            users.admin_create(g.user, load_form(UserCreateSchema()))
        except FORM_ERRORS as error:
            status = form_error_status(error)
            context = _users_context(errors=errors_of(error), values=request.form)
            return render_page_or_block("admin/users.html", "content", **context), status
        return redirect(url_for("web.admin_users", created=request.form.get("username")), 303)
    return render_page_or_block("admin/users.html", "content", **_users_context())


@bp.route("/admin/users/<int:user_id>", methods=["POST"])
def admin_user_update(user_id: int):
    permissions.require(g.user, "manage_users")
    extra = {"active": request.form.get("active") == "on"}
    try:
        users.admin_update(g.user, user_id, load_form(UserUpdateSchema(), extra))
    except FORM_ERRORS as error:
        status = form_error_status(error)
        context = _users_context(errors=errors_of(error), editing=user_id)
        return render_page_or_block("admin/users.html", "content", **context), status
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
    try:
        reference.create_lookup(g.user, kind, load_form(LookupCreateSchema()))
    except FORM_ERRORS as error:
        status = form_error_status(error)
        context = _reference_context(errors=errors_of(error), form_kind=kind, values=request.form)
        return render_template("admin/reference.html", **context), status
    return redirect(url_for("web.admin_reference") + f"#list-{kind}", 303)


@bp.route("/admin/reference/<kind>/<code>", methods=["POST"])
def admin_lookup_update(kind: str, code: str):
    extra = {"active": request.form.get("active") == "on"}
    try:
        reference.update_lookup(g.user, kind, code, load_form(LookupUpdateSchema(), extra))
    except FORM_ERRORS as error:
        status = form_error_status(error)
        context = _reference_context(errors=errors_of(error), form_kind=kind)
        return render_template("admin/reference.html", **context), status
    return redirect(url_for("web.admin_reference") + f"#list-{kind}", 303)


@bp.route("/admin/regions", methods=["POST"])
def admin_region_create():
    try:
        reference.create_region(g.user, load_form(RegionCreateSchema()))
    except FORM_ERRORS as error:
        status = form_error_status(error)
        context = _reference_context(errors=errors_of(error), form_kind="region", values=request.form)
        return render_template("admin/reference.html", **context), status
    return redirect(url_for("web.admin_reference") + "#regions", 303)


@bp.route("/admin/regions/<code>", methods=["POST"])
def admin_region_update(code: str):
    extra = {"active": request.form.get("active") == "on"}
    try:
        reference.update_region(g.user, code, load_form(RegionUpdateSchema(), extra))
    except FORM_ERRORS as error:
        status = form_error_status(error)
        context = _reference_context(errors=errors_of(error), form_kind="region")
        return render_template("admin/reference.html", **context), status
    return redirect(url_for("web.admin_reference") + "#regions", 303)
