"""升级窗口与封网期 (features/releases/upgrade_window.feature), bound to
PUT/GET /api/v1/releases/<id>/window, POST /api/v1/freeze-periods and the release's
transitions and timeline. The accepted release is built with tests/release_kit.py as in
tests/api/test_upgrade_window_api.py; users come from tests/acceptance/conftest.py."""
from __future__ import annotations

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from tests.acceptance.conftest import World
from tests.release_kit import add, approve, fill_application, import_feature, move, new_release, record, start_run

scenarios("releases/upgrade_window.feature")

RELEASE_STATUSES = {"已提交升级申请": "upgrade_requested", "已确定升级窗口": "scheduled", "验收通过": "accepted"}


def _iso(beijing: str) -> str:
    """'2026-12-19 22:00' (Beijing time, no offset: the API reads it as such) -> ISO text."""
    return beijing.replace(" ", "T") + ":00"


def ok(response, status: int = 200):
    assert response.status_code == status, (response.status_code, response.json)
    return response.json


@pytest.fixture
def releases() -> dict:
    return {}


def _rid(releases: dict, version: str) -> int:
    assert version in releases, f"release {version!r} was not made in this scenario"
    return releases[version]


@given(parsers.parse('{who}的版本"{version}"已验收通过并提交了升级申请'))
def requested_release(world: World, api, filed, releases: dict, who: str, version: str):
    manager = world.person(who).client
    req = approve(manager, filed(title="直接支出更正后指标余额未回滚")["id"])
    ids = import_feature(manager, [("直接支出更正", [f"@{req['code']}"])])
    rid = new_release(manager, version)["id"]
    ok(add(manager, rid, req["id"]))
    run = start_run(manager, rid)
    record(manager, run["id"], {sid: "passed" for sid in ids.values()})
    for client in (manager, api("reviewer", "440000")):
        ok(client.post(f"/api/v1/releases/{rid}/signoffs", json={"decision": "approve"}), 201)
    assert ok(move(manager, rid, "accepted"))["status"] == "accepted"
    fill_application(manager, rid)
    assert ok(move(manager, rid, "upgrade_requested"))["status"] == "upgrade_requested"
    releases[version] = rid


@given(parsers.parse('{who}设定了封网期"{name}"，北京时间"{start}"至"{end}"'))
def freeze_declared(world: World, who: str, name: str, start: str, end: str):
    ok(world.person(who).client.post("/api/v1/freeze-periods", json={
        "name": name, "start": _iso(start), "end": _iso(end), "reason": "年终决算"}), 201)


@when(parsers.re(r'(?P<who>\S+?)把版本"(?P<version>[^"]+)"的升级窗口设为北京时间"(?P<start>[^"]+)"至"(?P<end>[^"]+)"$'),
      target_fixture="response")
def set_window(world: World, releases: dict, who: str, version: str, start: str, end: str):
    return world.person(who).client.put(f"/api/v1/releases/{_rid(releases, version)}/window",
                                        json={"start": _iso(start), "end": _iso(end)})


@when(parsers.re(r'(?P<who>\S+?)把版本"(?P<version>[^"]+)"的升级窗口设为北京时间"(?P<start>[^"]+)"至"(?P<end>[^"]+)"，'
                 r'越过封网期的原因是"(?P<reason>[^"]+)"$'), target_fixture="response")
def set_window_override(world: World, releases: dict, who: str, version: str, start: str, end: str, reason: str):
    return world.person(who).client.put(f"/api/v1/releases/{_rid(releases, version)}/window",
                                        json={"start": _iso(start), "end": _iso(end), "override_reason": reason})


@when(parsers.parse('{who}把版本"{version}"转为"{label}"'), target_fixture="response")
def release_moved(world: World, releases: dict, who: str, version: str, label: str):
    return move(world.person(who).client, _rid(releases, version), RELEASE_STATUSES[label])


@then(parsers.parse('错误信息提到封网期"{name}"'))
def error_names_freeze(response, name: str):
    assert name in response.json["message"], response.json
    assert any(name in m for m in response.json["errors"]["start"]), response.json


@then(parsers.parse('版本"{version}"尚无升级窗口'))
def no_window(observer, releases: dict, version: str):
    assert observer.get(f"/api/v1/releases/{_rid(releases, version)}/window").status_code == 404


@then(parsers.parse('版本"{version}"的升级窗口越过了封网期"{name}"，原因是"{reason}"'))
def window_overrides(observer, releases: dict, version: str, name: str, reason: str):
    window = ok(observer.get(f"/api/v1/releases/{_rid(releases, version)}/window"))
    assert window["override_reason"] == reason and window["overridden_freeze"]["name"] == name, window
    assert (window["start"], window["end"]) == ("2026-12-19T14:00:00+00:00", "2026-12-19T22:00:00+00:00"), window


@then(parsers.parse('版本"{version}"的时间线最后一条记录了越过封网期"{name}"的原因"{reason}"'))
def timeline_override(observer, releases: dict, version: str, name: str, reason: str):
    last = ok(observer.get(f"/api/v1/releases/{_rid(releases, version)}/timeline"))[-1]
    assert last["kind"] == "window_set", last
    assert last["details"]["override_reason"] == reason and name in last["details"]["freezes"], last
    assert name in last["summary"], last


@then(parsers.parse('版本"{version}"的状态仍为"{label}"'))
def release_status(observer, releases: dict, version: str, label: str):
    assert ok(observer.get(f"/api/v1/releases/{_rid(releases, version)}"))["status"] == RELEASE_STATUSES[label]
