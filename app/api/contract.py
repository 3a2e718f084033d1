"""What the API promises beyond each schema, in one place for every blueprint:

- the error format (`ErrorSchema`, answered by app/errors.py, also for statuses flask-smorest
  would answer in its own format: `TrackerApi`);
- the error answers of an operation with the rules behind them (`error_responses`), and those
  every operation of a kind has (`ErrorAnswersPlugin`: 401, 404, 400/415);
- files: downloads of their binary media type, not JSON (`file_response`), uploads (`file_upload`);
- the input rules every field shares (`TrackerParser`, app/schemas/common.py `unsafe_input`),
  documented in the document's description and as integer bounds.

    @blp.route("/releases/<int:release_id>/report.docx")
    class ReleaseReportDocx(MethodView):
        @file_response(blp, DOCX, "验收报告 (.docx)")
        @error_responses(blp, 403, 409, conflict="...the rule...")
        def get(self, release_id): ...
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from apispec import BasePlugin
from flask_smorest import Api, Blueprint
from marshmallow import Schema, ValidationError, fields
from webargs.flaskparser import FlaskParser

from app.schemas.common import INT_MAX, INT_MIN, MAX_DEPTH, unsafe_input
from app.utils import DatabaseIntConverter

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ICS = "text/calendar"
ZIP = "application/zip"
ANY_FILE = "*/*"  # an upload answered as it came (its own media type)


class ErrorSchema(Schema):
    """Every error answer of the API (app/errors.py): a stable code, a message, the fields at fault."""

    code = fields.String(required=True, metadata={
        "description": "Stable machine-readable code: bad_request, unauthorized, forbidden, not_found, "
                       "method_not_allowed, conflict, illegal_transition, stale_version, too_large, "
                       "unsupported_media_type, validation_error, too_many_attempts, server_error; "
                       "other statuses their HTTP phrase in the same form "
                       "(requested_range_not_satisfiable).",
        "example": "validation_error"})
    message = fields.String(required=True, metadata={"description": "What went wrong, in English."})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True,
                         metadata={"description": "Messages per field at fault (dotted paths for nested "
                                                  "fields, `_schema` for the whole body); empty if none."})


# what each error answer means for every operation; an operation adds its own rules
GENERIC = {
    400: "The request could not be read (malformed JSON, a body nested too deep, a bad encoding).",
    401: "No valid bearer token: send `Authorization: Bearer <token>` (POST /api/v1/auth/token); "
         "expired and revoked tokens answer 401 too.",
    403: "Your role may not do this.",
    404: "No such item, or it is outside your region (answered the same way, so nothing leaks).",
    409: "The item's state does not allow this now; the message names the state and what is allowed.",
    413: "The upload is larger than the limit.",
    415: "The body is of a media type this operation does not read (application/json unless it "
         "names others).",
    422: "Invalid input; `errors` names each field at fault. Nothing was written.",
    429: "Too many failed attempts: locked for a while, the message says how long.",
}


def error_responses(blp: Blueprint, *statuses: int, **rules: str) -> Callable:
    """Document error answers of an operation, each with the generic meaning of its status and
    the operation's own rules: `error_responses(blp, 404, 409, conflict="...")`; keyword names are
    `conflict` (409), `invalid` (422), `forbidden` (403), `not_found` (404), `throttled` (429)."""
    by_name = {"conflict": 409, "invalid": 422, "forbidden": 403, "not_found": 404, "throttled": 429}
    extra = {by_name[name]: text for name, text in rules.items()}
    codes = sorted(set(statuses) | set(extra))

    def decorate(func: Callable) -> Callable:
        for status in codes:
            description = " ".join(t for t in (GENERIC.get(status, ""), extra.get(status, "")) if t)
            func = blp.alt_response(status, schema=ErrorSchema, description=description)(func)
        return func

    return decorate


def file_response(blp: Blueprint, content_type: str, description: str, status: int = 200) -> Callable:
    """Document a file answer: the body is the file itself, of `content_type` (not JSON)."""
    binary: dict[str, Any] = {"type": "string", "format": "binary"}
    return blp.alt_response(status, schema=binary, content_type=content_type, description=description,
                            success=True)


ERROR_REF = {"$ref": "#/components/schemas/Error"}


class ErrorAnswersPlugin(BasePlugin):
    """The error answers every operation of a kind has, documented on each unless it says more:
    401 wherever a token is needed, 404 wherever the path names an item, 400 and 415 wherever a
    body is read."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, operation in (operations or {}).items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            statuses = []
            if operation.get("security") != []:
                statuses.append(401)
            if "{" in (path or ""):
                statuses.append(404)
            if method in ("post", "put", "patch") and "requestBody" in operation:
                statuses += [400, 415]
            for key in (422, "422"):  # webargs' bare "Unprocessable Entity" says what it means here
                if isinstance(responses.get(key), str):
                    responses[key] = {"description": GENERIC[422],
                                      "content": {"application/json": {"schema": ERROR_REF}}}
            for status in statuses:
                if status not in responses and str(status) not in responses:
                    responses[status] = {"description": GENERIC[status],
                                         "content": {"application/json": {"schema": ERROR_REF}}}


