"""Lead time from intake to release: the working days on the official calendar (holidays and
make-up days, plus the admins' overrides) from filing to the first move to `released`, for the
requirements in scope released within a period (distribution, and the median per month of release)."""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import Event, Requirement, User
from app.services import periods
from app.services.calendar import WorkingCalendar
from app.services.periods import Period
from app.services.stats.query import scoped_where

# (label, lowest, highest) working days; None: no upper bound
BUCKETS = (("≤5", 0, 5), ("6–10", 6, 10), ("11–20", 11, 20), ("21–40", 21, 40), (">40", 41, None))


@dataclass
class LeadTimes:
    distribution: list[tuple[str, int]]
    monthly: list[tuple[str, float, int]]  # month of release, median working days, how many
    count: int


def lead_times(user: User, filters: dict[str, Any], period: Period) -> LeadTimes:
    where = scoped_where(user, {k: v for k, v in filters.items() if k not in ("date_from", "date_to")})
    released = (
        select(Event.requirement_id.label("rid"), func.min(Event.at).label("at"))
        .where(Event.kind == "transition", Event.at >= period.start_utc, Event.at < period.end_utc,
               Event.data["to"].as_string() == "released")
        .group_by(Event.requirement_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Requirement.created_at, released.c.at).join(released, released.c.rid == Requirement.id).where(where))
    by_month: dict[str, list[int]] = {}
    days_all: list[int] = []
    working = WorkingCalendar.load()
    tz = periods.zone()
    for created, at in rows:
        released_on = periods.local_date(at, tz)
        days = working.working_days(periods.local_date(created, tz), released_on)
        days_all.append(days)
        by_month.setdefault(f"{released_on.year:04d}-{released_on.month:02d}", []).append(days)
    distribution = [(label, sum(1 for d in days_all if d >= low and (high is None or d <= high)))
                    for label, low, high in BUCKETS]
    monthly = [(m, float(statistics.median(v)), len(v)) for m, v in sorted(by_month.items())]
    return LeadTimes(distribution, monthly, len(days_all))


def default_period(filters: dict[str, Any]) -> Period:
    """The figures' period, or else the twelve months up to today."""
    today = periods.local_today()
    start = filters.get("date_from")
    if start is None:
        year, month = (today.year - 1, today.month + 1) if today.month < 12 else (today.year, 1)
        start = periods.month_period(year, month).start
    return Period(start, filters.get("date_to") or today)
