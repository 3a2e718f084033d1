"""Finalising a review meeting's minutes: every decision applied in one transaction, or none."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Event, Feedback, Meeting, Requirement
from app.services import meetings, requirements, workflow
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed


@pytest.fixture
def people(make_user):
    return {
        "manager": make_user("mgr", "manager", "445200"),
        "reviewer": make_user("rev", "reviewer", "440000"),
        "engineer": make_user("eng", "engineer", "445200"),
        "other_manager": make_user("mgr_gz", "manager", "440100"),
    }


def _requirement(people, title: str, status: str = "awaiting_review", region: str = "445200") -> Requirement:
    req = requirements.create(
        people["engineer"] if region.startswith("4452") else people["other_manager"],
        {"title": title, "domain": "execution", "type": "functional", "priority": "medium",
         "channel": "phone", "region": region, "proposer_name": "李秀英"},
    )
    path = {"awaiting_review": ["assessing", "awaiting_review"],
            "deferred": ["assessing", "awaiting_review", "deferred"]}[status]
    mover = people["manager"] if region.startswith("4452") else people["other_manager"]
    for to in path:
        requirements.transition(mover, req, to)
    return req


@pytest.fixture
def decided(people):
    """A meeting whose four agenda items each carry a different decision."""
    manager, reviewer = people["manager"], people["reviewer"]
    meeting = meetings.create(manager, {"title": "六月需求评审会",
                                        "scheduled_at": datetime(2026, 6, 18, 6, 30, tzinfo=timezone.utc)})
    reqs = [_requirement(people, "甲"), _requirement(people, "乙"), _requirement(people, "丙"),
            _requirement(people, "丁", "deferred")]
    meetings.add_to_agenda(manager, meeting, [r.id for r in reqs])
    decisions = [
        {"decision": "approved", "target": "V2026.07"},
        {"decision": "rejected", "reason": "与省统一业务规范冲突"},
        {"decision": "needs_info", "reason": "请补充单据号"},
        {"decision": "deferred", "target": "下半年"},
    ]
    for req, decision in zip(reqs, decisions):
        meetings.record_decision(reviewer, meeting, req.id, decision)
    return meeting, reqs


def _counts():
    return (db.session.scalar(select(func.count(Event.id))), db.session.scalar(select(func.count(Feedback.id))))


def test_finalize_applies_each_decision_with_events_and_feedback(people, decided):
    meeting, reqs = decided
    result = meetings.finalize(people["manager"], meeting)
    assert [r.status for r in reqs] == ["approved", "rejected", "needs_info", "deferred"]
    assert [(t.code, t.from_status, t.to_status) for t in result.transitions][-2:] == [
        (reqs[3].code, "deferred", "awaiting_review"), (reqs[3].code, "awaiting_review", "deferred")]
    assert meeting.status == "finalised" and meeting.finalised_by_id == people["manager"].id
    feedback = db.session.scalars(select(Feedback).order_by(Feedback.id)).all()
    assert [(f.requirement_id, f.decision, f.reason, f.meeting_id) for f in feedback] == [
        (reqs[1].id, "rejected", "与省统一业务规范冲突", meeting.id),
        (reqs[2].id, "needs_info", "请补充单据号", meeting.id),
    ]
    event = requirements.events(reqs[1])[-1]
    assert event.data["context"]["meeting_id"] == meeting.id
    assert event.data["context"]["decision"] == "rejected"
    assert event.data["reason"] == "与省统一业务规范冲突"


def test_nothing_applied_when_one_item_changed_status_meanwhile(people, decided):
    meeting, reqs = decided
    # outside the meeting, the third item is decided on its own page
    requirements.transition(people["manager"], reqs[2], "approved")
    before = _counts()
    with pytest.raises(meetings.FinalizeBlocked) as caught:
        meetings.finalize(people["manager"], meeting)
    assert caught.value.status == 409
    assert reqs[2].code in caught.value.message
    assert list(caught.value.errors) == [f"agenda.{reqs[2].id}"]
    db.session.expire_all()
    assert [db.session.get(Requirement, r.id).status for r in reqs] == [
        "awaiting_review", "awaiting_review", "approved", "deferred"]
    assert _counts() == before
    assert db.session.get(Meeting, meeting.id).status == "draft"


def test_nothing_applied_when_a_transition_fails_midway(people, decided, monkeypatch):
    """Even a failure inside the loop (after earlier items were applied) rolls everything back."""
    meeting, reqs = decided
    original = workflow.apply_transition
    calls = []

    def flaky(req, to, *args, **kwargs):
        calls.append(req.code)
        if req.id == reqs[2].id:
            from app.services.errors import IllegalTransition

            raise IllegalTransition("simulated: status changed under our feet")
        return original(req, to, *args, **kwargs)

    monkeypatch.setattr(workflow, "apply_transition", flaky)
    before = _counts()
    with pytest.raises(Conflict) as caught:
        meetings.finalize(people["manager"], meeting)
    assert "simulated" in caught.value.message
    assert calls[:3] == [reqs[0].code, reqs[1].code, reqs[2].code]
    db.session.expire_all()
    assert [db.session.get(Requirement, r.id).status for r in reqs] == [
        "awaiting_review", "awaiting_review", "awaiting_review", "deferred"]
    assert _counts() == before
    assert db.session.get(Meeting, meeting.id).status == "draft"


def test_missing_decision_blocks(people, decided):
    meeting, reqs = decided
    meetings.record_decision(people["reviewer"], meeting, reqs[0].id, {"decision": None})
    with pytest.raises(meetings.FinalizeBlocked) as caught:
        meetings.finalize(people["manager"], meeting)
    assert reqs[0].code in caught.value.message
    assert reqs[1].status == "awaiting_review"


def test_finalised_minutes_are_locked(people, decided):
    meeting, reqs = decided
    meetings.finalize(people["manager"], meeting)
    manager = people["manager"]
    attempts = [
        lambda: meetings.update(manager, meeting, {"title": "改"}),
        lambda: meetings.save_notes(manager, meeting, reqs[0].id, "改"),
        lambda: meetings.record_decision(manager, meeting, reqs[0].id, {"decision": "rejected", "reason": "x"}),
        lambda: meetings.add_to_agenda(manager, meeting, [reqs[0].id]),
        lambda: meetings.remove_from_agenda(manager, meeting, reqs[0].id),
        lambda: meetings.add_attendee(manager, meeting, {"name": "x", "organization": "other"}),
        lambda: meetings.add_action_item(manager, meeting, {"text": "x", "owner": "y"}),
        lambda: meetings.save_summary(manager, meeting, "改"),
        lambda: meetings.finalize(manager, meeting),
    ]
    for attempt in attempts:
        with pytest.raises(meetings.MinutesLocked) as caught:
            attempt()
        assert caught.value.status == 409


def test_amendments_only_after_finalising(people, decided):
    meeting, _ = decided
    with pytest.raises(Conflict):
        meetings.add_amendment(people["manager"], meeting, "更正")
    meetings.finalize(people["manager"], meeting)
    with pytest.raises(ValidationFailed):
        meetings.add_amendment(people["manager"], meeting, "   ")
    amendment = meetings.add_amendment(people["manager"], meeting, "更正：补记一名参会人员")
    assert amendment.author_id == people["manager"].id
    assert [a.text for a in db.session.get(Meeting, meeting.id).amendments] == ["更正：补记一名参会人员"]
    with pytest.raises(Forbidden):
        meetings.add_amendment(people["reviewer"], meeting, "x")


def test_scope_and_roles(people, decided):
    meeting, reqs = decided
    with pytest.raises(NotFound):
        meetings.get_for(people["other_manager"], meeting.id)
    with pytest.raises(Forbidden):
        meetings.get_for(people["engineer"], meeting.id, "manage_meetings")
    with pytest.raises(Forbidden):
        meetings.record_decision(people["engineer"], meeting, reqs[0].id, {"decision": "approved"})
    gz = _requirement(people, "广州的", region="440100")
    with pytest.raises(NotFound):
        meetings.add_to_agenda(people["manager"], meeting, [gz.id])


def test_upcoming_and_past_lists(people):
    manager = people["manager"]
    meetings.create(manager, {"title": "旧", "scheduled_at": datetime(2020, 1, 1, tzinfo=timezone.utc)})
    meetings.create(manager, {"title": "新", "scheduled_at": datetime(2099, 1, 1, tzinfo=timezone.utc)})
    upcoming = db.session.scalars(meetings.search(manager, {"when": "upcoming"})).unique().all()
    past = db.session.scalars(meetings.search(manager, {"when": "past"})).unique().all()
    assert [m.title for m in upcoming] == ["新"] and [m.title for m in past] == ["旧"]
    assert meetings.counts(manager) == {"upcoming": 1, "past": 1}
