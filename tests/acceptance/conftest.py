"""Shared pytest-bdd steps for features/requirements/*.feature (Gherkin in Simplified Chinese).

Every step talks to the real `/api/v1` JSON API through Flask test clients carrying bearer
tokens (the `api` fixture of tests/conftest.py). When steps return the HTTP response through
`target_fixture="response"`; Then steps assert on it, or read the current state back through
the API as an observer (a province-level administrator, who sees every region).

Vocabulary: statuses, roles, fields and timeline events are written in Chinese in the features
and translated to the API's codes here, from the issue's own tables (not from the app's code),
so a renamed code in the app makes these steps fail.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import parse
import pytest
from pytest_bdd import given, parsers, then, when
from sqlalchemy import select

from app.extensions import db
from app.models import Region

# --- vocabulary: Chinese words of the features -> API codes ------------------------------

ROLES = {
    "系统管理员": "admin",
    "需求管理人员": "manager",
    "驻场运维工程师": "engineer",
    "驻场工程师": "engineer",
    "省厅需求团队": "reviewer",
    "专班": "taskforce",
}

STATUSES = {
    "已登记": "submitted",
    "分析评估中": "assessing",
    "待评审": "awaiting_review",
    "已通过配置/运维解决": "resolved_locally",
    "评审通过": "approved",
    "评审不通过": "rejected",
    "待补充": "needs_info",
    "暂缓": "deferred",
    "已排期": "scheduled",
    "验证中": "in_verification",
    "验证通过": "verified",
    "验证不通过": "verification_failed",
    "已上线": "released",
    "提出人已确认": "confirmed",
    "已关闭": "closed",
    "已合并": "duplicate",
    "已撤回": "withdrawn",
}

# How to reach each status from `submitted` (the workflow, one predecessor each).
PREDECESSOR = {
    "assessing": "submitted",
    "awaiting_review": "assessing",
    "resolved_locally": "assessing",
    "approved": "awaiting_review",
    "rejected": "awaiting_review",
    "needs_info": "awaiting_review",
    "deferred": "awaiting_review",
    "scheduled": "approved",
    "in_verification": "scheduled",
    "verified": "in_verification",
    "verification_failed": "in_verification",
    "released": "verified",
    "confirmed": "released",
    "closed": "confirmed",
    "withdrawn": "submitted",
}

FIELDS = {
    "标题": "title",
    "描述": "description",
    "模块": "module",
    "业务域": "domain",
    "需求类型": "type",
    "优先级": "priority",
    "来源渠道": "channel",
    "区划": "region",
    "提出人": "proposer_name",
    "提出单位": "proposer_unit",
    "联系方式": "proposer_contact",
    "外部编号": "external_ref",
}

EVENTS = {
    "登记": "created",
    "字段修改": "field_changed",
    "状态变更": "transition",
    "评论": "comment",
    "附件": "attachment",
    "指派": "assigned",
}

BASE = "/api/v1/requirements"


@parse.with_pattern(r'[^"\s，、]+?')
def _who(text: str) -> str:
    return text


def P(fmt: str):
    """parsers.parse where {who:Who} is a person's name: no quotes, spaces or punctuation."""
    return parsers.parse(fmt, extra_types={"Who": _who})


def status_code_of(label: str) -> str:
    assert label in STATUSES, f"unknown status label {label!r} in the feature"
    return STATUSES[label]


def field_of(label: str) -> str:
    assert label in FIELDS, f"unknown field label {label!r} in the feature"
    return FIELDS[label]


def this_year() -> int:
    return datetime.now(timezone.utc).year


# --- the scenario's world: who is who, which requirements exist ---------------------------


@dataclass
class Person:
    name: str
    role: str
    region: str
    username: str
    client: Any  # tests.conftest.ApiClient


@dataclass
class World:
    people: dict[str, Person] = field(default_factory=dict)
    requirements: dict[str, dict] = field(default_factory=dict)  # title -> JSON as filed
    current: str | None = None  # title of "该需求"
    reads: dict[str, dict] = field(default_factory=dict)  # person -> JSON they read
    last_merge: tuple[str, int, dict] | None = None  # (person, requirement id, body) last sent

    def person(self, name: str) -> Person:
        assert name in self.people, f"{name!r} is not among the users of this scenario"
        return self.people[name]

    def requirement(self, title: str | None = None) -> dict:
        title = title or self.current
        assert title in self.requirements, f"no requirement {title!r} was filed in this scenario"
        return self.requirements[title]


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def observer(api):
    """A province-level administrator: reads any requirement to check the stored state."""
    return api("admin", "440000")


