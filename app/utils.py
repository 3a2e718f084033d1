"""Small helpers shared by every layer."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Naive UTC now: the database stores UTC without an offset (portable across SQLite and PG)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def as_utc(value: datetime | None) -> datetime | None:
    """A stored naive-UTC datetime as an aware one, for ISO 8601 output with an offset."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def iso_utc(value: datetime | None) -> str | None:
    """The one way a timestamp leaves the API: ISO 8601 with its UTC offset."""
    return as_utc(value).isoformat() if value is not None else None
