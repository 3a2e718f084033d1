"""The working calendar: official Chinese public holidays and make-up working days (调休) from the
`chinese-calendar` package, the admin's override table on top, and the daily working hours.

Working time is counted a day at a time (never minute by minute): a day is a working day or not,
and on a working day the configured periods (default 09:00–12:00 and 14:00–18:00, Asia/Shanghai)
count. A year the package does not know yet (it raises NotImplementedError) falls back to
Monday–Friday plus the overrides, so a clock running into it keeps working.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import chinese_calendar.constants as constants
from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import CalendarOverride, User
from app.services import audit, permissions
from app.services.errors import Conflict, Msg, NotFound, ValidationFailed
from app.services.uow import unit_of_work

REASONS = ("weekend", "holiday", "makeup_workday", "override", "workday")
# the longest range GET /calendar answers at once
MAX_RANGE_DAYS = 366
# add_working_minutes gives up after this many days without finding the time (a calendar whose
# overrides close every day would otherwise never end)
MAX_SEARCH_DAYS = 3660

HOLIDAY_LABELS = {h.value: h.chinese for h in chinese_calendar.Holiday}


@dataclass(frozen=True)
class Day:
    day: date
    workday: bool
    reason: str  # one of REASONS
    holiday: str | None = None  # the official holiday's English name (holiday, makeup_workday)
    note: str = ""  # the override's note
    official: bool = True  # False: the package has no schedule for the year (weekend fallback)

    @property
    def holiday_label(self) -> str | None:
        return HOLIDAY_LABELS.get(self.holiday, self.holiday) if self.holiday else None


def official_day(day: date) -> tuple[bool, str | None] | None:
    """(is_holiday, holiday name) from the package, or None for a year it does not cover."""
    try:
        return chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None


def year_covered(year: int) -> bool:
    return official_day(date(year, 6, 1)) is not None


def years_without_schedule(years) -> list[int]:
    return sorted(y for y in set(years) if not year_covered(y))


def parse_hours(text: str) -> list[tuple[time, time]]:
    """'09:00-12:00,14:00-18:00' -> ordered, non-overlapping periods of a working day."""
    periods = []
    for part in text.split(","):
        start, _, end = part.strip().partition("-")
        try:
            period = (time.fromisoformat(start.strip()), time.fromisoformat(end.strip()))
        except ValueError:
            raise ValueError(f"WORKING_HOURS: '{part}' is not HH:MM-HH:MM") from None
        if period[0] >= period[1] or (periods and period[0] < periods[-1][1]):
            raise ValueError(f"WORKING_HOURS: '{part}' is empty or out of order")
        periods.append(period)
    if not periods:
        raise ValueError("WORKING_HOURS names no period")
    return periods


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


class WorkingCalendar:
    """One snapshot of the calendar: the overrides as read once, the hours and the time zone."""

    def __init__(self, overrides: dict[date, tuple[bool, str]] | None = None,
                 hours: str = "09:00-12:00,14:00-18:00", timezone: str = "Asia/Shanghai"):
        self.overrides = overrides or {}
        self.periods = parse_hours(hours)
        self.tz = ZoneInfo(timezone)
        self._days: dict[date, Day] = {}
        # working days counted from `_base`: `_counts[i]` = working days in (base, base + i]
        self._base: date | None = None
        self._counts: list[int] = []

    @classmethod
    def load(cls) -> WorkingCalendar:
        rows = db.session.execute(select(CalendarOverride.day, CalendarOverride.workday, CalendarOverride.note))
        overrides = {day: (workday, note) for day, workday, note in rows}
        config = current_app.config
        return cls(overrides, config["WORKING_HOURS"], config["WORKING_TIMEZONE"])

    @property
    def minutes_per_day(self) -> int:
        return sum((e.hour * 60 + e.minute) - (s.hour * 60 + s.minute) for s, e in self.periods)

    def day(self, day: date) -> Day:
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = self._classify(day)
        return known

    def _classify(self, day: date) -> Day:
        official = official_day(day)
        covered = official is not None
        if day in self.overrides:
            workday, note = self.overrides[day]
            return Day(day, workday, "override", note=note, official=covered)
        weekend = day.weekday() >= 5
        if official is None:
            return Day(day, not weekend, "weekend" if weekend else "workday", official=False)
        is_holiday, name = official
        if is_holiday:
            # the package names the holidays; a plain weekend has no name
            return Day(day, False, "holiday" if name else "weekend", holiday=name)
        if weekend:
            return Day(day, True, "makeup_workday", holiday=name)
        return Day(day, True, "workday")

    def working_days(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start), on the
        official calendar; counted once per day however many spans are asked (ledgers, lead times)."""
        if end <= start:
            return 0
        self._cover(start, end)
        assert self._base is not None
        return self._counts[(end - self._base).days] - self._counts[(start - self._base).days]

    def _cover(self, first: date, last: date) -> None:
        """Make the running count reach from `first` to `last`. When `first` is earlier than the
        count's start, it is rebuilt from a year before `first`: spans asked in no order (a
        ledger's rows) rebuild it once a year of dates, not once a new earliest day."""
        if self._base is None or first < self._base:
            known = self._base + timedelta(days=len(self._counts) - 1) if self._base is not None else first
            if self._base is not None:
                first -= timedelta(days=366)
            self._base, self._counts = first, [0]
            self._extend(known)
        self._extend(last)

    def _extend(self, day: date) -> None:
        assert self._base is not None
        while self._base + timedelta(days=len(self._counts) - 1) < day:
            following = self._base + timedelta(days=len(self._counts))
            self._counts.append(self._counts[-1] + (1 if self.day(following).workday else 0))

    def days(self, start: date, end: date) -> list[Day]:
        return [self.day(start + timedelta(days=n)) for n in range((end - start).days + 1)]

    def _spans(self, day: date):
        """The working periods of a local day as naive UTC (start, end) pairs."""
        for start, end in self.periods:
            yield (_naive_utc(datetime.combine(day, start, self.tz)), _naive_utc(datetime.combine(day, end, self.tz)))

    def _local_date(self, moment: datetime) -> date:
        return moment.replace(tzinfo=UTC).astimezone(self.tz).date()

    def working_minutes(self, start: datetime, end: datetime) -> int:
        """Whole working minutes between two instants (naive = UTC); 0 when end <= start."""
        start, end = _naive_utc(start), _naive_utc(end)
        if end <= start:
            return 0
        seconds = 0.0
        day, last = self._local_date(start), self._local_date(end)
        while day <= last:
            if self.day(day).workday:
                for s, e in self._spans(day):
                    overlap = (min(e, end) - max(s, start)).total_seconds()
                    if overlap > 0:
                        seconds += overlap
            day += timedelta(days=1)
        return int(seconds // 60)

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """The instant (naive UTC) at which `minutes` working minutes after `start` are used up."""
        moment = _naive_utc(start)
        left = timedelta(minutes=minutes)
        day = self._local_date(moment)
        for _ in range(MAX_SEARCH_DAYS):
            if self.day(day).workday:
                for s, e in self._spans(day):
                    begin = max(s, moment)
                    if begin >= e:
                        continue
                    if begin + left <= e:
                        return begin + left
                    left -= e - begin
            day += timedelta(days=1)
        raise ValueError(f"no working time within {MAX_SEARCH_DAYS} days of {start}")


# --- the range the API answers, and the admin's overrides ---------------------------------------

def calendar_range(start: date, end: date) -> list[Day]:
    if end < start:
        raise ValidationFailed.field("to", Msg("'to' must not be before 'from'."))
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValidationFailed.field("to", Msg("Ask for at most %(n)s days at once.", n=MAX_RANGE_DAYS))
    return WorkingCalendar.load().days(start, end)


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise NotFound(Msg("No override for %(day)s.", day=text)) from None


def overrides() -> list[CalendarOverride]:
    return list(db.session.scalars(select(CalendarOverride).order_by(CalendarOverride.day)))


def add_override(actor: User, data: dict) -> CalendarOverride:
    permissions.require(actor, "manage_reference")
    if db.session.scalar(select(CalendarOverride.id).where(CalendarOverride.day == data["date"])) is not None:
        raise Conflict(Msg("%(day)s already has an override; remove it first.", day=data["date"].isoformat()),
                       {"date": [Msg("This day already has an override.")]})
    with unit_of_work():
        row = CalendarOverride(day=data["date"], workday=data["workday"], note=data.get("note", ""))
        db.session.add(row)
        audit.record("settings", "calendar_override", row.day.isoformat(), "working calendar", None,
                     {"workday": row.workday, "note": row.note}, actor=actor)
    return row


def remove_override(actor: User, day: date) -> None:
    permissions.require(actor, "manage_reference")
    row = db.session.scalar(select(CalendarOverride).where(CalendarOverride.day == day))
    if row is None:
        raise NotFound(Msg("No override for %(day)s.", day=day.isoformat()))
    with unit_of_work():
        db.session.delete(row)
        audit.record("settings", "calendar_override", row.day.isoformat(), "working calendar",
                     {"workday": row.workday, "note": row.note}, None, actor=actor)


def local_today() -> date:
    return datetime.now(ZoneInfo(current_app.config["WORKING_TIMEZONE"])).date()


def schedule_status(today: date) -> dict:
    """What the admin page says about the official schedule: the years it covers around today
    and the years (this one, the next, any with overrides) that fall back to weekends + overrides."""
    years = {today.year, today.year + 1} | {row.year for row in db.session.scalars(select(CalendarOverride.day))}
    known = sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})
    return {"first_year": known[0], "last_year": known[-1], "missing": years_without_schedule(years)}