@pytest.fixture
def mover(api):
    """A province-level requirement manager: walks requirements to a Given status (review
    outcomes outside a meeting are the managers' and reviewers', not the administrators')."""
    return api("manager", "440000")


def fetch(observer, req_id: int) -> dict:
    response = observer.get(f"{BASE}/{req_id}")
    assert response.status_code == 200, response.json
    return response.json


def fetch_timeline(observer, req_id: int) -> list[dict]:
    response = observer.get(f"{BASE}/{req_id}/timeline")
    assert response.status_code == 200, response.json
    return response.json


def region_code(app, name: str) -> str:
    with app.app_context():
        code = db.session.scalar(select(Region.code).where(Region.name == name))
    assert code is not None, f"region {name!r} is not in the reference data"
    return code


def file_requirement(world: World, payload, who: str, title: str, **overrides):
    response = world.person(who).client.post(BASE, json=payload(title=title, **overrides))
    if response.status_code == 201:
        world.requirements[title] = response.json
        world.current = title
    return response


def move(observer, req_id: int, to: str, reason: str = "验收准备：推进到指定状态"):
    response = observer.post(f"{BASE}/{req_id}/transitions", json={"to": to, "reason": reason})
    assert response.status_code == 200, response.json
    assert response.json["status"] == to
    return response.json


# --- Given ------------------------------------------------------------------------------


@given("以下用户已开通:")
def users_exist(world: World, app, api, datatable):
    header, *rows = datatable
    assert header == ["称呼", "角色", "区划"], header
    for name, role_label, region_name in rows:
        assert role_label in ROLES, f"unknown role {role_label!r}"
        role, region = ROLES[role_label], region_code(app, region_name)
        assert all((p.role, p.region) != (role, region) for p in world.people.values()), (
            "the api fixture gives one user per (role, region)"
        )
        client = api(role, region)
        world.people[name] = Person(name, role, region, client.user.username, client)


@given(P('{who:Who}登记了需求"{title}"'))
def filed_requirement(world: World, payload, who: str, title: str):
    response = file_requirement(world, payload, who, title)
    assert response.status_code == 201, response.json


@given(P('{who:Who}为区划"{region}"登记了需求"{title}"'))
def filed_requirement_in(world: World, payload, who: str, region: str, title: str):
    response = file_requirement(world, payload, who, title, region=region)
    assert response.status_code == 201, response.json
    assert response.json["region"] == region


def _advance(world: World, observer, mover, title: str | None, label: str) -> None:
    req = world.requirement(title)
    target = status_code_of(label)
    path = []
    status = target
    while status != "submitted":
        assert status in PREDECESSOR, f"the steps know no path to {status!r}"
        path.append(status)
        status = PREDECESSOR[status]
    current = fetch(observer, req["id"])
    assert current["status"] == "submitted", current
    for to in reversed(path):
        current = move(mover, req["id"], to)
    world.requirements[current["title"]] = current


@given(P('该需求已推进到"{label}"'))
def current_advanced(world: World, observer, mover, label: str):
    _advance(world, observer, mover, None, label)


@given(P('需求"{title}"已推进到"{label}"'))
def named_advanced(world: World, observer, mover, title: str, label: str):
    _advance(world, observer, mover, title, label)


@given(P("{who:Who}读取了该需求"))
@when(P("{who:Who}重新读取该需求"))
def read_requirement(world: World, who: str):
    response = world.person(who).client.get(f"{BASE}/{world.requirement()['id']}")
    assert response.status_code == 200, response.json
    world.reads[who] = response.json


@given(P("{first:Who}和{second:Who}读取到的版本都是 {version:d}"))
def both_read_version(world: World, first: str, second: str, version: int):
    assert world.reads[first]["version"] == version
    assert world.reads[second]["version"] == version


# --- When -------------------------------------------------------------------------------


@when(P('{who:Who}登记需求"{title}"'), target_fixture="response")
def file_now(world: World, payload, who: str, title: str):
    return file_requirement(world, payload, who, title)


@when(P('{who:Who}为区划"{region}"登记需求"{title}"'), target_fixture="response")
def file_now_in(world: World, payload, who: str, region: str, title: str):
    return file_requirement(world, payload, who, title, region=region)