class TrackerApi(Api):
    """flask-smorest's Api documenting and answering the API's own error format: its catch-all
    `HTTPException` handler (statuses app/errors.py does not name, e.g. 414) answers
    `{"code", "message", "errors"}` too, instead of `{"code": <int>, "status"}`."""

    ERROR_SCHEMA = ErrorSchema

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("spec_kwargs", {}).setdefault("extra_plugins", [ErrorAnswersPlugin()])
        super().__init__(*args, **kwargs)

    def init_app(self, app, *args, **kwargs):
        self.register_converter(DatabaseIntConverter, lambda converter: {
            "type": "integer", "minimum": 0, "maximum": converter.max})
        super().init_app(app, *args, **kwargs)
        self.ma_plugin.converter.add_attribute_function(_integer_bounds)
        self.spec.options.setdefault("info", {})["description"] = INPUT_RULES

    def handle_http_exception(self, error):
        from app.errors import handle_http_error

        return handle_http_error(error)


def file_upload(blp: Blueprint, description: str, *raw_types: str) -> Callable:
    """Document an upload: multipart/form-data with the file in field `file`, or else the file
    itself as the body in one of `raw_types`."""
    binary = {"type": "string", "format": "binary"}
    content: dict[str, Any] = {"multipart/form-data": {"schema": {
        "type": "object", "properties": {"file": binary}, "required": ["file"]}}}
    content.update({media_type: {"schema": binary} for media_type in raw_types})
    return blp.doc(requestBody={"required": True, "description": description, "content": content})


class TrackerParser(FlaskParser):
    """webargs' parser with the input rules every field shares (app/schemas/common.py
    `unsafe_input`): text a page or document can hold, integers the database can hold, JSON at
    most MAX_DEPTH deep. Such input answers 422 naming the field (400 for unreadable JSON)."""

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except (RecursionError, ValueError) as error:  # nested too deep, a number of 4,300+ digits
            if isinstance(error, json.JSONDecodeError):
                raise
            raise json.JSONDecodeError(str(error), "<body>", 0) from None  # "" would read as no body

    def _process_location_data(self, location_data, schema, req, location, unknown, validators):
        raw = {"query": req.args, "querystring": req.args, "form": req.form}.get(location, location_data)
        errors = unsafe_input(raw) if isinstance(raw, (dict, list)) else {}
        if errors:
            raise ValidationError(errors)
        data = super()._process_location_data(location_data, schema, req, location, unknown, validators)
        errors = unsafe_input(data)  # "99999999999999999999" in a query string, loaded as a number
        if errors:
            raise ValidationError(errors)
        return data


class TrackerBlueprint(Blueprint):
    ARGUMENTS_PARSER = TrackerParser()


INPUT_RULES = (
    "Every input follows these rules, whatever its field (else 422 naming the field): text holds no NUL, "
    "no control character other than tab and line breaks and no unpaired surrogate; integers lie within "
    f"{INT_MIN}..{INT_MAX}; numbers are finite; JSON bodies are nested at most {MAX_DEPTH} deep. A body "
    "that cannot be read (malformed JSON, nested beyond the parser) answers 400. "
    "Errors answer `{\"code\", \"message\", \"errors\"}` "
    "(`code` a string such as `validation_error`, `errors` the messages per field). Messages are English, "
    "or Simplified Chinese where the request's `Accept-Language` prefers `zh` (`code` and field names stay "
    "the same; `Content-Language` says which)."
)


def _integer_bounds(self, field, ret, **kwargs) -> dict:
    """apispec attribute function: every integer field documents the range the parser enforces."""
    if not isinstance(field, fields.Integer):
        return {}
    return {key: value for key, value in (("minimum", INT_MIN), ("maximum", INT_MAX)) if key not in ret}
