from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.models.reference import REGION_LEVELS
from app.models.user import ROLES
from app.schemas.common import StrictSchema

CODE = validate.Regexp(r"^[a-z][a-z0-9_]*$", error="Use lower-case letters, digits and _.")


class LookupSchema(Schema):
    code = fields.String()
    label = fields.String()
    label_en = fields.String()
    sort_order = fields.Integer()
    active = fields.Boolean()


class LookupCreateSchema(StrictSchema):
    code = fields.String(required=True, validate=[validate.Length(min=1, max=40), CODE])
    label = fields.String(required=True, validate=validate.Length(min=1, max=100))
    label_en = fields.String(load_default="", validate=validate.Length(max=100))
    sort_order = fields.Integer(load_default=0)


class LookupUpdateSchema(StrictSchema):
    label = fields.String(validate=validate.Length(min=1, max=100))
    label_en = fields.String(validate=validate.Length(max=100))
    sort_order = fields.Integer()
    active = fields.Boolean()


class RegionSchema(Schema):
    code = fields.String()
    name = fields.String()
    level = fields.String()
    parent = fields.Function(lambda r: r.parent.code if r.parent else None)
    active = fields.Boolean()


class RegionCreateSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[0-9A-Za-z]{2,12}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    parent = fields.String(required=True, validate=validate.Length(min=1, max=12))
    level = fields.String(validate=validate.OneOf(REGION_LEVELS[1:]))


class RegionUpdateSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    active = fields.Boolean()


class UserSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    email = fields.String()
    role = fields.String()
    region = fields.Function(lambda u: u.region.code)
    region_name = fields.Function(lambda u: u.region.name)
    active = fields.Boolean()


class UserCreateSchema(StrictSchema):
    username = fields.String(
        required=True, validate=[validate.Length(min=2, max=64), validate.Regexp(r"^[A-Za-z0-9_.-]+$")]
    )
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=8, max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    region = fields.String(required=True)
    display_name = fields.String(load_default="", validate=validate.Length(max=100))
    email = fields.String(load_default="", validate=validate.Length(max=200))


class UserUpdateSchema(StrictSchema):
    password = fields.String(load_only=True, validate=validate.Length(min=8, max=200))
    role = fields.String(validate=validate.OneOf(ROLES))
    region = fields.String()
    display_name = fields.String(validate=validate.Length(max=100))
    email = fields.String(validate=validate.Length(max=200))
    active = fields.Boolean()
