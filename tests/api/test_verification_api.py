"""Scenario library, releases, runs and results through /api/v1 (issue 4)."""
from __future__ import annotations

import ast
import io
import json
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPORTS = os.path.join(ROOT, "fixtures", "reports")
FEATURE_PATH = "payments/correction.feature"


def fixture_feature() -> str:
    with open(os.path.join(REPORTS, "features", FEATURE_PATH), encoding="utf-8") as fh:
        return fh.read()


def report(name: str) -> bytes:
    with open(os.path.join(REPORTS, name), "rb") as fh:
        return fh.read()


@pytest.fixture
def library(manager):
    """The fixture feature imported: 2 scenarios and an outline of 4 rows."""
    response = manager.post("/api/v1/features", json={"path": FEATURE_PATH, "text": fixture_feature()})
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def run(manager, library):
    release = manager.post("/api/v1/releases", json={"version": "V2026.11", "name": "11月迭代版本",
                                                     "planned_date": "2026-11-20", "domains": ["execution"]})
    assert release.status_code == 201, release.json
    response = manager.post(f"/api/v1/releases/{release.json['id']}/runs",
                            json={"environment": "acceptance", "tags": "@执行域 and not @manual-skip"})
    assert response.status_code == 201, response.json
    return response.json


def results(client, run_id):
    response = client.get(f"/api/v1/runs/{run_id}/results")
    assert response.status_code == 200, response.json
    return response.json


def by_key(rows):
    """{(name, the row's 金额 or None): row} (JSON objects carry no column order)"""
    return {(r["name"], r["example"]["金额"] if r["example"] else None): r for r in rows}


# --- scenario library --------------------------------------------------------------------


def test_import_answers_feature_revision_and_scenario_count(library, manager):
    assert library["revision"] == 1 and library["scenario_count"] == 6 and library["path"] == FEATURE_PATH
    listing = manager.get("/api/v1/features").json
    assert listing["total"] == 1 and listing["items"][0]["id"] == library["id"]
    scenarios = manager.get("/api/v1/scenarios", query_string={"feature": library["id"]}).json
    assert scenarios["total"] == 6
    outline_rows = [s for s in scenarios["items"] if s["example"]]
    assert [s["example"] for s in outline_rows] == [
        {"金额": "100", "结果": "成功"}, {"金额": "0", "结果": "成功"},
        {"金额": "500", "结果": "成功"}, {"金额": "-1", "结果": "不通过"},
    ]


def test_syntax_error_answers_400_with_file_line_column_and_stores_nothing(manager):
    bad = "# language: zh-CN\n功能: 支付更正\n  场景: 一\n    假如 已登录\n  这一行不是 Gherkin\n"
    response = manager.post("/api/v1/features", json={"path": "payments/bad.feature", "text": bad})
    assert response.status_code == 400
    assert response.json["code"] == "gherkin_syntax_error"
    assert response.json["errors"]["location"] == ["payments/bad.feature:5:3"]
    assert "line 5, column 3" in response.json["message"]
    assert manager.get("/api/v1/features").json["total"] == 0


def test_bad_path_and_unknown_fields_are_rejected(manager):
    assert manager.post("/api/v1/features", json={"path": "../x.feature", "text": "Feature: x"}).status_code == 422
    assert manager.post("/api/v1/features", json={"path": "x.txt", "text": "Feature: x"}).status_code == 422
    response = manager.post("/api/v1/features", json={"path": "x.feature", "text": "Feature: x", "lang": "zh"})
    assert response.status_code == 422 and "lang" in response.json["errors"]


def test_roles_scenario_import_and_release_management(api, library):
    taskforce, engineer, reviewer = api("taskforce", "445200"), api("engineer", "445200"), api("reviewer", "440000")
    assert taskforce.post("/api/v1/features", json={"path": "a.feature", "text": "Feature: a"}).status_code == 403
    assert reviewer.post("/api/v1/features", json={"path": "a.feature", "text": "Feature: a"}).status_code == 403
    assert engineer.post("/api/v1/features", json={"path": "a.feature", "text": "Feature: a"}).status_code == 201
    assert engineer.post("/api/v1/releases", json={"version": "V1"}).status_code == 403
    assert taskforce.get("/api/v1/scenarios").status_code == 200


def test_identity_across_revisions_edit_rename_remove(manager, library):
    first = {s["name"] + str((s["example"] or {}).get("金额")): s["id"]
             for s in manager.get("/api/v1/scenarios", query_string={"feature": library["id"]}).json["items"]}
    text = fixture_feature()
    edited = (
        text.replace("场景: 直接支出更正成功", "场景: 直接支出更正审核通过")  # renamed, steps unchanged
        .replace("当 经办人办理更正调库", "当 经办人办理更正调库并复核")  # steps edited, name kept
        .replace("      | -1   | 不通过 |\n", "")  # an outline row removed
    )
    response = manager.post("/api/v1/features", json={"path": FEATURE_PATH, "text": edited})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["revision"] == 2 and body["scenario_count"] == 5
    assert body["renamed"] == [{"from": "直接支出更正成功", "to": "直接支出更正审核通过"}]
    assert body["changed"] == ["更正调库后国库报表与总账核对"]
    assert body["retired"] == ["跨年退款按金额校验"] and body["added"] == []

    renamed = manager.get(f"/api/v1/scenarios/{first['直接支出更正成功None']}").json
    assert renamed["name"] == "直接支出更正审核通过" and not renamed["retired"]
    assert [v["change"] for v in renamed["revisions"]] == ["renamed", "added"]
    edited_one = manager.get(f"/api/v1/scenarios/{first['更正调库后国库报表与总账核对None']}").json
    assert edited_one["steps"][1]["text"] == "经办人办理更正调库并复核"
    retired = manager.get(f"/api/v1/scenarios/{first['跨年退款按金额校验-1']}").json
    assert retired["retired"] is True
    assert manager.get("/api/v1/scenarios", query_string={"feature": library["id"]}).json["total"] == 5
    assert manager.get("/api/v1/scenarios", query_string={"feature": library["id"], "include_retired": "true"}).json["total"] == 6

    # the same text again: nothing new
    again = manager.post("/api/v1/features", json={"path": FEATURE_PATH, "text": edited}).json
    assert again["revision"] == 2 and again["unchanged"] is True
    # restoring the row brings the retired scenario back with its identity
    restored = manager.post("/api/v1/features", json={"path": FEATURE_PATH, "text": text}).json
    assert restored["revision"] == 3 and "跨年退款按金额校验" in restored["restored"]
    assert manager.get(f"/api/v1/scenarios/{retired['id']}").json["retired"] is False


