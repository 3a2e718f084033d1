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
def people(app_ctx, make_user):
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
        # a review outcome outside a meeting says why (会外决定)
        requirements.transition(mover, req, to, "会外决定：待全省统一方案" if to == "deferred" else None)
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
    requirements.transition(people["manager"], reqs[2], "approved", "会外决定：已有配置方案")
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
    requirements.transition(people["manager"], reqs[0], "deferred", "会外决定：另行安排")  # outside the meeting
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
    meetings.finalize(manager, meeting, confirm_early=True)
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


# --- issue 7: one home per rule ----------------------------------------------------------


def test_the_meetings_package_is_split_by_use_case_and_keeps_no_transaction_of_its_own():
    """services/meetings/ is a package of small use-case modules (the old 880-line module and the
    separate meeting_documents.py are gone); none commits or rolls back by hand (unit_of_work
    does), none re-checks roles by hand (permissions does)."""
    from pathlib import Path

    import app.services as services

    root = Path(services.__file__).parent
    assert not (root / "meetings.py").exists() and not (root / "meeting_documents.py").exists()
    package = root / "meetings"
    modules = {p.name: p.read_text(encoding="utf-8") for p in package.glob("*.py")}
    assert {"scope.py", "schedule.py", "agenda.py", "minutes.py", "finalisation.py", "documents.py"} <= set(modules)
    for name, text in modules.items():
        assert len(text.splitlines()) <= 400, name
        for hand_made in ("session.commit(", "session.rollback(", "StaleDataError", "REASON_REQUIRED = ",
                          "db.session.get("):
            assert hand_made not in text, (name, hand_made)
    assert "permissions.can(" not in modules["finalisation.py"] and "Forbidden" not in modules["finalisation.py"]


def test_meeting_ids_beyond_integer_answer_not_found(people):
    for ident in (0, -1, 2**31, 2**63):
        with pytest.raises(NotFound):
            meetings.get_for(people["manager"], ident)


def test_minute_takers_are_whoever_runs_or_decides(people, decided):
    """`permissions.require_any`: a manager (runs) and a reviewer (decides) keep the minutes; an
    engineer does neither and gets 403 naming the first of the actions."""
    from app.services import permissions

    meeting, reqs = decided
    assert meetings.save_notes(people["reviewer"], meeting, reqs[0].id, "省厅意见").notes == "省厅意见"
    assert meetings.save_notes(people["manager"], meeting, reqs[0].id, "经理补记").notes == "经理补记"
    with pytest.raises(Forbidden) as caught:
        permissions.require_any(people["engineer"], "manage_meetings", "decide")
    assert "manage_meetings" in caught.value.message
    with pytest.raises(Forbidden):
        meetings.get_for(people["engineer"], meeting.id, ("manage_meetings", "decide"))


def test_a_failed_change_leaves_nothing_behind(people, decided, monkeypatch):
    """A use case that fails midway rolls back through the unit of work: nothing half-saved."""
    from app.models import ActionItem

    meeting, reqs = decided

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("app.services.meetings.minutes.utcnow", boom)
    with pytest.raises(RuntimeError):
        meetings.add_action_item(people["manager"], meeting, {"text": "补材料", "owner": "林"})
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ActionItem.id))) == 0


def test_finalize_checks_each_move_through_permissions(people, decided, monkeypatch):
    """The roles for a decision's transitions are the permission rules' (one home): with the
    manager's role no longer allowed to reject, finalising is refused and nothing is applied."""
    from app.services import permissions

    meeting, reqs = decided
    seen = []
    original = permissions.require

    def spy(user, action, req=None, to=None):
        seen.append((action, req.id if req is not None else None, to))
        return original(user, action, req, to=to)

    monkeypatch.setattr(permissions, "require", spy)
    monkeypatch.setitem(permissions.ROLE_TRANSITIONS, "manager",
                        permissions.ROLE_TRANSITIONS["manager"] - {"rejected"})
    before = _counts()
    with pytest.raises(Forbidden) as caught:
        meetings.finalize(people["manager"], meeting)
    assert "rejected" in caught.value.message
    assert ("transition", reqs[0].id, "approved") in seen and ("transition", reqs[1].id, "rejected") in seen
    db.session.expire_all()
    assert _counts() == before and db.session.get(Meeting, meeting.id).status == "draft"
    assert db.session.get(Requirement, reqs[0].id).status == "awaiting_review"


