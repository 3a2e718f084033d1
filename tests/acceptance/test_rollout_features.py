"""版本升级执行监控 (features/releases/rollout.feature), bound to GET/PATCH
/api/v1/releases/<id>/rollout[/<target_id>], POST .../smoke-run and GET /api/v1/regions/versions.
The scheduled release is built with tests/rollout_kit.py; users come from tests/acceptance/conftest.py."""
from __future__ import annotations

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from tests.acceptance.conftest import World, region_code
from tests.release_kit import import_feature, move, record
from tests.rollout_kit import accepted_release, keep_only, patch, schedule, targets, window

scenarios("releases/rollout.feature")

# the words for a region's upgrade and a release's statuses
TARGET_STATUSES = {"未开始": "pending", "升级中": "in_progress", "已升级": "done", "升级失败": "failed",
                   "已回退": "rolled_back"}
RELEASE_STATUSES = {"已确定升级窗口": "scheduled", "升级中": "rolling_out", "已完成": "completed", "已回退": "rolled_back"}
REQUIREMENT_STATUSES = {"验证通过": "verified", "已上线": "released"}


def ok(response, status: int = 200):
    assert response.status_code == status, (response.status_code, response.json)
    return response.json


@pytest.fixture
def rollout() -> dict:
    """What the scenario made: the release id and requirement id, smoke scenario ids."""
    return {}


@given(parsers.parse('{who}的版本"{version}"已确定升级窗口，升级对象只保留{first}和{second}'))
def scheduled_release(world: World, app, api, filed, rollout: dict, who: str, version: str, first: str, second: str):
    manager = world.person(who).client
    release = accepted_release(manager, api("reviewer", "440000"), filed, version)
    schedule(manager, release["id"])
    keep_only(manager, release["id"], (region_code(app, first), region_code(app, second)))
    rollout.update(release=release["id"], requirement=release["requirement_id"], manager=manager, version=version)


def _target(app, rollout: dict, region: str) -> int:
    return targets(rollout["manager"], rollout["release"])[region_code(app, region)]["id"]


@given(parsers.parse('{who}把{region}的升级状态改为"{label}"'), target_fixture="response")
@when(parsers.parse('{who}把{region}的升级状态改为"{label}"'), target_fixture="response")
def target_moved(world: World, app, rollout: dict, who: str, region: str, label: str):
    return patch(world.person(who).client, rollout["release"], _target(app, rollout, region),
                 status=TARGET_STATUSES[label])


@given(parsers.parse('场景库中有冒烟场景"{name}"'))
def smoke_scenario(world: World, rollout: dict, name: str):
    rollout["smoke"] = import_feature(rollout["manager"], [(name, ["@冒烟"])], path="releases/smoke.feature")


@when(parsers.parse("{who}为{region}发起冒烟验证"), target_fixture="response")
def smoke_run(world: World, app, rollout: dict, who: str, region: str):
    target = _target(app, rollout, region)
    return world.person(who).client.post(f"/api/v1/releases/{rollout['release']}/rollout/{target}/smoke-run", json={})


@when(parsers.parse('冒烟场景"{name}"在{region}的冒烟验证中通过'))
def smoke_passed(app, rollout: dict, name: str, region: str):
    run_id = targets(rollout["manager"], rollout["release"])[region_code(app, region)]["smoke_run_id"]
    record(rollout["manager"], run_id, {rollout["smoke"][name]: "passed"})


@given(parsers.parse('版本"{version}"的升级窗口已经结束'))
def window_ended(rollout: dict, version: str):
    ok(rollout["manager"].put(f"/api/v1/releases/{rollout['release']}/window", json=window(-10, 9)))


@then(parsers.parse('版本"{version}"的状态为"{label}"'))
def release_status(rollout: dict, version: str, label: str):
    assert ok(rollout["manager"].get(f"/api/v1/releases/{rollout['release']}"))["status"] == RELEASE_STATUSES[label]


@then(parsers.parse('版本"{version}"中的需求状态为"{label}"'))
def requirement_status(rollout: dict, version: str, label: str):
    req = ok(rollout["manager"].get(f"/api/v1/requirements/{rollout['requirement']}"))
    assert req["status"] == REQUIREMENT_STATUSES[label]


@then(parsers.parse('{region}运行的版本是"{version}"'))
def region_runs(app, rollout: dict, region: str, version: str):
    items = {i["region"]: i for i in ok(rollout["manager"].get("/api/v1/regions/versions"))["items"]}
    assert items[region_code(app, region)]["release"]["version"] == version


@then(parsers.parse('{region}的升级状态仍为"{label}"'))
def target_status(app, rollout: dict, region: str, label: str):
    assert targets(rollout["manager"], rollout["release"])[region_code(app, region)]["status"] == TARGET_STATUSES[label]


@then(parsers.parse("{who}看到的升级对象只有{region}"))
def sees_only(world: World, app, rollout: dict, who: str, region: str):
    assert set(targets(world.person(who).client, rollout["release"])) == {region_code(app, region)}


@then(parsers.parse("{first}和{second}都列为逾期"))
def both_overdue(app, rollout: dict, first: str, second: str):
    body = ok(rollout["manager"].get(f"/api/v1/releases/{rollout['release']}/rollout"))
    overdue = {t["region"] for t in body["targets"] if t["id"] in body["overdue"]}
    assert overdue == {region_code(app, first), region_code(app, second)}


@when(parsers.parse('{who}把版本"{version}"手工转为"{label}"'), target_fixture="response")
def release_moved_by_hand(world: World, rollout: dict, who: str, version: str, label: str):
    return move(world.person(who).client, rollout["release"], RELEASE_STATUSES[label])


@when(parsers.parse('{who}把版本"{version}"回退，理由是"{reason}"'), target_fixture="response")
def release_rolled_back(world: World, rollout: dict, who: str, version: str, reason: str):
    return move(world.person(who).client, rollout["release"], "rolled_back", reason=reason)


@then(parsers.parse("错误信息列出尚未升级完成的{region}"))
def error_names_target(app, response, region: str):
    body = response.json
    assert region in body["message"]
    assert [e for e in body["errors"]["targets"] if region_code(app, region) in e]


@then(parsers.parse('{region}的升级状态为"{label}"'))
def target_status_now(app, rollout: dict, region: str, label: str):
    assert targets(rollout["manager"], rollout["release"])[region_code(app, region)]["status"] == TARGET_STATUSES[label]