def test_tags_link_requirements_and_domains(manager, filed, library):
    req = filed()
    text = fixture_feature().replace("@REQ-2026-0001", f"@{req['code']}").replace("@执行域", "@执行域 @budget @人工")
    manager.post("/api/v1/features", json={"path": FEATURE_PATH, "text": text})
    linked = manager.get("/api/v1/scenarios", query_string={"requirement": req["code"]}).json
    assert linked["total"] == 6
    assert manager.get("/api/v1/scenarios", query_string={"domain": "execution"}).json["total"] == 6
    assert manager.get("/api/v1/scenarios", query_string={"domain": "budget"}).json["total"] == 6
    assert manager.get("/api/v1/scenarios", query_string={"domain": "accounting"}).json["total"] == 0
    assert manager.get("/api/v1/scenarios", query_string={"tag": "@人工"}).json["total"] == 6
    one = manager.get(f"/api/v1/scenarios/{linked['items'][0]['id']}").json
    assert one["requirements"] == [req["code"]] and sorted(one["domains"]) == ["budget", "execution"]


# --- releases and runs -------------------------------------------------------------------


def test_release_version_is_unique_and_readable(manager):
    body = {"version": "V2026.11", "name": "11月迭代", "planned_date": "2026-11-20", "domains": ["execution", "budget"],
            "notes": "支付更正、跨年退款"}
    created = manager.post("/api/v1/releases", json=body)
    assert created.status_code == 201 and created.json["domains"] == ["execution", "budget"]
    assert manager.post("/api/v1/releases", json=body).status_code == 409
    assert manager.post("/api/v1/releases", json={**body, "version": "V2", "domains": ["nope"]}).status_code == 422
    assert [r["version"] for r in manager.get("/api/v1/releases").json] == ["V2026.11"]
    detail = manager.get(f"/api/v1/releases/{created.json['id']}").json
    assert detail["runs"] == [] and detail["planned_date"] == "2026-11-20"


def test_run_selection_by_tags_domains_requirements_and_ids(manager, library, filed):
    release = manager.post("/api/v1/releases", json={"version": "V9"}).json
    url = f"/api/v1/releases/{release['id']}/runs"
    assert manager.post(url, json={"environment": "acceptance", "domains": ["execution"]}).json["scenario_count"] == 6
    assert manager.post(url, json={"environment": "acceptance", "tags": "@执行域 and @manual-skip"}).status_code == 422
    bad = manager.post(url, json={"environment": "acceptance", "tags": "@执行域 and"})
    assert bad.status_code == 422 and "tags" in bad.json["errors"]
    ids = [s["id"] for s in manager.get("/api/v1/scenarios").json["items"]][:2]
    picked = manager.post(url, json={"environment": "pre_release", "region": "445200", "scenario_ids": ids})
    assert picked.status_code == 201 and picked.json["scenario_count"] == 2 and picked.json["region"] == "445200"
    assert manager.post(url, json={"environment": "moon"}).status_code == 422
    assert manager.post(url, json={"environment": "acceptance", "requirements": ["REQ-1999-0001"]}).status_code == 422
    assert manager.post(url, json={"environment": "acceptance", "region": "440100"}).status_code == 422  # outside


def test_run_freezes_scenario_text(manager, run):
    before = results(manager, run["id"])
    assert len(before) == 6 and all(r["status"] == "untested" for r in before)
    first = before[0]
    assert set(first) >= {"scenario_id", "name", "example", "status", "steps"}
    assert first["example"] is None and first["steps"][0] == {
        "index": 0, "keyword": "假如", "text": "预算单位经办人已登录执行域", "status": "untested", "background": True}
    assert first["steps"][1]["data_table"] == [["原凭证号", "更正金额"], ["ZF0001", "1200.00"]]
    assert first["steps"][3]["doc_string"]["content"] == "凭证 ZF0001 已更正"
    outline = [r for r in before if r["example"]]
    assert outline[3]["example"] == {"金额": "-1", "结果": "不通过"}
    assert outline[3]["steps"][1]["text"] == "经办人申请退款 -1 元"

    edited = fixture_feature().replace("经办人申请退款 <金额> 元", "经办人在新界面申请退款 <金额> 元")
    assert manager.post("/api/v1/features", json={"path": FEATURE_PATH, "text": edited}).json["revision"] == 2
    assert results(manager, run["id"]) == before


def test_status_follows_steps_unless_set_directly(manager, run):
    row = results(manager, run["id"])[0]
    sid, url = row["scenario_id"], f"/api/v1/runs/{run['id']}/results/{row['scenario_id']}"
    answer = manager.put(url, json={"steps": [{"index": 0, "status": "passed"}, {"index": 1, "status": "passed"}]})
    assert answer.status_code == 200 and answer.json["status"] == "untested" and answer.json["scenario_id"] == sid
    answer = manager.put(url, json={"steps": [{"index": 2, "status": "blocked"}, {"index": 3, "status": "passed"}]})
    assert answer.json["status"] == "blocked"
    answer = manager.put(url, json={"steps": [{"index": 2, "status": "failed"}], "note": "余额未回滚", "defect": "TAPD-1024",
                                    "fed_back": True})
    assert answer.json["status"] == "failed"
    assert (answer.json["note"], answer.json["defect"], answer.json["fed_back"]) == ("余额未回滚", "TAPD-1024", True)
    assert answer.json["tester"] == manager.user.username and answer.json["recorded_at"]
    assert [s["status"] for s in answer.json["steps"]] == ["passed", "passed", "failed", "passed"]
    answer = manager.put(url, json={"status": "skipped"})
    assert answer.json["status"] == "skipped" and answer.json["set_directly"] is True
    # a step mark later records the step but keeps the status set directly ...
    answer = manager.put(url, json={"steps": [{"index": 2, "status": "passed"}]})
    assert answer.json["status"] == "skipped" and answer.json["set_directly"] is True
    assert [s["status"] for s in answer.json["steps"]] == ["passed", "passed", "passed", "passed"]
    bulk = manager.post(f"/api/v1/runs/{run['id']}/results",
                        json=[{"scenario_id": sid, "steps": [{"index": 1, "status": "passed"}]}])
    assert bulk.status_code == 200
    assert results(manager, run["id"])[0]["status"] == "skipped"
    # ... until it is cleared explicitly: the status follows the steps again
    answer = manager.put(url, json={"status": None})
    assert answer.json["status"] == "passed" and answer.json["set_directly"] is False
    totals = manager.get(f"/api/v1/runs/{run['id']}").json["totals"]
    assert totals == {"passed": 1, "failed": 0, "blocked": 0, "skipped": 0, "untested": 5, "total": 6}


