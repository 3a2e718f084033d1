"""Calendar periods on the users' calendar (Beijing time) and their bounds as stored (naive UTC).

Every stored time is naive UTC; a day, month, half-year or year is the users' (the configured
zone, Asia/Shanghai, which has kept UTC+8 all year since 1991). `local_month` is the SQL
expression that buckets a stored time into its local month ("2026-11") on SQLite and PostgreSQL.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask import current_app
from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


def zone():
    return _zone_named(current_app.config["BABEL_DEFAULT_TIMEZONE"])


@functools.lru_cache(maxsize=8)
def _zone_named(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def utc_offset_hours() -> int:
    """The zone's offset from UTC in whole hours (Asia/Shanghai: 8; no daylight saving)."""
    offset = datetime.now(timezone.utc).astimezone(zone()).utcoffset() or timedelta()
    return int(offset.total_seconds() // 3600)


def day_start_utc(day: date) -> datetime:
    """The stored (naive UTC) time at which a local day begins."""
    return datetime.combine(day, time(), tzinfo=zone()).astimezone(timezone.utc).replace(tzinfo=None)


def local_today() -> date:
    return datetime.now(timezone.utc).astimezone(zone()).date()


def local_date(value: datetime, tz=None) -> date:
    """The local day of a stored (naive UTC) time; `tz`, the zone, when a loop has it at hand."""
    return value.replace(tzinfo=timezone.utc).astimezone(tz or zone()).date()


@dataclass(frozen=True)
class Period:
    """A run of whole local days, `start` to `end` inclusive."""

    start: date
    end: date

    @property
    def start_utc(self) -> datetime:
        return day_start_utc(self.start)

    @property
    def end_utc(self) -> datetime:
        """Exclusive: the start of the day after `end`."""
        return day_start_utc(self.end + timedelta(days=1))

    def months(self) -> list[str]:
        """The months it touches, "2026-01" ... "2026-06"."""
        out, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out


def month_period(year: int, month: int) -> Period:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return Period(date(year, month, 1), following - timedelta(days=1))


def month_key_period(key: str) -> Period:
    """ "2026-11" -> November 2026."""
    year, month = key.split("-")
    return month_period(int(year), int(month))


def half_year_period(year: int, half: int) -> Period:
    return Period(date(year, 1, 1), date(year, 6, 30)) if half == 1 else Period(date(year, 7, 1), date(year, 12, 31))


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31))


class local_month(FunctionElement):
    """The local month ("YYYY-MM") of a stored naive-UTC time column, in SQL."""

    type = String()
    inherit_cache = True
    name = "local_month"

    def __init__(self, column, offset_hours: int):
        self.offset_hours = int(offset_hours)
        super().__init__(column)


@compiles(local_month, "sqlite")
def _local_month_sqlite(element, compiler, **kw):
    (column,) = element.clauses
    return f"strftime('%Y-%m', {compiler.process(column, **kw)}, '{element.offset_hours:+d} hours')"


@compiles(local_month, "postgresql")
def _local_month_postgresql(element, compiler, **kw):
    (column,) = element.clauses
    return (f"to_char({compiler.process(column, **kw)} + interval '{element.offset_hours:d} hours', "
            "'YYYY-MM')")
