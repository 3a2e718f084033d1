"""服务时限与工作日历 (features/service_levels/*.feature), bound to /api/v1/calendar, its
overrides, /api/v1/requirements/<id>/sla and `flask sla tick`. Users come from the shared steps of tests/acceptance/conftest.py."""
from __future__ import annotations

from datetime import datetime, timedelta

from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select

from app.extensions import db
from app.models import Event
from app.services import sla

# notifications.feature is bound in test_notifications_features.py
scenarios("service_levels/working_calendar.feature", "service_levels/clocks.feature")

REASONS = {"周末": "weekend", "法定节假日": "holiday", "调休上班": "makeup_workday", "日历调整": "override",
           "工作日": "workday"}


@given(parsers.parse('{who}把"{day}"设为休息日，说明"{note}"'))
def day_off(world, who: str, day: str, note: str):
    response = world.person(who).client.post("/api/v1/calendar/overrides",
                                             json={"date": day, "workday": False, "note": note})
    assert response.status_code == 201, response.json


@when(parsers.parse('{who}查询"{start}"至"{end}"的工作日历'), target_fixture="days")
def query_calendar(world, who: str, start: str, end: str):
    response = world.person(who).client.get(f"/api/v1/calendar?from={start}&to={end}")
    assert response.status_code == 200, response.json
    return {d["date"]: d for d in response.json}


@then(parsers.re(r'"(?P<day>[\d-]+)"是工作日，原因是"(?P<reason>[^"]+)"'))
def is_workday(days, day: str, reason: str):
    assert (days[day]["workday"], days[day]["reason"]) == (True, REASONS[reason])


@then(parsers.re(r'"(?P<day>[\d-]+)"不是工作日，原因是"(?P<reason>[^"]+)"$'))
def is_day_off(days, day: str, reason: str):
    assert (days[day]["workday"], days[day]["reason"]) == (False, REASONS[reason])


@then(parsers.re(r'"(?P<day>[\d-]+)"不是工作日，原因是"(?P<reason>[^"]+)"，节日为"(?P<name>[^"]+)"'))
def is_holiday(days, day: str, reason: str, name: str):
    assert (days[day]["workday"], days[day]["reason"], days[day]["holiday_label"]) == (False, REASONS[reason], name)


@then(parsers.re(r'"(?P<day>[\d-]+)"不是工作日，原因是"(?P<reason>[^"]+)"，说明为"(?P<note>[^"]+)"'))
def is_override_off(days, day: str, reason: str, note: str):
    assert (days[day]["workday"], days[day]["reason"], days[day]["note"]) == (False, REASONS[reason], note)


# --- the clocks (features/service_levels/clocks.feature) ----------------------------------

CLOCK_NAMES = {"响应": "response", "分析评估": "assessment", "反馈": "feedback", "确认": "confirmation"}
STATE_NAMES = {"计时中": "running", "已暂停": "paused", "已达标": "met", "即将超时": "at_risk", "已超时": "breached"}


def _bj(text: str) -> datetime:
    return datetime.fromisoformat(text) - timedelta(hours=8)


@given(parsers.parse('{who}于"{at}"登记了缺陷"{title}"'))
def filed_defect_at(world, app, payload, who: str, at: str, title: str):
    response = world.person(who).client.post("/api/v1/requirements", json=payload(title=title, type="defect"))
    assert response.status_code == 201, response.json
    world.requirements[title] = response.json
    world.current = title
    with app.app_context():
        for event in db.session.scalars(select(Event).where(Event.requirement_id == response.json["id"])):
            event.at = _bj(at)
        db.session.commit()


@when(parsers.parse('时间到了"{at}"'))
def time_is(app, monkeypatch, at: str):
    monkeypatch.setattr(sla, "utcnow", lambda: _bj(at))
    with app.app_context():
        sla.tick()


@when("定时任务 sla tick 运行了两次")
def tick_twice(app):
    for _ in range(2):
        result = app.test_cli_runner().invoke(args=["sla", "tick"])
        assert result.exit_code == 0, result.output


@then(parsers.parse('{who}看到该需求的"{clock}"计时为"{state}"，已用 {used:d} 个工作分钟，时限 {target:d} 个工作分钟'))
def clock_reads(world, who: str, clock: str, state: str, used: int, target: int):
    req = world.requirement()
    body = world.person(who).client.get(f"/api/v1/requirements/{req['id']}/sla").json
    reading = next(c for c in body["clocks"] if c["clock"] == CLOCK_NAMES[clock])
    assert (reading["state"], reading["used_minutes"], reading["target_minutes"]) == (STATE_NAMES[state], used, target)


@then(parsers.parse('{who}按"{state}"筛选时能看到该需求'))
def filter_shows(world, who: str, state: str):
    req = world.requirement()
    response = world.person(who).client.get(f"/api/v1/requirements?sla={STATE_NAMES[state]}")
    assert req["id"] in [r["id"] for r in response.json["items"]]


@then(parsers.parse("该需求的时间线上有 {n:d} 条服务时限超时记录"))
def breach_events(world, observer, n: int):
    req = world.requirement()
    timeline = observer.get(f"/api/v1/requirements/{req['id']}/timeline").json
    assert len([e for e in timeline if e["kind"] == "sla_breached"]) == n