def test_bad_results_are_rejected_and_change_nothing(manager, run):
    rows = results(manager, run["id"])
    url = f"/api/v1/runs/{run['id']}/results/{rows[0]['scenario_id']}"
    assert manager.put(url, json={"status": "ok"}).status_code == 422
    assert manager.put(url, json={"steps": [{"index": 99, "status": "passed"}]}).status_code == 422
    assert manager.put(url, json={"steps": [{"index": "0", "status": "passed"}]}).status_code == 422
    assert manager.put(f"/api/v1/runs/{run['id']}/results/999999", json={"status": "passed"}).status_code == 404
    bulk = [{"scenario_id": rows[1]["scenario_id"], "status": "passed"},
            {"scenario_id": rows[2]["scenario_id"], "steps": [{"index": 50, "status": "failed"}]}]
    answer = manager.post(f"/api/v1/runs/{run['id']}/results", json=bulk)
    assert answer.status_code == 422 and "1.steps.0.index" in answer.json["errors"]
    assert all(r["status"] == "untested" for r in results(manager, run["id"]))


def test_bulk_results_all_or_nothing(manager, run):
    rows = results(manager, run["id"])
    bulk = [{"scenario_id": r["scenario_id"], "status": "passed"} for r in rows[:4]]
    bulk.append({"scenario_id": rows[4]["scenario_id"], "steps": [{"index": i, "status": "passed"} for i in range(3)]})
    answer = manager.post(f"/api/v1/runs/{run['id']}/results", json=bulk)
    assert answer.status_code == 200, answer.json
    assert answer.json["updated"] == 5 and answer.json["totals"]["passed"] == 5 and answer.json["totals"]["untested"] == 1


def test_rerun_keeps_earlier_attempts(manager, run):
    rows = results(manager, run["id"])
    failing = rows[1]["scenario_id"]
    manager.put(f"/api/v1/runs/{run['id']}/results/{failing}", json={"status": "failed", "note": "第一次"})
    manager.put(f"/api/v1/runs/{run['id']}/results/{rows[0]['scenario_id']}", json={"status": "passed"})
    answer = manager.post(f"/api/v1/runs/{run['id']}/rerun", json={})
    assert answer.status_code == 200 and answer.json["rerun"] == 1
    row = manager.get(f"/api/v1/runs/{run['id']}/results/{failing}").json
    assert (row["status"], row["attempt"], row["note"]) == ("untested", 2, "")
    # the list answers the new attempt's steps unmarked, as the row itself does
    listed = next(r for r in results(manager, run["id"]) if r["scenario_id"] == failing)
    assert listed == row and {s["status"] for s in listed["steps"]} == {"untested"}
    manager.put(f"/api/v1/runs/{run['id']}/results/{failing}", json={"status": "passed", "note": "复测通过"})
    attempts = manager.get(f"/api/v1/runs/{run['id']}/results/{failing}/attempts").json
    assert [(a["attempt"], a["status"], a["note"]) for a in attempts] == [(2, "passed", "复测通过"), (1, "failed", "第一次")]


def test_run_scope_and_roles(api, manager, library):
    release = manager.post("/api/v1/releases", json={"version": "V3"}).json
    run = manager.post(f"/api/v1/releases/{release['id']}/runs",
                       json={"environment": "acceptance", "region": "445200", "domains": ["execution"]}).json
    guangzhou, county, taskforce = api("engineer", "440100"), api("engineer", "445202"), api("taskforce", "445200")
    assert guangzhou.get(f"/api/v1/runs/{run['id']}").status_code == 404
    assert guangzhou.put(f"/api/v1/runs/{run['id']}/results/1", json={"status": "passed"}).status_code == 404
    assert county.get(f"/api/v1/runs/{run['id']}").status_code == 200
    assert taskforce.get(f"/api/v1/runs/{run['id']}/results").status_code == 200
    sid = results(taskforce, run["id"])[0]["scenario_id"]
    assert taskforce.put(f"/api/v1/runs/{run['id']}/results/{sid}", json={"status": "passed"}).status_code == 403
    assert api("admin", "440000").get(f"/api/v1/runs/{run['id']}").status_code == 200


def test_evidence_is_stored_and_served_in_scope_only(api, manager, run):
    sid = results(manager, run["id"])[0]["scenario_id"]
    upload = manager.post(f"/api/v1/runs/{run['id']}/results/{sid}/evidence",
                          data={"file": (io.BytesIO(b"\x89PNG screenshot"), "截图.png")}, content_type="multipart/form-data")
    assert upload.status_code == 201, upload.json
    row = manager.get(f"/api/v1/runs/{run['id']}/results/{sid}").json
    assert [e["filename"] for e in row["evidence"]] == ["截图.png"]
    download = manager.get(f"/api/v1/evidence/{upload.json['id']}")
    assert download.status_code == 200 and download.data == b"\x89PNG screenshot"


# --- report import -----------------------------------------------------------------------

