"""Closing the loop with the proposer through the API: feedback drafts, the proposer's
confirmation (confirmed / not satisfied → reopened, kept as an opinion), automatic confirmation
by `sla tick`, follow-up calls, the opinions list and the e-mail outbox."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Event, Feedback, MailMessage, Meeting, Requirement, UserOpinion
from app.services.sla import confirmation


def bj(text: str) -> datetime:
    return datetime.fromisoformat(text) - timedelta(hours=8)


def resolved_locally(api, filed) -> dict:
    """A requirement the manager resolved by configuration: it waits for the proposer's answer."""
    req = filed()
    manager = api("manager", "445200")
    for to in ("assessing", "resolved_locally"):
        response = manager.post(f"/api/v1/requirements/{req['id']}/transitions", json={"to": to})
        assert response.status_code == 200, response.json
    return req


def add_feedback(app, req_id: int, decision: str = "rejected", reason: str = "与省级统一规划不符",
                 meeting: bool = True) -> int:
    with app.app_context():
        meeting_id = None
        if meeting:
            row = db.session.scalar(select(Meeting).limit(1))
            meeting_id = row.id if row else None
        feedback = Feedback(requirement_id=req_id, decision=decision, reason=reason, meeting_id=meeting_id,
                            created_at=bj("2026-03-09T10:00"))
        db.session.add(feedback)
        db.session.commit()
        return feedback.id


def timeline(client, req_id: int) -> list[dict]:
    response = client.get(f"/api/v1/requirements/{req_id}/timeline")
    assert response.status_code == 200, response.json
    return response.json


# --- drafts -------------------------------------------------------------------------------------

def test_a_rejection_is_drafted_in_chinese_with_code_reason_and_next_step(app, api, filed):
    req = filed(title="增加预算单位自定义报表")
    feedback_id = add_feedback(app, req["id"])
    engineer = api("engineer", "445200")
    response = engineer.get(f"/api/v1/requirements/{req['id']}/feedback/{feedback_id}/draft")
    assert response.status_code == 200, response.json
    draft = response.json
    text = draft["text"]
    assert draft["feedback_id"] == feedback_id and draft["code"] == req["code"] and draft["delivered"] is False
    assert text.startswith("李秀英，您好：")
    assert f"“增加预算单位自定义报表”（编号：{req['code']}）" in text
    assert "暂不采纳" in text and "原因：与省级统一规划不符" in text and "后续安排：" in text
    # no active status link: no placeholder in the text
    assert draft["share_link_active"] is False and draft["link_placeholder"] not in text

    # with an active status link the text says where it goes
    assert engineer.post(f"/api/v1/requirements/{req['id']}/share-link").status_code == 201
    draft = engineer.get(f"/api/v1/requirements/{req['id']}/feedback/{feedback_id}/draft").json
    assert draft["share_link_active"] is True and draft["share_link_expires_at"]
    assert f"处理进度可通过{draft['link_placeholder']}查看" in draft["text"]


def test_needs_info_and_a_merge_are_drafted_with_their_own_next_steps(app, api, filed):
    req = filed()
    needs = add_feedback(app, req["id"], "needs_info", "请补充更正前后的凭证截图", meeting=False)
    text = api("manager", "445200").get(f"/api/v1/requirements/{req['id']}/feedback/{needs}/draft").json["text"]
    assert "需要补充信息" in text and "请补充更正前后的凭证截图" in text and "重新进行分析评估" in text


def test_drafts_are_scoped_like_the_requirement(app, api, filed):
    req = filed()
    feedback_id = add_feedback(app, req["id"])
    url = f"/api/v1/requirements/{req['id']}/feedback/{feedback_id}/draft"
    assert api("engineer", "440100").get(url).status_code == 404
    assert api("taskforce", "445200").get(url).status_code == 200
    other = filed()
    assert api("engineer", "445200").get(
        f"/api/v1/requirements/{other['id']}/feedback/{feedback_id}/draft").status_code == 404
    assert api("engineer", "445200").get(
        f"/api/v1/requirements/{req['id']}/feedback/99999999999/draft").status_code == 404


