"""Closing the loop's rules: the reopening move exists only for a proposer not satisfied, the
drafted message's parts by decision, and when the tracker confirms for a silent proposer."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask_babel import force_locale

from app.extensions import db
from app.models import Feedback, Requirement
from app.services import requirements, workflow
from app.services.calendar import WorkingCalendar
from app.services.errors import IllegalTransition, ValidationFailed
from app.services.sla import confirmation, drafts
from app.services.timeline import describe

pytestmark = pytest.mark.usefixtures("app_ctx")

FIELDS = {"description": "", "domain": "execution", "module": "", "type": "optimization", "priority": "medium",
          "channel": "phone", "proposer_name": "李秀英", "region": "445200"}


def bj(text: str) -> datetime:
    return datetime.fromisoformat(text) - timedelta(hours=8)


@pytest.fixture
def people(make_user):
    return make_user("rule_engineer", "engineer", "445200"), make_user("rule_manager", "manager", "445200")


def _resolved(people, title="支付明细导出缺少科目列") -> Requirement:
    engineer, manager = people
    req = requirements.create(engineer, {**FIELDS, "title": title})
    for to in ("assessing", "resolved_locally"):
        workflow.apply_transition(req, to, manager)
    db.session.commit()
    return req


@pytest.mark.parametrize("status", workflow.AWAITING_CONFIRMATION)
def test_reopening_is_legal_only_as_not_satisfied(status):
    req = Requirement(status=status, code="REQ-2026-0001")
    with pytest.raises(IllegalTransition):
        workflow.check_transition(req, "assessing")
    with pytest.raises(IllegalTransition):
        workflow.check_transition(req, "assessing", context={"confirmation": "confirmed"})
    workflow.check_transition(req, "assessing", "不满意", context={"confirmation": "not_satisfied"})
    assert "assessing" not in workflow.allowed_targets(status)


def test_not_satisfied_context_opens_no_other_move():
    req = Requirement(status="approved", code="REQ-2026-0002")
    with pytest.raises(IllegalTransition):
        workflow.check_transition(req, "assessing", "x", context={"confirmation": "not_satisfied"})


def test_not_satisfied_needs_a_reason_and_nothing_is_written(people):
    req = _resolved(people)
    engineer, _ = people
    with pytest.raises(ValidationFailed) as error:
        confirmation.record(engineer, req.id, {"outcome": "not_satisfied", "reason": " "})
    assert "reason" in error.value.errors
    db.session.refresh(req)
    assert req.status == "resolved_locally"


def test_the_timeline_says_how_it_was_confirmed(people):
    req = _resolved(people)
    confirmation.auto_confirm(req.status_changed_at + timedelta(days=30))
    event = requirements.events(req)[-1]
    with force_locale("zh_Hans_CN"):
        assert describe(event).endswith("；超过 5 个工作日未答复，系统自动确认")
    with force_locale("en"):
        assert "confirmed automatically: no answer from the proposer within 5 working days" in describe(event)


def test_auto_confirm_time_counts_working_days_over_holidays(app, people):
    req = _resolved(people)
    req.status_changed_at = bj("2026-09-30T15:00")  # before the National Day holiday (1–7 October 2026)
    calendar = WorkingCalendar.load()
    assert calendar.day(bj("2026-10-05T12:00").date()).workday is False
    # Wed 30 Sep 15:00–18:00 (3 h), then 8, 9, 10 (the make-up working Saturday) and 12 October
    # (28 h), and the 4 h left on Tuesday 13 October: 09:00–12:00 and 14:00–15:00
    assert calendar.day(bj("2026-10-10T12:00").date()).reason == "makeup_workday"
    assert confirmation.auto_confirm_at(req, calendar) == bj("2026-10-13T15:00")
    app.config["AUTO_CONFIRM_WORKING_DAYS"] = "nonsense"
    assert confirmation.auto_confirm_days() == confirmation.DEFAULT_AUTO_CONFIRM_DAYS


def test_drafts_by_decision(people):
    engineer, _ = people
    req = requirements.create(engineer, {**FIELDS, "title": "增加预算单位自定义报表", "proposer_name": ""})
    original = requirements.create(engineer, {**FIELDS, "title": "自定义报表"})
    rows = [
        Feedback(requirement_id=req.id, decision="needs_info", reason="请补充报表样式", created_at=bj("2026-03-09T10:00")),
        Feedback(requirement_id=req.id, decision="duplicate", original_id=original.id, reason="内容相同",
                 created_at=bj("2026-03-10T10:00")),
    ]
    db.session.add_all(rows)
    db.session.commit()
    needs_info, duplicate = (drafts.text(req, row, None) for row in rows)
    # no proposer name: a plain greeting
    assert needs_info.startswith("您好：\n")
    assert "2026年3月9日的处理结论为：需要补充信息。" in needs_info and "原因：请补充报表样式" in needs_info
    assert "重新进行分析评估" in needs_info and "【状态链接】" not in needs_info
    assert f"与此前登记的需求{original.code}内容相同，已于2026年3月10日合并办理" in duplicate
    assert f"该需求将随{original.code}一并跟进" in duplicate
    with_link = drafts.text(req, rows[0], bj("2026-04-08T10:00"))
    assert "处理进度可通过【状态链接】查看（链接有效期至2026年4月8日）。" in with_link