EXPECTED = {
    ("直接支出更正成功", None): "passed",
    ("更正调库后国库报表与总账核对", None): "failed",
    ("跨年退款按金额校验", "100"): "passed",
    ("跨年退款按金额校验", "0"): "passed",
    ("跨年退款按金额校验", "500"): "passed",
    ("跨年退款按金额校验", "-1"): "failed",
}


@pytest.mark.parametrize("name", ["pytest-bdd.json", "behave.json", "cucumber-js.json"])
def test_import_cucumber_json_from_three_tools(manager, run, name):
    answer = manager.post(f"/api/v1/runs/{run['id']}/import", data=report(name), content_type="application/json")
    assert answer.status_code == 200, answer.json
    assert (answer.json["matched"], answer.json["unmatched"], answer.json["passed"], answer.json["failed"]) == (6, [], 4, 2)
    rows = by_key(results(manager, run["id"]))
    assert {key: row["status"] for key, row in rows.items()} == EXPECTED
    failed_row = rows[("跨年退款按金额校验", "-1")]
    assert [s["status"] for s in failed_row["steps"]] == ["passed", "passed", "failed"]
    assert "不通过" in failed_row["steps"][2]["error"]
    assert failed_row["source"] == "import:cucumber-json" and failed_row["set_directly"] is False
    assert [s["status"] for s in rows[("直接支出更正成功", None)]["steps"]] == ["passed"] * 4


@pytest.mark.parametrize("name", ["pytest-bdd.xml", "behave.xml", "cucumber-js.xml"])
def test_import_junit_xml_from_three_tools(manager, run, name):
    answer = manager.post(f"/api/v1/runs/{run['id']}/import", data=report(name), content_type="application/xml")
    assert answer.status_code == 200, answer.json
    assert (answer.json["matched"], answer.json["unmatched"], answer.json["passed"], answer.json["failed"]) == (6, [], 4, 2)
    rows = by_key(results(manager, run["id"]))
    assert {key: row["status"] for key, row in rows.items()} == EXPECTED


def test_import_as_multipart_upload_and_results_flow_together(manager, run):
    rows = results(manager, run["id"])
    manual = rows[0]["scenario_id"]
    manager.put(f"/api/v1/runs/{run['id']}/results/{manual}", json={"steps": [{"index": 0, "status": "passed"}]})
    answer = manager.post(f"/api/v1/runs/{run['id']}/import", data={"file": (io.BytesIO(report("behave.json")), "behave.json")},
                          content_type="multipart/form-data")
    assert answer.status_code == 200 and answer.json["matched"] == 6
    assert manager.get(f"/api/v1/runs/{run['id']}").json["totals"]["failed"] == 2


def test_unmatched_cases_are_listed(manager, api, library):
    release = manager.post("/api/v1/releases", json={"version": "V4"}).json
    only_one = manager.get("/api/v1/scenarios").json["items"][0]["id"]
    run = manager.post(f"/api/v1/releases/{release['id']}/runs",
                       json={"environment": "acceptance", "scenario_ids": [only_one]}).json
    answer = manager.post(f"/api/v1/runs/{run['id']}/import", data=report("cucumber-js.json"), content_type="application/json")
    assert answer.json["matched"] == 1 and len(answer.json["unmatched"]) == 5
    assert all(u.startswith("features/payments/correction.feature: ") for u in answer.json["unmatched"])


@pytest.mark.parametrize(
    ("body", "content_type", "words"),
    [
        (b"{not json", "application/json", "not valid JSON"),
        (b'{"features": []}', "application/json", "list of features"),
        (b'[{"uri": "a.feature", "elements": [{"name": "x", "steps": [{"name": "s", "result": "ok"}]}]}]',
         "application/json", "no result status"),
        (b'[{"uri": "a.feature", "elements": [{"name": "x", "steps": [{"name": "s", "result": {}}]}]}]',
         "application/json", "no result status"),
        (b"<testsuite><testcase", "application/xml", "not valid XML"),
        (b"<html></html>", "application/xml", "<testsuites> or <testsuite>"),
        (b"", "application/json", "empty"),
    ],
)
def test_malformed_reports_answer_400_and_change_nothing(manager, run, body, content_type, words):
    answer = manager.post(f"/api/v1/runs/{run['id']}/import", data=body, content_type=content_type)
    assert answer.status_code == 400, answer.json
    assert words in answer.json["message"]
    assert all(r["status"] == "untested" for r in results(manager, run["id"]))


def test_import_rejects_other_media_types(manager, run):
    answer = manager.post(f"/api/v1/runs/{run['id']}/import", data=b"hello", content_type="text/plain")
    assert answer.status_code == 415


def test_import_is_all_or_nothing_when_a_report_is_half_broken(manager, run):
    data = json.loads(report("cucumber-js.json"))
    data.append({"uri": "x.feature", "elements": [{"name": "坏的", "steps": [{"keyword": "当", "name": "x",
                                                                              "result": "passed"}]}]})
    answer = manager.post(f"/api/v1/runs/{run['id']}/import", data=json.dumps(data), content_type="application/json")
    assert answer.status_code == 400
    assert all(r["status"] == "untested" for r in results(manager, run["id"]))


def test_requirement_filed_after_import_is_traced_and_scope_applies(api, manager, filed):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    code = f"REQ-{datetime.now(ZoneInfo('Asia/Shanghai')).year}-0001"  # the first code of the year
    text = fixture_feature().replace("@REQ-2026-0001", f"@{code}")
    manager.post("/api/v1/features", json={"path": FEATURE_PATH, "text": text})
    req = filed()  # filed after the import
    assert req["code"] == code
    assert manager.get("/api/v1/scenarios", query_string={"requirement": code}).json["total"] == 6
    one = manager.get("/api/v1/scenarios", query_string={"requirement": code}).json["items"][0]
    assert manager.get(f"/api/v1/scenarios/{one['id']}").json["requirements"] == [code]
    # a Guangzhou engineer does not see the 揭阳 requirement, nor its link
    guangzhou = api("engineer", "440100")
    assert guangzhou.get("/api/v1/scenarios", query_string={"requirement": code}).json["total"] == 0
    assert guangzhou.get(f"/api/v1/scenarios/{one['id']}").json["requirements"] == []