def test_decisions_need_a_reason_where_the_workflow_does(monkeypatch):
    """validate_decision follows workflow.REASON_REQUIRED, with the minutes' own wording."""
    for decision in ("rejected", "needs_info"):
        assert decision in workflow.REASON_REQUIRED
        with pytest.raises(ValidationFailed) as caught:
            meetings.validate_decision(decision, "  ", "", None)
        assert list(caught.value.errors) == ["reason"]
    with pytest.raises(ValidationFailed, match="A rejection needs a reason"):
        meetings.validate_decision("rejected", "", "", None)
    meetings.validate_decision("approved", "", "", None)
    # were the workflow to ask a reason for approvals too, the minutes would follow
    monkeypatch.setattr(workflow, "REASON_REQUIRED", workflow.REASON_REQUIRED | {"approved"})
    with pytest.raises(ValidationFailed) as caught:
        meetings.validate_decision("approved", "", "", None)
    assert list(caught.value.errors) == ["reason"] and "approved" in caught.value.message


# --- issue 7: finalising before the meeting ----------------------------------------------


def test_finalising_before_the_start_needs_confirmation(people, decided):
    """A meeting scheduled for 2099-12-10 09:00 (Beijing) finalised today: 409 naming the time,
    nothing applied; confirmed, it is finalised and marked as finalised early."""
    meeting, reqs = decided
    manager = people["manager"]
    meetings.update(manager, meeting, {"scheduled_at": datetime(2099, 12, 10, 1, 0, tzinfo=timezone.utc)})
    before = _counts()
    with pytest.raises(meetings.FinalizeEarly) as caught:
        meetings.finalize(manager, meeting)
    assert caught.value.status == 409 and caught.value.code == "finalize_early"
    assert "2099-12-10 09:00" in caught.value.message and list(caught.value.errors) == ["confirm_early"]
    db.session.expire_all()
    assert _counts() == before and db.session.get(Meeting, meeting.id).status == "draft"
    assert meetings.not_started(meeting) and not meetings.finalised_early(meeting)
    meetings.finalize(manager, meeting, confirm_early=True)
    assert meeting.status == "finalised" and meetings.finalised_early(meeting)
    assert [r.status for r in reqs] == ["approved", "rejected", "needs_info", "deferred"]


def test_blockers_are_reported_before_asking_to_confirm_early(people, decided):
    meeting, reqs = decided
    meetings.update(people["manager"], meeting, {"scheduled_at": datetime(2099, 12, 10, 1, 0, tzinfo=timezone.utc)})
    meetings.record_decision(people["reviewer"], meeting, reqs[0].id, {"decision": None})
    with pytest.raises(meetings.FinalizeBlocked):
        meetings.finalize(people["manager"], meeting, confirm_early=False)


def test_a_meeting_under_way_finalises_without_confirmation(people, decided):
    meeting, _ = decided
    meetings.update(people["manager"], meeting, {"scheduled_at": datetime.now(timezone.utc).replace(microsecond=0)})
    meetings.finalize(people["manager"], meeting)
    assert meeting.status == "finalised" and not meetings.finalised_early(meeting)


# --- issue 7: how the minutes read -------------------------------------------------------


def test_attendance_lists_each_person_once_and_absent_people_by_name(people):
    from app.models import Attendee

    def who(name, present=True, role=""):
        return Attendee(name=name, organization="other", role=role, present=present)

    assert meetings.attendance_text([who("李科长", present=False, role="参会")]) == "缺席：李科长"
    assert meetings.attendance_text([who("王建国", role="主持"), who("周敏"), who("陈丽", False, "记录")]) == (
        "王建国（主持）、周敏；缺席：陈丽")
    assert meetings.attendance_text([]) == "—"


def test_an_absent_host_does_not_host(people):
    meeting = _meeting(people)
    manager = people["manager"]
    meetings.add_attendee(manager, meeting, {"name": "王建国", "organization": "provincial_team", "role": "主持",
                                             "present": False})
    meetings.add_attendee(manager, meeting, {"name": "林晓燕", "organization": "requirement_management",
                                             "role": "记录", "present": False})
    assert meetings.host_of(meeting) == manager.name and meetings.recorder_of(meeting) is None


def test_the_organising_unit_is_the_organisers_finance_department(people, make_user):
    from app.services.meetings import documents

    city = _meeting(people, "全市需求评审会")
    province = meetings.create(make_user("mgr_prov", "manager", "440000"), {
        "title": "全省需求评审会", "scheduled_at": datetime(2099, 7, 1, 6, 30, tzinfo=timezone.utc)})
    county = meetings.create(make_user("mgr_rc", "manager", "445202"), {
        "title": "榕城区需求评审会", "scheduled_at": datetime(2099, 7, 1, 6, 30, tzinfo=timezone.utc)})
    assert [documents.organiser_unit(m) for m in (city, province, county)] == [
        "揭阳市财政局", "广东省财政厅", "榕城区财政局"]
    facts = dict(documents.facts(city))
    assert facts["组织单位"] == "揭阳市财政局" and "全市需求评审会" not in facts["组织单位"]
    assert facts["会议时间"].startswith("2099年7月1日") and facts["纪要定稿"] == "草稿，未定稿"
