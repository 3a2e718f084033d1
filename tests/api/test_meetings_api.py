"""The review-meeting REST API against issue 3: scheduling, agenda, attendees, action items,
decisions, all-or-nothing finalisation, locking and amendments, exports (.docx, .ics), scope
(404) and roles (403)."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Event, Feedback

BASE = "/api/v1/meetings"
REQ = "/api/v1/requirements"


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.json
    assert set(body) == {"code", "message", "errors"}
    assert body["message"]
    if code is not None:
        assert body["code"] == code, body
    return body


@pytest.fixture
def ready(filed, manager):
    """ready(**overrides) -> JSON of a 揭阳 requirement moved to awaiting_review."""

    def make(status: str = "awaiting_review", **overrides) -> dict:
        req = filed(**overrides)
        path = {"submitted": [], "assessing": ["assessing"],
                "awaiting_review": ["assessing", "awaiting_review"],
                "deferred": ["assessing", "awaiting_review", "deferred"],
                "approved": ["assessing", "awaiting_review", "approved"]}[status]
        for to in path:
            response = manager.post(f"{REQ}/{req['id']}/transitions", json={"to": to, "reason": "准备评审"})
            assert response.status_code == 200, response.json
            req = response.json
        return req

    return make


@pytest.fixture
def meeting(manager):
    def make(**overrides) -> dict:
        data = {"title": "2026年第二季度需求评审会", "scheduled_at": "2026-06-18T14:30:00+08:00",
                "location": "揭阳市财政局三楼会议室"}
        data.update(overrides)
        response = manager.post(BASE, json=data)
        assert response.status_code == 201, response.json
        return response.json

    return make


def decide(client, mid, rid, **body):
    return client.put(f"{BASE}/{mid}/agenda/{rid}", json=body)


# --- scheduling --------------------------------------------------------------------------


def test_schedule_and_read_meeting(manager, meeting):
    m = meeting(video_link="https://meeting.example/123")
    assert m["status"] == "draft" and m["version"] == 1
    assert m["scheduled_at"] == "2026-06-18T06:30:00+00:00"
    assert m["organiser"] == manager.user.username and m["region"] == "445200"
    assert m["agenda"] == [] and m["attendees"] == [] and m["action_items"] == []
    got = manager.get(f"{BASE}/{m['id']}")
    assert got.status_code == 200 and got.json["title"] == "2026年第二季度需求评审会"


def test_create_validation_names_fields(manager):
    body = assert_error(manager.post(BASE, json={"location": "x"}), 422, "validation_error")
    assert {"title", "scheduled_at"} <= set(body["errors"])
    body = assert_error(manager.post(BASE, json={"title": "t", "scheduled_at": "2026-06-18T14:30:00"}), 422)
    assert "scheduled_at" in body["errors"]
    body = assert_error(manager.post(BASE, json={"title": "t", "scheduled_at": "2026-06-18T14:30:00+08:00",
                                                 "colour": "red"}), 422)
    assert "colour" in body["errors"]


def test_only_managers_schedule(api):
    for role, region in (("engineer", "445200"), ("reviewer", "440000"), ("taskforce", "445200")):
        response = api(role, region).post(BASE, json={"title": "t", "scheduled_at": "2026-06-18T14:30:00+08:00"})
        assert_error(response, 403, "forbidden")


def test_patch_meeting_and_stale_version(manager, meeting):
    m = meeting()
    response = manager.patch(f"{BASE}/{m['id']}", json={"location": "视频会议", "version": 1})
    assert response.status_code == 200 and response.json["location"] == "视频会议"
    assert response.json["version"] == 2
    body = assert_error(manager.patch(f"{BASE}/{m['id']}", json={"location": "x", "version": 1}), 409)
    assert "version" in body["errors"]


def test_list_upcoming_and_past_paginated(manager, meeting, api):
    meeting(title="过去的会", scheduled_at="2020-01-10T09:00:00+08:00")
    meeting(title="将来的会一", scheduled_at="2099-01-10T09:00:00+08:00")
    meeting(title="将来的会二", scheduled_at="2099-02-10T09:00:00+08:00")
    upcoming = manager.get(f"{BASE}?when=upcoming&per_page=1")
    assert upcoming.status_code == 200
    assert set(upcoming.json) == {"items", "total", "page", "per_page"}
    assert upcoming.json["total"] == 2 and [m["title"] for m in upcoming.json["items"]] == ["将来的会一"]
    past = manager.get(f"{BASE}?when=past")
    assert [m["title"] for m in past.json["items"]] == ["过去的会"]
    assert manager.get(BASE).json["total"] == 3
    # another city sees none of them; the province sees all
    assert api("manager", "440100").get(BASE).json["total"] == 0
    assert api("taskforce", "440000").get(BASE).json["total"] == 3


# --- agenda ------------------------------------------------------------------------------


def test_agenda_add_reorder_remove(manager, meeting, ready):
    m = meeting()
    a, b, c = ready(title="甲"), ready(title="乙"), ready("deferred", title="丙")
    response = manager.post(f"{BASE}/{m['id']}/agenda", json={"requirement_ids": [a["id"], b["id"], c["id"]]})
    assert response.status_code == 201, response.json
    assert [i["code"] for i in response.json["agenda"]] == [a["code"], b["code"], c["code"]]
    # adding again is idempotent
    again = manager.post(f"{BASE}/{m['id']}/agenda", json={"requirement_ids": [a["id"]]})
    assert len(again.json["agenda"]) == 3
    moved = manager.post(f"{BASE}/{m['id']}/agenda/{c['id']}/move", json={"direction": "up"})
    assert [i["requirement_id"] for i in moved.json] == [a["id"], c["id"], b["id"]]
    order = manager.put(f"{BASE}/{m['id']}/agenda", json={"requirement_ids": [b["id"], a["id"], c["id"]]})
    assert [i["requirement_id"] for i in order.json] == [b["id"], a["id"], c["id"]]
    assert [i["position"] for i in order.json] == [1, 2, 3]
    body = assert_error(manager.put(f"{BASE}/{m['id']}/agenda", json={"requirement_ids": [a["id"]]}), 422)
    assert "requirement_ids" in body["errors"]
    assert manager.delete(f"{BASE}/{m['id']}/agenda/{a['id']}").status_code == 204
    agenda = manager.get(f"{BASE}/{m['id']}/agenda").json
    assert [(i["requirement_id"], i["position"]) for i in agenda] == [(b["id"], 1), (c["id"], 2)]
    assert_error(manager.delete(f"{BASE}/{m['id']}/agenda/{a['id']}"), 404)


def test_queue_lists_awaiting_review_filtered(manager, meeting, ready, filed):
    m = meeting()
    a = ready(title="执行域待评审", domain="execution")
    b = ready(title="预算域待评审", domain="budget")
    ready("deferred", title="暂缓的")
    filed(title="才登记的")
    queue = manager.get(f"{BASE}/{m['id']}/queue")
    assert queue.status_code == 200
    assert {r["title"] for r in queue.json} == {"执行域待评审", "预算域待评审", "暂缓的"}
    assert [r["id"] for r in manager.get(f"{BASE}/{m['id']}/queue?domain=budget").json] == [b["id"]]
    manager.post(f"{BASE}/{m['id']}/agenda", json={"requirement_ids": [a["id"]]})
    assert a["id"] not in [r["id"] for r in manager.get(f"{BASE}/{m['id']}/queue").json]


def test_agenda_rejects_wrong_status_out_of_scope_and_bad_input(manager, meeting, ready, filed, api, payload):
    m = meeting()
    fresh = filed()
    body = assert_error(manager.post(f"{BASE}/{m['id']}/agenda", json={"requirement_ids": [fresh["id"]]}), 409)
    assert fresh["code"] in body["message"]
    # a Guangzhou requirement is not in a Jieyang manager's scope: 404, not revealed
    gz = api("engineer", "440100").post(REQ, json=payload(region="440100")).json
    body = assert_error(manager.post(f"{BASE}/{m['id']}/agenda", json={"requirement_ids": [gz["id"]]}), 404)
    assert gz["code"] not in body["message"]
    body = assert_error(manager.post(f"{BASE}/{m['id']}/agenda", json={"requirement_ids": "1"}), 422)
    assert "requirement_ids" in body["errors"]
    body = assert_error(manager.post(f"{BASE}/{m['id']}/agenda", json={}), 422)
    assert "requirement_ids" in body["errors"]
    assert manager.get(f"{BASE}/{m['id']}").json["agenda"] == []


def test_meeting_out_of_scope_is_404_for_every_endpoint(meeting, api, ready):
    m = meeting()
    other = api("manager", "440100")
    mid = m["id"]
    calls = [
        ("get", f"{BASE}/{mid}", None),
        ("patch", f"{BASE}/{mid}", {"title": "x"}),
        ("post", f"{BASE}/{mid}/agenda", {"requirement_ids": [1]}),
        ("put", f"{BASE}/{mid}/agenda/1", {"notes": "x"}),
        ("post", f"{BASE}/{mid}/attendees", {"name": "张三", "organization": "other"}),
        ("post", f"{BASE}/{mid}/action-items", {"text": "x", "owner": "y"}),
        ("post", f"{BASE}/{mid}/finalize", None),
        ("get", f"{BASE}/{mid}/minutes.docx", None),
        ("get", f"{BASE}/{mid}.ics", None),
        ("post", f"{BASE}/{mid}/amendments", {"text": "x"}),
    ]
    for method, url, body in calls:
        kw = {"json": body} if body is not None else {}
        assert_error(getattr(other, method)(url, **kw), 404, "not_found")
    assert_error(other.get(f"{BASE}/999999"), 404)


def test_roles_taskforce_reads_engineer_cannot_run_reviewer_decides(meeting, ready, api, manager, reviewer):
    m = meeting()
    req = ready()
    manager.post(f"{BASE}/{m['id']}/agenda", json={"requirement_ids": [req["id"]]})
    taskforce, engineer = api("taskforce", "445200"), api("engineer", "445200")
    assert taskforce.get(f"{BASE}/{m['id']}").status_code == 200
    assert taskforce.get(f"{BASE}/{m['id']}/minutes.docx").status_code == 200
    for client in (taskforce, engineer):
        assert_error(decide(client, m["id"], req["id"], notes="x"), 403)
        assert_error(decide(client, m["id"], req["id"], decision="approved"), 403)
        assert_error(client.post(f"{BASE}/{m['id']}/agenda", json={"requirement_ids": [req["id"]]}), 403)
        assert_error(client.post(f"{BASE}/{m['id']}/finalize"), 403)
        assert_error(client.post(f"{BASE}/{m['id']}/attendees", json={"name": "x", "organization": "other"}), 403)
    # reviewers decide but do not run the meeting
    assert decide(reviewer, m["id"], req["id"], decision="approved", target="V3.2").status_code == 200
    assert_error(reviewer.post(f"{BASE}/{m['id']}/finalize"), 403)
    assert_error(reviewer.patch(f"{BASE}/{m['id']}", json={"title": "x"}), 403)


# --- attendees, action items, decisions -------------------------------------------------


def test_attendees_and_presence(manager, meeting):
    m = meeting()
    response = manager.post(f"{BASE}/{m['id']}/attendees",
                            json={"name": "王建国", "organization": "provincial_team", "role": "主持"})
    assert response.status_code == 201
    attendee = response.json
    assert attendee["present"] is True and attendee["organization_label"] == "省厅需求团队"
    patched = manager.patch(f"{BASE}/{m['id']}/attendees/{attendee['id']}", json={"present": False})
    assert patched.status_code == 200 and patched.json["present"] is False and patched.json["role"] == "主持"
    body = assert_error(manager.post(f"{BASE}/{m['id']}/attendees", json={"name": "", "organization": "bank"}), 422)
    assert {"name", "organization"} <= set(body["errors"])
    assert manager.delete(f"{BASE}/{m['id']}/attendees/{attendee['id']}").status_code == 204
    assert manager.get(f"{BASE}/{m['id']}/attendees").json == []


def test_action_items(manager, meeting, ready):
    m = meeting()
    req = ready()
    manager.post(f"{BASE}/{m['id']}/agenda", json={"requirement_ids": [req["id"]]})
    response = manager.post(f"{BASE}/{m['id']}/action-items",
                            json={"text": "补充需求说明材料", "owner": "林晓燕", "due": "2026-06-30",
                                  "requirement_id": req["id"]})
    assert response.status_code == 201, response.json
    assert response.json["requirement_code"] == req["code"] and response.json["due"] == "2026-06-30"
    body = assert_error(manager.post(f"{BASE}/{m['id']}/action-items", json={"owner": "x", "due": "soon"}), 422)
    assert {"text", "due"} <= set(body["errors"])
    body = assert_error(manager.post(f"{BASE}/{m['id']}/action-items",
                                     json={"text": "x", "owner": "y", "requirement_id": 999999}), 422)
    assert "requirement_id" in body["errors"]
    assert manager.delete(f"{BASE}/{m['id']}/action-items/{response.json['id']}").status_code == 204


def test_decision_validation(manager, meeting, ready):
    m = meeting()
    req = ready()
    manager.post(f"{BASE}/{m['id']}/agenda", json={"requirement_ids": [req["id"]]})
    mid, rid = m["id"], req["id"]
    assert "reason" in assert_error(decide(manager, mid, rid, decision="rejected"), 422)["errors"]
    assert "reason" in assert_error(decide(manager, mid, rid, decision="needs_info", reason="  "), 422)["errors"]
    assert "target" in assert_error(decide(manager, mid, rid, decision="deferred"), 422)["errors"]
    assert "decision" in assert_error(decide(manager, mid, rid, decision="maybe"), 422)["errors"]
    assert "colour" in assert_error(decide(manager, mid, rid, colour="red"), 422)["errors"]
    saved = decide(manager, mid, rid, notes="讨论：需省级改造")
    assert saved.status_code == 200 and saved.json["notes"] == "讨论：需省级改造"
    assert saved.json["notes_saved_at"] and saved.json["decision"] is None
    done = decide(manager, mid, rid, decision="deferred", until="2026-09-30", reason="待全省统一方案")
    assert done.json["decision"] == "deferred" and done.json["until"] == "2026-09-30"
    assert done.json["notes"] == "讨论：需省级改造"
    cleared = decide(manager, mid, rid, decision=None)
    assert cleared.json["decision"] is None and cleared.json["reason"] == ""
    assert_error(decide(manager, mid, 999999, notes="x"), 404)


# --- finalisation ------------------------------------------------------------------------


def _four_decided(manager, meeting, ready):
    m = meeting()
    reqs = [ready(title="通过的"), ready(title="不通过的"), ready(title="待补充的"), ready("deferred", title="暂缓的")]
    manager.post(f"{BASE}/{m['id']}/agenda", json={"requirement_ids": [r["id"] for r in reqs]})
    a, r, n, d = reqs
    assert decide(manager, m["id"], a["id"], decision="approved", target="V2026.07 迭代", notes="同意").status_code == 200
    assert decide(manager, m["id"], r["id"], decision="rejected", reason="属于全省统一功能，不支持地市个性化定制").status_code == 200
    assert decide(manager, m["id"], n["id"], decision="needs_info", reason="请补充涉及单位和单据号").status_code == 200
    assert decide(manager, m["id"], d["id"], decision="deferred", target="2026年第三季度").status_code == 200
    return m, reqs


def test_finalize_applies_every_decision(manager, meeting, ready, api):
    m, (a, r, n, d) = _four_decided(manager, meeting, ready)
    response = manager.post(f"{BASE}/{m['id']}/finalize")
    assert response.status_code == 200, response.json
    moves = [(t["code"], t["from"], t["to"]) for t in response.json["transitions"]]
    assert moves == [
        (a["code"], "awaiting_review", "approved"),
        (r["code"], "awaiting_review", "rejected"),
        (n["code"], "awaiting_review", "needs_info"),
        (d["code"], "deferred", "awaiting_review"),
        (d["code"], "awaiting_review", "deferred"),
    ]
    assert response.json["meeting"]["status"] == "finalised"
    assert {f["requirement_id"] for f in response.json["feedback"]} == {r["id"], n["id"]}
    observer = api("admin", "440000")
    assert [observer.get(f"{REQ}/{x['id']}").json["status"] for x in (a, r, n, d)] == [
        "approved", "rejected", "needs_info", "deferred"]
    last = observer.get(f"{REQ}/{r['id']}/timeline").json[-1]
    assert last["kind"] == "transition" and last["details"]["context"]["meeting_id"] == m["id"]
    assert last["details"]["reason"] == "属于全省统一功能，不支持地市个性化定制"
    assert m["title"] in last["summary"] and "属于全省统一功能" in last["summary"]
    feedback = observer.get(f"{REQ}/{r['id']}/feedback").json
    assert [(f["decision"], f["meeting_id"]) for f in feedback] == [("rejected", m["id"])]
    assert observer.get(f"{REQ}/{a['id']}/feedback").json == []
    on = observer.get(f"{REQ}/{a['id']}/meetings").json
    assert [(x["meeting_id"], x["decision"], x["target"]) for x in on] == [(m["id"], "approved", "V2026.07 迭代")]


def test_finalize_is_all_or_nothing(app_ctx, manager, meeting, ready, api):
    m, (a, r, n, d) = _four_decided(manager, meeting, ready)
    # meanwhile someone decides one of the items outside the meeting
    moved = manager.post(f"{REQ}/{n['id']}/transitions", json={"to": "approved", "reason": "会外决定：已有配置方案"})
    assert moved.status_code == 200
    events_before = db.session.scalar(select(func.count(Event.id)))
    body = assert_error(manager.post(f"{BASE}/{m['id']}/finalize"), 409, "finalize_blocked")
    assert n["code"] in body["message"] and "approved" in body["message"]
    assert list(body["errors"]) == [f"agenda.{n['id']}"]
    observer = api("admin", "440000")
    assert [observer.get(f"{REQ}/{x['id']}").json["status"] for x in (a, r, n, d)] == [
        "awaiting_review", "awaiting_review", "approved", "deferred"]
    assert db.session.scalar(select(func.count(Event.id))) == events_before
    assert db.session.scalar(select(func.count(Feedback.id))) == 0
    assert manager.get(f"{BASE}/{m['id']}").json["status"] == "draft"


def test_finalize_blocked_by_missing_decision_and_empty_agenda(manager, meeting, ready):
    empty = meeting()
    assert "agenda" in assert_error(manager.post(f"{BASE}/{empty['id']}/finalize"), 409)["errors"]
    m = meeting()
    a, b = ready(), ready()
    manager.post(f"{BASE}/{m['id']}/agenda", json={"requirement_ids": [a["id"], b["id"]]})
    decide(manager, m["id"], a["id"], decision="approved")
    body = assert_error(manager.post(f"{BASE}/{m['id']}/finalize"), 409)
    assert b["code"] in body["message"] and list(body["errors"]) == [f"agenda.{b['id']}"]
    assert manager.get(f"{REQ}/{a['id']}").json["status"] == "awaiting_review"


def test_finalised_minutes_are_locked_and_amended(manager, meeting, ready):
    m, (a, *_rest) = _four_decided(manager, meeting, ready)
    assert_error(manager.post(f"{BASE}/{m['id']}/amendments", json={"text": "尚未定稿"}), 409)
    assert manager.post(f"{BASE}/{m['id']}/finalize").status_code == 200
    mid = m["id"]
    for method, url, body in [
        ("patch", f"{BASE}/{mid}", {"title": "改"}),
        ("put", f"{BASE}/{mid}/agenda/{a['id']}", {"notes": "改"}),
        ("put", f"{BASE}/{mid}/agenda/{a['id']}", {"decision": "rejected", "reason": "改"}),
        ("delete", f"{BASE}/{mid}/agenda/{a['id']}", None),
        ("post", f"{BASE}/{mid}/agenda", {"requirement_ids": [a["id"]]}),
        ("post", f"{BASE}/{mid}/attendees", {"name": "x", "organization": "other"}),
        ("post", f"{BASE}/{mid}/action-items", {"text": "x", "owner": "y"}),
        ("post", f"{BASE}/{mid}/finalize", None),
    ]:
        kw = {"json": body} if body is not None else {}
        assert_error(getattr(manager, method)(url, **kw), 409, "minutes_finalised")
    amendment = manager.post(f"{BASE}/{mid}/amendments", json={"text": "更正：第一项目标迭代为 V2026.08"})
    assert amendment.status_code == 201 and amendment.json["author"] == manager.user.username
    assert "text" in assert_error(manager.post(f"{BASE}/{mid}/amendments", json={"text": ""}), 422)["errors"]
    got = manager.get(f"{BASE}/{mid}").json
    assert [x["text"] for x in got["amendments"]] == ["更正：第一项目标迭代为 V2026.08"]
    assert got["agenda"][0]["target"] == "V2026.07 迭代"


# --- exports -----------------------------------------------------------------------------


def test_minutes_docx_has_codes_and_decisions(manager, meeting, ready):
    from docx import Document

    m, (a, r, n, d) = _four_decided(manager, meeting, ready)
    manager.post(f"{BASE}/{m['id']}/attendees", json={"name": "王建国", "organization": "provincial_team", "role": "主持"})
    manager.post(f"{BASE}/{m['id']}/attendees", json={"name": "郑丽华", "organization": "taskforce", "role": "参会"})
    manager.post(f"{BASE}/{m['id']}/attendees",
                 json={"name": "黄志明", "organization": "onsite_engineering", "role": "记录", "present": False})
    manager.post(f"{BASE}/{m['id']}/action-items", json={"text": "补充材料", "owner": "林晓燕", "due": "2026-06-30"})
    manager.patch(f"{BASE}/{m['id']}", json={"summary": "会议认为多数需求可纳入下一迭代。"})
    manager.post(f"{BASE}/{m['id']}/finalize")
    manager.post(f"{BASE}/{m['id']}/amendments", json={"text": "更正：补记参会人员"})
    response = manager.get(f"{BASE}/{m['id']}/minutes.docx")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    assert "attachment" in response.headers["Content-Disposition"]
    doc = Document(io.BytesIO(response.data))
    paragraphs = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert doc.paragraphs[0].text == "2026年第二季度需求评审会会议纪要"
    assert doc.paragraphs[0].alignment == 1  # centred
    assert "揭阳市财政局三楼会议室" in paragraphs and "王建国" in paragraphs
    assert "省厅需求团队：" in paragraphs and "专班：" in paragraphs and "缺席：黄志明" in paragraphs
    for req in (a, r, n, d):
        assert req["code"] in cells and req["title"] in cells
    for label in ("评审通过", "评审不通过", "待补充", "暂缓"):
        assert label in cells
    assert "属于全省统一功能，不支持地市个性化定制" in cells and "V2026.07 迭代" in cells
    assert "补充材料" in cells and "林晓燕" in cells
    assert "会议认为多数需求可纳入下一迭代。" in paragraphs and "更正：补记参会人员" in paragraphs


def test_ics_export(manager, meeting, ready):
    from icalendar import Calendar

    m = meeting(video_link="https://meeting.example/8899")
    req = ready()
    manager.post(f"{BASE}/{m['id']}/agenda", json={"requirement_ids": [req["id"]]})
    first = manager.get(f"{BASE}/{m['id']}.ics")
    assert first.status_code == 200 and first.mimetype == "text/calendar"
    calendar = Calendar.from_ical(first.data)
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["summary"]) == m["title"]
    start = event.decoded("dtstart")
    assert start.utcoffset().total_seconds() == 8 * 3600 and (start.hour, start.minute) == (14, 30)
    assert event["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert "揭阳市财政局三楼会议室" in str(event["location"])
    assert req["code"] in str(event["description"])
    manager.patch(f"{BASE}/{m['id']}", json={"location": "视频会议"})
    second = Calendar.from_ical(manager.get(f"{BASE}/{m['id']}.ics").data)
    assert str(next(iter(second.walk("VEVENT")))["uid"]) == str(event["uid"])


def test_openapi_documents_meeting_routes(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/meetings", "/api/v1/meetings/{meeting_id}/finalize",
                 "/api/v1/meetings/{meeting_id}/agenda/{requirement_id}"):
        assert path in paths


# --- audit fixes -------------------------------------------------------------------------


def test_finalize_blocked_when_status_moved_within_review_statuses(app_ctx, manager, meeting, ready, api):
    """Moved to deferred outside the meeting after the decision: 409 finalize_blocked naming the item."""
    m, (a, r, n, d) = _four_decided(manager, meeting, ready)
    assert manager.post(f"{REQ}/{a['id']}/transitions", json={"to": "deferred", "reason": "另行安排"}).status_code == 200
    body = assert_error(manager.post(f"{BASE}/{m['id']}/finalize"), 409, "finalize_blocked")
    assert list(body["errors"]) == [f"agenda.{a['id']}"]
    assert a["code"] in body["errors"][f"agenda.{a['id']}"][0] and "deferred" in body["message"]
    observer = api("admin", "440000")
    assert [observer.get(f"{REQ}/{x['id']}").json["status"] for x in (a, r, n, d)] == [
        "deferred", "awaiting_review", "awaiting_review", "deferred"]
    assert db.session.scalar(select(func.count(Feedback.id))) == 0


def test_requirement_on_only_one_draft_agenda(manager, meeting, ready):
    first, second = meeting(title="第一次评审会"), meeting(title="第二次评审会")
    req = ready()
    assert manager.post(f"{BASE}/{first['id']}/agenda", json={"requirement_ids": [req["id"]]}).status_code == 201
    body = assert_error(manager.post(f"{BASE}/{second['id']}/agenda", json={"requirement_ids": [req["id"]]}),
                        409, "on_other_agenda")
    assert "第一次评审会" in body["message"] and req["code"] in body["message"]
    assert "requirement_ids" in body["errors"]
    assert manager.get(f"{BASE}/{second['id']}").json["agenda"] == []
    assert req["id"] not in [r["id"] for r in manager.get(f"{BASE}/{second['id']}/queue").json]


def test_whitespace_only_text_is_rejected(manager, meeting, ready):
    body = assert_error(manager.post(BASE, json={"title": "   ", "scheduled_at": "2026-06-18T14:30:00+08:00"}), 422)
    assert list(body["errors"]) == ["title"]
    m = meeting(title="  评审会  ")
    assert m["title"] == "评审会"
    assert list(assert_error(manager.patch(f"{BASE}/{m['id']}", json={"title": " \t "}), 422)["errors"]) == ["title"]
    body = assert_error(manager.post(f"{BASE}/{m['id']}/attendees", json={"name": "   ", "organization": "other"}), 422)
    assert list(body["errors"]) == ["name"]
    attendee = manager.post(f"{BASE}/{m['id']}/attendees", json={"name": "王建国", "organization": "other"}).json
    body = assert_error(manager.patch(f"{BASE}/{m['id']}/attendees/{attendee['id']}", json={"name": "  "}), 422)
    assert list(body["errors"]) == ["name"]
    body = assert_error(manager.post(f"{BASE}/{m['id']}/action-items", json={"text": "  ", "owner": " "}), 422)
    assert set(body["errors"]) == {"text", "owner"}
    assert manager.get(f"{BASE}/{m['id']}").json["action_items"] == []


def test_queue_filters_by_type_and_region(manager, meeting, ready):
    m = meeting()
    city_defect = ready(title="市本级缺陷", type="defect", region="445200")
    county_functional = ready(title="榕城区功能", type="functional", region="445202")
    ids = lambda query: [r["id"] for r in manager.get(f"{BASE}/{m['id']}/queue?{query}").json]  # noqa: E731
    assert set(ids("")) == {city_defect["id"], county_functional["id"]}
    assert ids("type=defect") == [city_defect["id"]]
    assert ids("type=functional") == [county_functional["id"]]
    assert ids("region=445202") == [county_functional["id"]]
    assert ids("region=445202&type=defect") == []
    assert "region" in assert_error(manager.get(f"{BASE}/{m['id']}/queue?region=999999"), 422)["errors"]


def test_past_meetings_newest_first_and_finalised_not_upcoming(manager, meeting, ready):
    meeting(title="2019年的会", scheduled_at="2019-03-01T09:00:00+08:00")
    meeting(title="2021年的会", scheduled_at="2021-03-01T09:00:00+08:00")
    meeting(title="2020年的会", scheduled_at="2020-03-01T09:00:00+08:00")
    done = meeting(title="已定稿的将来会", scheduled_at="2099-03-01T09:00:00+08:00")
    req = ready()
    manager.post(f"{BASE}/{done['id']}/agenda", json={"requirement_ids": [req["id"]]})
    decide(manager, done["id"], req["id"], decision="approved")
    assert manager.post(f"{BASE}/{done['id']}/finalize", json={"confirm_early": True}).status_code == 200
    past = [m["title"] for m in manager.get(f"{BASE}?when=past").json["items"]]
    assert past == ["已定稿的将来会", "2021年的会", "2020年的会", "2019年的会"]
    assert manager.get(f"{BASE}?when=upcoming").json["items"] == []


def test_meeting_readable_by_users_who_see_an_agenda_requirement(api, ready):
    province = api("manager", "440000")
    m = province.post(BASE, json={"title": "全省需求评审会", "scheduled_at": "2099-06-18T14:30:00+08:00"}).json
    other = province.post(BASE, json={"title": "不含揭阳事项", "scheduled_at": "2099-06-19T14:30:00+08:00"}).json
    req = ready()
    assert province.post(f"{BASE}/{m['id']}/agenda", json={"requirement_ids": [req["id"]]}).status_code == 201
    for reader in (api("taskforce", "445200"), api("manager", "445200")):
        assert reader.get(f"{BASE}/{m['id']}").status_code == 200
        assert reader.get(f"{BASE}/{m['id']}/minutes.docx").status_code == 200
        assert reader.get(f"{BASE}/{m['id']}.ics").status_code == 200
        assert_error(reader.get(f"{BASE}/{other['id']}"), 404)
    assert_error(api("manager", "440100").get(f"{BASE}/{m['id']}"), 404)
    jy = api("manager", "445200")
    assert_error(jy.patch(f"{BASE}/{m['id']}", json={"title": "改"}), 403, "forbidden")
    assert_error(decide(jy, m["id"], req["id"], notes="x"), 403)
    assert_error(jy.post(f"{BASE}/{m['id']}/attendees", json={"name": "x", "organization": "other"}), 403)
    assert_error(jy.post(f"{BASE}/{m['id']}/finalize"), 403)
    assert_error(jy.delete(f"{BASE}/{m['id']}/agenda/{req['id']}"), 403)


def test_docx_layout_notes_dates_footer_and_filename(manager, meeting, ready):
    from docx import Document

    m = meeting(scheduled_at="2027-03-05T09:00:00+08:00")
    req = ready()
    manager.post(f"{BASE}/{m['id']}/agenda", json={"requirement_ids": [req["id"]]})
    decide(manager, m["id"], req["id"], notes="讨论：需省级统一改造", decision="deferred", until="2027-03-31")
    manager.post(f"{BASE}/{m['id']}/attendees", json={"name": "陈丽", "organization": "taskforce", "present": False})
    manager.post(f"{BASE}/{m['id']}/action-items", json={"text": "补充材料", "owner": "林晓燕", "due": "2027-04-02"})
    response = manager.get(f"{BASE}/{m['id']}/minutes.docx")
    disposition = response.headers["Content-Disposition"]
    assert f'filename="meeting-{m["id"]}-minutes.docx"' in disposition
    assert "filename*=UTF-8''" in disposition and "%E4%BC%9A%E8%AE%AE%E7%BA%AA%E8%A6%81" in disposition  # 会议纪要
    doc = Document(io.BytesIO(response.data))
    paragraphs = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "讨论：需省级统一改造" in cells
    assert "2027年3月31日" in cells and "2027年4月2日" in cells and "2027年03月" not in cells + paragraphs
    assert "2027年3月5日" in paragraphs
    assert "专班：缺席：陈丽" in paragraphs and "；缺席" not in paragraphs
    assert "组织单位：揭阳市财政局" in paragraphs and "（（" not in paragraphs
    assert [p.text for p in doc.paragraphs[-2:]] == ["揭阳市财政局", "2027年3月5日"]
    body = [p for p in doc.paragraphs if p.text.startswith("本次会议")][0]
    assert body.runs[0].font.size.pt == 16
    footer = doc.sections[0].footer.paragraphs[0]._element.xml
    assert "PAGE" in footer and "fldChar" in footer


def test_ics_uid_does_not_depend_on_the_host_and_has_dtend(manager, meeting, app):
    from icalendar import Calendar

    m = meeting(scheduled_at="2026-06-18T14:30:00+08:00")
    answers = [manager.get(f"{BASE}/{m['id']}.ics", base_url=f"http://{host}/") for host in ("a.example", "b.example")]
    events = [next(iter(Calendar.from_ical(r.data).walk("VEVENT"))) for r in answers]
    assert {str(e["uid"]) for e in events} == {f"meeting-{m['id']}@szcz-tracker"}
    end = events[0].decoded("dtend")
    assert (end - events[0].decoded("dtstart")).total_seconds() == 120 * 60
    app.config["ICS_UID_DOMAIN"] = "czt.gd.example"
    again = next(iter(Calendar.from_ical(manager.get(f"{BASE}/{m['id']}.ics").data).walk("VEVENT")))
    assert str(again["uid"]) == f"meeting-{m['id']}@czt.gd.example"


def test_remove_from_agenda_unlinks_action_items(manager, meeting, ready):
    m = meeting()
    req = ready()
    manager.post(f"{BASE}/{m['id']}/agenda", json={"requirement_ids": [req["id"]]})
    action = manager.post(f"{BASE}/{m['id']}/action-items",
                          json={"text": "补充材料", "owner": "林晓燕", "requirement_id": req["id"]}).json
    assert manager.delete(f"{BASE}/{m['id']}/agenda/{req['id']}").status_code == 204
    items = manager.get(f"{BASE}/{m['id']}/action-items").json
    assert [(x["id"], x["requirement_id"], x["requirement_code"]) for x in items] == [(action["id"], None, None)]


def test_deferred_decision_timeline_says_deferred_until(manager, meeting, ready, api):
    m, (a, r, n, d) = _four_decided(manager, meeting, ready)
    assert manager.post(f"{BASE}/{m['id']}/finalize").status_code == 200
    last = api("admin", "440000").get(f"{REQ}/{d['id']}/timeline").json[-1]
    assert last["details"]["context"]["until"] == "2026年第三季度"
    assert "2026年第三季度" in last["summary"] and "目标" not in last["summary"] and "target" not in last["summary"]


# --- issue 7 -----------------------------------------------------------------------------


def test_finalize_before_the_start_asks_for_confirmation(manager, meeting, ready, api):
    """Scheduled for 2099-12-10 09:00 and finalised today: 409 naming the scheduled time, nothing
    applied; `{"confirm_early": true}` finalises. The minutes bear the meeting's date, and the
    finalising date apart."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from docx import Document

    m = meeting(scheduled_at="2099-12-10T09:00:00+08:00")
    req = ready()
    manager.post(f"{BASE}/{m['id']}/agenda", json={"requirement_ids": [req["id"]]})
    decide(manager, m["id"], req["id"], decision="approved", target="V2099.12")
    body = assert_error(manager.post(f"{BASE}/{m['id']}/finalize"), 409, "finalize_early")
    assert "2099-12-10 09:00" in body["message"] and list(body["errors"]) == ["confirm_early"]
    body = assert_error(manager.post(f"{BASE}/{m['id']}/finalize", json={"confirm_early": False}), 409,
                        "finalize_early")
    assert manager.get(f"{BASE}/{m['id']}").json["status"] == "draft"
    assert api("admin", "440000").get(f"{REQ}/{req['id']}").json["status"] == "awaiting_review"
    assert "confirm_early" in assert_error(
        manager.post(f"{BASE}/{m['id']}/finalize", json={"confirm_early": "soon"}), 422)["errors"]
    done = manager.post(f"{BASE}/{m['id']}/finalize", json={"confirm_early": True})
    assert done.status_code == 200, done.json
    assert done.json["meeting"]["status"] == "finalised" and done.json["meeting"]["agenda"][0]["decision"] == "approved"
    assert done.json["meeting"]["scheduled_at"] == "2099-12-10T01:00:00+00:00"
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    doc = Document(io.BytesIO(manager.get(f"{BASE}/{m['id']}/minutes.docx").data))
    paragraphs = [p.text for p in doc.paragraphs]
    assert "会议时间：2099年12月10日（星期四）09:00" in paragraphs
    assert f"纪要定稿：{today.year}年{today.month}月{today.day}日（会前定稿）" in paragraphs
    assert paragraphs[-1] == "2099年12月10日"  # the signature's date is the meeting's
    assert not any(p.endswith("定稿）") and p.startswith("（") for p in paragraphs)


