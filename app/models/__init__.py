"""Typed models. Import from here: `from app.models import Requirement`."""
from app.models.reference import LOOKUP_KINDS, Lookup, Region
from app.models.requirement import (
    Attachment,
    CodeSequence,
    Event,
    Requirement,
)
from app.models.user import ApiToken, User

__all__ = [
    "LOOKUP_KINDS",
    "ApiToken",
    "Attachment",
    "CodeSequence",
    "Event",
    "Lookup",
    "Region",
    "Requirement",
    "User",
]