def test_draft_reports_delivery(app, api, filed):
    req = filed()
    feedback_id = add_feedback(app, req["id"])
    engineer = api("engineer", "445200")
    assert engineer.post(f"/api/v1/requirements/{req['id']}/feedback/{feedback_id}/delivered",
                         json={"channel": "sms", "note": "短信已发"}).status_code == 201
    draft = engineer.get(f"/api/v1/requirements/{req['id']}/feedback/{feedback_id}/draft").json
    assert draft["delivered"] is True and draft["delivered_channel"] == "sms" and draft["delivered_at"].endswith("+00:00")


# --- confirmation -------------------------------------------------------------------------------

def test_the_engineer_records_the_confirmation(app, api, filed):
    req = resolved_locally(api, filed)
    engineer = api("engineer", "445200")
    response = engineer.post(f"/api/v1/requirements/{req['id']}/confirmation",
                             json={"outcome": "confirmed", "reason": "电话回访，用户认可"})
    assert response.status_code == 200, response.json
    assert response.json["status"] == "confirmed" and response.json["code"] == req["code"]
    last = timeline(engineer, req["id"])[-1]
    assert last["kind"] == "transition" and "提出人已确认处理结果" in last["summary"]
    clocks = {c["clock"]: c for c in engineer.get(f"/api/v1/requirements/{req['id']}/sla").json["clocks"]}
    assert clocks["confirmation"]["state"] == "met" and clocks["confirmation"]["due_at"] is None
    # answered once: no longer waiting
    again = engineer.post(f"/api/v1/requirements/{req['id']}/confirmation", json={"outcome": "confirmed"})
    assert again.status_code == 409


def test_not_satisfied_reopens_to_assessing_and_keeps_the_opinion(app, api, filed):
    req = resolved_locally(api, filed)
    engineer = api("engineer", "445200")
    url = f"/api/v1/requirements/{req['id']}/confirmation"
    missing = engineer.post(url, json={"outcome": "not_satisfied", "reason": "   "})
    assert missing.status_code == 422 and "reason" in missing.json["errors"]
    with app.app_context():
        assert db.session.get(Requirement, req["id"]).status == "resolved_locally"
        assert db.session.scalar(select(func.count()).select_from(UserOpinion)) == 0

    response = engineer.post(url, json={"outcome": "not_satisfied", "reason": "配置调整后仍无法导出明细"})
    assert response.status_code == 200, response.json
    assert response.json["status"] == "assessing"
    last = timeline(engineer, req["id"])[-1]
    assert "提出人不满意，已重新打开" in last["summary"] and "配置调整后仍无法导出明细" in last["summary"]

    opinions = api("taskforce", "445200").get("/api/v1/opinions").json
    assert opinions["total"] == 1
    row = opinions["items"][0]
    assert (row["code"], row["reason"], row["region"], row["recorded_by"]) == (
        req["code"], "配置调整后仍无法导出明细", "445200", "engineer_445200")
    assert row["recorded_at"]
    # another city does not see it; the province does
    assert api("taskforce", "440100").get("/api/v1/opinions").json["total"] == 0
    assert api("taskforce", "440000").get("/api/v1/opinions").json["total"] == 1
    # reopened: not waiting for a confirmation any more
    assert engineer.post(url, json={"outcome": "confirmed"}).status_code == 409


def test_the_reopening_move_is_not_offered_by_the_generic_transitions(api, filed):
    req = resolved_locally(api, filed)
    response = api("manager", "445200").post(f"/api/v1/requirements/{req['id']}/transitions",
                                             json={"to": "assessing", "reason": "不满意"})
    assert response.status_code == 409


