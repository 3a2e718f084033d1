from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.common import StrictSchema


class TokenRequestSchema(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenSchema(Schema):
    token = fields.String()


class LoginFormSchema(TokenRequestSchema):
    next = fields.String(load_default=None, allow_none=True)
