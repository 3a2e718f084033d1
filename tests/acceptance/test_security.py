"""登录防护与评审会中的区划范围 (features/security/sign_in.feature): the sign-in lockout through
the login page, and a provincial meeting read by a city's task force (page and .docx)."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select

from app.extensions import db
from app.models import SignInAttempt

scenarios("security/sign_in.feature")

PASSWORD = "Secret#2026"


@pytest.fixture
def state() -> dict:
    return {}


@given(parsers.parse('已开通用户"{username}"'))
def user_exists(make_user, username):
    make_user(username, "engineer", "445200")


@when(parsers.parse('用户"{username}"连续 {n:d} 次输错密码'))
def wrong_passwords(client, username, n):
    for _ in range(n):
        assert client.post("/login", data={"username": username, "password": "wrong-password"}).status_code == 422


@when(parsers.parse('用户"{username}"用正确的密码登录'), target_fixture="response")
def right_password(app, username):
    response = app.test_client().post("/login", data={"username": username, "password": PASSWORD})
    return response


@when(parsers.parse("过了 {minutes:d} 分钟"))
def time_passes(app, minutes):
    with app.app_context():
        for attempt in db.session.scalars(select(SignInAttempt)):
            attempt.at -= timedelta(minutes=minutes)
        db.session.commit()


@then(parsers.parse("响应状态码为 {status:d}"))
def status_is(response, status):
    # a successful sign-in redirects to the list (200 after following it)
    code = 200 if response.status_code == 302 and status == 200 else response.status_code
    assert code == status, response.get_data(as_text=True)[:500]


@then(parsers.parse('提示"{text}"'))
def says(response, text):
    assert text in response.get_data(as_text=True)


def _awaiting(api, payload, region, title):
    req = api("engineer", region).post("/api/v1/requirements", json=payload(region=region, title=title)).json
    for to in ("assessing", "awaiting_review"):
        api("manager", region).post(f"/api/v1/requirements/{req['id']}/transitions", json={"to": to, "reason": "评审"})
    return req


@given("省级需求管理人员安排的评审会议程上有揭阳市和广州市的需求各一项")
def provincial_meeting(api, payload, state):
    province = api("manager", "440000")
    state["jy"] = _awaiting(api, payload, "445200", "揭阳专项资金拨付进度查询")
    state["gz"] = _awaiting(api, payload, "440100", "广州工资统发接口改造")
    m = province.post("/api/v1/meetings", json={"title": "全省评审会", "scheduled_at": "2099-06-18T14:30:00+08:00"}).json
    added = province.post(f"/api/v1/meetings/{m['id']}/agenda",
                          json={"requirement_ids": [state["jy"]["id"], state["gz"]["id"]]})
    assert added.status_code == 201, added.json
    state["meeting"] = m


@when("揭阳专班查看该评审会")
def taskforce_reads(app, make_user, state):
    make_user("jy.taskforce", "taskforce", "445200")
    client = app.test_client()
    assert client.post("/login", data={"username": "jy.taskforce", "password": PASSWORD}).status_code == 302
    state["client"] = client
    state["page"] = client.get(f"/meetings/{state['meeting']['id']}").get_data(as_text=True)


@then("议程只有揭阳市的需求")
def only_own_items(state):
    assert state["jy"]["code"] in state["page"]
    assert state["gz"]["code"] not in state["page"] and state["gz"]["title"] not in state["page"]


@then(parsers.parse('页面提示"{text}"'))
def page_says(state, text):
    assert text in state["page"]


@then("会议纪要 Word 文件不含广州市的需求")
def docx_without_other_region(state):
    from docx import Document

    response = state["client"].get(f"/meetings/{state['meeting']['id']}/minutes.docx")
    doc = Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert state["jy"]["code"] in text and state["gz"]["code"] not in text
    assert "另有1项不在您的区划范围内" in text
