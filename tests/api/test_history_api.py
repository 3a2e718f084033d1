"""History across releases through /api/v1 (issue 9): the scenario matrix, comparing two
releases, operation manual updates and the upgrade content summary (.docx)."""
from __future__ import annotations

import io

import pytest
from docx import Document

from tests.history_kit import build_history
from tests.release_kit import add, approve, import_feature, new_release, record, start_run


@pytest.fixture
def manager(api):
    return api("manager", "440000")


@pytest.fixture
def history(manager):
    return build_history(manager)


def matrix(client, **query):
    response = client.get("/api/v1/scenarios/matrix", query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def row_of(body, scenario_id):
    return next(r for r in body["items"] if r["scenario_id"] == scenario_id)


# --- the matrix ---------------------------------------------------------------------------


def test_matrix_cells_are_final_statuses_oldest_release_first_with_flips_and_unstable(manager, history):
    body = matrix(manager)
    assert [r["version"] for r in body["releases"]] == [r["version"] for r in history["releases"]]
    assert body["total"] == 3 and body["unstable_total"] == 1
    flaky = row_of(body, history["ids"]["直接支出更正"])
    assert [c["status"] for c in flaky["cells"]] == ["passed", "failed", "passed", "failed", "passed", "failed"]
    assert flaky["flips"] == 5 and flaky["unstable"] is True
    assert flaky["cells"][0]["run_id"] == history["runs"][0]
    assert flaky["cells"][0]["result_url"] == f"/api/v1/runs/{history['runs'][0]}/results/{flaky['scenario_id']}"
    # the cell's link opens that result
    opened = manager.get(flaky["cells"][1]["result_url"])
    assert opened.status_code == 200 and opened.json["status"] == "failed"
    stable = row_of(body, history["ids"]["跨年退款"])
    assert stable["flips"] == 0 and stable["unstable"] is False
    fixed = row_of(body, history["ids"]["到人到户"])
    assert fixed["flips"] == 1 and fixed["unstable"] is False


def test_matrix_unstable_filter_and_fewer_columns_still_judge_the_last_five(manager, history):
    only = matrix(manager, unstable="true")
    assert [r["name"] for r in only["items"]] == ["直接支出更正"]
    stable = matrix(manager, unstable="false")
    assert {r["name"] for r in stable["items"]} == {"跨年退款", "到人到户"}
    two = matrix(manager, releases=2)
    assert [r["version"] for r in two["releases"]] == [r["version"] for r in history["releases"][-2:]]
    flaky = row_of(two, history["ids"]["直接支出更正"])
    assert len(flaky["cells"]) == 2 and flaky["flips"] == 1
    assert flaky["unstable"] is True  # judged over the last five releases, not the two columns


def test_final_status_is_the_latest_acceptance_run_of_the_release(manager, history):
    last = history["releases"][-1]["id"]
    sid = history["ids"]["跨年退款"]
    rerun = start_run(manager, last)
    record(manager, rerun["id"], {sid: "failed"})
    # a pre-release run does not count
    other = start_run(manager, last, environment="pre_release")
    record(manager, other["id"], {sid: "passed"})
    row = row_of(matrix(manager), sid)
    assert row["cells"][-1] == {"release_id": last, "run_id": rerun["id"], "status": "failed", "waived": False,
                                "result_url": f"/api/v1/runs/{rerun['id']}/results/{sid}"}
    assert row["flips"] == 1


def test_matrix_filters_by_feature_and_domain_and_pages(manager, history):
    feature_id = manager.get(f"/api/v1/scenarios/{history['ids']['跨年退款']}").json["feature_id"]
    assert matrix(manager, feature=feature_id)["total"] == 3
    assert matrix(manager, feature=feature_id + 999)["total"] == 0
    assert matrix(manager, domain="execution")["total"] == 3  # the feature is tagged @执行域
    assert matrix(manager, domain="budget")["total"] == 0
    first = matrix(manager, per_page=2, page=1)
    second = matrix(manager, per_page=2, page=2)
    assert first["total"] == 3 and len(first["items"]) == 2 and len(second["items"]) == 1
    assert {r["scenario_id"] for r in first["items"] + second["items"]} == set(history["ids"].values())


@pytest.mark.parametrize("query, field", [
    ({"releases": 0}, "releases"), ({"releases": 25}, "releases"), ({"releases": "x"}, "releases"),
    ({"domain": "nonsense"}, "domain"), ({"unstable": "maybe"}, "unstable"), ({"feature": 0}, "feature"),
    ({"per_page": 0}, "per_page"),
])
def test_matrix_bad_query_answers_422_naming_the_field(manager, query, field):
    response = manager.get("/api/v1/scenarios/matrix", query_string=query)
    assert response.status_code == 422
    assert field in str(response.json)


def test_matrix_without_token_is_401(client):
    assert client.get("/api/v1/scenarios/matrix").status_code == 401


def test_matrix_shows_regional_runs_only_to_their_region_and_above(api, manager):
    ids = import_feature(manager, [("工资统发", [])], path="history/regional.feature")
    release = new_release(manager, "VR2026.01")
    engineer = api("engineer", "445200")
    run = engineer.post(f"/api/v1/releases/{release['id']}/runs",
                        json={"environment": "acceptance", "region": "445200", "tags": "@执行域"})
    assert run.status_code == 201, run.json
    record(engineer, run.json["id"], {ids["工资统发"]: "failed"})
    sid = ids["工资统发"]
    assert row_of(matrix(engineer), sid)["cells"][0]["status"] == "failed"
    assert row_of(matrix(manager), sid)["cells"][0]["status"] == "failed"  # the province sees below
    outsider = api("engineer", "441300")
    assert all(r["scenario_id"] != sid for r in matrix(outsider)["items"])


def test_every_role_may_read_the_matrix(api, history):
    for role in ("taskforce", "reviewer", "engineer"):
        assert api(role, "445200").get("/api/v1/scenarios/matrix").status_code == 200


# --- comparing two releases ---------------------------------------------------------------


def test_compare_names_newly_failing_newly_passing_new_and_retired(manager):
    built = build_history(manager, {
        "直接支出更正": ["passed", "failed"],
        "到人到户": ["failed", "passed"],
        "跨年退款": ["passed", "passed"],
    }, prefix="VC")
    a, b = (r["id"] for r in built["releases"])
    # a scenario only the later release verified, one only the earlier did
    extra = import_feature(manager, [("支付更正", []), ("更正调库", [])], path="history/extra.feature")
    b_run = manager.post(f"/api/v1/releases/{b}/runs", json={"environment": "acceptance",
                                                             "scenario_ids": [extra["支付更正"]]}).json
    a_run = manager.post(f"/api/v1/releases/{a}/runs", json={"environment": "acceptance",
                                                             "scenario_ids": [extra["更正调库"]]}).json
    record(manager, b_run["id"], {extra["支付更正"]: "passed"})
    record(manager, a_run["id"], {extra["更正调库"]: "passed"})
    response = manager.get(f"/api/v1/releases/{a}/compare/{b}")
    assert response.status_code == 200, response.json
    body = response.json
    assert [s["name"] for s in body["newly_failing"]] == ["直接支出更正"]
    assert body["newly_failing"][0]["before"] == "passed" and body["newly_failing"][0]["after"] == "failed"
    assert [s["name"] for s in body["newly_passing"]] == ["到人到户"]
    assert [s["name"] for s in body["new"]] == ["支付更正"] and body["new"][0]["before"] is None
    assert [s["name"] for s in body["retired"]] == ["更正调库"] and body["retired"][0]["after"] is None
    assert body["unchanged"] == 1
    assert body["a"]["id"] == a and body["b"]["id"] == b


def test_compare_unknown_release_is_404_and_same_release_422(manager):
    release = new_release(manager, "VX2026.01")
    assert manager.get(f"/api/v1/releases/{release['id']}/compare/999999").status_code == 404
    assert manager.get(f"/api/v1/releases/99999999999/compare/{release['id']}").status_code == 404
    same = manager.get(f"/api/v1/releases/{release['id']}/compare/{release['id']}")
    assert same.status_code == 422 and "b" in same.json["errors"]


# --- operation manual updates -------------------------------------------------------------


@pytest.fixture
def carried(api, filed):
    """A release carrying one approved requirement of 揭阳 (445200)."""
    manager = api("manager", "445200")
    req = approve(manager, filed(title="直接支出更正")["id"])
    release = new_release(manager, "VM2026.01")
    assert add(manager, release["id"], req["id"]).status_code == 200
    return {"manager": manager, "req": req, "release": release}


def test_mark_list_and_close_a_manual_update_with_who_and_when(api, carried):
    manager, req, rid = carried["manager"], carried["req"], carried["release"]["id"]
    response = manager.post(f"/api/v1/releases/{rid}/manual-updates",
                            json={"requirement_id": req["id"], "domain": "execution", "note": "支付更正操作章节"})
    assert response.status_code == 201, response.json
    item = response.json
    assert item["done"] is False and item["requirement_code"] == req["code"] and item["done_at"] is None
    listed = manager.get(f"/api/v1/releases/{rid}/manual-updates", query_string={"state": "open"}).json
    assert listed["total"] == 1 and listed["items"][0]["id"] == item["id"]
    engineer = api("engineer", "445200")
    done = engineer.post(f"/api/v1/releases/{rid}/manual-updates/{item['id']}/done", json={"note": "已发布V3手册"})
    assert done.status_code == 200, done.json
    assert done.json["done"] is True and done.json["done_by"] == "engineer_445200" and done.json["done_at"]
    assert done.json["done_note"] == "已发布V3手册"
    assert manager.get(f"/api/v1/releases/{rid}/manual-updates", query_string={"state": "open"}).json["total"] == 0
    assert manager.get(f"/api/v1/releases/{rid}/manual-updates", query_string={"state": "done"}).json["total"] == 1
    again = engineer.post(f"/api/v1/releases/{rid}/manual-updates/{item['id']}/done", json={})
    assert again.status_code == 409
    assert manager.delete(f"/api/v1/releases/{rid}/manual-updates/{item['id']}").status_code == 409
    kinds = [e["kind"] for e in manager.get(f"/api/v1/releases/{rid}/timeline").json]
    assert "manual_marked" in kinds and "manual_done" in kinds


def test_manual_update_rules_422_409_403_404(api, carried, filed):
    manager, req, rid = carried["manager"], carried["req"], carried["release"]["id"]
    url = f"/api/v1/releases/{rid}/manual-updates"
    bad_domain = manager.post(url, json={"requirement_id": req["id"], "domain": "nonsense"})
    assert bad_domain.status_code == 422 and "domain" in bad_domain.json["errors"]
    not_carried = approve(manager, filed(title="跨年退款")["id"])
    outside = manager.post(url, json={"requirement_id": not_carried["id"], "domain": "execution"})
    assert outside.status_code == 422 and "requirement_id" in outside.json["errors"]
    missing = manager.post(url, json={"domain": "execution"})
    assert missing.status_code == 422 and "requirement_id" in missing.json["errors"]
    assert manager.get(url).json["total"] == 0  # nothing written
    first = manager.post(url, json={"requirement_id": req["id"], "domain": "execution"})
    assert first.status_code == 201
    assert manager.post(url, json={"requirement_id": req["id"], "domain": "execution"}).status_code == 409
    assert api("engineer", "445200").post(url, json={"requirement_id": req["id"], "domain": "budget"}).status_code == 403
    assert api("taskforce", "445200").post(f"{url}/{first.json['id']}/done", json={}).status_code == 403
    # another city's user does not see the update (its requirement is outside their region)
    other = api("manager", "441300")
    assert other.get(url).json["total"] == 0
    assert other.post(f"{url}/{first.json['id']}/done", json={}).status_code == 404
    assert manager.post(f"{url}/999999/done", json={}).status_code == 404
    assert manager.get("/api/v1/releases/999999/manual-updates").status_code == 404
    assert manager.delete(f"{url}/{first.json['id']}").status_code == 204
    assert manager.get(url).json["total"] == 0


# --- the upgrade content summary ----------------------------------------------------------


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def test_summary_docx_lists_requirements_fixed_problems_manuals_and_rollout(api, carried, filed):
    manager, req, rid = carried["manager"], carried["req"], carried["release"]["id"]
    defect = approve(manager, filed(title="凭证金额显示错误", type="defect")["id"])
    assert add(manager, rid, defect["id"]).status_code == 200
    ids = import_feature(manager, [("直接支出更正", [f"@{req['code']}"]), ("金额显示", [f"@{defect['code']}"])],
                         path="history/summary.feature")
    run = start_run(manager, rid)
    record(manager, run["id"], {ids["直接支出更正"]: "failed", ids["金额显示"]: "passed"})
    record(manager, run["id"], {ids["直接支出更正"]: "passed"})
    mark = manager.post(f"/api/v1/releases/{rid}/manual-updates",
                        json={"requirement_id": req["id"], "domain": "execution", "note": "更新支付更正章节"})
    assert mark.status_code == 201
    response = manager.get(f"/api/v1/releases/{rid}/summary.docx")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    assert "attachment" in response.headers["Content-Disposition"]
    text = docx_text(response.data)
    assert "VM2026.01软件升级内容汇总报告" in text
    assert req["code"] in text and "直接支出更正" in text
    assert defect["code"] in text and "凭证金额显示错误" in text  # a defect-type requirement fixed
    assert "BUG-1" in text and "已修复（复测通过）" in text  # the defect recorded in acceptance, passed since
    assert "更新支付更正章节" in text and "待更新" in text
    assert "五、各地升级情况" in text


def test_summary_docx_without_rollout_says_none_recorded(carried):
    response = carried["manager"].get(f"/api/v1/releases/{carried['release']['id']}/summary.docx")
    assert response.status_code == 200
    assert "尚无升级执行记录" in docx_text(response.data)


def test_summary_docx_unknown_release_is_404(manager):
    assert manager.get("/api/v1/releases/999999/summary.docx").status_code == 404


def test_summary_docx_reports_the_rollout_per_region(app, carried):
    from datetime import datetime

    from app.extensions import db
    from app.models import ReleaseRolloutTarget as model

    rid = carried["release"]["id"]
    with app.app_context():
        db.session.add_all([
            model(release_id=rid, region_code="445200", status="done", started_at=datetime(2026, 12, 19, 14),
                  finished_at=datetime(2026, 12, 19, 16), notes="顺利"),
            model(release_id=rid, region_code="441300", status="failed", notes="脚本报错"),
        ])
        db.session.commit()
    text = docx_text(carried["manager"].get(f"/api/v1/releases/{rid}/summary.docx").data)
    assert "揭阳市" in text and "已完成" in text and "顺利" in text
    assert "惠州市" in text and "升级失败" in text and "脚本报错" in text
    assert "共2个区划，已完成1个。" in text and "尚无升级执行记录" not in text