# --- audit fixes -------------------------------------------------------------------------


def new_release(client, version="V2026.12"):
    response = client.post("/api/v1/releases", json={"version": version})
    assert response.status_code == 201, response.json
    return response.json


def test_run_by_requirement_uses_tag_links_and_the_users_scope(api, manager, filed):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    code = f"REQ-{datetime.now(ZoneInfo('Asia/Shanghai')).year}-0001"
    text = fixture_feature().replace("@REQ-2026-0001", f"@{code}")
    manager.post("/api/v1/features", json={"path": FEATURE_PATH, "text": text})
    assert filed()["code"] == code  # filed after the import: linked by its tag only
    release = new_release(manager)
    created = manager.post(f"/api/v1/releases/{release['id']}/runs",
                           json={"environment": "acceptance", "requirements": [code]})
    assert created.status_code == 201, created.json
    assert created.json["scenario_count"] == 6
    # a Guangzhou engineer: the 揭阳 requirement is unknown, worded like one that does not exist
    guangzhou = api("engineer", "440100")
    outside = guangzhou.post(f"/api/v1/releases/{release['id']}/runs",
                             json={"environment": "acceptance", "requirements": [code]})
    missing = guangzhou.post(f"/api/v1/releases/{release['id']}/runs",
                             json={"environment": "acceptance", "requirements": ["REQ-2000-9999"]})
    assert outside.status_code == missing.status_code == 422
    assert outside.json["errors"]["requirements"] == [f"Unknown requirement(s): {code}."]
    assert missing.json["errors"]["requirements"] == ["Unknown requirement(s): REQ-2000-9999."]


def test_engineers_start_runs_and_rerun_but_do_not_create_releases(api, manager, library):
    engineer, taskforce = api("engineer", "445200"), api("taskforce", "445200")
    assert engineer.post("/api/v1/releases", json={"version": "V9"}).status_code == 403
    release = new_release(manager)
    url = f"/api/v1/releases/{release['id']}/runs"
    assert taskforce.post(url, json={"environment": "acceptance"}).status_code == 403
    created = engineer.post(url, json={"environment": "acceptance", "region": "445200"})
    assert created.status_code == 201, created.json
    row = results(engineer, created.json["id"])[0]
    engineer.put(f"/api/v1/runs/{created.json['id']}/results/{row['scenario_id']}", json={"status": "failed"})
    rerun = engineer.post(f"/api/v1/runs/{created.json['id']}/rerun", json={})
    assert rerun.status_code == 200 and rerun.json["rerun"] == 1
    assert taskforce.post(f"/api/v1/runs/{created.json['id']}/rerun", json={}).status_code == 403


def test_pytest_bdd_uris_match_a_library_path_with_more_folders(manager):
    path = "features/payments/correction.feature"  # pytest-bdd writes "payments/correction.feature"
    assert manager.post("/api/v1/features", json={"path": path, "text": fixture_feature()}).status_code == 201
    release = new_release(manager)
    run = manager.post(f"/api/v1/releases/{release['id']}/runs", json={"environment": "acceptance"}).json
    answer = manager.post(f"/api/v1/runs/{run['id']}/import", data=report("pytest-bdd.json"),
                          content_type="application/json")
    assert answer.status_code == 200, answer.json
    assert (answer.json["matched"], answer.json["unmatched"]) == (6, [])
    assert (answer.json["passed"], answer.json["failed"]) == (4, 2)


def test_behave_report_with_steps_not_run_after_a_middle_failure(manager):
    with open(os.path.join(REPORTS, "middle", "payments", "refund_review.feature"), encoding="utf-8") as fh:
        text = fh.read()
    assert manager.post("/api/v1/features", json={"path": "payments/refund_review.feature", "text": text}).status_code == 201
    release = new_release(manager)
    run = manager.post(f"/api/v1/releases/{release['id']}/runs", json={"environment": "acceptance"}).json
    body = report("behave-middle-failure.json")
    assert b'"result"' in body and body.count(b'"result"') < body.count(b'"keyword"') - 1  # steps without result
    answer = manager.post(f"/api/v1/runs/{run['id']}/import", data=body, content_type="application/json")
    assert answer.status_code == 200, answer.json
    assert (answer.json["matched"], answer.json["passed"], answer.json["failed"]) == (2, 1, 1)
    rows = {r["name"]: r for r in results(manager, run["id"])}
    failed = rows["复核不通过时后续步骤不执行"]
    assert failed["status"] == "failed" and failed["set_directly"] is False
    assert [s["status"] for s in failed["steps"]] == ["passed", "failed", "skipped", "skipped"]
    assert "步骤未通过" in failed["steps"][1]["error"]
    assert rows["复核通过后退回预算单位"]["status"] == "passed"


@pytest.mark.parametrize("content_type", ["application/junit+xml", "application/octet-stream"])
def test_import_accepts_junit_and_octet_stream_bodies(manager, run, content_type):
    name = "behave.xml" if content_type.endswith("xml") else "cucumber-js.json"
    answer = manager.post(f"/api/v1/runs/{run['id']}/import", data=report(name), content_type=content_type)
    assert answer.status_code == 200, answer.json
    assert answer.json["matched"] == 6
    assert answer.json["format"] == ("junit" if name.endswith("xml") else "cucumber-json")
    octet_xml = manager.post(f"/api/v1/runs/{run['id']}/import", data=report("pytest-bdd.xml"),
                             content_type="application/octet-stream")
    assert octet_xml.status_code == 200 and octet_xml.json["format"] == "junit"
    # other endpoints still want JSON
    assert manager.post("/api/v1/releases", data=b"{}", content_type="application/octet-stream").status_code == 415


def test_unchanged_reimport_answers_200_with_unchanged(manager, library):
    again = manager.post("/api/v1/features", json={"path": FEATURE_PATH, "text": fixture_feature()})
    assert again.status_code == 200 and again.json["unchanged"] is True and again.json["revision"] == 1
    changed = manager.post("/api/v1/features", json={"path": FEATURE_PATH, "text": fixture_feature() + "\n"})
    assert changed.status_code == 201 and changed.json["unchanged"] is False and changed.json["revision"] == 2


