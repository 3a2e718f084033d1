"""The service-level clocks read from a timeline, on the real 2026 calendar: every state, pause and
resume, and which targets apply."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.services.calendar import WorkingCalendar
from app.services.sla import DEFAULT_TARGETS, target_for
from app.services.sla.clocks import FeedbackRecord, TimelineEvent, read, runs

FILER, STAFF = 1, 2
TABLE = [{"clock": c, "type": t, "priority": p, "minutes": m} for c, t, p, m in DEFAULT_TARGETS]


def bj(text: str) -> datetime:
    """Beijing wall-clock time as stored (naive UTC)."""
    return datetime.fromisoformat(text) - timedelta(hours=8)


def created(at):
    return TimelineEvent(bj(at), "created", FILER, {"status": "submitted"})


def move(at, frm, to, actor=STAFF):
    return TimelineEvent(bj(at), "transition", actor, {"from": frm, "to": to})


def comment(at, actor):
    return TimelineEvent(bj(at), "comment", actor, {"body": "…"})


@pytest.fixture
def cal():
    return WorkingCalendar()


def clock(events, name, feedback=()):
    return next(r for r in runs(events, FILER, list(feedback)) if r.clock == name)


def test_targets_by_type_and_priority():
    assert target_for(TABLE, "response", "defect", "urgent") == 30
    assert target_for(TABLE, "response", "feature", "high") == 420
    assert target_for(TABLE, "assessment", "defect", "medium") == 120
    assert target_for(TABLE, "assessment", "defect", "urgent") == 1440
    assert target_for(TABLE, "assessment", "feature", "urgent") == 5 * 420
    assert target_for(TABLE, "feedback", "defect", "low") == 2 * 420
    assert target_for(TABLE, "confirmation", "feature", "low") == 5 * 420


def test_response_running_at_risk_breached_and_met(cal):
    events = [created("2026-03-09T09:00")]
    run = clock(events, "response")
    # target 30 working minutes (a defect): at risk from 09:24, breached from 09:30
    assert read(run, 30, cal, bj("2026-03-09T09:10")).state == "running"
    reading = read(run, 30, cal, bj("2026-03-09T09:25"))
    assert (reading.state, reading.used_minutes) == ("at_risk", 25)
    assert reading.at_risk_at == bj("2026-03-09T09:24") and reading.due_at == bj("2026-03-09T09:30")
    assert read(run, 30, cal, bj("2026-03-09T09:31")).state == "breached"
    # the filer's own comment is no response; a staff comment is
    events += [comment("2026-03-09T09:05", FILER), comment("2026-03-09T09:20", STAFF)]
    reading = read(clock(events, "response"), 30, cal, bj("2026-03-09T15:00"))
    assert (reading.state, reading.used_minutes, reading.due_at) == ("met", 20, None)


def test_response_answered_late_is_breached(cal):
    events = [created("2026-03-09T09:00"), move("2026-03-09T10:00", "submitted", "assessing")]
    reading = read(clock(events, "response"), 30, cal, bj("2026-03-10T10:00"))
    assert (reading.state, reading.used_minutes) == ("breached", 60)


def test_response_clock_does_not_run_over_the_spring_festival(cal):
    # filed Friday 13 Feb 2026 17:30; the next working time is the make-up Saturday 14 Feb
    events = [created("2026-02-13T17:30")]
    reading = read(clock(events, "response"), 420, cal, bj("2026-02-24T09:00"))
    assert reading.due_at == bj("2026-02-14T17:30")
    assert reading.state == "breached" and reading.used_minutes == 30 + 420


def test_assessment_pauses_while_waiting_on_the_proposer_and_resumes(cal):
    events = [created("2026-03-09T09:00"), move("2026-03-09T09:10", "submitted", "assessing"),
              move("2026-03-09T11:10", "assessing", "awaiting_review")]
    reading = read(clock(events, "assessment"), 2100, cal, bj("2026-03-10T09:00"))
    assert (reading.state, reading.used_minutes) == ("met", 120)
    events.append(move("2026-03-10T10:00", "awaiting_review", "needs_info"))
    paused = read(clock(events, "assessment"), 2100, cal, bj("2026-03-20T10:00"))
    assert (paused.state, paused.used_minutes, paused.due_at) == ("paused", 120, None)
    # the proposer answers eleven days later: assessment resumes from 120 minutes used
    events.append(move("2026-03-20T10:00", "needs_info", "assessing"))
    resumed = read(clock(events, "assessment"), 2100, cal, bj("2026-03-20T11:00"))
    assert (resumed.state, resumed.used_minutes) == ("running", 180)
    assert resumed.due_at == cal.add_working_minutes(bj("2026-03-20T10:00"), 2100 - 120)


def test_deferred_pauses_too_and_a_paused_clock_past_its_target_is_breached(cal):
    events = [created("2026-03-09T09:00"), move("2026-03-09T09:00", "submitted", "assessing"),
              move("2026-03-09T12:00", "assessing", "awaiting_review"),
              move("2026-03-09T14:00", "awaiting_review", "deferred")]
    assert read(clock(events, "assessment"), 200, cal, bj("2026-04-01T10:00")).state == "paused"
    assert read(clock(events, "assessment"), 180, cal, bj("2026-04-01T10:00")).state == "breached"


def test_feedback_clock_runs_until_delivered(cal):
    events = [created("2026-03-09T09:00")]
    open_record = FeedbackRecord(bj("2026-03-09T14:00"), "rejected", None)
    reading = read(clock(events, "feedback", [open_record]), 840, cal, bj("2026-03-10T17:00"))
    # 14:00–18:00 and 09:00–17:00 the next day: 240 + 360 = 600 of 840 (at risk from 672)
    assert (reading.state, reading.used_minutes) == ("running", 600)
    assert reading.due_at == bj("2026-03-11T12:00")  # 60 more minutes on the 10th, 180 on the 11th
    delivered = FeedbackRecord(bj("2026-03-09T14:00"), "rejected", bj("2026-03-09T16:00"))
    reading = read(clock(events, "feedback", [delivered]), 840, cal, bj("2026-03-10T17:00"))
    assert (reading.state, reading.used_minutes) == ("met", 120)


def test_confirmation_clock(cal):
    events = [created("2026-03-02T09:00"), move("2026-03-02T09:10", "submitted", "assessing"),
              move("2026-03-02T10:00", "assessing", "resolved_locally")]
    reading = read(clock(events, "confirmation"), 2100, cal, bj("2026-03-06T17:00"))
    assert reading.state == "at_risk" and reading.used_minutes == 360 + 3 * 420 + 360
    events.append(move("2026-03-06T17:30", "resolved_locally", "confirmed"))
    assert read(clock(events, "confirmation"), 2100, cal, bj("2026-03-20T17:00")).state == "met"


def test_clocks_not_started_are_absent():
    events = [created("2026-03-09T09:00")]
    assert [r.clock for r in runs(events, FILER, [])] == ["response"]