def test_confirmation_scope_roles_and_input(api, filed):
    req = resolved_locally(api, filed)
    url = f"/api/v1/requirements/{req['id']}/confirmation"
    assert api("engineer", "440100").post(url, json={"outcome": "confirmed"}).status_code == 404
    assert api("taskforce", "445200").post(url, json={"outcome": "confirmed"}).status_code == 403
    assert api("reviewer", "440000").post(url, json={"outcome": "confirmed"}).status_code == 403
    bad = api("engineer", "445200").post(url, json={"outcome": "maybe"})
    assert bad.status_code == 422 and "outcome" in bad.json["errors"]
    assert api("engineer", "445200").post("/api/v1/requirements/999999/confirmation",
                                          json={"outcome": "confirmed"}).status_code == 404
    fresh = filed()
    conflict = api("engineer", "445200").post(f"/api/v1/requirements/{fresh['id']}/confirmation",
                                              json={"outcome": "confirmed"})
    assert conflict.status_code == 409


# --- automatic confirmation ---------------------------------------------------------------------

def tick(app) -> str:
    result = app.test_cli_runner().invoke(args=["sla", "tick"])
    assert result.exit_code == 0, result.output
    return result.output


def test_sla_tick_confirms_after_five_working_days_once(app, api, filed, clock):
    req = resolved_locally(api, filed)
    with app.app_context():
        row = db.session.get(Requirement, req["id"])
        # resolved on Friday 3 April 2026, 10:00: Qingming (4–6 April) is a holiday
        row.status_changed_at = bj("2026-04-03T10:00")
        db.session.commit()
    clock.set("2026-04-13T09:59")
    assert "Confirmed automatically" not in tick(app)
    with app.app_context():
        assert db.session.get(Requirement, req["id"]).status == "resolved_locally"
    # five working days of 7 hours: Fri 3 Apr from 10:00 (6 h), Tue 7 – Fri 10 Apr (the Qingming
    # holiday and the weekend skipped), and the first hour of Mon 13 April → due 10:00
    clock.set("2026-04-13T10:00")
    output = tick(app)
    assert "Confirmed automatically (no answer from the proposer): 1." in output
    tick(app)
    engineer = api("engineer", "445200")
    with app.app_context():
        assert db.session.get(Requirement, req["id"]).status == "confirmed"
        confirmations = db.session.scalars(select(Event).where(
            Event.requirement_id == req["id"], Event.kind == "transition")).all()
        automatic = [e for e in confirmations if (e.data.get("context") or {}).get("confirmation") == "automatic"]
        assert len(automatic) == 1 and automatic[0].actor_id is None and automatic[0].at == bj("2026-04-13T10:00")
    last = timeline(engineer, req["id"])[-1]
    assert "超过 5 个工作日未答复，系统自动确认" in last["summary"]


def test_auto_confirmation_follows_the_configured_days_and_can_be_off(app, api, filed):
    req = resolved_locally(api, filed)
    with app.app_context():
        row = db.session.get(Requirement, req["id"])
        row.status_changed_at = bj("2026-03-09T09:00")
        db.session.commit()
        app.config["AUTO_CONFIRM_WORKING_DAYS"] = 0
        assert confirmation.auto_confirm(bj("2026-06-01T09:00")) == 0
        app.config["AUTO_CONFIRM_WORKING_DAYS"] = 2
        # two working days from Monday 09:00: Tuesday 18:00
        assert confirmation.auto_confirm_at(db.session.get(Requirement, req["id"])) == bj("2026-03-10T18:00")
        assert confirmation.auto_confirm(bj("2026-03-10T17:59")) == 0
        assert confirmation.auto_confirm(bj("2026-03-10T18:00")) == 1
        assert confirmation.auto_confirm(bj("2026-03-12T09:00")) == 0


# --- follow-up calls ----------------------------------------------------------------------------

def test_follow_up_calls_are_their_own_timeline_kind(api, filed):
    req = filed()
    engineer = api("engineer", "445200")
    url = f"/api/v1/requirements/{req['id']}/follow-ups"
    response = engineer.post(url, json={"channel": "phone", "note": "回访李秀英，问题已不再出现"})
    assert response.status_code == 201, response.json
    assert response.json["kind"] == "follow_up" and response.json["channel"] == "phone"
    last = timeline(engineer, req["id"])[-1]
    assert last["kind"] == "follow_up" and last["summary"] == "通过电话回访提出人；备注：回访李秀英，问题已不再出现"
    empty = engineer.post(url, json={"channel": "phone", "note": "  "})
    assert empty.status_code == 422 and "note" in empty.json["errors"]
    bad = engineer.post(url, json={"channel": "fax", "note": "x"})
    assert bad.status_code == 422 and "channel" in bad.json["errors"]
    assert api("taskforce", "445200").post(url, json={"channel": "phone", "note": "x"}).status_code == 403
    assert api("engineer", "440100").post(url, json={"channel": "phone", "note": "x"}).status_code == 404
    assert len([e for e in timeline(engineer, req["id"]) if e["kind"] == "follow_up"]) == 1


