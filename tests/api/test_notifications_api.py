"""Notifications through the API (issue 10): each kind reaches the right readers in the same
transaction, never the actor, never someone outside the requirement's region; watch; mark read."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Notification, SlaState


def mine(client, **query) -> dict:
    response = client.get("/api/v1/notifications", query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def kinds(client) -> list[tuple[str, str]]:
    return [(n["kind"], n["data"].get("code") or n["data"].get("version")) for n in mine(client)["items"]]


def move(client, req_id: int, to: str, reason: str | None = None):
    response = client.post(f"/api/v1/requirements/{req_id}/transitions", json={"to": to, "reason": reason})
    assert response.status_code == 200, response.json
    return response.json


def test_comment_and_moves_notify_the_filer_and_watchers_not_the_actor(api, filed):
    req = filed()
    filer, manager, watcher = api("engineer", "445200"), api("manager", "445200"), api("taskforce", "445200")
    assert watcher.post(f"/api/v1/requirements/{req['id']}/watch").json == {"requirement_id": req["id"],
                                                                           "watching": True}
    assert manager.post(f"/api/v1/requirements/{req['id']}/comments", json={"body": "请补充截图"}).status_code == 201
    move(manager, req["id"], "assessing")

    assert kinds(filer) == [("transition", req["code"]), ("comment", req["code"])]
    assert kinds(watcher) == [("transition", req["code"]), ("comment", req["code"])]
    assert kinds(manager) == []  # the actor hears nothing of their own action
    item = mine(filer)["items"][1]
    assert item["text"] == f"manager_445200 评论了 {req['code']}" and item["read_at"] is None

    # the filer's own comment notifies the watcher only
    filer.post(f"/api/v1/requirements/{req['id']}/comments", json={"body": "已补充"})
    assert len(mine(filer)["items"]) == 2 and len(mine(watcher)["items"]) == 3


def test_decision_feedback_due_and_verification_failed(api, filed):
    req = filed()
    filer, manager = api("engineer", "445200"), api("manager", "445200")
    move(manager, req["id"], "assessing")
    move(manager, req["id"], "awaiting_review")
    move(manager, req["id"], "rejected", "不属于平台功能")
    got = kinds(filer)
    assert ("feedback_due", req["code"]) in got and ("decision", req["code"]) in got
    feedback_due = next(n for n in mine(filer)["items"] if n["kind"] == "feedback_due")
    assert feedback_due["text"].startswith(f"需向 {req['code']} 的提出人反馈（")


def test_assignment_notifies_the_assignee(api, filed):
    req = filed()
    manager, other = api("manager", "445200"), api("engineer", "445200")
    other_name = other.user.username
    current = manager.get(f"/api/v1/requirements/{req['id']}").json
    response = manager.patch(f"/api/v1/requirements/{req['id']}",
                             json={"assignee": other_name, "version": current["version"]})
    assert response.status_code == 200, response.json
    assert ("assigned", req["code"]) in kinds(other)


def test_scope_nobody_outside_the_region_hears_and_may_not_watch(api, filed):
    req = filed()
    outsider = api("taskforce", "440100")  # another city
    assert outsider.post(f"/api/v1/requirements/{req['id']}/watch").status_code == 404
    assert outsider.delete(f"/api/v1/requirements/{req['id']}/watch").status_code == 404
    move(api("manager", "445200"), req["id"], "assessing")
    assert mine(outsider)["total"] == 0
    # the province's task force reads every region and may watch
    province = api("taskforce", "440000")
    assert province.post(f"/api/v1/requirements/{req['id']}/watch").status_code == 200
    assert province.post(f"/api/v1/requirements/{req['id']}/watch").status_code == 200  # idempotent
    move(api("manager", "445200"), req["id"], "awaiting_review")
    assert kinds(province) == [("transition", req["code"])]
    assert province.delete(f"/api/v1/requirements/{req['id']}/watch").json["watching"] is False
    move(api("manager", "445200"), req["id"], "approved", "紧急上线")
    assert mine(province)["total"] == 1


def test_mark_read_one_and_all_and_unread_filter(api, filed):
    req = filed()
    filer, manager = api("engineer", "445200"), api("manager", "445200")
    for body in ("一", "二", "三"):
        manager.post(f"/api/v1/requirements/{req['id']}/comments", json={"body": body})
    page = mine(filer)
    assert page["unread_count"] == 3 and page["total"] == 3
    first = page["items"][0]["id"]
    # others' ids are ignored
    assert manager.post("/api/v1/notifications/read", json={"ids": [first]}).json["marked"] == 0
    response = filer.post("/api/v1/notifications/read", json={"ids": [first]})
    assert response.status_code == 200 and response.json == {"marked": 1, "unread_count": 2}
    assert [n["id"] for n in mine(filer, unread="true")["items"]] == [n["id"] for n in page["items"][1:]]
    assert filer.post("/api/v1/notifications/read", json={"all": True}).json == {"marked": 2, "unread_count": 0}
    assert mine(filer, unread="true")["total"] == 0 and mine(filer)["total"] == 3


def test_mark_read_needs_ids_or_all(api):
    client = api("engineer", "445200")
    for body in ({}, {"all": False}, {"ids": "x"}, {"ids": [0]}, {"nope": 1}):
        response = client.post("/api/v1/notifications/read", json=body)
        assert response.status_code == 422, (body, response.json)
    assert "ids" in client.post("/api/v1/notifications/read", json={}).json["errors"]
    assert client.get("/api/v1/notifications?per_page=0").status_code == 422


def test_email_preference(api):
    client = api("engineer", "445200")
    assert client.get("/api/v1/notifications/settings").json == {"email_enabled": True}
    assert client.put("/api/v1/notifications/settings", json={"email_enabled": False}).json == {"email_enabled": False}
    assert client.get("/api/v1/notifications/settings").json == {"email_enabled": False}
    assert client.put("/api/v1/notifications/settings", json={}).status_code == 422


def test_sla_at_risk_and_breach_notify_the_task_force_and_managers_of_the_region(app, api, filed, monkeypatch):
    from app.services import sla

    req = filed()  # a defect: respond within 30 working minutes
    taskforce, manager = api("taskforce", "445200"), api("manager", "445200")
    province_tf, elsewhere = api("taskforce", "440000"), api("manager", "440100")
    engineer = api("engineer", "445200")
    start = datetime(2026, 3, 9, 1, 0)  # 09:00 Beijing, a Monday
    with app.app_context():
        from app.models import Event

        for event in db.session.scalars(select(Event).where(Event.requirement_id == req["id"])):
            event.at = start
        db.session.commit()
    for minutes in (25, 31, 40):
        monkeypatch.setattr(sla, "utcnow", lambda m=minutes: start + timedelta(minutes=m))
        assert app.test_cli_runner().invoke(args=["sla", "tick"]).exit_code == 0
    for client in (taskforce, manager, province_tf):
        assert kinds(client) == [("sla_breached", req["code"]), ("sla_at_risk", req["code"])], client.user.username
    assert mine(elsewhere)["total"] == 0 and mine(engineer)["total"] == 0
    with app.app_context():
        assert db.session.scalar(select(SlaState.state).where(SlaState.requirement_id == req["id"],
                                                              SlaState.clock == "response")) == "breached"
        assert db.session.query(Notification).count() == 6


def test_release_accepted_completed_and_verification_failed(api, filed):
    from tests.release_kit import add, approve, import_feature, move as move_release, new_release, record, start_run

    manager, reviewer, filer = api("manager", "445200"), api("reviewer", "440000"), api("engineer", "445200")
    first, second = (approve(manager, filed(title=t)["id"]) for t in ("直接支出更正", "跨年退款"))
    ids = import_feature(manager, [("直接支出更正", [f"@{first['code']}"]), ("跨年退款", [f"@{second['code']}"])])
    rid = new_release(manager)["id"]
    assert add(manager, rid, first["id"], second["id"]).status_code == 200
    run = start_run(manager, rid)
    record(manager, run["id"], {ids["直接支出更正"]: "failed", ids["跨年退款"]: "passed"})
    # the failed one is taken out: verification failed, told to its filer
    assert manager.delete(f"/api/v1/releases/{rid}/requirements/{first['id']}").status_code == 204
    assert ("verification_failed", first["code"]) in kinds(filer)
    filer.post("/api/v1/notifications/read", json={"all": True})

    assert manager.post(f"/api/v1/releases/{rid}/signoffs", json={"decision": "approve"}).status_code == 201
    assert reviewer.post(f"/api/v1/releases/{rid}/signoffs", json={"decision": "approve"}).status_code == 201
    assert move_release(manager, rid, "accepted").status_code == 200
    # one notification for the release, not one per requirement it moved
    assert [(n["kind"], n["data"]["version"]) for n in mine(filer, unread="true")["items"]] == [
        ("release_accepted", "V2026.12")]
    item = mine(filer, unread="true")["items"][0]
    assert item["release_id"] == rid and item["text"] == "版本 V2026.12 验收通过"
    from tests.release_kit import fill_application

    fill_application(manager, rid)  # the upgrade application comes first (issue 9)
    for to in ("upgrade_requested", "scheduled"):
        if to == "scheduled":
            window = {"start": "2026-12-19T22:00:00", "end": "2026-12-20T06:00:00"}
            assert manager.put(f"/api/v1/releases/{rid}/window", json=window).status_code == 200
        assert move_release(manager, rid, to).status_code == 200, to
    from tests.rollout_kit import keep_only, roll_out

    keep_only(api("manager", "440000"), rid, ("445200",))  # 揭阳 only: its manager completes it (issue 9)
    roll_out(manager, rid)
    assert kinds(filer)[0] == ("release_completed", "V2026.12")
    assert [k for k, _ in kinds(manager) if k.startswith("release_")] == []  # the actor
