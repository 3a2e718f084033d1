"""Service levels through the API: targets, GET /requirements/<id>/sla, the sla list filter,
`flask sla tick` (one breach event however often it runs) and feedback delivery."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Event, Feedback, SlaState
from app.services import sla


def bj(text: str) -> datetime:
    return datetime.fromisoformat(text) - timedelta(hours=8)


def backdate(app, req_id: int, *times: str) -> None:
    """Give the requirement's events, oldest first, these Beijing times."""
    with app.app_context():
        events = db.session.scalars(select(Event).where(Event.requirement_id == req_id).order_by(Event.id)).all()
        for event, at in zip(events, times):
            event.at = bj(at)
        db.session.commit()


def tick(app) -> str:
    result = app.test_cli_runner().invoke(args=["sla", "tick"])
    assert result.exit_code == 0, result.output
    return result.output


def listed(client, kind: str) -> set[int]:
    response = client.get(f"/api/v1/requirements?sla={kind}&per_page=200")
    assert response.status_code == 200, response.json
    return {r["id"] for r in response.json["items"]}


def test_targets_default_and_are_replaced_by_the_admin(api):
    response = api("engineer").get("/api/v1/sla/targets")
    assert response.status_code == 200
    rows = {(t["clock"], t["type"], t["priority"]): t["minutes"] for t in response.json["targets"]}
    assert rows[("response", "defect", "*")] == 30
    assert rows[("assessment", "defect", "*")] == 120 and rows[("assessment", "defect", "urgent")] == 1440
    assert rows[("response", "*", "*")] == 420 and rows[("assessment", "*", "*")] == 2100
    assert rows[("feedback", "*", "*")] == 840 and rows[("confirmation", "*", "*")] == 2100

    admin = api("admin", "440000")
    new = [{"clock": c, "type": "*", "priority": "*", "minutes": 600} for c in sla.CLOCKS]
    new.append({"clock": "response", "type": "defect", "priority": "urgent", "minutes": 15})
    response = admin.put("/api/v1/sla/targets", json={"targets": new})
    assert response.status_code == 200, response.json
    assert len(response.json["targets"]) == 5
    assert api("engineer").get("/api/v1/sla/targets").json == response.json


@pytest.mark.parametrize("targets,field", [
    ([{"clock": "response", "type": "*", "priority": "*", "minutes": 30}], "targets"),  # other clocks lack */*
    ([{"clock": "lunch", "minutes": 30}], "targets"),
    ([{"clock": "response", "minutes": 0}], "targets"),
    ([{"clock": c, "minutes": 60} for c in sla.CLOCKS] + [{"clock": "response", "type": "nope", "minutes": 5}],
     "targets"),
    ([{"clock": c, "minutes": 60} for c in sla.CLOCKS] * 2, "targets"),
])
def test_bad_targets_are_refused_and_nothing_changes(api, targets, field):
    admin = api("admin", "440000")
    before = admin.get("/api/v1/sla/targets").json
    response = admin.put("/api/v1/sla/targets", json={"targets": targets})
    assert response.status_code == 422, response.json
    assert any(key.split(".")[0] == field for key in response.json["errors"]), response.json
    assert admin.get("/api/v1/sla/targets").json == before


def test_only_admins_replace_targets(api):
    body = {"targets": [{"clock": c, "minutes": 60} for c in sla.CLOCKS]}
    assert api("manager").put("/api/v1/sla/targets", json=body).status_code == 403


def test_response_clock_states_filter_and_one_breach_event(app, api, filed, clock):
    req = filed()  # a defect: respond within 30 working minutes
    backdate(app, req["id"], "2026-03-09T09:00")
    manager = api("manager", "445200")
    clock.set("2026-03-09T09:25")
    tick(app)
    body = manager.get(f"/api/v1/requirements/{req['id']}/sla").json
    response = next(c for c in body["clocks"] if c["clock"] == "response")
    assert response == {"clock": "response", "state": "at_risk", "used_minutes": 25, "target_minutes": 30,
                        "started_at": "2026-03-09T01:00:00+00:00", "at_risk_at": "2026-03-09T01:24:00+00:00",
                        "due_at": "2026-03-09T01:30:00+00:00"}
    assert req["id"] in listed(manager, "at_risk") and req["id"] not in listed(manager, "breached")

    # past the due time the list shows it breached before any tick has run
    clock.set("2026-03-09T09:31")
    assert req["id"] in listed(manager, "breached") and req["id"] not in listed(manager, "at_risk")
    # and not to a manager of another city
    assert req["id"] not in listed(api("manager", "440100"), "breached")

    tick(app)
    tick(app)
    timeline = manager.get(f"/api/v1/requirements/{req['id']}/timeline").json
    breaches = [e for e in timeline if e["kind"] == "sla_breached"]
    assert len(breaches) == 1 and breaches[0]["details"]["clock"] == "response"
    assert breaches[0]["summary"] == "响应：超过时限 30 个工作分钟（已用 31）"

    # the first response stops the clock: breached stays breached (answered late)
    manager.post(f"/api/v1/requirements/{req['id']}/transitions", json={"to": "assessing"})
    backdate(app, req["id"], "2026-03-09T09:00", "2026-03-09T10:00")
    tick(app)
    state = manager.get(f"/api/v1/requirements/{req['id']}/sla").json["clocks"]
    assert {c["clock"]: c["state"] for c in state} == {"response": "breached", "assessment": "running"}
    # answered late is history (detail, timeline), not an overdue item on today's list
    assert req["id"] not in listed(manager, "breached")
    tick(app)
    timeline = manager.get(f"/api/v1/requirements/{req['id']}/timeline").json
    assert len([e for e in timeline if e["kind"] == "sla_breached"]) == 1


