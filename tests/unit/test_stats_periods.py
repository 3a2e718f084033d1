"""Calendar rules of the task force's figures: Beijing months, period bounds, working days, and
the list arguments behind a month's bar."""
from __future__ import annotations

from datetime import date, datetime

from app.services import periods
from app.services.calendar import WorkingCalendar
from app.services.stats import filter_args


def test_period_bounds_are_beijing_days_as_stored_utc(app_ctx):
    november = periods.month_key_period("2026-11")
    assert (november.start, november.end) == (date(2026, 11, 1), date(2026, 11, 30))
    assert november.start_utc == datetime(2026, 10, 31, 16)
    assert november.end_utc == datetime(2026, 11, 30, 16)
    assert periods.half_year_period(2026, 2).months()[0] == "2026-07"
    assert len(periods.year_period(2026).months()) == 12
    assert periods.month_period(2026, 12).end == date(2026, 12, 31)


def test_a_month_bar_links_to_that_month_within_the_figures_period(app_ctx):
    assert filter_args({"domain": "budget"}, "month", "2026-02") == {
        "domain": "budget", "from": "2026-02-01", "to": "2026-02-28"}
    # the figures were filtered from the 10th: the bar's list starts there too
    assert filter_args({"from": "2026-02-10", "page": "3"}, "month", "2026-02") == {
        "from": "2026-02-10", "to": "2026-02-28"}
    assert filter_args({"region": "445200"}, "region", "445202") == {"region": "445202"}


def test_working_days_follow_the_official_calendar():
    """Ledger spans and lead times count working days on the official calendar: weekends,
    the Spring Festival holiday and its make-up Saturday (2026-02-14) included."""
    working = WorkingCalendar()
    assert working.working_days(date(2026, 11, 27), date(2026, 11, 30)) == 1  # Friday to Monday
    assert working.working_days(date(2026, 11, 2), date(2026, 11, 16)) == 10
    assert working.working_days(date(2026, 11, 28), date(2026, 11, 29)) == 0  # a weekend
    assert working.working_days(date(2026, 11, 2), date(2026, 11, 2)) == 0
    assert working.working_days(date(2026, 2, 24), date(2026, 2, 13)) == 0  # backwards
    # 2026-02-14 (Saturday) is worked, 15–23 February is the Spring Festival holiday
    assert working.working_days(date(2026, 2, 13), date(2026, 2, 24)) == 2


def test_working_days_are_the_same_in_any_order_of_asking():
    """The running count is rebased when an earlier date is asked for later."""
    working = WorkingCalendar()
    late = working.working_days(date(2026, 2, 13), date(2026, 2, 28))
    early = working.working_days(date(2025, 12, 1), date(2026, 2, 13))
    assert working.working_days(date(2025, 12, 1), date(2026, 2, 28)) == early + late
    assert WorkingCalendar().working_days(date(2026, 2, 13), date(2026, 2, 28)) == late == 6