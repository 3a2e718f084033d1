"""Proposer status links (issue 10): what creating one answers."""
from __future__ import annotations

from marshmallow import Schema, fields

from app.schemas.common import UtcDateTime


class ShareLinkSchema(Schema):
    url = fields.String(dump_only=True, metadata={"description": "The absolute URL of the public status page."})
    expires_at = UtcDateTime()
