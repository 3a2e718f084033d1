"""站内通知与关注 (features/service_levels/notifications.feature), bound to /api/v1/notifications,
/api/v1/notifications/read and /api/v1/requirements/<id>/watch. Users and the filed requirement
come from the shared steps of tests/acceptance/conftest.py."""
from __future__ import annotations

import re

from pytest_bdd import given, parsers, scenarios, then, when

from app.services.notifications import KIND_LABELS

scenarios("service_levels/notifications.feature")

STATUS_LABELS = {"分析评估中": "assessing", "待评审": "awaiting_review", "评审不通过": "rejected"}
KIND_NAMES = {"评论": "comment", "评审结论": "decision", "待反馈提出人": "feedback_due", "状态变化": "transition",
              "指派给我": "assigned"}


def _unread(world, who: str) -> dict:
    response = world.person(who).client.get("/api/v1/notifications?unread=true&per_page=100")
    assert response.status_code == 200, response.json
    return response.json


@given(parsers.parse("{who}关注了该需求"))
def watching(world, who: str):
    response = world.person(who).client.post(f"/api/v1/requirements/{world.requirement()['id']}/watch")
    assert response.status_code == 200, response.json


@when(parsers.parse("{who}关注该需求"), target_fixture="response")
def watch_now(world, who: str):
    return world.person(who).client.post(f"/api/v1/requirements/{world.requirement()['id']}/watch")


@then(parsers.parse("回答是 {status:d}"))
def answered(response, status: int):
    assert response.status_code == status, response.json


@given(parsers.parse('{who}评论该需求"{body}"'))
@when(parsers.parse('{who}评论该需求"{body}"'))
def comment(world, who: str, body: str):
    response = world.person(who).client.post(f"/api/v1/requirements/{world.requirement()['id']}/comments",
                                             json={"body": body})
    assert response.status_code == 201, response.json


@when(parsers.parse("{who}把该需求依次推进到{labels}"))
def advance(world, who: str, labels: str):
    client = world.person(who).client
    for label in re.findall(r'"([^"]+)"', labels):
        response = client.post(f"/api/v1/requirements/{world.requirement()['id']}/transitions",
                               json={"to": STATUS_LABELS[label], "reason": "验收：推进"})
        assert response.status_code == 200, response.json


@when(parsers.parse("{who}把全部通知标为已读"))
def read_all(world, who: str):
    response = world.person(who).client.post("/api/v1/notifications/read", json={"all": True})
    assert response.status_code == 200, response.json


@then(parsers.parse("{who}有 {count:d} 条未读通知，其中有{kinds}"))
def unread_with_kinds(world, who: str, count: int, kinds: str):
    body = _unread(world, who)
    assert body["unread_count"] == count and body["total"] == count, body
    got = {n["kind"] for n in body["items"]}
    for name in re.findall(r'"([^"]+)"', kinds):
        assert KIND_NAMES[name] in got and KIND_NAMES[name] in KIND_LABELS, (name, got)


@then(parsers.parse("{who}有 {count:d} 条未读通知"))
def unread_count(world, who: str, count: int):
    assert _unread(world, who)["unread_count"] == count


@then(parsers.parse("{who}共有 {count:d} 条通知"))
def total(world, who: str, count: int):
    response = world.person(who).client.get("/api/v1/notifications")
    assert response.json["total"] == count, response.json
