"""Steps for features/releases/*.feature: a release's lifecycle, its requirements and verdicts,
the acceptance gate, waivers and sign-off. Every step goes through /api/v1; release statuses,
verdicts and decisions are written in Chinese in the features and translated here from the
issue's own vocabulary (not from the app's code)."""
from __future__ import annotations

import re

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from tests.acceptance.conftest import STATUSES, World
from tests.release_kit import feature_text

# upgrade_window.feature is bound in test_upgrade_window_features.py
scenarios("releases/release_lifecycle.feature", "releases/acceptance_gate.feature")

RELEASE_STATUSES = {
    "计划中": "planned", "验收测试中": "in_acceptance", "验收通过": "accepted", "验收不通过": "rejected",
    "已提交升级申请": "upgrade_requested", "已确定升级窗口": "scheduled", "升级中": "rolling_out",
    "已完成": "completed", "已回退": "rolled_back",
}
VERDICTS = {"通过": "passed", "不通过": "failed", "未完成验证": "untested", "无验收场景": "no_scenario"}
RESULTS = {"通过": "passed", "不通过": "failed", "阻塞": "blocked", "未执行": "untested"}
DECISIONS = {"同意": "approve", "不同意": "refuse"}
EVENT_KINDS = {"开始执行": "run_started", "状态变更": "transition", "签署": "signoff", "加入需求": "requirement_added"}
QUOTED_PAIR = re.compile(r'"([^"]+)"验证"([^"]+)"')
QUOTED_RESULT = re.compile(r'"([^"]+)"(不通过|通过|阻塞|未执行)')


def P(fmt: str):
    return parsers.parse(fmt)


def ok(response, status: int = 200):
    assert response.status_code == status, (response.status_code, response.json)
    return response.json


@pytest.fixture
def shelf() -> dict:
    """This scenario's releases ({version: id}), scenarios ({name: id}) and the current run."""
    return {"releases": {}, "scenarios": {}, "run": None}


def release_code(label: str) -> str:
    assert label in RELEASE_STATUSES, f"unknown release status {label!r}"
    return RELEASE_STATUSES[label]


def client_of(world: World, who: str):
    return world.person(who).client


def release_id(shelf: dict, version: str) -> int:
    assert version in shelf["releases"], f"release {version!r} was not created in this scenario"
    return shelf["releases"][version]


# --- Given ------------------------------------------------------------------------------


@given(P('{who}创建了迭代版本"{version}"'))
def release_created(world: World, shelf: dict, who: str, version: str):
    body = ok(client_of(world, who).post("/api/v1/releases", json={"version": version, "domains": ["execution"]}), 201)
    shelf["releases"][version] = body["id"]


@given(parsers.re(r"(?P<who>\S+?)导入了验收场景，(?P<pairs>.+)"))
def scenarios_imported(world: World, shelf: dict, who: str, pairs: str):
    wanted = QUOTED_PAIR.findall(pairs)
    assert wanted, pairs
    items = [(name, [] if title == "无" else [f"@{world.requirement(title)['code']}"]) for name, title in wanted]
    client = client_of(world, who)
    feature = ok(client.post("/api/v1/features", json={"path": "releases/acceptance.feature",
                                                       "text": feature_text(items)}), 201)
    listing = ok(client.get("/api/v1/scenarios", query_string={"feature": feature["id"], "per_page": 100}))
    shelf["scenarios"].update({s["name"]: s["id"] for s in listing["items"]})


@given(P('{who}把"{titles}"排入版本"{version}"'))
def requirements_added(world: World, shelf: dict, who: str, titles: str, version: str):
    ids = [world.requirement(t)["id"] for t in titles.split("、")]
    ok(client_of(world, who).post(f"/api/v1/releases/{release_id(shelf, version)}/requirements",
                                  json={"requirement_ids": ids}))


@given(P('{who}为"{version}"在验收环境开始执行'))
@when(P('{who}为"{version}"在验收环境开始执行'))
def run_started(world: World, shelf: dict, who: str, version: str):
    body = ok(client_of(world, who).post(f"/api/v1/releases/{release_id(shelf, version)}/runs",
                                         json={"environment": "acceptance", "tags": "@执行域"}), 201)
    shelf["run"] = body["id"]


@given(parsers.re(r"(?P<who>\S+?)记录结果：(?P<results>.+)"))
def results_recorded(world: World, shelf: dict, who: str, results: str):
    items = [{"scenario_id": shelf["scenarios"][name], "status": RESULTS[label]}
             for name, label in QUOTED_RESULT.findall(results)]
    assert items, results
    ok(client_of(world, who).post(f"/api/v1/runs/{shelf['run']}/results", json=items))


# --- When -------------------------------------------------------------------------------


@when(P('{who}把版本"{version}"转为"{label}"'), target_fixture="response")
def release_moved(world: World, shelf: dict, who: str, version: str, label: str):
    return client_of(world, who).post(f"/api/v1/releases/{release_id(shelf, version)}/transitions",
                                      json={"to": release_code(label)})


