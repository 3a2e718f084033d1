"""与提出人闭环 (features/service_levels/closing_the_loop.feature), bound to
GET /api/v1/requirements/<id>/feedback/<feedback_id>/draft, .../delivered, .../confirmation,
.../follow-ups, GET /api/v1/opinions and `flask sla tick`. Users, the filed requirement and its
status come from the shared steps of tests/acceptance/conftest.py.

The rejection is decided outside a meeting (a requirement manager, with the reason): that makes
the feedback record as a meeting's minutes do; walking a whole meeting is the meetings features'
subject."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from app.extensions import db
from app.models import Requirement
from app.services import sla

from tests.acceptance.conftest import BASE, fetch, fetch_timeline, move

scenarios("service_levels/closing_the_loop.feature")

CLOCKS = {"响应": "response", "分析评估": "assessment", "反馈": "feedback", "确认": "confirmation"}
STATES = {"计时中": "running", "已暂停": "paused", "已达标": "met", "即将超时": "at_risk", "已超时": "breached"}
CHANNELS = {"粤政易": "yuezhengyi", "电话": "phone", "短信": "sms"}


def _bj(text: str) -> datetime:
    return datetime.fromisoformat(text) - timedelta(hours=8)


@pytest.fixture
def loop() -> dict:
    """The feedback record of the scenario and the draft read."""
    return {"feedback_id": None, "draft": None}


@given(parsers.parse('该需求于"{at}"通过配置/运维解决，等待提出人确认'))
def resolved_at(world, app, mover, at: str):
    req = world.requirement()
    for to in ("assessing", "resolved_locally"):
        move(mover, req["id"], to)
    with app.app_context():
        db.session.get(Requirement, req["id"]).status_changed_at = _bj(at)
        db.session.commit()


@when(parsers.parse("{who}查看该需求最新一条反馈的草稿"))
def read_draft(world, loop, who: str):
    client, req_id = world.person(who).client, world.requirement()["id"]
    records = client.get(f"{BASE}/{req_id}/feedback").json  # newest first
    loop["feedback_id"] = records[0]["id"]
    response = client.get(f"{BASE}/{req_id}/feedback/{loop['feedback_id']}/draft")
    assert response.status_code == 200, response.json
    loop["draft"] = response.json


@then(parsers.parse('草稿是中文，含该需求的编号、结论"{decision}"、原因"{reason}"和后续安排'))
def draft_says(world, loop, decision: str, reason: str):
    text = loop["draft"]["text"]
    assert f"编号：{world.requirement()['code']}" in text, text
    assert f"结论为：{decision}" in text and f"原因：{reason}" in text and "后续安排：" in text, text


@when(parsers.parse('{who}登记该反馈已通过"{channel}"送达，备注"{note}"'), target_fixture="response")
def delivered(world, loop, who: str, channel: str, note: str):
    return world.person(who).client.post(
        f"{BASE}/{world.requirement()['id']}/feedback/{loop['feedback_id']}/delivered",
        json={"channel": CHANNELS[channel], "note": note})


@then(parsers.parse('该需求的"{clock}"计时为"{state}"'))
def clock_state(world, observer, clock: str, state: str):
    response = observer.get(f"{BASE}/{world.requirement()['id']}/sla")
    clocks = {c["clock"]: c for c in response.json["clocks"]}
    assert clocks[CLOCKS[clock]]["state"] == STATES[state], clocks


@when(parsers.parse("{who}登记提出人认可处理结果"), target_fixture="response")
def confirmed(world, who: str):
    return world.person(who).client.post(f"{BASE}/{world.requirement()['id']}/confirmation",
                                         json={"outcome": "confirmed"})


@when(parsers.parse('{who}登记提出人不满意，原因是"{reason}"'), target_fixture="response")
def not_satisfied(world, who: str, reason: str):
    return world.person(who).client.post(f"{BASE}/{world.requirement()['id']}/confirmation",
                                         json={"outcome": "not_satisfied", "reason": reason})


@when(parsers.parse("{who}登记提出人不满意，未填写原因"), target_fixture="response")
def not_satisfied_without_reason(world, who: str):
    return world.person(who).client.post(f"{BASE}/{world.requirement()['id']}/confirmation",
                                         json={"outcome": "not_satisfied"})


@then(parsers.parse('{who}查询用户意见，看到该需求和原因"{reason}"'))
def opinion_listed(world, who: str, reason: str):
    body = world.person(who).client.get("/api/v1/opinions").json
    assert [(o["code"], o["reason"]) for o in body["items"]] == [(world.requirement()["code"], reason)], body


@then(parsers.parse("{who}查询用户意见，一条也看不到"))
def no_opinion(world, who: str):
    body = world.person(who).client.get("/api/v1/opinions").json
    assert body["total"] == 0 and body["items"] == [], body


def _tick(app, monkeypatch, at: str) -> None:
    monkeypatch.setattr(sla, "utcnow", lambda: _bj(at))
    result = app.test_cli_runner().invoke(args=["sla", "tick"])
    assert result.exit_code == 0, result.output


@when(parsers.parse('定时任务 sla tick 于"{at}"运行'))
def tick_once(app, monkeypatch, at: str):
    _tick(app, monkeypatch, at)


@when(parsers.parse('定时任务 sla tick 于"{at}"运行了两次'))
def tick_twice(app, monkeypatch, at: str):
    _tick(app, monkeypatch, at)
    _tick(app, monkeypatch, at)


@then(parsers.parse('该需求的时间线上有 {n:d} 条"{text}"的记录'))
def timeline_notes(world, observer, n: int, text: str):
    events = fetch_timeline(observer, world.requirement()["id"])
    assert len([e for e in events if text in e["summary"]]) == n, [e["summary"] for e in events]
    assert fetch(observer, world.requirement()["id"])["status"] == "confirmed"


@when(parsers.parse('{who}登记一次电话回访："{note}"'), target_fixture="response")
def follow_up(world, who: str, note: str):
    return world.person(who).client.post(f"{BASE}/{world.requirement()['id']}/follow-ups",
                                         json={"channel": "phone", "note": note})


@then(parsers.parse('该需求的时间线最后一条是回访记录"{summary}"'))
def last_is_follow_up(world, observer, summary: str):
    last = fetch_timeline(observer, world.requirement()["id"])[-1]
    assert (last["kind"], last["summary"]) == ("follow_up", summary), last
