"""Steps for features/verification/*.feature (scenario library, runs, report import).

Like the requirement steps (tests/acceptance/conftest.py, reused here for users, status codes
and error codes), every step goes through the real /api/v1 JSON API with bearer tokens.
Result statuses are written in Chinese in the features and translated here from the issue's
vocabulary (DOMAIN.md), not from the app's code.
"""
from __future__ import annotations

import os
from typing import Any

import parse
import pytest
from pytest_bdd import given, parsers, scenarios, then, when

scenarios("verification")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPORTS = os.path.join(ROOT, "fixtures", "reports")

RESULTS = {"通过": "passed", "不通过": "failed", "阻塞": "blocked", "跳过": "skipped", "未执行": "untested"}
ENVIRONMENTS = {"验收环境": "acceptance", "预发布环境": "pre_release", "生产环境": "production"}
BAD_FEATURE = "# language: zh-CN\n功能: 支付更正\n  场景: 一\n    假如 已登录\n  这一行不是 Gherkin\n"


@parse.with_pattern(r'[^"\s，、]+?')
def _who(text: str) -> str:
    return text


@parse.with_pattern("|".join(ENVIRONMENTS))
def _environment(text: str) -> str:
    return ENVIRONMENTS[text]


def P(fmt: str):
    """parsers.parse with {who:Who} (a person, as in the requirement steps) and {env:Env}."""
    return parsers.parse(fmt, extra_types={"Who": _who, "Env": _environment})


def result_code(label: str) -> str:
    assert label in RESULTS, f"unknown result {label!r} in the feature"
    return RESULTS[label]


def feature_text(path: str) -> str:
    with open(os.path.join(REPORTS, "features", path), encoding="utf-8") as fh:
        return fh.read()


@pytest.fixture
def library() -> dict[str, Any]:
    """This scenario's library state: texts imported, releases, the current run."""
    return {"texts": {}, "releases": {}, "run": None, "first_ids": {}}


def ok(response, status: int = 200):
    assert response.status_code == status, (response.status_code, response.json)
    return response.json


def run_rows(world, library) -> list[dict]:
    client = next(iter(world.people.values())).client
    return ok(client.get(f"/api/v1/runs/{library['run']['id']}/results"))


def row_named(world, library, name: str) -> dict:
    rows = [r for r in run_rows(world, library) if r["name"] == name and r["example"] is None]
    assert len(rows) == 1, f"no single scenario {name!r} in the run"
    return rows[0]


def row_with_amount(world, library, amount: str) -> dict:
    rows = [r for r in run_rows(world, library) if r["example"] and r["example"].get("金额") == amount]
    assert len(rows) == 1, f"no single outline row with 金额={amount!r}"
    return rows[0]


def import_text(world, library, who: str, path: str, text: str):
    response = world.person(who).client.post("/api/v1/features", json={"path": path, "text": text})
    if response.status_code == 201:
        library["texts"][path] = text
    return response


# --- scenario library --------------------------------------------------------------------


@given(P('{who:Who}导入了特性文件"{path}"'))
def imported(world, library, who, path):
    body = ok(import_text(world, library, who, path, feature_text(path)), 201)
    scenarios_ = ok(world.person(who).client.get("/api/v1/scenarios", query_string={"feature": body["id"]}))
    library["first_ids"] = {(s["name"], (s["example"] or {}).get("金额")): s["id"] for s in scenarios_["items"]}


@when(P('{who:Who}导入特性文件"{path}"'), target_fixture="response")
def import_now(world, library, who, path):
    return import_text(world, library, who, path, feature_text(path))


@when(P('{who:Who}导入内容有语法错误的特性文件"{path}"'), target_fixture="response")
def import_bad(world, library, who, path):
    return import_text(world, library, who, path, BAD_FEATURE)


@when(P('{who:Who}把场景"{old}"改名为"{new}"后重新导入'), target_fixture="response")
def rename_and_import(world, library, who, old, new):
    path, text = next(iter(library["texts"].items()))
    assert f"场景: {old}\n" in text
    return import_text(world, library, who, path, text.replace(f"场景: {old}\n", f"场景: {new}\n"))


@when(P('{who:Who}删除金额为"{amount}"的例子行后重新导入'), target_fixture="response")
def remove_row_and_import(world, library, who, amount):
    path, text = next(iter(library["texts"].items()))
    lines = [line for line in text.splitlines(keepends=True)
             if not (line.strip().startswith("|") and line.split("|")[1].strip() == amount)]
    assert len(lines) == len(text.splitlines()) - 1
    return import_text(world, library, who, path, "".join(lines))


