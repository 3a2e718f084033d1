"""The release state machine: exactly the documented moves, 409 naming current and allowed, reasons."""
from __future__ import annotations

import pytest

from app.services.errors import IllegalTransition, ValidationFailed
from app.services.releases import lifecycle

LEGAL = {
    ("planned", "in_acceptance"),
    ("in_acceptance", "accepted"),
    ("in_acceptance", "rejected"),
    ("rejected", "in_acceptance"),
    ("accepted", "upgrade_requested"),
    ("upgrade_requested", "scheduled"),
    ("scheduled", "rolling_out"),
    ("rolling_out", "completed"),
    ("rolling_out", "rolled_back"),
}


def test_transition_table_is_exactly_the_documented_one():
    assert {(s, t) for s, targets in lifecycle.TRANSITIONS.items() for t in targets} == LEGAL
    assert set(lifecycle.STATUSES) == {s for pair in LEGAL for s in pair}


def test_labels_are_chinese(app_ctx):
    assert [lifecycle.label(s) for s in lifecycle.STATUSES] == [
        "计划中", "验收测试中", "验收通过", "验收不通过", "已提交升级申请", "已确定升级窗口", "升级中", "已完成", "已回退"]


@pytest.mark.parametrize("current,to", [(s, t) for s in lifecycle.STATUSES for t in lifecycle.STATUSES
                                        if (s, t) not in LEGAL])
def test_every_other_move_is_illegal_naming_current_and_allowed(current, to):
    with pytest.raises(IllegalTransition) as error:
        lifecycle.check_legal("V1", current, to)
    message = str(error.value.message)
    assert f"'{current}'" in message and f"'{to}'" in message
    for allowed in lifecycle.allowed_targets(current):
        assert allowed in message


def test_unknown_status_names_the_field():
    with pytest.raises(ValidationFailed) as error:
        lifecycle.check_legal("V1", "planned", "shipped")
    assert "to" in error.value.errors


def test_rolled_back_needs_a_reason_and_nothing_else_does():
    with pytest.raises(ValidationFailed) as error:
        lifecycle.check_reason("rolled_back", "  ")
    assert "reason" in error.value.errors
    for to in set(lifecycle.STATUSES) - {"rolled_back"}:
        lifecycle.check_reason(to, None)


def test_open_and_closed():
    assert set(lifecycle.OPEN) == set(lifecycle.STATUSES) - {"completed", "rolled_back"}
    assert lifecycle.BEFORE_ACCEPTANCE == ("planned", "in_acceptance", "rejected")
