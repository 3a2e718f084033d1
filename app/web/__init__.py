"""Hypermedia views: load the form with the schema, call the service, render a page or a block."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, g, redirect, url_for
from htmx_flask import make_response as htmx_response
from htmx_flask import request
from flask_login import current_user

from app.extensions import login_manager
from app.models import User

bp = Blueprint("web", __name__)

PUBLIC_ENDPOINTS = {"web.login", "web.set_language", "static"}


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The session's user, unless the session predates their last password change or sign-out
    (the session holds `id:session_version`, see `User.get_id`)."""
    from app.services.auth import session_user

    return session_user(user_id)


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


# No inline script anywhere (scripts and handlers live in static/js; htmx runs with
# allowEval off, so no hx-on or trigger filters). Styles allow inline `style` attributes (a
# progress bar's width, htmx's indicator style, ECharts) — only scripts are the danger here.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
))


def _security_headers(response):
    """Every answer: CSP, no sniffing, no framing by others, no referrer to other sites; HSTS
    when the app is configured as served over HTTPS; nothing but static files stored by caches
    (signed-in pages, API answers and downloads are `no-store`)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config.get("HTTPS"):
        headers.setdefault("Strict-Transport-Security",
                           f"max-age={int(current_app.config.get('HSTS_MAX_AGE', 31536000))}; includeSubDomains")
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    from app.web import admin, auth, helpers, requirements  # noqa: F401  (routes)
    from app.web import meetings  # noqa: F401  (routes)
    from app.web import verification  # noqa: F401  (routes)
    from app.web import releases  # noqa: F401  (routes)
    from app.web import upgrade  # noqa: F401  (routes: the upgrade window)
    from app.web import application  # noqa: F401  (routes: upgrade application, announcements)
    from app.web import freeze  # noqa: F401  (routes: the freeze periods admin page)
    from app.web import rollout  # noqa: F401  (routes: the rollout board, region versions)
    from app.web import taskforce  # noqa: F401  (routes)
    from app.web import duplicates  # noqa: F401  (routes)
    from app.web import calendar  # noqa: F401  (routes)
    from app.web import sla  # noqa: F401  (routes, service-level markers)
    from app.web import notifications  # noqa: F401  (routes, the bell)
    from app.web import share_links  # noqa: F401  (routes; its public page is a blueprint of its own)
    from app.web import confirmation  # noqa: F401  (routes: feedback drafts, confirmation, follow-ups, outbox)
    from app.web import audit  # noqa: F401  (routes: the audit log)
    from app.web import history  # noqa: F401  (routes: scenario matrix, release comparison, manuals, summary)
    from app.web import exports  # noqa: F401  (routes: background exports with progress)

    helpers.init_app(app)
    app.after_request(_security_headers)
    app.register_blueprint(bp)
    app.register_blueprint(share_links.public_bp)
