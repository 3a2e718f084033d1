"""Review meeting pages: list, schedule form (422 in place), agenda builder, live minutes autosave,
decisions, finalise (409 names the blocking item), read-only after finalising, requirement card."""
from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import Meeting, Requirement
from app.services import requirements

PASSWORD = "Secret#2026"
HX = {"HX-Request": "true"}


@pytest.fixture
def people(make_user):
    return {
        "manager": make_user("mgr_jy", "manager", "445200"),
        "engineer": make_user("eng_jy", "engineer", "445200"),
        "taskforce": make_user("tf_jy", "taskforce", "445200"),
        "manager_gz": make_user("mgr_gz", "manager", "440100"),
    }


@pytest.fixture
def signed_in(app, people):
    def sign_in(username: str):
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302
        return client

    return sign_in


@pytest.fixture
def waiting(people):
    def make(title: str) -> Requirement:
        req = requirements.create(people["engineer"], {
            "title": title, "domain": "execution", "type": "functional", "priority": "medium",
            "channel": "phone", "region": "445200", "proposer_name": "李秀英"})
        for to in ("assessing", "awaiting_review"):
            requirements.transition(people["manager"], req, to)
        return req

    return make


def _new_meeting(client, **overrides):
    data = {"title": "六月需求评审会", "scheduled_at": "2099-06-18T14:30", "duration_minutes": "90",
            "location": "三楼会议室", "video_link": ""}
    data.update(overrides)
    response = client.post("/meetings/new", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def test_list_and_empty_state(signed_in):
    client = signed_in("tf_jy")
    html = client.get("/meetings").get_data(as_text=True)
    assert 'id="meetings-empty"' in html and 'id="new-meeting"' not in html
    assert 'href="/meetings"' in html  # the nav link
    partial = client.get("/meetings?when=past", headers=HX).get_data(as_text=True)
    assert "<html" not in partial and 'id="meetings-empty"' in partial


def test_schedule_form_errors_and_local_time(signed_in):
    client = signed_in("mgr_jy")
    assert client.get("/meetings/new").status_code == 200
    bad = client.post("/meetings/new", data={"title": "", "scheduled_at": "not a time"}, headers=HX)
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert 'data-field="title"' in text and 'data-field="scheduled_at"' in text
    mid = _new_meeting(client)
    meeting = db.session.get(Meeting, mid)
    assert meeting.scheduled_at.hour == 6 and meeting.scheduled_at.minute == 30  # 14:30 Beijing = 06:30 UTC
    html = client.get("/meetings").get_data(as_text=True)
    assert f'data-meeting-id="{mid}"' in html
    assert signed_in("tf_jy").get("/meetings/new").status_code == 403
    assert signed_in("mgr_gz").get(f"/meetings/{mid}").status_code == 404


def test_agenda_notes_decisions_and_finalise(signed_in, waiting):
    client = signed_in("mgr_jy")
    a, b = waiting("跨年退款无法关联上年度支付凭证"), waiting("支付更正审核增加复核节点")
    mid = _new_meeting(client)
    page = client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert f'id="pick-{a.id}"' in page and f'id="pick-{b.id}"' in page
    added = client.post(f"/meetings/{mid}/agenda", data={"requirement_ids": [str(a.id), str(b.id)]}, headers=HX)
    assert added.status_code == 200
    text = added.get_data(as_text=True)
    assert f'id="item-{a.id}"' in text and 'hx-swap-oob="innerHTML:#queue"' in text
    moved = client.post(f"/meetings/{mid}/agenda/{b.id}/move", data={"direction": "up"}, headers=HX).get_data(as_text=True)
    assert moved.index(f'id="item-{b.id}"') < moved.index(f'id="item-{a.id}"')

    saved = client.post(f"/meetings/{mid}/agenda/{a.id}/notes", data={"notes": "讨论：需省级改造"}, headers=HX)
    assert saved.status_code == 200
    assert re.search(r'data-state="saved"[^>]*>.*\d{2}:\d{2}:\d{2}', saved.get_data(as_text=True))

    missing = client.post(f"/meetings/{mid}/agenda/{b.id}/decision", data={"decision": "rejected", "reason": ""}, headers=HX)
    assert missing.status_code == 422 and 'data-field="reason"' in missing.get_data(as_text=True)
    canned = client.post(f"/meetings/{mid}/agenda/{b.id}/decision",
                         data={"decision": "rejected", "reason": "", "canned_reason": "与省统一业务规范或制度要求冲突"},
                         headers=HX)
    assert canned.status_code == 200 and 'data-decision="rejected"' in canned.get_data(as_text=True)

    blocked = client.post(f"/meetings/{mid}/finalize", headers=HX)
    assert blocked.status_code == 409
    assert f'data-blocker="agenda.{a.id}"' in blocked.get_data(as_text=True)
    assert db.session.get(Requirement, b.id).status == "awaiting_review"

    client.post(f"/meetings/{mid}/agenda/{a.id}/decision", data={"decision": "approved", "target": "V2026.07"}, headers=HX)
    done = client.post(f"/meetings/{mid}/finalize", headers=HX)
    assert done.status_code == 200 and done.headers["HX-Location"] == f"/meetings/{mid}"
    db.session.expire_all()
    assert db.session.get(Requirement, a.id).status == "approved"
    assert db.session.get(Requirement, b.id).status == "rejected"

    final = client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert 'data-finalised="true"' in final and "<textarea id=\"notes-" not in final
    assert 'id="finalize-btn"' not in final and 'id="amendment-form"' in final
    assert client.post(f"/meetings/{mid}/agenda/{a.id}/notes", data={"notes": "x"}, headers=HX).status_code == 409
    amended = client.post(f"/meetings/{mid}/amendments", data={"text": "更正：目标迭代为 V2026.08"}, headers=HX)
    assert amended.status_code == 200 and "更正：目标迭代为 V2026.08" in amended.get_data(as_text=True)

    printable = client.get(f"/meetings/{mid}/minutes").get_data(as_text=True)
    assert a.code in printable and 'data-decision="rejected"' in printable
    assert client.get(f"/meetings/{mid}/minutes.docx").status_code == 200
    assert client.get(f"/meetings/{mid}.ics").mimetype == "text/calendar"

    detail = client.get(f"/requirements/{b.id}").get_data(as_text=True)
    assert 'id="meetings-card"' in detail and f'data-meeting-id="{mid}"' in detail
    assert 'class="feedback-item" data-decision="rejected"' in detail


def test_add_to_meeting_from_requirement_page(signed_in, waiting):
    client = signed_in("mgr_jy")
    req = waiting("预算指标调剂审批支持批量操作")
    mid = _new_meeting(client)
    page = client.get(f"/requirements/{req.id}").get_data(as_text=True)
    assert 'id="add-to-meeting"' in page
    response = client.post(f"/requirements/{req.id}/meetings", data={"meeting_id": str(mid)}, headers=HX)
    assert response.status_code == 200 and f'data-meeting-id="{mid}"' in response.get_data(as_text=True)
    assert [i.requirement_id for i in db.session.get(Meeting, mid).agenda_items] == [req.id]
    # the taskforce reads the card but gets no control
    html = signed_in("tf_jy").get(f"/requirements/{req.id}").get_data(as_text=True)
    assert 'id="meetings-card"' in html and 'id="add-to-meeting"' not in html
