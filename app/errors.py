"""One error policy: JSON `{"code","message","errors"}` under /api/, pages elsewhere."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import force_locale
from werkzeug.exceptions import HTTPException

from app import i18n
from app.extensions import db
from app.services.errors import DomainError, Msg

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    500: "server_error",
}


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def api_error(status: int, message: str | list[str], errors: dict | None = None, code: str | None = None):
    """The API's error answer. `message` (a list: its messages joined) and the per-field
    `errors` are English, or Simplified Chinese where the request's Accept-Language prefers it
    (`code` stays the same)."""
    code = code or CODES.get(status) or _phrase_code(status)
    errors = errors or {}
    locale = i18n.api_locale()
    if locale:
        with force_locale(locale):
            message = ([i18n.translate_message(m) for m in message] if isinstance(message, list)
                       else i18n.translate_message(message))
            errors = {field: [i18n.translate_message(m) for m in messages] if isinstance(messages, list) else messages
                      for field, messages in errors.items()}
    if isinstance(message, list):
        message = "; ".join(message)
    body = {"code": code, "message": message, "errors": errors}
    response = jsonify(body)
    response.status_code = status
    response.headers["Content-Language"] = "zh-CN" if locale else "en"
    response.vary.add("Accept-Language")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _phrase_code(status: int) -> str:
    """A status the app does not name, as a code like the others (416 -> requested_range_not_satisfiable)."""
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


def _http_error(error: HTTPException):
    status = error.code or 500
    if status >= 500:
        db.session.rollback()
    if is_api_request():
        from app.schemas.common import flatten_errors

        data = getattr(error, "data", None) or {}
        messages = data.get("messages") or {}
        # webargs nests by location ({"json": {...}}); clients want {field: [...]}
        errors = {}
        for location_messages in messages.values() if isinstance(messages, dict) else []:
            errors.update(flatten_errors(location_messages))
        message = data.get("message") or error.description or ""
        if status == 400 and errors:
            message = [m for ms in errors.values() for m in ms]  # joined once translated
        if status == 422 and errors:
            message = Msg("Invalid input: %(fields)s", fields=", ".join(sorted(errors)))
        return api_error(status, message, errors)
    template = "errors/error.html"
    return render_template(template, status=status, error=error), status


handle_http_error = _http_error  # also flask-smorest's catch-all (app/api/contract.py TrackerApi)


def _domain_error(error: DomainError):
    db.session.rollback()
    if is_api_request():
        return api_error(error.status, error.message, error.errors, error.code)
    return render_template("errors/error.html", status=error.status, error=error), error.status


def init_app(app: Flask) -> None:
    for status in CODES:
        app.register_error_handler(status, _http_error)
    app.register_error_handler(DomainError, _domain_error)
