"""The matrix's flip logic (app.services.releases.history): passed ↔ failed changes, other
statuses skipped, unstable at two flips within the last five releases."""
from __future__ import annotations

import pytest

from app.services.releases.history import flips, is_unstable


@pytest.mark.parametrize("statuses, expected", [
    ([], 0),
    (["passed"], 0),
    (["passed", "passed", "passed"], 0),
    (["passed", "failed"], 1),
    (["failed", "passed", "failed"], 2),
    (["passed", "failed", "passed", "failed", "passed", "failed"], 5),
    # blocked, skipped, not run and absent (None) are skipped, not flips
    (["passed", "blocked", "passed"], 0),
    (["passed", None, "failed"], 1),
    (["passed", "untested", "skipped", "failed", None, "failed"], 1),
    (["blocked", "failed", "blocked", "passed"], 1),
    ([None, None, None], 0),
])
def test_flips_count_changes_between_passed_and_failed(statuses, expected):
    assert flips(statuses) == expected


@pytest.mark.parametrize("statuses, unstable", [
    (["passed", "failed", "passed"], True),  # two flips
    (["passed", "failed"], False),  # one flip
    (["passed", "failed", "blocked", "passed"], True),  # blocked in between is skipped
    # flips older than the last five releases do not count
    (["passed", "failed", "passed", "passed", "passed", "passed", "passed"], False),
    (["failed", "passed", "failed", "passed", "passed", "passed", "passed", "passed"], False),
    # two flips inside the window
    (["passed", "passed", "passed", "failed", "passed", "passed", "passed"], True),
    # the window's first status is where counting starts: a flip into it from outside is not counted
    (["failed", "passed", "passed", "passed", "passed", "failed"], False),
    ([None, "passed", None, "failed", None, "passed"], True),
])
def test_unstable_is_two_flips_in_the_last_five_releases(statuses, unstable):
    assert is_unstable(statuses) is unstable


def test_window_and_threshold_are_parameters():
    assert is_unstable(["passed", "failed"], window=2, threshold=1)
    assert not is_unstable(["passed", "failed", "passed"], window=2, threshold=2)