@when(P('{who:Who}登记一条缺少"{name}"的需求'), target_fixture="response")
def file_without(world: World, payload, who: str, name: str):
    data = payload()
    assert name in data, f"{name!r} is not a field of the sample requirement"
    del data[name]
    return world.person(who).client.post(BASE, json=data)


@when(P('{who:Who}登记一条带有未知字段"{name}"的需求'), target_fixture="response")
def file_with_unknown(world: World, payload, who: str, name: str):
    data = payload()
    assert name not in data
    data[name] = "x"
    return world.person(who).client.post(BASE, json=data)


@when(P('{who:Who}把该需求转为"{label}"且不填写原因'), target_fixture="response")
def transition_without_reason(world: World, who: str, label: str):
    req = world.requirement()
    return world.person(who).client.post(
        f"{BASE}/{req['id']}/transitions", json={"to": status_code_of(label)}
    )


@when(P('{who:Who}把该需求转为"{label}"，原因是"{reason}"'), target_fixture="response")
def transition_with_reason(world: World, who: str, label: str, reason: str):
    req = world.requirement()
    return world.person(who).client.post(
        f"{BASE}/{req['id']}/transitions", json={"to": status_code_of(label), "reason": reason}
    )


@when(P('{who:Who}把需求"{dup}"合并到"{original}"，原因是"{reason}"'), target_fixture="response")
def merge_with_reason(world: World, who: str, dup: str, original: str, reason: str):
    body = {"to": "duplicate", "duplicate_of": world.requirement(original)["code"], "reason": reason}
    world.last_merge = (who, world.requirement(dup)["id"], body)
    return world.person(who).client.post(f"{BASE}/{world.requirement(dup)['id']}/transitions", json=body)


@when(P('{who:Who}把需求"{dup}"合并到"{original}"且不填写原因'), target_fixture="response")
def merge_without_reason(world: World, who: str, dup: str, original: str):
    body = {"to": "duplicate", "duplicate_of": world.requirement(original)["code"]}
    return world.person(who).client.post(f"{BASE}/{world.requirement(dup)['id']}/transitions", json=body)


@when(
    P('{who:Who}把需求"{dup}"标记为重复但不指明原需求，原因是"{reason}"'), target_fixture="response"
)
def merge_without_original(world: World, who: str, dup: str, reason: str):
    body = {"to": "duplicate", "reason": reason}
    return world.person(who).client.post(f"{BASE}/{world.requirement(dup)['id']}/transitions", json=body)


@when(P('{who:Who}把该需求的"{label}"改为"{value}"'), target_fixture="response")
def edit_field(world: World, observer, who: str, label: str, value: str):
    """An edit carrying the current version: only the user's rights can make it fail."""
    req = world.requirement()
    version = fetch(observer, req["id"])["version"]
    return world.person(who).client.patch(
        f"{BASE}/{req['id']}", json={field_of(label): value, "version": version}
    )


@when(P('{who:Who}基于读取的版本把"{label}"改为"{value}"'), target_fixture="response")
def edit_field_from_read(world: World, who: str, label: str, value: str):
    assert who in world.reads, f"{who} has not read the requirement"
    read = world.reads[who]
    return world.person(who).client.patch(
        f"{BASE}/{read['id']}", json={field_of(label): value, "version": read["version"]}
    )


@when(P('{who:Who}不带版本号把"{label}"改为"{value}"'), target_fixture="response")
def edit_field_without_version(world: World, who: str, label: str, value: str):
    req = world.requirement()
    return world.person(who).client.patch(f"{BASE}/{req['id']}", json={field_of(label): value})


@when(P('{who:Who}评论该需求："{body}"'), target_fixture="response")
def comment(world: World, who: str, body: str):
    req = world.requirement()
    return world.person(who).client.post(f"{BASE}/{req['id']}/comments", json={"body": body})


@when(P("{who:Who}查看该需求"), target_fixture="response")
def view(world: World, who: str):
    return world.person(who).client.get(f"{BASE}/{world.requirement()['id']}")


@when(P("{who:Who}查看该需求的时间线"), target_fixture="response")
def view_timeline(world: World, who: str):
    return world.person(who).client.get(f"{BASE}/{world.requirement()['id']}/timeline")


@when(P("{who:Who}查询需求列表"), target_fixture="response")
def list_requirements(world: World, who: str):
    return world.person(who).client.get(BASE)


# --- Then: the response ------------------------------------------------------------------


