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


# --- audit fixes -------------------------------------------------------------------------


def _meeting(people, title="七月需求评审会", year=2099, who="manager"):
    return meetings.create(people[who], {"title": title,
                                         "scheduled_at": datetime(year, 7, 1, 6, 30, tzinfo=timezone.utc)})


def test_agenda_item_records_status_when_added_and_decided(people):
    manager, reviewer = people["manager"], people["reviewer"]
    meeting = _meeting(people)
    a, d = _requirement(people, "甲"), _requirement(people, "丁", "deferred")
    meetings.add_to_agenda(manager, meeting, [a.id, d.id])
    items = {i.requirement_id: i for i in meeting.agenda_items}
    assert (items[a.id].status_when_added, items[d.id].status_when_added) == ("awaiting_review", "deferred")
    meetings.record_decision(reviewer, meeting, a.id, {"decision": "approved"})
    assert items[a.id].status_when_decided == "awaiting_review"
    meetings.record_decision(reviewer, meeting, a.id, {"decision": None})
    assert items[a.id].status_when_decided is None


def test_finalize_blocked_when_deferred_outside_the_meeting(people, decided):
    """Still within awaiting_review/deferred, but moved after the decision: blocked, nothing applied."""
    meeting, reqs = decided
    requirements.transition(people["manager"], reqs[0], "deferred")  # outside the meeting
    before = _counts()
    with pytest.raises(meetings.FinalizeBlocked) as caught:
        meetings.finalize(people["manager"], meeting)
    assert caught.value.status == 409 and caught.value.code == "finalize_blocked"
    assert list(caught.value.errors) == [f"agenda.{reqs[0].id}"]
    assert reqs[0].code in caught.value.message and "deferred" in caught.value.message
    db.session.expire_all()
    assert db.session.get(Requirement, reqs[0].id).status == "deferred"
    assert _counts() == before and db.session.get(Meeting, meeting.id).status == "draft"
    # recording the decision again does not make it a silent deferred -> awaiting_review move
    meetings.record_decision(people["reviewer"], meeting, reqs[0].id, {"decision": "approved"})
    with pytest.raises(meetings.FinalizeBlocked) as caught:
        meetings.finalize(people["manager"], meeting)
    assert list(caught.value.errors) == [f"agenda.{reqs[0].id}"]
    # taken off and put back on (now as a deferred item) and decided: it applies
    meetings.remove_from_agenda(people["manager"], meeting, reqs[0].id)
    meetings.add_to_agenda(people["manager"], meeting, [reqs[0].id])
    meetings.record_decision(people["reviewer"], meeting, reqs[0].id, {"decision": "approved"})
    result = meetings.finalize(people["manager"], meeting)
    assert (reqs[0].code, "deferred", "awaiting_review") in [(t.code, t.from_status, t.to_status)
                                                             for t in result.transitions]
    assert reqs[0].status == "approved"


def test_finalize_blocked_when_returned_from_deferred_to_review_outside(people, decided):
    meeting, reqs = decided
    requirements.transition(people["manager"], reqs[3], "awaiting_review")  # it was deferred when added
    with pytest.raises(meetings.FinalizeBlocked) as caught:
        meetings.finalize(people["manager"], meeting)
    assert list(caught.value.errors) == [f"agenda.{reqs[3].id}"]
    assert "awaiting_review" in caught.value.message
    # confirming the decision against the new status lets it apply, without a detour
    meetings.record_decision(people["reviewer"], meeting, reqs[3].id, {"decision": "deferred", "target": "下半年"})
    result = meetings.finalize(people["manager"], meeting)
    assert [(t.from_status, t.to_status) for t in result.transitions if t.requirement_id == reqs[3].id] == [
        ("awaiting_review", "deferred")]


def test_requirement_on_one_draft_agenda_at_a_time(people):
    manager = people["manager"]
    first, second = _meeting(people, "第一次"), _meeting(people, "第二次")
    req = _requirement(people, "甲")
    meetings.add_to_agenda(manager, first, [req.id])
    with pytest.raises(meetings.OnOtherAgenda) as caught:
        meetings.add_to_agenda(manager, second, [req.id])
    assert caught.value.status == 409 and "第一次" in caught.value.message and req.code in caught.value.message
    assert "requirement_ids" in caught.value.errors
    assert second.agenda_items == []
    assert req.id not in [r.id for r in meetings.queue(manager, second, {})]
    assert meetings.open_meetings_for(manager, req) == []
    assert meetings.draft_meeting_of(req).id == first.id
    # off the first agenda, it may go on the second
    meetings.remove_from_agenda(manager, first, req.id)
    assert req.id in [r.id for r in meetings.queue(manager, second, {})]
    assert {m.id for m in meetings.open_meetings_for(manager, req)} == {first.id, second.id}
    meetings.add_to_agenda(manager, second, [req.id])


def test_a_finalised_meeting_does_not_hold_its_items(people, decided):
    meeting, reqs = decided
    meetings.finalize(people["manager"], meeting)
    later = _meeting(people, "下一次")
    meetings.add_to_agenda(people["manager"], later, [reqs[3].id])  # deferred again: fine
    assert [i.requirement_id for i in later.agenda_items] == [reqs[3].id]


def test_removing_from_agenda_unlinks_its_action_items(people):
    manager = people["manager"]
    meeting = _meeting(people)
    a, b = _requirement(people, "甲"), _requirement(people, "乙")
    meetings.add_to_agenda(manager, meeting, [a.id, b.id])
    on_a = meetings.add_action_item(manager, meeting, {"text": "补材料", "owner": "林", "requirement_id": a.id})
    on_b = meetings.add_action_item(manager, meeting, {"text": "再评估", "owner": "王", "requirement_id": b.id})
    meetings.remove_from_agenda(manager, meeting, a.id)
    db.session.expire_all()
    kept = {x.id: x.requirement_id for x in db.session.get(Meeting, meeting.id).action_items}
    assert kept == {on_a.id: None, on_b.id: b.id}


