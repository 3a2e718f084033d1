"""Shared schema pieces: strict base, reference-code validation, form loading."""
from __future__ import annotations

import math
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate
from werkzeug.datastructures import MultiDict

from app.config import Config
from app.services import reference
from app.services.errors import Msg
from app.utils import UNSAFE_TEXT, iso_utc


class StrictSchema(Schema):
    """Unknown fields are rejected, not ignored."""

    class Meta:
        unknown = RAISE


class Trimmed(fields.String):
    """A string with surrounding white space removed, so "   " counts as empty."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class UtcDateTime(fields.DateTime):
    """A stored (naive UTC) timestamp, answered as ISO 8601 with its offset: the one format
    every timestamp of the API uses."""

    def __init__(self, **kwargs):
        kwargs.setdefault("dump_only", True)
        kwargs.setdefault("allow_none", True)  # documented as nullable: not every moment has happened
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return iso_utc(value)


class LookupCode(validate.Validator):
    """The value must be a code of one reference list (domain, type, ...): an active one, or
    with `allow_inactive` any existing one (an edit may keep a code deactivated since)."""

    def __init__(self, kind: str, allow_inactive: bool = False):
        self.kind = kind
        self.allow_inactive = allow_inactive

    def __call__(self, value: str) -> str:
        if not reference.is_valid_code(self.kind, value, include_inactive=self.allow_inactive):
            raise ValidationError(Msg("Unknown %(kind)s code '%(code)s'.", kind=self.kind, code=value))
        return value


class PageQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=Config.PER_PAGE_DEFAULT,
                              validate=validate.Range(min=1, max=Config.PER_PAGE_MAX))


# What any input may hold, whatever its field (API JSON, query strings, HTML forms): text that a
# database, a page, an .xlsx or a .docx can hold (XML 1.0 characters: no NUL, no control character
# but tab and line breaks, no unpaired surrogate), integers within PostgreSQL's INTEGER (every id,
# count and version is one), finite numbers, and JSON nested at most MAX_DEPTH deep.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
MAX_DEPTH = 16


def unsafe_input(data: Any) -> dict[str, list[str]]:
    """{field path: [message]} for every value of `data` (JSON-like, or a MultiDict) that no field
    may take; empty if there is none."""
    errors: dict[str, list[str]] = {}
    stack: list[tuple[str, Any, int]] = [("", data, 0)]
    while stack:
        path, value, depth = stack.pop()
        name = path or "_schema"
        if depth > MAX_DEPTH:
            errors.setdefault(name, []).append(Msg("Nested deeper than %(depth)s levels.", depth=MAX_DEPTH))
        elif isinstance(value, str):
            if UNSAFE_TEXT.search(value):
                errors.setdefault(name, []).append(
                    Msg("Contains a character that text may not hold (NUL, a control character or "
                        "an unpaired surrogate)."))
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int):
            if not INT_MIN <= value <= INT_MAX:
                errors.setdefault(name, []).append(
                    Msg("Must be between %(min)s and %(max)s.", min=INT_MIN, max=INT_MAX))
        elif isinstance(value, float):
            if not math.isfinite(value):
                errors.setdefault(name, []).append(Msg("Not a valid number."))
        elif isinstance(value, MultiDict):
            for key, item in value.items(multi=True):
                stack.append((f"{path}.{key}" if path else str(key), item, depth + 1))
        elif isinstance(value, dict):
            for key, item in value.items():
                key_path = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and UNSAFE_TEXT.search(key):
                    key_path = path or "_schema"
                    stack.append((key_path, key, depth + 1))
                    continue
                stack.append((key_path, item, depth + 1))
        elif isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                stack.append((f"{path}.{index}" if path else str(index), item, depth + 1))
    return errors


def form_to_dict(schema: Schema, form: MultiDict) -> dict[str, Any]:
    """Turn an HTML form into the dict the schema loads, as a JSON client would send it.

    Empty inputs count as absent, or as null where the field allows null; list fields take
    every value of a repeated input; the CSRF token is not data.
    """
    data: dict[str, Any] = {}
    for attribute, field in schema.fields.items():
        name = field.data_key or attribute  # the name a JSON client sends, and the form's input
        if field.dump_only or name not in form:
            continue
        if isinstance(field, fields.List):
            values = [v for v in form.getlist(name) if v != ""]
            if values:
                data[name] = values
            continue
        value = form.get(name)
        if isinstance(field, fields.Boolean):
            data[name] = value
        elif value == "" or value is None:
            if field.allow_none:
                data[name] = None
        elif isinstance(field, fields.Integer):
            # HTML sends every value as text; a JSON client would send a number
            try:
                data[name] = int(value)
            except ValueError:
                data[name] = value
        else:
            data[name] = value
    return data


def flatten_errors(messages: Any) -> dict[str, list[str]]:
    """marshmallow's nested messages as {field: [message, ...]} (nested paths dotted)."""
    result: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            result.setdefault(prefix or "_schema", []).extend(value)
        elif isinstance(value, list):
            for index, sub in enumerate(value):
                walk(f"{prefix}.{index}", sub)
        else:
            result.setdefault(prefix or "_schema", []).append(str(value))

    walk("", messages)
    return result