def test_finalize_openapi_documents_the_optional_confirmation(client):
    spec = client.get("/api/v1/openapi.json").json
    post = spec["paths"]["/api/v1/meetings/{meeting_id}/finalize"]["post"]
    assert post["requestBody"]["required"] is False
    reasons = spec["paths"]["/api/v1/meetings/reasons"]["get"]["responses"]["200"]["content"]["application/json"]
    assert "schema" in reasons


def test_canned_reasons_are_serialised_by_a_schema(manager):
    body = manager.get(f"{BASE}/reasons").json
    assert set(body) == {"rejected"} and "属于全省统一功能，不支持地市个性化定制" in body["rejected"]


def test_the_meetings_api_builds_no_answer_by_hand():
    """Schemas serialise: no dict literals returned and no attributes set on results for output."""
    import inspect

    from app.api import meetings as module

    source = inspect.getsource(module)
    assert "return {" not in source and "result.meeting =" not in source


def test_meeting_ids_beyond_integer_answer_404(manager):
    for ident in (2**31, 2**63, 10**20):
        assert_error(manager.get(f"{BASE}/{ident}"), 404, "not_found")
        assert_error(manager.post(f"{BASE}/{ident}/finalize"), 404, "not_found")


def test_minutes_organiser_unit_attendance_and_code_column(manager, meeting, ready):
    """组织单位 and the signature name the organiser's finance bureau, not the meeting; an absent
    attendee is listed once by name; requirement codes never wrap in the table."""
    from docx import Document
    from docx.oxml.ns import qn

    m = meeting(title="2026年第二季度需求评审会")
    req = ready()
    manager.post(f"{BASE}/{m['id']}/agenda", json={"requirement_ids": [req["id"]]})
    manager.post(f"{BASE}/{m['id']}/attendees",
                 json={"name": "李科长", "organization": "other", "role": "参会", "present": False})
    manager.post(f"{BASE}/{m['id']}/attendees", json={"name": "郑丽华", "organization": "taskforce", "role": "参会"})
    doc = Document(io.BytesIO(manager.get(f"{BASE}/{m['id']}/minutes.docx").data))
    paragraphs = [p.text for p in doc.paragraphs]
    assert "组织单位：揭阳市财政局" in paragraphs and paragraphs[-2] == "揭阳市财政局"
    assert not any("组织单位" in p and "评审会" in p for p in paragraphs)
    assert "其他人员：缺席：李科长" in paragraphs and "“数字财政”专班：郑丽华（参会）" in paragraphs
    assert not any("李科长（" in p for p in paragraphs)
    table = doc.tables[0]
    code_cell = table.rows[1].cells[1]
    assert code_cell.text == req["code"]
    assert code_cell._tc.tcPr.find(qn("w:noWrap")) is not None
    assert code_cell.width.cm >= 3.2
    assert sum(c.width.cm for c in table.rows[1].cells) <= 15.61  # A4 text width: 21 - 2.8 - 2.6 cm
