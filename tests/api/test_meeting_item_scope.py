"""Region scope inside a review meeting (issue 13, "Leak"): a reader who may open a meeting
because one agenda item is in their region sees only the items in their region, in every output
(API, agenda, action items, page, printable minutes, .docx, .ics); the others show only as
"N items outside your region", and a direct GET of them stays 404."""
from __future__ import annotations

import io

import pytest

BASE = "/api/v1/meetings"
REQ = "/api/v1/requirements"
PASSWORD = "Secret#2026"
HIDDEN_ZH = "另有1项不在您的区划范围内"
HIDDEN_PAGE_ZH = "另有 1 项不在您的区划范围内"


def _awaiting(api, payload, region: str, title: str) -> dict:
    response = api("engineer", region).post(REQ, json=payload(region=region, title=title))
    assert response.status_code == 201, response.json
    req = response.json
    for to in ("assessing", "awaiting_review"):
        response = api("manager", region).post(f"{REQ}/{req['id']}/transitions", json={"to": to, "reason": "准备评审"})
        assert response.status_code == 200, response.json
    return req


@pytest.fixture
def provincial_meeting(api, payload):
    """A provincial meeting reviewing one 揭阳 item and one 广州 item, with an action item on each."""
    province = api("manager", "440000")
    jy = _awaiting(api, payload, "445200", "揭阳非税收入缴库对账优化")
    gz = _awaiting(api, payload, "440100", "广州国库集中支付秘密事项")
    m = province.post(BASE, json={"title": "全省需求评审会", "scheduled_at": "2099-06-18T14:30:00+08:00"}).json
    added = province.post(f"{BASE}/{m['id']}/agenda", json={"requirement_ids": [gz["id"], jy["id"]]})
    assert added.status_code == 201, added.json
    for req, text in ((jy, "揭阳补充对账材料"), (gz, "广州补充支付材料")):
        response = province.post(f"{BASE}/{m['id']}/action-items",
                                 json={"text": text, "owner": "林晓燕", "requirement_id": req["id"]})
        assert response.status_code == 201, response.json
    return {"meeting": m, "jy": jy, "gz": gz, "province": province}


def _leaks(text: str, gz: dict) -> bool:
    return gz["code"] in text or gz["title"] in text or "广州补充支付材料" in text


def test_api_meeting_agenda_and_action_items_hide_other_regions(api, provincial_meeting):
    m, jy, gz = provincial_meeting["meeting"], provincial_meeting["jy"], provincial_meeting["gz"]
    reader = api("taskforce", "445200")
    response = reader.get(f"{BASE}/{m['id']}")
    assert response.status_code == 200
    body = response.json
    assert [i["code"] for i in body["agenda"]] == [jy["code"]]
    assert body["agenda_codes"] == [jy["code"]] and body["agenda_count"] == 1
    assert body["hidden_items"] == 1
    assert [a["text"] for a in body["action_items"]] == ["揭阳补充对账材料"]
    assert not _leaks(response.get_data(as_text=True), gz)
    agenda = reader.get(f"{BASE}/{m['id']}/agenda")
    assert [i["code"] for i in agenda.json] == [jy["code"]] and not _leaks(agenda.get_data(as_text=True), gz)
    actions = reader.get(f"{BASE}/{m['id']}/action-items")
    assert [a["text"] for a in actions.json] == ["揭阳补充对账材料"]
    # the hidden item itself stays out of reach
    assert reader.get(f"{REQ}/{gz['id']}").status_code == 404


def test_organiser_region_sees_every_item(provincial_meeting):
    m, jy, gz = provincial_meeting["meeting"], provincial_meeting["jy"], provincial_meeting["gz"]
    body = provincial_meeting["province"].get(f"{BASE}/{m['id']}").json
    assert [i["code"] for i in body["agenda"]] == [gz["code"], jy["code"]]
    assert body["hidden_items"] == 0 and len(body["action_items"]) == 2


@pytest.mark.parametrize("prefix", [BASE, "/meetings"])
def test_docx_and_ics_hide_other_regions(api, app, provincial_meeting, prefix):
    from docx import Document
    from icalendar import Calendar

    m, jy, gz = provincial_meeting["meeting"], provincial_meeting["jy"], provincial_meeting["gz"]
    if prefix == BASE:
        reader = api("taskforce", "445200")
    else:
        api("taskforce", "445200")  # the user exists
        reader = app.test_client()
        assert reader.post("/login", data={"username": "taskforce_445200", "password": PASSWORD}).status_code == 302
    response = reader.get(f"{prefix}/{m['id']}/minutes.docx")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert jy["code"] in text and jy["title"] in text and "揭阳补充对账材料" in text
    assert not _leaks(text, gz)
    assert HIDDEN_ZH in text
    ics = reader.get(f"{prefix}/{m['id']}.ics")
    assert ics.status_code == 200
    description = str(next(iter(Calendar.from_ical(ics.data).walk("VEVENT")))["description"])
    assert jy["code"] in description and not _leaks(description, gz) and HIDDEN_ZH in description
    # the organiser's region gets the whole document, without the note
    if prefix == BASE:
        full = provincial_meeting["province"].get(f"{BASE}/{m['id']}.ics")
        whole = str(next(iter(Calendar.from_ical(full.data).walk("VEVENT")))["description"])
        assert gz["code"] in whole and "不在您的区划范围内" not in whole


def test_meeting_page_and_printable_minutes_hide_other_regions(api, app, provincial_meeting):
    m, jy, gz = provincial_meeting["meeting"], provincial_meeting["jy"], provincial_meeting["gz"]
    api("taskforce", "445200")
    reader = app.test_client()
    assert reader.post("/login", data={"username": "taskforce_445200", "password": PASSWORD}).status_code == 302
    page = reader.get(f"/meetings/{m['id']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert jy["code"] in html and not _leaks(html, gz)
    assert HIDDEN_PAGE_ZH in html and 'data-hidden-items="1"' in html
    minutes = reader.get(f"/meetings/{m['id']}/minutes")
    assert minutes.status_code == 200
    html = minutes.get_data(as_text=True)
    assert jy["code"] in html and "揭阳补充对账材料" in html and not _leaks(html, gz)
    assert HIDDEN_ZH in html
    assert reader.get(f"/requirements/{gz['id']}").status_code == 404