@when(P('{who:Who}把特性文件中的步骤"{old}"改为"{new}"后重新导入'))
def edit_step_and_import(world, library, who, old, new):
    path, text = next(iter(library["texts"].items()))
    assert old in text
    ok(import_text(world, library, who, path, text.replace(old, new)), 201)


@then(P("返回的修订版本为 {revision:d}，场景数为 {count:d}"))
def returned_revision(response, revision, count):
    assert response.status_code == 201, response.json
    assert (response.json["revision"], response.json["scenario_count"]) == (revision, count), response.json


@then(P('场景库中"{name}"有 {n:d} 个例子行场景'))
def outline_rows(observer, name, n):
    items = ok(observer.get("/api/v1/scenarios", query_string={"q": name, "per_page": 200}))["items"]
    assert len([s for s in items if s["name"] == name and s["example"]]) == n, items


@then(P('场景"{name}"的第 {n:d} 步是背景步骤"{text}"'))
def background_step(observer, name, n, text):
    items = ok(observer.get("/api/v1/scenarios", query_string={"q": name}))["items"]
    step = items[0]["steps"][n - 1]
    assert (step["text"], step["background"]) == (text, True), step


@then(P('错误信息指出文件"{path}"的第 {line:d} 行第 {column:d} 列'))
def error_location(response, path, line, column):
    assert response.json["errors"]["location"] == [f"{path}:{line}:{column}"], response.json
    assert path in response.json["message"] and f"line {line}, column {column}" in response.json["message"]


@then("场景库中没有任何特性文件")
def library_empty(observer):
    assert ok(observer.get("/api/v1/features"))["total"] == 0


@then(P('场景"{new}"就是原来的场景"{old}"'))
def same_identity(observer, library, new, old):
    scenario_id = library["first_ids"][(old, None)]
    body = ok(observer.get(f"/api/v1/scenarios/{scenario_id}"))
    assert body["name"] == new and body["retired"] is False, body
    assert [v["change"] for v in body["revisions"]] == ["renamed", "added"], body


@then(P('金额为"{amount}"的例子行场景已停用但仍可查看'))
def row_retired(observer, library, amount):
    (scenario_id,) = [i for (name, a), i in library["first_ids"].items() if a == amount]
    body = ok(observer.get(f"/api/v1/scenarios/{scenario_id}"))
    assert body["retired"] is True and body["example"]["金额"] == amount


# --- releases and runs -------------------------------------------------------------------


@given(P('{who:Who}创建了迭代版本"{version}"'))
def release_created(world, library, who, version):
    body = ok(world.person(who).client.post("/api/v1/releases", json={"version": version, "domains": ["execution"]}), 201)
    library["releases"][version] = body


@when(P('{who:Who}创建迭代版本"{version}"'), target_fixture="response")
def create_release(world, library, who, version):
    return world.person(who).client.post("/api/v1/releases", json={"version": version, "domains": ["execution"]})


def create_run(world, library, who, version, environment, **selection):
    release = library["releases"][version]
    body = {"environment": environment, **selection}
    response = world.person(who).client.post(f"/api/v1/releases/{release['id']}/runs", json=body)
    if response.status_code == 201:
        library["run"] = response.json
    return response


@when(P('{who:Who}为"{version}"在{environment:Env}创建执行，标签表达式为"{tags}"'), target_fixture="response")
def run_by_tags(world, library, who, version, environment, tags):
    return create_run(world, library, who, version, environment, tags=tags)


@given(P('{who:Who}为"{version}"在{environment:Env}创建了执行'))
def run_created(world, library, who, version, environment):
    ok(create_run(world, library, who, version, environment, domains=["execution"]), 201)


@given(P('{who:Who}为"{version}"在{region}的{environment:Env}创建了执行'))
def run_created_in_region(world, app, library, who, version, region, environment):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Region

    with app.app_context():
        code = db.session.scalar(select(Region.code).where(Region.name == region))
    assert code, f"region {region!r} is not in the reference data"
    ok(create_run(world, library, who, version, environment, domains=["execution"], region=code), 201)


@then(P("该执行包含 {n:d} 个场景，全部未执行"))
def run_all_untested(world, library, n):
    rows = run_rows(world, library)
    assert len(rows) == n and {r["status"] for r in rows} == {"untested"}, rows


@when(P('{who:Who}把场景"{name}"的第 {n:d} 步记为"{label}"'))
@given(P('{who:Who}把场景"{name}"的第 {n:d} 步记为"{label}"'))
def mark_step(world, library, who, name, n, label):
    row = row_named(world, library, name)
    url = f"/api/v1/runs/{library['run']['id']}/results/{row['scenario_id']}"
    ok(world.person(who).client.put(url, json={"steps": [{"index": n - 1, "status": result_code(label)}]}))