def test_feature_description_is_kept(manager, library):
    body = manager.get(f"/api/v1/features/{library['id']}").json
    assert body["description"] == "预算单位对已支付凭证办理更正，国库科复核。"


@pytest.mark.parametrize("expression", ["@执行域 and", "(@执行域", "@a @b", "and"])
def test_invalid_tag_expression_says_so_without_python_internals(manager, library, expression):
    release = new_release(manager)
    answer = manager.post(f"/api/v1/releases/{release['id']}/runs", json={"environment": "acceptance", "tags": expression})
    assert answer.status_code == 422
    (message,) = answer.json["errors"]["tags"]
    assert message.startswith(f"Invalid tag expression: {expression}")
    for internal in ("Literal(", "expressions=", "Expression:", "^", "(HERE)", "\n"):
        assert internal not in message, message


def test_partly_marked_scenario_counts_as_not_run(manager, run):
    rows = results(manager, run["id"])
    first, second = rows[0], rows[1]
    url = f"/api/v1/runs/{run['id']}/results"
    manager.put(f"{url}/{first['scenario_id']}", json={"steps": [{"index": 0, "status": "passed"}]})
    manager.put(f"{url}/{second['scenario_id']}", json={"steps": [
        {"index": i, "status": "passed" if i % 2 == 0 else "skipped"} for i in range(len(second["steps"]))]})
    totals = manager.get(f"/api/v1/runs/{run['id']}").json["totals"]
    assert totals == {"passed": 1, "failed": 0, "blocked": 0, "skipped": 0, "untested": 5, "total": 6}


# --- issue 7: schemas serialise, results page, messages say where -------------------------

ROW_FIELDS = {"scenario_id", "name", "example", "status", "steps", "keyword", "feature_path", "feature_name",
              "examples_name", "attempt", "set_directly", "note", "defect", "fed_back", "source", "tester",
              "recorded_at", "evidence"}


def test_answers_keep_their_fields_now_that_schemas_serialise(manager, run, library):
    """Services hand over models and read models; the schemas alone make the JSON. Every field
    name and shape clients rely on stays as it was."""
    rows = results(manager, run["id"])
    assert set(rows[0]) == ROW_FIELDS
    assert (rows[0]["examples_name"], rows[0]["source"], rows[0]["tester"], rows[0]["recorded_at"]) == (None,) * 4
    assert set(rows[0]["steps"][0]) == {"index", "keyword", "text", "status", "background"}  # no empty extras
    sid = rows[0]["scenario_id"]
    url = f"/api/v1/runs/{run['id']}/results/{sid}"
    row = manager.put(url, json={"status": "failed", "note": "余额未回滚"}).json
    assert set(row) == ROW_FIELDS and row["tester"] == manager.user.username and row["source"] == "manual"
    manager.post(f"{url}/evidence", data={"file": (io.BytesIO(b"png"), "截图.png")}, content_type="multipart/form-data")
    evidence = manager.get(url).json["evidence"]
    assert [set(e) for e in evidence] == [{"id", "filename", "size"}] and evidence[0]["size"] == 3

    detail = manager.get(f"/api/v1/runs/{run['id']}").json
    assert set(detail) == {"id", "release_id", "release", "environment", "region", "selection", "scenario_count",
                           "created_by", "created_at", "totals"}
    assert detail["totals"] == {"passed": 0, "failed": 1, "blocked": 0, "skipped": 0, "untested": 5, "total": 6}
    assert detail["region"] is None and detail["release"] == "V2026.11" and detail["created_by"] == manager.user.username
    assert set(run) == set(detail)  # creating a run answers the same shape

    release = manager.get(f"/api/v1/releases/{run['release_id']}").json
    assert set(release) == {"id", "version", "name", "planned_date", "domains", "notes", "created_by", "created_at",
                            "runs", "status", "status_label", "status_changed_at", "build", "signoff_roles"}
    assert [set(r) for r in release["runs"]] == [{"id", "release_id", "environment", "region", "scenario_count",
                                                  "created_at"}]

    attempts = manager.get(f"{url}/attempts").json
    assert [set(a) for a in attempts] == [{"attempt", "status", "set_directly", "steps", "note", "defect", "fed_back",
                                           "source", "tester", "recorded_at"}]
    assert attempts[0]["recorded_at"].endswith("+00:00")  # the one timestamp format, not "...Z"
    rerun = manager.post(f"/api/v1/runs/{run['id']}/rerun", json={}).json
    assert set(rerun) == {"rerun", "totals"} and rerun["totals"]["untested"] == 6
    bulk = manager.post(f"/api/v1/runs/{run['id']}/results", json=[{"scenario_id": sid, "status": "passed"}]).json
    assert bulk == {"updated": 1, "totals": {"passed": 1, "failed": 0, "blocked": 0, "skipped": 0, "untested": 5,
                                             "total": 6}}

    feature = manager.get(f"/api/v1/features/{library['id']}").json
    assert set(feature) == {"id", "path", "name", "language", "revision", "scenario_count", "updated_at",
                            "description", "revisions", "scenarios"}
    assert len(feature["scenarios"]) == 6 and feature["revisions"][0]["revision"] == 1
    scenario = manager.get(f"/api/v1/scenarios/{sid}").json
    assert {"domains", "requirements", "revisions", "results"} <= set(scenario)
    assert scenario["feature_path"] == FEATURE_PATH and scenario["domains"] == ["execution"]
    assert scenario["revisions"] == [{"revision": 1, "change": "added", "name": scenario["name"]}]
    assert scenario["results"] == [{"run_id": run["id"], "release": "V2026.11", "environment": "acceptance",
                                    "status": "passed", "attempt": 2}]