@when(P('{who}把版本"{version}"转为"{label}"，构建标识为"{build}"'), target_fixture="response")
def release_moved_with_build(world: World, shelf: dict, who: str, version: str, label: str, build: str):
    return client_of(world, who).post(f"/api/v1/releases/{release_id(shelf, version)}/transitions",
                                      json={"to": release_code(label), "build": build})


def _only_release(shelf: dict) -> int:
    assert len(shelf["releases"]) == 1, "the sign-off steps name no release: one per scenario"
    return next(iter(shelf["releases"].values()))


@given(P('{who}签署"{decision}"'), target_fixture="response")
@when(P('{who}签署"{decision}"'), target_fixture="response")
def signed(world: World, shelf: dict, who: str, decision: str):
    return client_of(world, who).post(f"/api/v1/releases/{_only_release(shelf)}/signoffs",
                                      json={"decision": DECISIONS[decision]})


@when(P('{who}签署"{decision}"，意见是"{comment}"'), target_fixture="response")
def signed_with_comment(world: World, shelf: dict, who: str, decision: str, comment: str):
    return client_of(world, who).post(f"/api/v1/releases/{_only_release(shelf)}/signoffs",
                                      json={"decision": DECISIONS[decision], "comment": comment})


@when(P('{who}将场景"{name}"设为有条件通过，理由是"{reason}"'), target_fixture="response")
def waived(world: World, shelf: dict, who: str, name: str, reason: str):
    return ok(client_of(world, who).post(f"/api/v1/releases/{_only_release(shelf)}/waivers",
                                         json={"scenario_id": shelf["scenarios"][name], "reason": reason}), 201)


@when(P('{who}把需求"{title}"移出版本"{version}"'), target_fixture="response")
def taken_out(world: World, shelf: dict, who: str, title: str, version: str):
    return client_of(world, who).delete(
        f"/api/v1/releases/{release_id(shelf, version)}/requirements/{world.requirement(title)['id']}")


# --- Then -------------------------------------------------------------------------------


@then(P('版本"{version}"的状态为"{label}"'))
def release_status(observer, shelf: dict, version: str, label: str):
    assert ok(observer.get(f"/api/v1/releases/{release_id(shelf, version)}"))["status"] == release_code(label)


@then(P('错误信息提到版本当前状态"{label}"及允许的去向"{allowed}"'))
def error_names_release_statuses(response, label: str, allowed: str):
    message = response.json["message"]
    assert f"'{release_code(label)}'" in message and release_code(allowed) in message, message


@then(P('版本"{version}"的时间线为空'))
def timeline_empty(observer, shelf: dict, version: str):
    assert ok(observer.get(f"/api/v1/releases/{release_id(shelf, version)}/timeline")) == []


@then(P('版本"{version}"的时间线依次为"{kinds}"'))
def timeline_kinds(observer, shelf: dict, version: str, kinds: str):
    events = ok(observer.get(f"/api/v1/releases/{release_id(shelf, version)}/timeline"))
    assert [e["kind"] for e in events] == [EVENT_KINDS[k] for k in kinds.split("、")]


@then(P('需求"{title}"的状态为"{label}"，所在版本为"{version}"'))
def requirement_in_release(world: World, observer, title: str, label: str, version: str):
    body = ok(observer.get(f"/api/v1/requirements/{world.requirement(title)['id']}"))
    assert body["status"] == STATUSES[label] and body["release"]["version"] == version, body


@then(P('需求"{title}"的状态为"{label}"'))
def requirement_status(world: World, observer, title: str, label: str):
    assert ok(observer.get(f"/api/v1/requirements/{world.requirement(title)['id']}"))["status"] == STATUSES[label]


@then(P('需求"{title}"的验证结论为"{label}"'))
def requirement_verdict(world: World, observer, shelf: dict, title: str, label: str):
    rows = ok(observer.get(f"/api/v1/releases/{_only_release(shelf)}/requirements"))
    row = next(r for r in rows if r["id"] == world.requirement(title)["id"])
    assert row["verdict"] == VERDICTS[label], row


@then("验收门槛通过")
def gate_passes(observer, shelf: dict):
    gate = ok(observer.get(f"/api/v1/releases/{_only_release(shelf)}/gate"))
    assert gate["passed"] is True and gate["blockers"] == [], gate


@then(P('验收门槛不通过，问题为"{label}"的场景"{name}"'))
def gate_blocked_by(observer, shelf: dict, label: str, name: str):
    gate = ok(observer.get(f"/api/v1/releases/{_only_release(shelf)}/gate"))
    assert gate["passed"] is False
    assert [(b["kind"], b.get("scenario_id")) for b in gate["blockers"]] == [
        (RESULTS[label], shelf["scenarios"][name])], gate
    assert name in gate["blockers"][0]["message"]
