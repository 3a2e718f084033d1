"""大范围台帐的后台导出 (features/taskforce/exports.feature), bound to POST /api/v1/exports, the
job's status and file, and the synchronous ledger's limit. Users, filing and response checks
are the shared steps of tests/acceptance/conftest.py."""
from __future__ import annotations

import io
import time

import parse
import pytest
from pytest_bdd import parsers, scenarios, given, then, when

scenarios("taskforce/exports.feature")


@pytest.fixture(autouse=True)
def _export_threads(app):
    app.config["EXPORT_JOBS_THREADS"] = True  # off under TESTING by default (app.services.exports)


@parse.with_pattern(r'[^"\s，、]+?')
def _who(text: str) -> str:
    return text


def P(fmt: str):
    return parsers.parse(fmt, extra_types={"Who": _who})


@given(P("直接下载台帐的上限为 {n:d} 行"))
def sync_limit(app, n: int):
    app.config["LEDGER_SYNC_MAX_ROWS"] = n


@when(P("{who:Who}发起台帐的后台导出"), target_fixture="response")
def start_ledger_export(world, who: str):
    client = world.person(who).client
    response = client.post("/api/v1/exports", json={"kind": "ledger"})
    world.export = {"owner": who, "id": response.json.get("id")}
    world.export["final"] = _finished(client, world.export["id"])  # no thread outlives the scenario
    return response


def _finished(client, job_id: int) -> dict:
    deadline = time.monotonic() + 30
    while (body := client.get(f"/api/v1/exports/{job_id}").json)["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, body
        time.sleep(0.1)
    return body


@when(P("{who:Who}发起审计日志的后台导出"), target_fixture="response")
def start_audit_export(world, who: str):
    return world.person(who).client.post("/api/v1/exports", json={"kind": "audit"})


@when(P("{who:Who}查看这项导出"), target_fixture="response")
def look_at_export(world, who: str):
    return world.person(who).client.get(f"/api/v1/exports/{world.export['id']}")


@when(P("{who:Who}直接下载台帐"), target_fixture="response")
def sync_ledger(world, who: str):
    return world.person(who).client.get("/api/v1/ledger.xlsx")


@then(P("导出完成时进度为 {total:d} 行中的 {done:d} 行"))
def export_finished(world, total: int, done: int):
    body = world.export["final"]
    assert body["status"] == "done", body
    assert (body["total"], body["processed"], body["percent"]) == (total, done, 100)
    world.export["file_url"] = body["file_url"]


@then(P("{who:Who}下载的导出台帐依次为{titles}"))
def downloaded_titles(world, who: str, titles: str):
    from openpyxl import load_workbook

    response = world.person(who).client.get(world.export["file_url"])
    assert response.status_code == 200
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(response.data)).active.iter_rows()]
    start = next(i for i, row in enumerate(rows) if row[0] == "需求编号")
    column = rows[start].index("需求名称")
    assert [row[column] for row in rows[start + 1:]] == [t.strip('"') for t in titles.split("、")]


@then(P('错误信息提到"{text}"'))
def message_mentions(response, text: str):
    assert text in response.json["message"], response.json