def test_the_api_module_hands_service_results_to_schemas():
    """No answer is built by hand in the API (no dict, no list of dicts) and no model gets
    extra attributes (`run.totals = ...`) for a schema to find."""
    path = os.path.join(os.path.dirname(ROOT), "app", "api", "verification.py")
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    built = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Return)
             and isinstance(node.value, (ast.Dict, ast.DictComp, ast.ListComp))]
    assigned = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Assign)
                and any(isinstance(target, ast.Attribute) for target in node.targets)]
    assert built == [] and assigned == []
    from app.services import verification

    assert not hasattr(verification.ResultRow, "as_dict")


def test_results_can_be_paged_like_the_other_lists(manager, run):
    """Without paging arguments every row (as clients have always had it); with `page` and
    `per_page` one page; either way a JSON list and the count in X-Total-Count."""
    everything = manager.get(f"/api/v1/runs/{run['id']}/results")
    assert len(everything.json) == 6 and everything.headers["X-Total-Count"] == "6"
    first = manager.get(f"/api/v1/runs/{run['id']}/results", query_string={"per_page": 4})
    second = manager.get(f"/api/v1/runs/{run['id']}/results", query_string={"page": 2, "per_page": 4})
    assert (len(first.json), len(second.json)) == (4, 2)
    assert first.headers["X-Total-Count"] == second.headers["X-Total-Count"] == "6"
    assert first.json + second.json == everything.json  # run order across pages
    beyond = manager.get(f"/api/v1/runs/{run['id']}/results", query_string={"page": 3, "per_page": 4})
    assert beyond.status_code == 200 and beyond.json == []
    failed = [r["scenario_id"] for r in everything.json[:3]]
    manager.post(f"/api/v1/runs/{run['id']}/results", json=[{"scenario_id": i, "status": "failed"} for i in failed])
    page = manager.get(f"/api/v1/runs/{run['id']}/results", query_string={"status": "failed", "page": 1, "per_page": 2})
    assert [r["scenario_id"] for r in page.json] == failed[:2] and page.headers["X-Total-Count"] == "3"
    page = manager.get(f"/api/v1/runs/{run['id']}/results", query_string={"status": "failures", "page": 2, "per_page": 2})
    assert [r["scenario_id"] for r in page.json] == failed[2:]
    for bad in ({"page": 0}, {"per_page": 0}, {"per_page": 10_000}, {"page": "x"}):
        assert manager.get(f"/api/v1/runs/{run['id']}/results", query_string=bad).status_code == 422, bad
    spec = manager.get("/api/v1/openapi.json").json["paths"]["/api/v1/runs/{run_id}/results"]["get"]
    assert {p["name"] for p in spec["parameters"]} >= {"status", "page", "per_page"}
    assert "X-Total-Count" in spec["responses"]["200"]["headers"]


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"{not json", "application/json", "The report is not valid JSON (line 1, column 2)."),
        (b'[{"uri": "a.feature",\n "elements": [}]', "application/json",
         "The report is not valid JSON (line 2, column 15)."),
        (b"<testsuite>\n  <testcase name='x'>\n</testsuite>", "application/xml",
         "The report is not valid XML (line 3, column 3)."),
        (b"\xff[]", "application/json", "The report is not UTF-8 text."),
    ],
)
def test_a_malformed_report_says_where_without_the_parsers_words(manager, run, body, content_type, message):
    answer = manager.post(f"/api/v1/runs/{run['id']}/import", data=body, content_type=content_type)
    assert answer.status_code == 400 and answer.json["code"] == "malformed_report"
    assert answer.json["message"] == message and answer.json["errors"] == {"report": [message]}


def test_reasons_of_a_bad_tag_expression_are_ours(manager, library):
    release = new_release(manager)
    url = f"/api/v1/releases/{release['id']}/runs"
    for tags, reason in (("@执行域 and", "'and' needs a tag on each side"), ("not", "'not' needs a tag after it"),
                         ("(@执行域", "a '(' is not closed"), ("@a)", "a ')' has no matching '('"),
                         ("@a @b", "'and' or 'or' is missing after @a"), ("and", "the expression starts with an operator"),
                         ("@a or or @b", "a tag is missing after 'or'")):
        answer = manager.post(url, json={"environment": "acceptance", "tags": tags})
        assert answer.json["errors"]["tags"] == [f"Invalid tag expression: {tags} ({reason})"], tags


def test_the_results_list_answers_what_the_row_schema_answers(app, manager, run):
    """The list is built from plain rows (one Core query, no marshmallow pass per row) and must
    answer exactly what ResultRowSchema answers for the same rows: steps with tables, doc
    strings and errors, a status set directly, notes, the tester, evidence and paging."""
    from app.extensions import db
    from app.models import Run
    from app.schemas.verification import ResultRowSchema
    from app.services import verification as service

    rows = results(manager, run["id"])
    first, second = rows[0]["scenario_id"], rows[1]["scenario_id"]
    imported = manager.post(f"/api/v1/runs/{run['id']}/import", data=report("cucumber-js.json"),
                            content_type="application/json")
    assert imported.status_code == 200 and imported.json["failed"], imported.json
    assert manager.put(f"/api/v1/runs/{run['id']}/results/{first}", json={
        "steps": [{"index": 0, "status": "passed"}], "note": "实际结果不符", "defect": "TAPD-1", "fed_back": True,
    }).status_code == 200
    manager.put(f"/api/v1/runs/{run['id']}/results/{second}", json={"status": "blocked"})
    assert manager.post(f"/api/v1/runs/{run['id']}/results/{second}/evidence", content_type="multipart/form-data",
                        data={"file": (io.BytesIO(b"log"), "日志.txt")}).status_code == 201
    answer = manager.get(f"/api/v1/runs/{run['id']}/results")
    assert answer.status_code == 200 and answer.headers["X-Total-Count"] == str(len(rows))
    assert "实际结果不符".encode() in answer.data and b"\\u" not in answer.data  # UTF-8, no escapes
    with app.app_context():
        expected = ResultRowSchema(many=True).dump(service.result_rows(db.session.get(Run, run["id"]), with_evidence=True))
    expected = json.loads(json.dumps(expected))
    assert answer.json == expected
    got = {r["scenario_id"]: r for r in answer.json}
    assert any(s.get("data_table") for s in got[first]["steps"]) or any(s.get("doc_string") for r in answer.json for s in r["steps"])
    assert any(s.get("error") for r in answer.json for s in r["steps"])
    assert got[first]["tester"] == manager.user.username and got[first]["defect"] == "TAPD-1"
    assert [e["filename"] for e in got[second]["evidence"]] == ["日志.txt"] and got[second]["set_directly"] is True
    # a page and a filter answer the same rows
    blocked = manager.get(f"/api/v1/runs/{run['id']}/results", query_string={"status": "blocked", "per_page": 1000})
    assert blocked.json == [got[second]] and blocked.headers["X-Total-Count"] == "1"
    assert manager.get(f"/api/v1/runs/{run['id']}/results", query_string={"per_page": 1001}).status_code == 422


