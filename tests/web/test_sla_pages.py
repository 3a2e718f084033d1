"""Service levels on the pages: the list's marker and filter, the detail card, the stage table's
working time, and the admin page of targets."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Event, Feedback
from app.services import sla



def bj(text: str) -> datetime:
    return datetime.fromisoformat(text) - timedelta(hours=8)


@pytest.fixture
def sign_in(make_user, login):
    make_user("sla_admin", "admin", "440000")
    make_user("sla_manager", "manager", "445200")
    return login


@pytest.fixture
def at_risk_requirement(app, filed, monkeypatch):
    """A defect filed Mon 9 Mar 2026 09:00 (Beijing), seen at 09:25: its response clock is at risk."""
    req = filed(title="指标余额未回滚（即将超时）")
    other = filed(title="另一条按时响应的需求", type="functional")
    with app.app_context():
        for rid in (req["id"], other["id"]):
            for event in db.session.scalars(select(Event).where(Event.requirement_id == rid)):
                event.at = bj("2026-03-09T09:00")
        db.session.commit()
    monkeypatch.setattr(sla, "utcnow", lambda: bj("2026-03-09T09:25"))
    monkeypatch.setattr("app.web.sla.utcnow", lambda: bj("2026-03-09T09:25"))
    with app.app_context():
        sla.tick()
    return req, other


def test_list_marks_and_filters_at_risk_items(sign_in, at_risk_requirement):
    req, other = at_risk_requirement
    client = sign_in("sla_manager")
    page = client.get("/requirements").get_data(as_text=True)
    row = page.split(req["code"])[1].split("</tr>")[0]
    assert 'data-sla="at_risk"' in row and "即将超时" in row
    assert 'data-sla=' not in page.split(other["code"])[1].split("</tr>")[0]
    filtered = client.get("/requirements?sla=at_risk").get_data(as_text=True)
    assert req["code"] in filtered and other["code"] not in filtered
    assert client.get("/requirements?sla=breached").get_data(as_text=True).count(req["code"]) == 0


def test_detail_shows_clocks_and_working_time(sign_in, at_risk_requirement):
    req, _ = at_risk_requirement
    page = sign_in("sla_manager").get(f"/requirements/{req['id']}").get_data(as_text=True)
    card = page.split('id="sla-card"')[1].split("</section>")[0]
    assert 'data-clock="response" data-state="at_risk"' in card and "25分钟 / 30分钟" in card
    stages = page.split('class="stages"')[1].split("</table>")[0]
    assert "工作时间" in stages and '<td class="work-time">25分钟</td>' in stages


def test_admin_edits_targets(sign_in):
    client = sign_in("sla_admin")
    page = client.get("/admin/sla").get_data(as_text=True)
    assert "服务时限标准" in page and 'value="30"' in page
    rows = {"clock": list(sla.CLOCKS) + ["response"], "type": ["*"] * 4 + ["defect"],
            "priority": ["*"] * 5, "minutes": ["400", "2000", "800", "2000", "20"]}
    assert client.post("/admin/sla", data=rows).status_code == 303
    assert {(t["clock"], t["type"]): t["minutes"] for t in _targets(client)} == {("response", "*"): 400, ("assessment", "*"): 2000, ("feedback", "*"): 800,
                                      ("confirmation", "*"): 2000, ("response", "defect"): 20}
    bad = client.post("/admin/sla", data={"clock": ["response"], "type": ["*"], "priority": ["*"], "minutes": ["30"]})
    assert bad.status_code == 422 and "每个计时项都需要" in bad.get_data(as_text=True)
    assert sign_in("sla_manager").get("/admin/sla").status_code == 403


def _targets(client):
    with client.application.app_context():
        return sla.targets()


def test_feedback_delivery_from_the_detail_page(app, sign_in, filed):
    req = filed(title="需要向提出人反馈的需求")
    with app.app_context():
        row = Feedback(requirement_id=req["id"], decision="rejected", reason="与省级统一规划不符")
        db.session.add(row)
        db.session.commit()
        feedback_id = row.id
    client = sign_in("sla_manager")
    page = client.get(f"/requirements/{req['id']}").get_data(as_text=True)
    card = page.split('id="sla-card"')[1].split("</section>")[0]
    assert 'data-clock="feedback" data-state="running"' in card
    # the delivery form sits with the drafted message (templates/requirements/_proposer_loop.html)
    loop = page.split('id="proposer-loop"')[1].split("</section>")[0]
    assert 'class="feedback-delivery"' in loop and f'data-feedback-id="{feedback_id}"' in loop
    assert "与省级统一规划不符" in loop
    url = f"/requirements/{req['id']}/feedback/{feedback_id}/delivered"
    response = client.post(url, data={"channel": "phone", "note": "电话告知"})
    assert response.status_code == 303
    page = client.get(f"/requirements/{req['id']}").get_data(as_text=True)
    card = page.split('id="sla-card"')[1].split("</section>")[0]
    loop = page.split('id="proposer-loop"')[1].split("</section>")[0]
    assert 'class="feedback-delivery"' not in loop and 'data-delivered="true"' in loop
    assert 'data-clock="feedback" data-state="met"' in card
    assert "已通过电话向提出人送达反馈" in page
    again = client.post(url, data={"channel": "phone"})
    assert again.status_code == 409 and "该反馈已登记送达" in again.get_data(as_text=True)
