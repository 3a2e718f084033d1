"""Domain errors. Views turn them into HTTP answers (JSON for the API, pages for the web)."""
from __future__ import annotations

from typing import Any


class Msg(str):
    """An English message that remembers its template and values.

    It is a plain string for the API and logs; pages show it translated through the `tr`
    filter (the template is a msgid: `pybabel extract -k Msg` collects it).
    """

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Msg:
        text = template % {k: str(v) for k, v in params.items()} if params else template
        obj = super().__new__(cls, text)
        obj.template = template
        obj.params = params
        return obj

    def translated(self) -> str:
        from flask_babel import gettext

        # a message inside a message is translated too
        values = {k: v.translated() if isinstance(v, Msg) else str(v) for k, v in self.params.items()}
        return gettext(self.template, **values)


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class ValidationFailed(DomainError):
    status = 422
    code = "validation_error"

    @classmethod
    def field(cls, name: str, message: str) -> ValidationFailed:
        return cls(message, {name: [message]})


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class IllegalTransition(Conflict):
    code = "illegal_transition"


class StaleVersion(Conflict):
    code = "stale_version"
