"""场景跨版本历史、版本对比与操作手册更新 (features/releases/history.feature), bound to
GET /api/v1/scenarios/matrix, GET /api/v1/releases/<a>/compare/<b> and
/api/v1/releases/<id>/manual-updates. Releases, runs and results are made with
tests/release_kit.py; users come from tests/acceptance/conftest.py."""
from __future__ import annotations

import pytest
from pytest_bdd import given, scenarios, then, when

from tests.acceptance.conftest import P, World
from tests.release_kit import add, approve, import_feature, new_release, record, start_run

scenarios("releases/history.feature")

RESULTS = {"通过": "passed", "不通过": "failed", "阻塞": "blocked", "未执行": "untested"}
DOMAINS = {"执行域": "execution", "预算域": "budget", "核算域": "accounting"}


def ok(response, status: int = 200):
    assert response.status_code == status, (response.status_code, response.json)
    return response.json


@pytest.fixture
def history() -> dict:
    """What the scenario built: scenario ids by name, release ids by version, the last matrix
    read, the last manual update marked."""
    return {"ids": {}, "releases": {}, "matrix": None, "update": None}


@given(P("{who:Who}在以下版本的验收测试中记录了场景结果:"))
def results_recorded(world: World, history: dict, who: str, datatable):
    client = world.person(who).client
    header, *rows = datatable
    versions = header[1:]
    history["ids"] = import_feature(client, [(row[0], []) for row in rows], path="history/feature.feature")
    for column, version in enumerate(versions, start=1):
        release = new_release(client, version)
        history["releases"][version] = release["id"]
        run = start_run(client, release["id"])
        record(client, run["id"], {history["ids"][row[0]]: RESULTS[row[column]] for row in rows})


@given(P('{who:Who}在版本"{version}"再次执行验收，场景"{name}"{result}'))
def rerun(world: World, history: dict, who: str, version: str, name: str, result: str):
    client = world.person(who).client
    run = start_run(client, history["releases"][version])
    record(client, run["id"], {history["ids"][name]: RESULTS[result]})


@when(P("{who:Who}查看最近 {n:d} 个版本的场景历史矩阵"))
def read_matrix(world: World, history: dict, who: str, n: int):
    history["matrix"] = ok(world.person(who).client.get("/api/v1/scenarios/matrix", query_string={"releases": n}))


@when(P("{who:Who}只查看不稳定的场景"))
def read_unstable(world: World, history: dict, who: str):
    history["matrix"] = ok(world.person(who).client.get("/api/v1/scenarios/matrix",
                                                        query_string={"unstable": "true"}))


def _row(history: dict, name: str) -> dict:
    sid = history["ids"][name]
    return next(r for r in history["matrix"]["items"] if r["scenario_id"] == sid)


@then(P('场景"{name}"各版本的结果依次为"{results}"'))
def row_results(history: dict, name: str, results: str):
    assert [c["status"] if c else None for c in _row(history, name)["cells"]] == \
        [RESULTS[r] for r in results.split("、")]


@then(P('场景"{name}"翻转 {n:d} 次，为不稳定'))
def unstable_row(history: dict, name: str, n: int):
    row = _row(history, name)
    assert (row["flips"], row["unstable"]) == (n, True)


@then(P('场景"{name}"翻转 {n:d} 次，不是不稳定'))
def stable_row(history: dict, name: str, n: int):
    row = _row(history, name)
    assert (row["flips"], row["unstable"]) == (n, False)


@then(P('矩阵中只有场景"{name}"'))
def only_row(history: dict, name: str):
    assert [r["name"] for r in history["matrix"]["items"]] == [name]


@then(P('场景"{name}"在版本"{version}"的结果为"{result}"'))
def cell_result(history: dict, name: str, version: str, result: str):
    columns = [r["id"] for r in history["matrix"]["releases"]]
    cell = _row(history, name)["cells"][columns.index(history["releases"][version])]
    assert cell["status"] == RESULTS[result]


@when(P('{who:Who}对比版本"{a}"与"{b}"'), target_fixture="response")
def compare(world: World, history: dict, who: str, a: str, b: str):
    return world.person(who).client.get(
        f"/api/v1/releases/{history['releases'][a]}/compare/{history['releases'][b]}")


@then(P('新增不通过的场景为"{names}"'))
def newly_failing(response, names: str):
    assert [s["name"] for s in ok(response)["newly_failing"]] == names.split("、")


@then("没有新增通过的场景")
def no_newly_passing(response):
    assert ok(response)["newly_passing"] == []


@given(P('{who:Who}的版本"{version}"承载了需求"{title}"'))
def carried(world: World, history: dict, payload, who: str, version: str, title: str):
    client = world.person(who).client
    req = ok(client.post("/api/v1/requirements", json=payload(title=title, region="445200")), 201)
    req = approve(client, req["id"])
    world.requirements[title] = req
    ok(add(client, history["releases"][version], req["id"]))


def _mark(world: World, history: dict, who: str, title: str, domain: str):
    req = world.requirement(title)
    release_id = list(history["releases"].values())[-1]  # the release that carries it: the last one made
    response = world.person(who).client.post(f"/api/v1/releases/{release_id}/manual-updates",
                                             json={"requirement_id": req["id"], "domain": DOMAINS[domain]})
    history["update"] = (release_id, ok(response, 201))


@given(P('{who:Who}把需求"{title}"标记为需更新"{domain}"的操作手册'))
def marked(world: World, history: dict, who: str, title: str, domain: str):
    _mark(world, history, who, title, domain)


@when(P('{who:Who}把需求"{title}"标记为需更新"{domain}"的操作手册'))
def mark(world: World, history: dict, who: str, title: str, domain: str):
    _mark(world, history, who, title, domain)


@then(P('版本"{version}"有 {n:d} 项待更新的操作手册'))
def open_updates(world: World, history: dict, version: str, n: int):
    client = world.person("省需求管理").client
    body = ok(client.get(f"/api/v1/releases/{history['releases'][version]}/manual-updates",
                         query_string={"state": "open"}))
    assert body["total"] == n


@when(P("{who:Who}登记该操作手册已更新"), target_fixture="response")
def close_update(world: World, history: dict, who: str):
    release_id, update = history["update"]
    return world.person(who).client.post(f"/api/v1/releases/{release_id}/manual-updates/{update['id']}/done",
                                         json={"note": "手册已修订"})


@then(P('该操作手册更新记录了完成人"{who}"和完成时间'))
def closed_by(world: World, history: dict, response, who: str):
    body = ok(response)
    assert body["done_by"] == world.person(who).username and body["done_at"]