def test_writes_keep_the_stored_state_current(app, filed, api, clock):
    req = filed(type="functional")
    with app.app_context():
        rows = db.session.scalars(select(SlaState).where(SlaState.requirement_id == req["id"])).all()
        assert [(r.clock, r.state, r.target_minutes) for r in rows] == [("response", "running", 420)]
    api("manager", "445200").post(f"/api/v1/requirements/{req['id']}/transitions", json={"to": "assessing"})
    with app.app_context():
        rows = {r.clock: r.state for r in db.session.scalars(select(SlaState).where(SlaState.requirement_id == req["id"]))}
    assert rows["response"] == "met" and rows["assessment"] == "running"


def _feedback(app, req_id: int) -> int:
    with app.app_context():
        row = Feedback(requirement_id=req_id, decision="rejected", reason="与省级统一规划不符")
        db.session.add(row)
        db.session.commit()
        return row.id


def test_feedback_delivered_stops_the_feedback_clock(app, api, filed, clock):
    req = filed()
    feedback_id = _feedback(app, req["id"])
    engineer = api("engineer", "445200")
    clock.set("2026-03-09T10:00")
    with app.app_context():
        db.session.get(Feedback, feedback_id).created_at = bj("2026-03-09T09:00")
        db.session.commit()
    tick(app)
    clocks = {c["clock"]: c for c in engineer.get(f"/api/v1/requirements/{req['id']}/sla").json["clocks"]}
    assert clocks["feedback"]["state"] == "running" and clocks["feedback"]["used_minutes"] == 60

    url = f"/api/v1/requirements/{req['id']}/feedback/{feedback_id}/delivered"
    response = engineer.post(url, json={"channel": "yuezhengyi", "note": "已通过粤政易告知李秀英"})
    assert response.status_code == 201, response.json
    assert response.json["channel"] == "yuezhengyi" and response.json["feedback_id"] == feedback_id
    clocks = {c["clock"]: c for c in engineer.get(f"/api/v1/requirements/{req['id']}/sla").json["clocks"]}
    assert clocks["feedback"]["state"] == "met" and clocks["feedback"]["due_at"] is None
    timeline = engineer.get(f"/api/v1/requirements/{req['id']}/timeline").json
    delivered = [e for e in timeline if e["kind"] == "feedback_delivered"]
    assert len(delivered) == 1 and delivered[0]["details"]["channel"] == "yuezhengyi"
    assert delivered[0]["summary"] == "已通过粤政易向提出人送达反馈（评审不通过）；备注：已通过粤政易告知李秀英"

    assert engineer.post(url, json={"channel": "phone"}).status_code == 409
    assert engineer.post(f"/api/v1/requirements/{req['id']}/feedback/999999/delivered",
                         json={"channel": "phone"}).status_code == 404
    bad = engineer.post(url, json={"channel": "pigeon"})
    assert bad.status_code == 422 and "channel" in bad.json["errors"]
    assert api("taskforce", "445200").post(url, json={"channel": "phone"}).status_code == 403
    assert api("engineer", "440100").post(url, json={"channel": "phone"}).status_code == 404
    assert len([e for e in engineer.get(f"/api/v1/requirements/{req['id']}/timeline").json
                if e["kind"] == "feedback_delivered"]) == 1


def test_sla_of_a_requirement_outside_the_region_is_404(api, filed):
    req = filed()
    assert api("engineer", "440100").get(f"/api/v1/requirements/{req['id']}/sla").status_code == 404
    assert api("engineer", "445200").get("/api/v1/requirements/999999/sla").status_code == 404


def test_bad_sla_filter_names_the_field(api):
    response = api("manager").get("/api/v1/requirements?sla=late")
    assert response.status_code == 422 and "sla" in response.json["errors"]