def test_more_edits_are_locked_after_finalising(people, decided):
    meeting, reqs = decided
    manager = people["manager"]
    attendee = meetings.add_attendee(manager, meeting, {"name": "王建国", "organization": "provincial_team"})
    action = meetings.add_action_item(manager, meeting, {"text": "补材料", "owner": "林"})
    meetings.finalize(manager, meeting)
    for attempt in (
        lambda: meetings.update_attendee(manager, meeting, attendee.id, {"present": False}),
        lambda: meetings.remove_attendee(manager, meeting, attendee.id),
        lambda: meetings.remove_action_item(manager, meeting, action.id),
        lambda: meetings.move(manager, meeting, reqs[0].id, "down"),
        lambda: meetings.reorder(manager, meeting, [r.id for r in reversed(reqs)]),
    ):
        with pytest.raises(meetings.MinutesLocked):
            attempt()
    db.session.expire_all()
    again = db.session.get(Meeting, meeting.id)
    assert [a.present for a in again.attendees] == [True] and len(again.action_items) == 1


def test_only_own_fields_bump_the_meeting_version(people):
    manager = people["manager"]
    meeting = _meeting(people)
    req = _requirement(people, "甲")
    assert meeting.version == 1
    meetings.save_summary(manager, meeting, "纪要")
    meetings.add_to_agenda(manager, meeting, [req.id])
    meetings.save_notes(manager, meeting, req.id, "讨论")
    meetings.record_decision(people["reviewer"], meeting, req.id, {"decision": "approved"})
    meetings.add_attendee(manager, meeting, {"name": "王", "organization": "other"})
    meetings.update(manager, meeting, {"summary": "纪要二"})
    assert db.session.get(Meeting, meeting.id).version == 1
    meetings.update(manager, meeting, {"title": "改名", "version": 1})
    assert meeting.version == 2 and meeting.summary == "纪要二"


def test_finalised_meetings_are_past_and_past_is_newest_first(people, decided):
    meeting, _ = decided  # scheduled 2026-06-18
    manager = people["manager"]
    meetings.update(manager, meeting, {"scheduled_at": datetime(2099, 6, 18, 6, 30, tzinfo=timezone.utc)})
    meetings.finalize(manager, meeting)
    old = meetings.create(manager, {"title": "旧", "scheduled_at": datetime(2020, 1, 1, tzinfo=timezone.utc)})
    older = meetings.create(manager, {"title": "更旧", "scheduled_at": datetime(2019, 1, 1, tzinfo=timezone.utc)})
    future = _meeting(people, "将来")
    upcoming = db.session.scalars(meetings.search(manager, {"when": "upcoming"})).unique().all()
    past = db.session.scalars(meetings.search(manager, {"when": "past"})).unique().all()
    assert [m.id for m in upcoming] == [future.id]
    assert [m.id for m in past] == [meeting.id, old.id, older.id]
    assert meetings.counts(manager) == {"upcoming": 1, "past": 3}


def test_readers_of_an_agenda_requirement_read_the_meeting_but_do_not_edit_it(people, make_user):
    """A provincial meeting that decided 揭阳's items is readable by 揭阳's users, for reading only."""
    province = make_user("mgr_prov", "manager", "440000")
    jy_taskforce = make_user("tf_jy", "taskforce", "445200")
    meeting = meetings.create(province, {"title": "全省需求评审会",
                                         "scheduled_at": datetime(2099, 7, 1, 6, 30, tzinfo=timezone.utc)})
    gz_meeting = meetings.create(province, {"title": "广州专场",
                                            "scheduled_at": datetime(2099, 7, 2, 6, 30, tzinfo=timezone.utc)})
    req = _requirement(people, "揭阳的")
    meetings.add_to_agenda(province, meeting, [req.id])
    for user in (jy_taskforce, people["manager"]):
        assert meetings.get_for(user, meeting.id).id == meeting.id
        with pytest.raises(NotFound):
            meetings.get_for(user, gz_meeting.id)
    with pytest.raises(NotFound):
        meetings.get_for(people["other_manager"], meeting.id)
    # editing stays with the organiser's region
    with pytest.raises(Forbidden):
        meetings.get_for(people["manager"], meeting.id, "manage_meetings")
    with pytest.raises(Forbidden):
        meetings.save_summary(people["manager"], meeting, "改")
    with pytest.raises(Forbidden):
        meetings.record_decision(people["manager"], meeting, req.id, {"decision": "approved"})
    with pytest.raises(Forbidden):
        meetings.finalize(people["manager"], meeting)
    assert meetings.get_for(province, meeting.id, "manage_meetings").id == meeting.id


def test_deferred_decision_on_the_timeline_says_until(people, decided, app):
    from app.services.timeline import describe

    meeting, reqs = decided
    meetings.record_decision(people["reviewer"], meeting, reqs[3].id,
                             {"decision": "deferred", "target": "下半年", "until": datetime(2026, 9, 30).date()})
    meetings.finalize(people["manager"], meeting)
    event = requirements.events(reqs[3])[-1]
    assert event.data["context"]["until"] == "下半年 / 2026-09-30" and event.data["context"]["target"] == ""
    with app.test_request_context():
        text = describe(event)
        approved = describe(requirements.events(reqs[0])[-1])
    assert "下半年 / 2026-09-30" in text and ("暂缓至" in text or "deferred until" in text)
    assert "V2026.07" in approved and "暂缓至" not in approved and "deferred until" not in approved
