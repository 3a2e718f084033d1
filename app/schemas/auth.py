from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.common import StrictSchema, UtcDateTime
from app.utils import utcnow


class TokenRequestSchema(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenSchema(Schema):
    token = fields.String()


class LoginFormSchema(TokenRequestSchema):
    next = fields.String(load_default=None, allow_none=True)


class ApiTokenSchema(Schema):
    """A token as its owner and administrators see it: never the token itself."""

    id = fields.Integer()
    user = fields.Function(lambda t: t.user.username)
    created_at = UtcDateTime()
    expires_at = UtcDateTime(allow_none=True)
    last_used_at = UtcDateTime(allow_none=True)
    revoked_at = UtcDateTime(allow_none=True)
    active = fields.Function(lambda t: t.revoked_at is None and (t.expires_at is None or t.expires_at > utcnow()))


class TokenListQuerySchema(StrictSchema):
    user = fields.String(validate=validate.Length(min=1, max=64))