@then(P("响应状态码为 {status:d}"))
def response_status(response, status: int):
    assert response.status_code == status, (response.status_code, response.json)


@then(P('错误码为"{code}"'))
def error_code(response, code: str):
    assert response.json["code"] == code, response.json


@then(P('错误信息指明字段"{name}"'))
def error_names_field(response, name: str):
    body = response.json
    assert set(body) >= {"code", "message", "errors"}, body
    assert body["errors"].get(name), body
    assert all(isinstance(m, str) and m for m in body["errors"][name]), body


@then(P('错误信息提到当前状态"{label}"及允许的去向"{allowed}"'))
def error_names_statuses(response, label: str, allowed: str):
    message = response.json["message"]
    assert f"'{status_code_of(label)}'" in message, message
    allowed_codes = [status_code_of(a) for a in allowed.split("、")]
    listed = message.rsplit(":", 1)[-1]
    assert sorted(re.findall(r"[a-z_]+", listed)) == sorted(allowed_codes), message


@then("返回的错误不透露该需求的编号")
def error_hides_code(world: World, response):
    req = world.requirement()
    assert req["code"] not in response.get_data(as_text=True)
    assert req["title"] not in response.get_data(as_text=True)


@then("答复与合并到一个不存在的编号时相同，不透露该需求存在")
def merge_answer_hides_existence(world: World, response):
    assert world.last_merge is not None
    who, req_id, body = world.last_merge
    ghost = f"REQ-{this_year() - 100}-9999"
    other = world.person(who).client.post(
        f"{BASE}/{req_id}/transitions", json={**body, "duplicate_of": ghost}
    )

    def normalised(answer, code):
        return answer.status_code, answer.get_data(as_text=True).replace(code, "<code>")
    assert normalised(response, body["duplicate_of"]) == normalised(other, ghost)


@then(P("返回的需求编号是当年的第 {n:d} 号"))
def returned_code(response, n: int):
    code = response.json["code"]
    assert re.fullmatch(r"REQ-\d{4}-\d{4}", code), code
    assert code == f"REQ-{this_year()}-{n:04d}", code


@then(P('返回的需求状态为"{label}"'))
def returned_status(response, label: str):
    """The code, and the Chinese label users read (the API answers in Simplified Chinese by default)."""
    assert response.json["status"] == status_code_of(label), response.json
    assert response.json["status_label"] == label, response.json


@then(P('返回的需求区划为"{region}"，版本为 {version:d}'))
def returned_region_version(response, region: str, version: int):
    assert response.json["region"] == region
    assert response.json["version"] == version


@then(P("返回的需求版本为 {version:d}"))
def returned_version(response, version: int):
    assert response.json["version"] == version, response.json


@then("返回的需求就是登记的那条")
def returned_is_current(world: World, response):
    req = world.requirement()
    assert (response.json["id"], response.json["code"]) == (req["id"], req["code"])


@then(P('返回的需求合并到了"{original}"'))
def returned_merged_into(world: World, response, original: str):
    assert response.json["duplicate_of"] == world.requirement(original)["code"], response.json


@then(P("返回的需求列表共 {n:d} 条"))
def returned_list_total(response, n: int):
    assert response.status_code == 200, response.json
    assert response.json["total"] == n and len(response.json["items"]) == n, response.json


@then("返回的需求列表包含该需求")
def returned_list_has_current(world: World, response):
    codes = [item["code"] for item in response.json["items"]]
    assert world.requirement()["code"] in codes, codes


@then("返回的时间线按时间先后依次为:")
def returned_timeline(world: World, response, datatable):
    assert response.status_code == 200, response.json
    header, *rows = datatable
    assert header == ["事件", "操作人"], header
    events = response.json
    expected = [(EVENTS[kind], world.person(who).username) for kind, who in rows]
    assert [(e["kind"], e["actor"]) for e in events] == expected, events
    times = [datetime.fromisoformat(e["at"]) for e in events]
    assert times == sorted(times), times
    ids = [e["id"] for e in events]
    assert ids == sorted(ids), ids
    for event in events:
        assert set(event) >= {"at", "kind", "actor", "summary", "details"}, event
        assert event["summary"], event


# --- Then: the stored state, read back through the API -----------------------------------


@then(P('该需求的状态为"{label}"'))
@then(P('该需求的状态仍为"{label}"'))
def current_status(world: World, observer, label: str):
    stored = fetch(observer, world.requirement()["id"])
    assert (stored["status"], stored["status_label"]) == (status_code_of(label), label), stored


