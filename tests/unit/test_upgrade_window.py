"""The overlap rule of upgrade windows and freeze periods: half-open periods (issue 9)."""
from __future__ import annotations

from datetime import datetime

import pytest

from app.services.releases.upgrade import overlaps


def at(hour: int, day: int = 19) -> datetime:
    return datetime(2026, 12, day, hour)


@pytest.mark.parametrize("window, freeze, expected", [
    ((at(14), at(22)), (at(22), at(23)), False),   # freeze starts where the window ends
    ((at(14), at(22)), (at(10), at(14)), False),   # freeze ends where the window starts
    ((at(14), at(22)), (at(21), at(23)), True),    # overlaps the end
    ((at(14), at(22)), (at(10), at(15)), True),    # overlaps the start
    ((at(14), at(22)), (at(15), at(16)), True),    # inside
    ((at(14), at(22)), (at(0), at(0, 21)), True),  # contains the window
    ((at(14), at(22)), (at(14), at(22)), True),    # the same period
    ((at(14), at(22)), (at(0, 20), at(1, 20)), False),
])
def test_overlap_rule(window, freeze, expected):
    assert overlaps(*window, *freeze) is expected
    assert overlaps(*freeze, *window) is expected  # symmetric
