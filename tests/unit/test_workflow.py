"""The state machine: legal moves, reasons, and what an illegal move reports."""
from __future__ import annotations

import pytest

from app.services import workflow

LEGAL = [
    ("submitted", "assessing"),
    ("assessing", "awaiting_review"),
    ("assessing", "resolved_locally"),
    ("awaiting_review", "approved"),
    ("awaiting_review", "rejected"),
    ("awaiting_review", "needs_info"),
    ("awaiting_review", "deferred"),
    ("needs_info", "assessing"),
    ("deferred", "awaiting_review"),
    ("approved", "scheduled"),
    ("scheduled", "in_verification"),
    ("scheduled", "approved"),
    ("in_verification", "verified"),
    ("in_verification", "verification_failed"),
    ("verification_failed", "scheduled"),
    ("verified", "released"),
    ("released", "confirmed"),
    ("confirmed", "closed"),
    ("resolved_locally", "confirmed"),
    ("rejected", "closed"),
]


def test_transition_table_is_exactly_the_documented_one():
    merge_or_withdraw = {
        (s, t) for s in workflow.BEFORE_SCHEDULED for t in ("duplicate", "withdrawn")
    }
    table = {(s, t) for s, targets in workflow.TRANSITIONS.items() for t in targets}
    assert table == set(LEGAL) | merge_or_withdraw


@pytest.mark.parametrize("status", ["scheduled", "in_verification", "verified", "released", "closed"])
def test_no_merge_or_withdraw_once_scheduled(status):
    assert "withdrawn" not in workflow.allowed_targets(status)
    assert "duplicate" not in workflow.allowed_targets(status)


def test_terminal_statuses():
    assert workflow.TERMINAL == {"closed", "duplicate", "withdrawn"}


def test_reason_required_set():
    assert workflow.REASON_REQUIRED == {"rejected", "needs_info", "withdrawn", "duplicate", "verification_failed"}


class FakeReq:
    def __init__(self, status, id=1, code="REQ-2026-0001"):
        self.status, self.id, self.code = status, id, code


def test_illegal_move_names_current_and_allowed():
    from app.services.errors import IllegalTransition

    with pytest.raises(IllegalTransition) as info:
        workflow.check_transition(FakeReq("submitted"), "approved")
    message = info.value.message
    assert "'submitted'" in message and "assessing" in message and "withdrawn" in message
    assert info.value.status == 409


@pytest.mark.parametrize("to,src", [("rejected", "awaiting_review"), ("needs_info", "awaiting_review"),
                                    ("withdrawn", "submitted"), ("verification_failed", "in_verification")])
def test_reason_needed(to, src):
    from app.services.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as info:
        workflow.check_transition(FakeReq(src), to, reason="  ")
    assert "reason" in info.value.errors


def test_duplicate_needs_original_and_not_itself():
    from app.services.errors import ValidationFailed

    req = FakeReq("assessing", id=5)
    with pytest.raises(ValidationFailed) as info:
        workflow.check_transition(req, "duplicate", reason="same")
    assert "duplicate_of" in info.value.errors
    with pytest.raises(ValidationFailed):
        workflow.check_transition(req, "duplicate", reason="same", duplicate_of=FakeReq("assessing", id=5))
    workflow.check_transition(req, "duplicate", reason="same", duplicate_of=FakeReq("assessing", id=6))
