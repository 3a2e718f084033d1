"""The working calendar over the real 2025/2026 schedules, the override table, the fallback for
years the package does not know (2027), and working minutes counted a day at a time."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.services.calendar import WorkingCalendar, parse_hours, year_covered


def utc(text: str) -> datetime:
    """A Beijing wall-clock time as the naive UTC instant the database stores."""
    return datetime.fromisoformat(text) - timedelta(hours=8)


@pytest.fixture
def cal():
    return WorkingCalendar()


@pytest.mark.parametrize("day", ["2026-02-14", "2026-02-28", "2025-01-26", "2025-02-08", "2025-09-28",
                                 "2025-10-11", "2026-01-04", "2026-09-20", "2026-10-10"])
def test_make_up_working_days_are_working_days(cal, day):
    info = cal.day(date.fromisoformat(day))
    assert info.workday is True
    assert info.reason == "makeup_workday"
    assert info.official


@pytest.mark.parametrize("day,name", [
    ("2026-02-16", "Spring Festival"), ("2026-02-17", "Spring Festival"), ("2026-02-23", "Spring Festival"),
    ("2026-10-01", "National Day"), ("2026-10-05", "National Day"), ("2026-10-07", "National Day"),
    ("2025-01-28", "Spring Festival"), ("2025-02-04", "Spring Festival"),
    ("2025-10-01", "National Day"), ("2025-10-08", "National Day"),
])
def test_spring_festival_and_national_day_are_not_working_days(cal, day, name):
    info = cal.day(date.fromisoformat(day))
    assert (info.workday, info.reason, info.holiday) == (False, "holiday", name)
    assert info.holiday_label in ("春节", "国庆节")


def test_plain_weekends_and_workdays(cal):
    assert (cal.day(date(2026, 3, 7)).workday, cal.day(date(2026, 3, 7)).reason) == (False, "weekend")
    assert (cal.day(date(2026, 3, 9)).workday, cal.day(date(2026, 3, 9)).reason) == (True, "workday")


def test_2027_falls_back_to_weekends_and_overrides():
    assert year_covered(2026) and not year_covered(2027)
    cal = WorkingCalendar({date(2027, 2, 8): (False, "春节（待国务院公布）"), date(2027, 2, 20): (True, "调休上班")})
    monday, saturday = cal.day(date(2027, 1, 4)), cal.day(date(2027, 1, 9))
    assert (monday.workday, monday.reason, monday.official) == (True, "workday", False)
    assert (saturday.workday, saturday.reason, saturday.official) == (False, "weekend", False)
    off, on = cal.day(date(2027, 2, 8)), cal.day(date(2027, 2, 20))
    assert (off.workday, off.reason, off.note) == (False, "override", "春节（待国务院公布）")
    assert (on.workday, on.reason) == (True, "override")
    # a clock running from 2026 into 2027 keeps counting: Thu 31 Dec 17:00 → Mon 4 Jan 10:00
    # (1 Jan 2027 is a Friday the package does not know: a working day until an override says not)
    assert cal.working_minutes(utc("2026-12-31T17:00"), utc("2027-01-04T10:00")) == 60 + 7 * 60 + 60


def test_overrides_win_over_the_official_schedule():
    cal = WorkingCalendar({date(2026, 2, 14): (False, "本地调整"), date(2026, 3, 9): (False, "地方假日")})
    assert cal.day(date(2026, 2, 14)).workday is False
    assert cal.day(date(2026, 3, 9)).reason == "override"


def test_working_minutes_within_a_day(cal):
    # Mon 9 Mar 2026: 09:00–12:00 and 14:00–18:00
    assert cal.minutes_per_day == 420
    assert cal.working_minutes(utc("2026-03-09T08:00"), utc("2026-03-09T20:00")) == 420
    assert cal.working_minutes(utc("2026-03-09T11:30"), utc("2026-03-09T14:30")) == 60
    assert cal.working_minutes(utc("2026-03-09T12:10"), utc("2026-03-09T13:50")) == 0
    assert cal.working_minutes(utc("2026-03-09T15:00"), utc("2026-03-09T10:00")) == 0


def test_working_minutes_skip_the_spring_festival_and_count_make_up_days(cal):
    # Fri 13 Feb 17:00 → Sat 14 Feb (make-up day, 420) → Sun 15 Feb .. Mon 23 Feb holiday → Tue 24 Feb 10:00
    assert cal.working_minutes(utc("2026-02-13T17:00"), utc("2026-02-24T10:00")) == 60 + 420 + 60


def test_working_minutes_over_national_day_2025(cal):
    # Tue 30 Sep 2025 18:00 → Thu 9 Oct 09:30: 1–8 Oct are holidays
    assert cal.working_minutes(utc("2025-09-30T18:00"), utc("2025-10-09T09:30")) == 30


def test_working_minutes_over_a_year(cal):
    # every working day of 2026 counts 420 minutes
    workdays = sum(1 for d in cal.days(date(2026, 1, 1), date(2026, 12, 31)) if d.workday)
    assert 245 <= workdays <= 252
    assert cal.working_minutes(utc("2026-01-01T00:00"), utc("2027-01-01T00:00")) == workdays * 420


def test_add_working_minutes(cal):
    start = utc("2026-03-09T11:50")
    assert cal.add_working_minutes(start, 30) == utc("2026-03-09T14:20")
    # before opening: starts at 09:00
    assert cal.add_working_minutes(utc("2026-03-09T07:00"), 30) == utc("2026-03-09T09:30")
    # 2 working hours from Friday 17:00 before the Spring Festival land on the make-up Saturday
    assert cal.add_working_minutes(utc("2026-02-13T17:00"), 120) == utc("2026-02-14T10:00")
    # five working days from the eve of National Day 2026
    due = cal.add_working_minutes(utc("2026-09-30T18:00"), 5 * 420)
    assert due == utc("2026-10-13T18:00")  # 8, 9, 10 (make-up Saturday), 12, 13 October
    # round trip
    assert cal.working_minutes(utc("2026-09-30T18:00"), due) == 5 * 420


def test_working_hours_are_configurable():
    cal = WorkingCalendar(hours="08:30-12:00,13:30-17:30")
    assert cal.minutes_per_day == 450
    assert cal.working_minutes(utc("2026-03-09T08:00"), utc("2026-03-09T09:00")) == 30


@pytest.mark.parametrize("text", ["9-12", "12:00-09:00", "09:00-12:00,11:00-13:00", ""])
def test_bad_working_hours_are_refused(text):
    with pytest.raises(ValueError):
        parse_hours(text)


def test_working_days_asked_in_any_order_count_the_same(cal):
    """The running count is rebuilt when an earlier day is asked (a year further back): spans
    asked newest first answer what a fresh calendar answers for each, and the count is not
    rebuilt once per new earliest day (600 days asked: a few thousand day lookups, not 60,000)."""
    spans = [(date(2025, 10, 1) - timedelta(days=3 * k), date(2025, 10, 20) + timedelta(days=k)) for k in range(200)]
    fresh = [WorkingCalendar().working_days(a, b) for a, b in spans]
    looked_up = []
    original = cal.day
    cal.day = lambda day: looked_up.append(day) or original(day)
    assert [cal.working_days(a, b) for a, b in spans] == fresh
    assert fresh[0] == 9  # after 1 October 2025 up to the 20th: the holiday to the 8th, make-up Saturday the 11th
    assert len(looked_up) < 5000
