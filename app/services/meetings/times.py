"""Meeting times: stored as naive UTC, read and written on the users' calendar (the configured
zone, Beijing time)."""
from __future__ import annotations

from datetime import datetime, time, timezone

from flask import current_app

from app.models import Meeting
from app.services.errors import Msg, ValidationFailed
from app.utils import as_utc, utcnow


def local_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local(value: datetime | None) -> datetime | None:
    """A stored naive-UTC time on the users' calendar."""
    return as_utc(value).astimezone(local_zone()) if value is not None else None


def to_utc(value: datetime) -> datetime:
    """An aware input time as stored (naive UTC); a time without its offset is refused."""
    if value.tzinfo is None:
        raise ValidationFailed.field("scheduled_at", Msg("Give the time with its UTC offset (ISO 8601)."))
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def local_date(value: datetime) -> str:
    """A stored naive-UTC time as the users' calendar date (ISO)."""
    return local(value).date().isoformat()


def local_text(value: datetime) -> str:
    """A stored naive-UTC time as the users' wall clock with its offset: 2026-12-10 09:00 (UTC+08:00)."""
    moment = local(value)
    offset = moment.strftime("%z")
    return f"{moment:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})"


def start_of_local_day(now: datetime) -> datetime:
    """Midnight of `now`'s day on the users' calendar, as naive UTC."""
    zone = local_zone()
    midnight = datetime.combine(local(now).date(), time(0), tzinfo=zone)
    return midnight.astimezone(timezone.utc).replace(tzinfo=None)


def not_started(meeting: Meeting, now: datetime | None = None) -> bool:
    """The meeting's scheduled start is still ahead."""
    return meeting.scheduled_at > (now or utcnow())


def finalised_early(meeting: Meeting) -> bool:
    """The minutes were finalised before the meeting's scheduled start (confirmed at the time)."""
    return meeting.finalised_at is not None and meeting.finalised_at < meeting.scheduled_at