# --- the outbox ---------------------------------------------------------------------------------

def test_the_outbox_lists_delivery_status_for_admins(app, api):
    with app.app_context():
        for n, status in enumerate(("pending", "sent", "failed", "failed")):
            db.session.add(MailMessage(to_address=f"u{n}@example.cn", subject=f"主题{n}", body="正文", status=status,
                                       attempts=5 if status == "failed" else 1,
                                       last_error="SMTPServerDisconnected: x" if status == "failed" else "",
                                       sent_at=bj("2026-03-09T10:00") if status == "sent" else None))
        db.session.commit()
    admin = api("admin", "440000")
    page = admin.get("/api/v1/mail/outbox?status=failed&per_page=1").json
    assert page["total"] == 2 and len(page["items"]) == 1 and page["counts"]["failed"] == 2
    assert page["items"][0]["status"] == "failed" and page["items"][0]["last_error"].startswith("SMTPServer")
    assert admin.get("/api/v1/mail/outbox").json["total"] == 4
    bad = admin.get("/api/v1/mail/outbox?status=lost")
    assert bad.status_code == 422 and "status" in bad.json["errors"]
    assert api("manager", "445200").get("/api/v1/mail/outbox").status_code == 403


def test_a_rejection_outside_a_meeting_makes_a_feedback_record_to_deliver(api, filed):
    req = filed()
    manager = api("manager", "445200")
    for to, reason in (("assessing", None), ("awaiting_review", None), ("rejected", "与省级统一规划不符")):
        response = manager.post(f"/api/v1/requirements/{req['id']}/transitions", json={"to": to, "reason": reason})
        assert response.status_code == 200, response.json
    records = manager.get(f"/api/v1/requirements/{req['id']}/feedback").json
    assert [(r["decision"], r["reason"], r["meeting_id"]) for r in records] == [("rejected", "与省级统一规划不符", None)]
    clocks = {c["clock"]: c for c in manager.get(f"/api/v1/requirements/{req['id']}/sla").json["clocks"]}
    assert clocks["feedback"]["state"] == "running"
    draft = manager.get(f"/api/v1/requirements/{req['id']}/feedback/{records[0]['id']}/draft").json
    assert "的处理结论为：暂不采纳。" in draft["text"] and "原因：与省级统一规划不符" in draft["text"]


def test_opinions_of_a_period(app, api, filed):
    engineer = api("engineer", "445200")
    for n, day in enumerate(("2026-03-31T23:30", "2026-04-01T08:00")):
        req = resolved_locally(api, filed)
        assert engineer.post(f"/api/v1/requirements/{req['id']}/confirmation",
                             json={"outcome": "not_satisfied", "reason": f"意见{n}"}).status_code == 200
        with app.app_context():
            row = db.session.scalar(select(UserOpinion).where(UserOpinion.requirement_id == req["id"]))
            row.recorded_at = bj(day)
            db.session.commit()
    reader = api("taskforce", "445200")
    april = reader.get("/api/v1/opinions?from=2026-04-01&to=2026-04-30").json
    assert [o["reason"] for o in april["items"]] == ["意见1"]
    march = reader.get("/api/v1/opinions?from=2026-03-01&to=2026-03-31").json
    assert [o["reason"] for o in march["items"]] == ["意见0"]
    bad = reader.get("/api/v1/opinions?from=2026-04-02&to=2026-04-01")
    assert bad.status_code == 422 and "to" in bad.json["errors"]
    assert reader.get("/api/v1/opinions?from=nope").status_code == 422