@pytest.mark.parametrize("content_type", ["application/x-ndjson", "application/octet-stream", "application/json"])
def test_import_cucumber_messages_from_cucumber_js(manager, run, content_type):
    """cucumber-js `--format message` (NDJSON): the same matching of outline rows, step results
    and errors as its Cucumber JSON, whatever type the body is declared as."""
    answer = manager.post(f"/api/v1/runs/{run['id']}/import", data=report("cucumber-js.ndjson"), content_type=content_type)
    assert answer.status_code == 200, answer.json
    assert answer.json["format"] == "cucumber-messages"
    assert (answer.json["matched"], answer.json["unmatched"], answer.json["passed"], answer.json["failed"]) == (6, [], 4, 2)
    rows = by_key(results(manager, run["id"]))
    assert {key: row["status"] for key, row in rows.items()} == EXPECTED
    failed_row = rows[("跨年退款按金额校验", "-1")]
    assert [s["status"] for s in failed_row["steps"]] == ["passed", "passed", "failed"]
    assert "不通过" in failed_row["steps"][2]["error"] and failed_row["source"] == "import:cucumber-messages"


def test_import_cucumber_messages_is_all_or_nothing(manager, run):
    broken = report("cucumber-js.ndjson") + b'\n{"testCaseFinished": {"testCaseStartedId": "nobody"}}\n'
    answer = manager.post(f"/api/v1/runs/{run['id']}/import", content_type="multipart/form-data",
                          data={"file": (io.BytesIO(broken), "cucumber.ndjson")})
    assert answer.status_code == 400 and "nobody" not in answer.json["message"]
    assert all(r["status"] == "untested" for r in results(manager, run["id"]))
    upload = manager.post(f"/api/v1/runs/{run['id']}/import", content_type="multipart/form-data",
                          data={"file": (io.BytesIO(report("cucumber-js.ndjson")), "cucumber.ndjson")})
    assert upload.status_code == 200 and upload.json["matched"] == 6


def test_a_result_put_answers_what_the_row_schema_answers(app, manager, run):
    """The PUT answers its row as written, read in the recording's own transaction and dumped as
    the results list dumps its rows: what ResultRowSchema answers for the row read afterwards
    (steps, a note, the tester, evidence) and what the list then answers for it."""
    from app.extensions import db
    from app.models import Run
    from app.schemas.verification import ResultRowSchema
    from app.services import verification as service

    rows = results(manager, run["id"])
    sid = rows[0]["scenario_id"]
    assert manager.post(f"/api/v1/runs/{run['id']}/results/{sid}/evidence", content_type="multipart/form-data",
                        data={"file": (io.BytesIO(b"log"), "截图.png")}).status_code == 201
    answer = manager.put(f"/api/v1/runs/{run['id']}/results/{sid}", json={
        "steps": [{"index": 1, "status": "failed"}], "note": "金额不符", "defect": "TAPD-7"})
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert "金额不符".encode() in answer.data and b"\\u" not in answer.data  # UTF-8, no escapes
    with app.app_context():
        expected = ResultRowSchema().dump(service.result_row(db.session.get(Run, run["id"]), sid))
    assert answer.json == json.loads(json.dumps(expected))
    assert answer.json["steps"][1]["status"] == "failed" and answer.json["status"] == "failed"
    assert answer.json["tester"] == manager.user.username and [e["filename"] for e in answer.json["evidence"]] == ["截图.png"]
    assert next(r for r in results(manager, run["id"]) if r["scenario_id"] == sid) == answer.json
    missing = manager.put(f"/api/v1/runs/{run['id']}/results/999999", json={"status": "passed"})
    assert missing.status_code == 404


def test_a_result_put_reads_nothing_again_after_its_commit(app, manager, run):
    """One PUT: a bounded number of statements, whatever the run's size, and after the change
    commits only the audit entry is written (the answer was read before the commit)."""
    from sqlalchemy import event, select

    from app.extensions import db
    from app.models import AuditEntry

    sid = results(manager, run["id"])[0]["scenario_id"]
    url = f"/api/v1/runs/{run['id']}/results/{sid}"
    assert manager.put(url, json={"steps": [{"index": 0, "status": "passed"}]}).status_code == 200  # token used
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()[:3]))

    def committed(conn):
        statements.append("COMMIT")

    event.listen(engine, "before_cursor_execute", seen)
    event.listen(engine, "commit", committed)
    try:
        assert manager.put(url, json={"steps": [{"index": 1, "status": "passed"}]}).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", seen)
        event.remove(engine, "commit", committed)
    change, _, after = " | ".join(statements).partition("COMMIT")
    assert change.count("UPDATE run_result") == 1 and change.count("UPDATE run_scenario") == 2, statements
    assert "run_scenario" not in after and "run_result" not in after and "verification_run" not in after, statements
    assert "INSERT INTO audit_entry" in after, statements
    assert len([s for s in statements if s != "COMMIT"]) <= 12, statements
    with app.app_context():  # the request's entry, as every write request gets it
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.path == url).order_by(AuditEntry.id.desc())).first()
        assert (entry.action, entry.method, entry.status, entry.actor_name) == ("write", "PUT", 200, manager.user.username)
        assert entry.summary == f"PUT {url} → 200" and entry.created_at is not None
        assert db.session.scalar(select(AuditEntry.id).where(
            AuditEntry.id == entry.id, AuditEntry.before.is_(None), AuditEntry.after.is_(None))) == entry.id
