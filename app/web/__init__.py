"""Hypermedia views: load the form with the schema, call the service, render a page or a block."""
from __future__ import annotations

from flask import Blueprint, Flask, g, redirect, url_for
from htmx_flask import make_response as htmx_response
from htmx_flask import request
from flask_login import current_user

from app.extensions import db, login_manager
from app.models import User

bp = Blueprint("web", __name__)

PUBLIC_ENDPOINTS = {"web.login", "web.set_language", "static"}


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


@login_manager.unauthorized_handler
def _unauthorized():
    target = url_for("web.login", next=request.full_path if request.method == "GET" else None)
    if request.htmx:
        return htmx_response("", 200, redirect=target)
    return redirect(target)


@bp.before_request
def _require_login():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    g.user = current_user._get_current_object()
    return None


@bp.after_request
def _vary(response):
    response.vary.add("HX-Request")
    return response


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    return response


def init_app(app: Flask) -> None:
    from app.web import admin, auth, helpers, requirements  # noqa: F401  (routes)
    from app.web import meetings  # noqa: F401  (routes)
    from app.web import verification  # noqa: F401  (routes)
    from app.web import releases  # noqa: F401  (routes)
    from app.web import taskforce  # noqa: F401  (routes)
    from app.web import duplicates  # noqa: F401  (routes)

    helpers.init_app(app)
    app.after_request(_security_headers)
    app.register_blueprint(bp)