@when(P('{who:Who}把场景"{name}"直接记为"{label}"，缺陷编号"{defect}"'))
def set_directly_with_defect(world, library, who, name, label, defect):
    row = row_named(world, library, name)
    url = f"/api/v1/runs/{library['run']['id']}/results/{row['scenario_id']}"
    ok(world.person(who).client.put(url, json={"status": result_code(label), "defect": defect}))


@given(P('{who:Who}把场景"{name}"直接记为"{label}"'))
def set_directly(world, library, who, name, label):
    row = row_named(world, library, name)
    url = f"/api/v1/runs/{library['run']['id']}/results/{row['scenario_id']}"
    ok(world.person(who).client.put(url, json={"status": result_code(label)}))


@then(P('场景"{name}"的状态为"{label}"'))
def scenario_status(world, library, name, label):
    assert row_named(world, library, name)["status"] == result_code(label)


@then(P('场景"{name}"的缺陷编号为"{defect}"'))
def scenario_defect(world, library, name, defect):
    assert row_named(world, library, name)["defect"] == defect


def totals_of(world, library) -> dict:
    client = next(iter(world.people.values())).client
    return ok(client.get(f"/api/v1/runs/{library['run']['id']}"))["totals"]


@then(P("该执行的统计为{first}个、{second}个"))
def run_totals(world, library, first, second):
    totals = totals_of(world, library)
    for part in (first, second):
        label, count = part.strip().rsplit(" ", 1)
        assert totals[result_code(label.strip())] == int(count), totals


@then(P('该执行中场景"{name}"的第 {n:d} 步仍是"{text}"'))
def frozen_step(world, library, name, n, text):
    assert row_named(world, library, name)["steps"][n - 1]["text"] == text


@when(P("{who:Who}对该执行中不通过和阻塞的场景发起复测"))
def rerun(world, library, who):
    ok(world.person(who).client.post(f"/api/v1/runs/{library['run']['id']}/rerun", json={}))


@then(P('场景"{name}"的状态为"{label}"，这是第 {n:d} 次尝试'))
def status_and_attempt(world, library, name, label, n):
    row = row_named(world, library, name)
    assert (row["status"], row["attempt"]) == (result_code(label), n), row


@then(P('场景"{name}"第 {n:d} 次尝试的状态仍为"{label}"'))
def earlier_attempt(world, library, name, n, label):
    row = row_named(world, library, name)
    client = next(iter(world.people.values())).client
    attempts = ok(client.get(f"/api/v1/runs/{library['run']['id']}/results/{row['scenario_id']}/attempts"))
    assert {a["attempt"]: a["status"] for a in attempts}[n] == result_code(label), attempts


@when(P("{who:Who}查看该执行"), target_fixture="response")
def view_run(world, library, who):
    return world.person(who).client.get(f"/api/v1/runs/{library['run']['id']}")


# --- report import -----------------------------------------------------------------------


@when(P('{who:Who}把报告"{name}"导入该执行'), target_fixture="response")
def import_report(world, library, who, name):
    with open(os.path.join(REPORTS, name), "rb") as fh:
        body = fh.read()
    content_type = "application/json" if name.endswith(".json") else "application/xml"
    return world.person(who).client.post(f"/api/v1/runs/{library['run']['id']}/import", data=body,
                                         content_type=content_type)


@when(P('{who:Who}把内容为"{content}"的报告导入该执行'), target_fixture="response")
def import_raw(world, library, who, content):
    return world.person(who).client.post(f"/api/v1/runs/{library['run']['id']}/import", data=content.encode(),
                                         content_type="application/json")


@then(P("导入结果为匹配 {matched:d} 个、未匹配 {unmatched:d} 个、通过 {passed:d} 个、不通过 {failed:d} 个"))
def import_answer(response, matched, unmatched, passed, failed):
    body = response.json
    assert (body["matched"], len(body["unmatched"]), body["passed"], body["failed"]) == (matched, unmatched, passed, failed), body


@then(P("错误信息指出报告第 {line:d} 行第 {column:d} 列不是有效的 JSON"))
def report_error_location(response, line, column):
    assert response.json["message"] == f"The report is not valid JSON (line {line}, column {column}).", response.json


@then(P('金额为"{amount}"的例子行场景状态为"{label}"，第 {n:d} 步为"{step_label}"'))
def row_status_and_step(world, library, amount, label, n, step_label):
    row = row_with_amount(world, library, amount)
    assert (row["status"], row["steps"][n - 1]["status"]) == (result_code(label), result_code(step_label)), row


@then(P('金额为"{amount}"的例子行场景状态为"{label}"'))
def row_status(world, library, amount, label):
    assert row_with_amount(world, library, amount)["status"] == result_code(label)