@then(P('需求"{title}"的状态为"{label}"'))
@then(P('需求"{title}"的状态仍为"{label}"'))
def named_status(world: World, observer, title: str, label: str):
    stored = fetch(observer, world.requirement(title)["id"])
    assert (stored["status"], stored["status_label"]) == (status_code_of(label), label), stored


@then(P('需求"{title}"没有合并到任何需求'))
def named_not_merged(world: World, observer, title: str):
    assert fetch(observer, world.requirement(title)["id"])["duplicate_of"] is None


@then(P("该需求的版本仍为 {version:d}"))
def current_version(world: World, observer, version: int):
    assert fetch(observer, world.requirement()["id"])["version"] == version


@then(P('该需求的"{label}"为"{value}"'))
@then(P('该需求的"{label}"仍为"{value}"'))
def current_field(world: World, observer, label: str, value: str):
    assert fetch(observer, world.requirement()["id"])[field_of(label)] == value


@then(P("{who:Who}查询需求列表共 {n:d} 条"))
def list_total(world: World, who: str, n: int):
    response = world.person(who).client.get(BASE)
    assert response.status_code == 200, response.json
    assert response.json["total"] == n and len(response.json["items"]) == n, response.json


@then(P('时间线中的状态变更依次为"{chain}"'))
def timeline_transitions(world: World, observer, chain: str):
    statuses = [status_code_of(s) for s in chain.split("→")]
    moves = [
        (e["details"]["from"], e["details"]["to"])
        for e in fetch_timeline(observer, world.requirement()["id"])
        if e["kind"] == "transition"
    ]
    assert moves == list(zip(statuses, statuses[1:])), moves


@then("时间线最后一次状态变更注明为会外决定")
def timeline_outside_meeting(world: World, observer):
    last = [e for e in fetch_timeline(observer, world.requirement()["id"]) if e["kind"] == "transition"][-1]
    assert last["details"].get("outside_meeting") is True, last
    assert "评审会外决定" in last["summary"], last["summary"]


@then(P("时间线中只有 {n:d} 条字段修改记录"))
def timeline_edit_count(world: World, observer, n: int):
    events = fetch_timeline(observer, world.requirement()["id"])
    assert sum(e["kind"] == "field_changed" for e in events) == n, events


@then(P('时间线中的字段修改记录了"{label}"由"{before}"改为"{after}"'))
def timeline_edit(world: World, observer, label: str, before: str, after: str):
    edits = [e for e in fetch_timeline(observer, world.requirement()["id"]) if e["kind"] == "field_changed"]
    expected = {"field": field_of(label), "before": before, "after": after}
    assert [e["details"] for e in edits] == [expected], edits
    assert before in edits[0]["summary"] and after in edits[0]["summary"], edits[0]


@then(P('时间线中的状态变更记录了从"{before}"到"{after}"，原因是"{reason}"'))
def timeline_transition(world: World, observer, before: str, after: str, reason: str):
    moves = [e for e in fetch_timeline(observer, world.requirement()["id"]) if e["kind"] == "transition"]
    assert len(moves) == 1, moves
    details = moves[0]["details"]
    assert (details["from"], details["to"], details["reason"]) == (
        status_code_of(before),
        status_code_of(after),
        reason,
    ), details
    assert reason in moves[0]["summary"], moves[0]


@then(P('时间线中的评论内容为"{body}"'))
def timeline_comment(world: World, observer, body: str):
    comments = [e for e in fetch_timeline(observer, world.requirement()["id"]) if e["kind"] == "comment"]
    assert [e["details"]["body"] for e in comments] == [body], comments


@then(P('需求"{title}"的时间线最后一条是合并到"{original}"的记录，原因是"{reason}"'))
def timeline_merge(world: World, observer, title: str, original: str, reason: str):
    last = fetch_timeline(observer, world.requirement(title)["id"])[-1]
    assert last["kind"] == "transition", last
    assert last["details"]["to"] == "duplicate", last
    assert last["details"]["duplicate_of"] == world.requirement(original)["code"], last
    assert last["details"]["reason"] == reason, last
    assert world.requirement(original)["code"] in last["summary"], last


@then(P("该需求的时间线只有{who:Who}的登记记录"))
def timeline_only_created(world: World, observer, who: str):
    events = fetch_timeline(observer, world.requirement()["id"])
    assert [(e["kind"], e["actor"]) for e in events] == [("created", world.person(who).username)], events
