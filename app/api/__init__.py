"""The JSON API under /api/v1 (flask-smorest): arguments -> service -> response."""
from __future__ import annotations

from flask import Flask, g, request
from flask_smorest import Blueprint

from app.api.contract import TrackerApi, TrackerBlueprint
from app.extensions import csrf
from app.models import User
from app.services import auth as auth_service
from app.services.errors import Msg, UnsupportedMediaType, Unauthorized

api = TrackerApi()  # the API's error format documented and answered (app/api/contract.py)

PUBLIC_ENDPOINTS = {"auth.Token"}
# endpoints taking a test report as the body: JUnit's own type and untyped uploads too
REPORT_ENDPOINTS = {"verification.RunImport"}
REPORT_TYPES = ("application/junit+xml", "application/octet-stream", "application/x-ndjson")


def make_blueprint(name: str, description: str) -> Blueprint:
    """A resource blueprint: bearer-token authenticated, CSRF-exempt (no cookies are used)."""
    blp = TrackerBlueprint(name, __name__, url_prefix="/api/v1", description=description)

    @blp.before_request
    def _authenticate() -> None:
        if request.endpoint in PUBLIC_ENDPOINTS and request.method == "POST":
            return
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized(Msg("Send 'Authorization: Bearer <token>' (POST /api/v1/auth/token)."))
        g.api_user = auth_service.user_for_token(token.strip())
        g.api_token = token.strip()

    @blp.before_request
    def _json_only() -> None:
        if request.method in ("POST", "PUT", "PATCH") and request.content_length:
            mimetype = request.mimetype or ""
            report = request.endpoint in REPORT_ENDPOINTS and mimetype in REPORT_TYPES
            if not (request.is_json or mimetype.startswith("multipart/form-data") or mimetype.endswith("/xml") or report):
                raise UnsupportedMediaType(
                    Msg("Send the body as application/json (got '%(type)s').", type=mimetype or "none")
                )

    return blp


def actor() -> User:
    return g.api_user


def init_app(app: Flask) -> None:
    api.init_app(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearer": []}]

    from app.api import auth as auth_api
    from app.api import reference as reference_api
    from app.api import requirements as requirements_api
    from app.api import users as users_api

    modules = [
        auth_api,
        requirements_api,
        reference_api,
        users_api,
        __import__("app.api.duplicates", fromlist=["blp"]),
        __import__("app.api.meetings", fromlist=["blp"]),
        __import__("app.api.verification", fromlist=["blp"]),
        __import__("app.api.releases", fromlist=["blp"]),
        __import__("app.api.stats", fromlist=["blp"]),
        __import__("app.api.calendar", fromlist=["blp"]),
        __import__("app.api.sla", fromlist=["blp"]),
        __import__("app.api.upgrade", fromlist=["blp"]),
        __import__("app.api.application", fromlist=["blp"]),
        __import__("app.api.rollout", fromlist=["blp"]),
        __import__("app.api.notifications", fromlist=["blp"]),
        __import__("app.api.share_links", fromlist=["blp"]),
        __import__("app.api.audit", fromlist=["blp"]),
        __import__("app.api.confirmation", fromlist=["blp"]),
        __import__("app.api.history", fromlist=["blp"]),
        __import__("app.api.exports", fromlist=["blp"]),
    ]
    for module in modules:
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp)
