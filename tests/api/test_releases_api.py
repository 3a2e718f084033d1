"""A release's lifecycle through /api/v1 (issue 8): moves, timeline, requirements and verdicts,
gate, waivers, sign-offs, problems and the acceptance report."""
from __future__ import annotations

import io

import pytest

from tests.release_kit import add, approve, fill_application, import_feature, move, new_release, record, start_run
from tests.rollout_kit import roll_out, start_one


@pytest.fixture
def setup(manager, filed):
    """Two approved requirements; four scenarios: A and B verify the first (A a function check,
    B a process check), C the second (a system-control check), D neither."""
    first, second = (approve(manager, filed(title=t)["id"]) for t in ("直接支出更正", "跨年退款"))
    ids = import_feature(manager, [
        ("直接支出更正", [f"@{first['code']}", "@功能验证"]),
        ("直接支出更正复核", [f"@{first['code']}", "@流程验证"]),
        ("跨年退款", [f"@{second['code']}", "@系统控制验证"]),
        ("到人到户", []),
    ])
    release = new_release(manager)
    return {"first": first, "second": second, "ids": ids, "release": release}


WINDOW = {"start": "2026-12-19T22:00:00", "end": "2026-12-20T06:00:00"}


def status_of(client, req_id: int) -> str:
    return client.get(f"/api/v1/requirements/{req_id}").json["status"]


def release_of(client, release_id: int) -> dict:
    return client.get(f"/api/v1/releases/{release_id}").json


# --- state machine and timeline ----------------------------------------------------------


def test_new_release_is_planned_with_default_signoff_order(manager):
    release = new_release(manager)
    assert release["status"] == "planned" and release["status_label"] == "计划中"
    assert release["signoff_roles"] == ["manager", "reviewer"]


def test_illegal_move_answers_409_naming_current_and_allowed_and_changes_nothing(manager):
    release = new_release(manager)
    response = move(manager, release["id"], "completed")
    assert response.status_code == 409
    assert "'planned'" in response.json["message"] and "in_acceptance" in response.json["message"]
    assert release_of(manager, release["id"])["status"] == "planned"
    assert manager.get(f"/api/v1/releases/{release['id']}/timeline").json == []


def test_unknown_status_is_422_and_engineer_may_not_move(manager, api):
    release = new_release(manager)
    assert move(manager, release["id"], "shipped").status_code == 422
    assert move(api("engineer", "445200"), release["id"], "in_acceptance").status_code == 403


def test_rollout_moves_and_rollback_needs_reason(setup, manager, reviewer):
    rid = setup["release"]["id"]
    run = start_run(manager, rid)
    record(manager, run["id"], {sid: "passed" for sid in setup["ids"].values()})
    add_first = add(manager, rid, setup["first"]["id"])
    assert add_first.status_code == 200, add_first.json
    assert manager.post(f"/api/v1/releases/{rid}/signoffs", json={"decision": "approve"}).status_code == 201
    assert reviewer.post(f"/api/v1/releases/{rid}/signoffs", json={"decision": "approve"}).status_code == 201
    for to in ("accepted", "upgrade_requested", "scheduled"):
        if to == "upgrade_requested":  # the upgrade application comes first (issue 9)
            fill_application(manager, rid)
        if to == "scheduled":  # the upgrade window comes first (issue 9)
            assert manager.put(f"/api/v1/releases/{rid}/window", json=WINDOW).status_code == 200
        assert move(manager, rid, to).status_code == 200, to
    assert move(manager, rid, "rolling_out").status_code == 409  # no region has started (issue 9)
    start_one(manager, rid)  # the first region's start moves the release to rolling_out
    assert release_of(manager, rid)["status"] == "rolling_out"
    response = move(manager, rid, "rolled_back")
    assert response.status_code == 422 and "reason" in response.json["errors"]
    assert move(manager, rid, "rolled_back", reason="升级后单位无法登录").json["status"] == "rolled_back"
    kinds = [e["kind"] for e in manager.get(f"/api/v1/releases/{rid}/timeline").json]
    assert kinds[0] == "run_started" and kinds.count("transition") == 6 and "signoff" in kinds
    assert kinds.count("rollout_moved") == 2  # started, then rolled back with the release


def test_first_acceptance_run_moves_release_and_scheduled_requirements(setup, manager):
    rid = setup["release"]["id"]
    assert add(manager, rid, setup["first"]["id"]).status_code == 200
    assert status_of(manager, setup["first"]["id"]) == "scheduled"
    start_run(manager, rid, environment="pre_release")
    assert release_of(manager, rid)["status"] == "planned"
    start_run(manager, rid)
    assert release_of(manager, rid)["status"] == "in_acceptance"
    assert status_of(manager, setup["first"]["id"]) == "in_verification"
    timeline = manager.get(f"/api/v1/releases/{rid}/timeline").json
    assert [e["kind"] for e in timeline] == ["requirement_added", "run_started", "run_started", "transition"]
    assert all({"at", "kind", "actor", "summary"} <= set(e) for e in timeline)
    assert timeline[-1]["summary"] == "状态：计划中 → 验收测试中"


# --- requirements in a release -----------------------------------------------------------


def test_add_lists_with_verdicts_and_requirement_answers_its_release(setup, manager):
    rid = setup["release"]["id"]
    response = add(manager, rid, setup["first"]["id"], setup["second"]["id"])
    assert response.status_code == 200
    assert {r["code"]: r["verdict"] for r in response.json} == {setup["first"]["code"]: "untested",
                                                               setup["second"]["code"]: "untested"}
    req = manager.get(f"/api/v1/requirements/{setup['first']['id']}").json
    assert req["release"] == {"id": rid, "version": "V2026.12"} and req["status"] == "scheduled"
    timeline = manager.get(f"/api/v1/requirements/{setup['first']['id']}/timeline").json
    assert "V2026.12" in timeline[-1]["summary"]


def test_only_approved_in_scope_and_one_open_release(setup, manager, api, filed):
    rid = setup["release"]["id"]
    fresh = filed(title="未评审")
    response = add(manager, rid, fresh["id"])
    assert response.status_code == 409 and status_of(manager, fresh["id"]) == "submitted"
    guangzhou = api("manager", "440100")
    assert add(guangzhou, rid, setup["first"]["id"]).status_code == 422
    assert add(manager, rid, setup["first"]["id"]).status_code == 200
    other = new_release(manager, "V2027.01")
    again = add(manager, other["id"], setup["first"]["id"])
    assert again.status_code == 409 and "V2026.12" in again.json["message"]
    # all or nothing
    mixed = add(manager, other["id"], setup["second"]["id"], fresh["id"])
    assert mixed.status_code == 409 and status_of(manager, setup["second"]["id"]) == "approved"


def test_take_out_while_scheduled_goes_back_to_approved(setup, manager):
    rid = setup["release"]["id"]
    add(manager, rid, setup["first"]["id"])
    response = manager.delete(f"/api/v1/releases/{rid}/requirements/{setup['first']['id']}")
    assert response.status_code == 204
    assert status_of(manager, setup["first"]["id"]) == "approved"
    assert manager.get(f"/api/v1/releases/{rid}/requirements").json == []
    assert manager.get(f"/api/v1/requirements/{setup['first']['id']}").json["release"] is None


def test_verdicts_from_latest_attempts_and_failed_one_taken_out(setup, manager):
    rid, ids = setup["release"]["id"], setup["ids"]
    add(manager, rid, setup["first"]["id"], setup["second"]["id"])
    run = start_run(manager, rid)
    record(manager, run["id"], {ids["直接支出更正"]: "failed", ids["直接支出更正复核"]: "passed", ids["跨年退款"]: "passed"})
    verdicts = {r["code"]: r for r in manager.get(f"/api/v1/releases/{rid}/requirements").json}
    first = verdicts[setup["first"]["code"]]
    assert first["verdict"] == "failed" and first["failing_scenario_ids"] == [ids["直接支出更正"]]
    assert verdicts[setup["second"]["code"]]["verdict"] == "passed"
    # a passed requirement cannot be taken out once verification started
    assert manager.delete(f"/api/v1/releases/{rid}/requirements/{setup['second']['id']}").status_code == 409
    assert manager.delete(f"/api/v1/releases/{rid}/requirements/{setup['first']['id']}").status_code == 204
    req = manager.get(f"/api/v1/requirements/{setup['first']['id']}").json
    assert req["status"] == "verification_failed"
    reason = manager.get(f"/api/v1/requirements/{setup['first']['id']}/timeline").json[-1]["details"]["reason"]
    assert "直接支出更正" in reason
    gate = manager.get(f"/api/v1/releases/{rid}/gate").json
    # the failing scenario was linked only to the requirement taken out: it no longer blocks
    assert ids["直接支出更正"] in gate["excluded_scenario_ids"]
    assert all(b.get("scenario_id") != ids["直接支出更正"] for b in gate["blockers"])
    # and from verification_failed it can be scheduled into a later release
    later = new_release(manager, "V2027.01")
    assert add(manager, later["id"], setup["first"]["id"]).status_code == 200


def test_a_new_attempt_replaces_the_verdict(setup, manager):
    rid, ids = setup["release"]["id"], setup["ids"]
    add(manager, rid, setup["second"]["id"])
    run = start_run(manager, rid)
    record(manager, run["id"], {ids["跨年退款"]: "failed"})
    assert manager.get(f"/api/v1/releases/{rid}/requirements").json[0]["verdict"] == "failed"
    assert manager.post(f"/api/v1/runs/{run['id']}/rerun", json={}).status_code == 200
    assert manager.get(f"/api/v1/releases/{rid}/requirements").json[0]["verdict"] == "untested"
    record(manager, run["id"], {ids["跨年退款"]: "passed"})
    assert manager.get(f"/api/v1/releases/{rid}/requirements").json[0]["verdict"] == "passed"


def test_scheduling_from_the_requirement_names_an_open_release(setup, manager):
    rid = setup["release"]["id"]
    url = f"/api/v1/requirements/{setup['first']['id']}/transitions"
    assert manager.post(url, json={"to": "scheduled", "release_id": 999999}).status_code == 422
    assert manager.post(url, json={"to": "assessing", "release_id": rid}).status_code == 422
    response = manager.post(url, json={"to": "scheduled", "release_id": rid})
    assert response.status_code == 200 and response.json["release"]["id"] == rid
    # back to approved through the requirement takes it out of the release
    assert manager.post(url, json={"to": "approved", "reason": "本期不做"}).json["release"] is None


# --- gate --------------------------------------------------------------------------------


def kinds_of(gate: dict) -> list[str]:
    return sorted(b["kind"] for b in gate["blockers"])


def test_gate_without_run_and_without_scenario(manager, filed, setup):
    rid = setup["release"]["id"]
    lonely = approve(manager, filed(title="无场景需求")["id"])
    add(manager, rid, lonely["id"])
    gate = manager.get(f"/api/v1/releases/{rid}/gate").json
    assert gate["passed"] is False and kinds_of(gate) == ["no_acceptance_run", "no_scenario"]
    no_scenario = next(b for b in gate["blockers"] if b["kind"] == "no_scenario")
    assert no_scenario["requirement_id"] == lonely["id"] and "scenario_id" not in no_scenario
    assert lonely["code"] in no_scenario["message"]


def test_gate_names_failed_blocked_and_untested_scenarios(setup, manager):
    rid, ids = setup["release"]["id"], setup["ids"]
    run = start_run(manager, rid)
    record(manager, run["id"], {ids["直接支出更正"]: "failed", ids["直接支出更正复核"]: "blocked", ids["跨年退款"]: "passed"})
    gate = manager.get(f"/api/v1/releases/{rid}/gate").json
    by_kind = {b["kind"]: b for b in gate["blockers"]}
    assert set(by_kind) == {"failed", "blocked", "untested"}
    assert by_kind["failed"]["scenario_id"] == ids["直接支出更正"] and "直接支出更正" in by_kind["failed"]["message"]
    assert by_kind["untested"]["scenario_id"] == ids["到人到户"]
    assert gate["kinds"]["function"]["failed"] == 1 and gate["kinds"]["process"]["blocked"] == 1
    assert gate["kinds"]["system_control"]["passed"] == 1


def test_requirement_with_scenario_outside_every_run_is_untested(setup, manager):
    rid = setup["release"]["id"]
    add(manager, rid, setup["second"]["id"])
    run = start_run(manager, rid, tags="@功能验证")
    record(manager, run["id"], {setup["ids"]["直接支出更正"]: "passed"})
    gate = manager.get(f"/api/v1/releases/{rid}/gate").json
    assert [(b["kind"], b.get("requirement_id")) for b in gate["blockers"]] == [("untested", setup["second"]["id"])]


def test_waiver_lets_the_gate_pass_and_withdrawal_blocks_again(setup, manager, reviewer, api):
    rid, ids = setup["release"]["id"], setup["ids"]
    run = start_run(manager, rid)
    record(manager, run["id"], {**{sid: "passed" for sid in ids.values()}, ids["到人到户"]: "failed"})
    url = f"/api/v1/releases/{rid}/waivers"
    assert api("engineer", "445200").post(url, json={"scenario_id": ids["到人到户"], "reason": "x"}).status_code == 403
    assert reviewer.post(url, json={"scenario_id": ids["到人到户"], "reason": " "}).status_code == 422
    assert reviewer.post(url, json={"scenario_id": ids["跨年退款"], "reason": "通过的"}).status_code == 409
    waiver = reviewer.post(url, json={"scenario_id": ids["到人到户"], "reason": "不影响本次上线，下期修复"})
    assert waiver.status_code == 201
    assert reviewer.post(url, json={"scenario_id": ids["到人到户"], "reason": "再次"}).status_code == 409
    assert manager.get(f"/api/v1/releases/{rid}/gate").json["passed"] is True
    assert manager.delete(f"{url}/{waiver.json['id']}").status_code == 204
    assert manager.get(f"/api/v1/releases/{rid}/gate").json["passed"] is False
    assert manager.get(url).json[0]["withdrawn_at"] is not None


# --- sign-off ----------------------------------------------------------------------------


def passing(setup, manager):
    rid, ids = setup["release"]["id"], setup["ids"]
    add(manager, rid, setup["first"]["id"], setup["second"]["id"])
    run = start_run(manager, rid)
    record(manager, run["id"], {sid: "passed" for sid in ids.values()})
    return rid


def sign(client, rid, decision="approve", comment=""):
    return client.post(f"/api/v1/releases/{rid}/signoffs", json={"decision": decision, "comment": comment})


def test_signoff_in_order_once_each_then_accepted_verifies_requirements(setup, manager, reviewer, api):
    rid = passing(setup, manager)
    accept = move(manager, rid, "accepted")
    assert accept.status_code == 409 and "manager" in accept.json["message"] and accept.json["errors"]["blockers"]
    assert sign(reviewer, rid).status_code == 409  # out of order: the manager signs first
    assert sign(api("taskforce", "445200"), rid).status_code == 403
    assert sign(manager, rid).status_code == 201
    assert sign(manager, rid).status_code == 409  # no double signing
    assert sign(api("manager", "440000"), rid).status_code == 409  # the manager's turn is over
    assert sign(reviewer, rid, comment="同意上线").status_code == 201
    assert move(manager, rid, "accepted").json["status"] == "accepted"
    for req in (setup["first"], setup["second"]):
        assert status_of(manager, req["id"]) == "verified"
    fill_application(manager, rid)  # the upgrade application comes first (issue 9)
    for to in ("upgrade_requested", "scheduled"):
        if to == "scheduled":  # the upgrade window comes first (issue 9)
            assert manager.put(f"/api/v1/releases/{rid}/window", json=WINDOW).status_code == 200
        assert move(manager, rid, to).status_code == 200
    assert move(manager, rid, "completed").status_code == 409  # every region's upgrade done first
    roll_out(api("manager", "440000"), rid)  # the last region done completes the release (issue 9)
    assert release_of(manager, rid)["status"] == "completed"
    assert status_of(manager, setup["first"]["id"]) == "released"


def test_refusal_rejects_and_signoffs_start_again(setup, manager, reviewer):
    rid = passing(setup, manager)
    assert sign(manager, rid).status_code == 201
    assert sign(reviewer, rid, "refuse").status_code == 422  # a refusal says why
    refused = sign(reviewer, rid, "refuse", "回归测试范围不足")
    assert refused.status_code == 201
    release = release_of(manager, rid)
    assert release["status"] == "rejected"
    assert manager.get(f"/api/v1/releases/{rid}/timeline").json[-1]["details"]["reason"] == "回归测试范围不足"
    assert sign(manager, rid).status_code == 409  # not in acceptance
    assert move(manager, rid, "in_acceptance").status_code == 422  # the fixed build is named
    assert move(manager, rid, "in_acceptance", build="build-20261215").json["build"] == "build-20261215"
    assert sign(reviewer, rid).status_code == 409  # a new round: the manager first again
    assert sign(manager, rid).status_code == 201 and sign(reviewer, rid).status_code == 201
    assert move(manager, rid, "accepted").status_code == 200


def test_approval_needs_the_gate(setup, manager):
    rid = setup["release"]["id"]
    start_run(manager, rid)
    response = sign(manager, rid)
    assert response.status_code == 409 and response.json["errors"]["blockers"]


def test_signoff_roles_editable_by_manager_before_signing(setup, manager, reviewer):
    rid = setup["release"]["id"]
    url = f"/api/v1/releases/{rid}"
    assert reviewer.patch(url, json={"signoff_roles": ["reviewer"]}).status_code == 403
    assert manager.patch(url, json={"signoff_roles": ["reviewer", "reviewer"]}).status_code == 422
    assert manager.patch(url, json={"signoff_roles": ["admin"]}).status_code == 422
    assert manager.patch(url, json={"signoff_roles": ["reviewer", "manager"]}).json["signoff_roles"] == [
        "reviewer", "manager"]
    passing(setup, manager)
    assert sign(manager, rid).status_code == 409 and sign(reviewer, rid).status_code == 201
    assert manager.patch(url, json={"signoff_roles": ["manager"]}).status_code == 409


# --- problems and report -----------------------------------------------------------------


def test_problems_list_and_xlsx(setup, manager):
    rid, ids = setup["release"]["id"], setup["ids"]
    run = start_run(manager, rid)
    response = manager.put(f"/api/v1/runs/{run['id']}/results/{ids['直接支出更正']}", json={
        "steps": [{"index": 0, "status": "passed"}, {"index": 1, "status": "failed"}], "defect": "TAPD-1001",
        "note": "更正金额未回写"})
    assert response.status_code == 200
    record(manager, run["id"], {ids["跨年退款"]: "blocked"})
    problems = manager.get(f"/api/v1/releases/{rid}/problems").json
    assert [p["name"] for p in problems] == ["直接支出更正", "跨年退款"]
    first = problems[0]
    assert first["failing_step"] == "当 经办人办理直接支出更正" and first["defect"] == "TAPD-1001"
    assert first["error"] == "更正金额未回写" and first["fed_back"] is False and first["evidence"] == []
    xlsx = manager.get(f"/api/v1/releases/{rid}/problems.xlsx")
    assert xlsx.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert sheet.title == "问题反馈清单"
    assert any(row[3] == "直接支出更正" and row[8] == "TAPD-1001" for row in values)


def test_report_docx_is_frozen_at_acceptance(setup, manager, reviewer):
    rid = passing(setup, manager)
    sign(manager, rid)
    sign(reviewer, rid, comment="同意")
    assert move(manager, rid, "accepted").status_code == 200
    from docx import Document

    def text() -> str:
        response = manager.get(f"/api/v1/releases/{rid}/report.docx")
        assert response.status_code == 200
        doc = Document(io.BytesIO(response.data))
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in doc.paragraphs] + cells)

    before = text()
    assert "V2026.12迭代版本验收报告" in before and setup["first"]["code"] in before and "同意" in before
    assert "验收通过" in before
    # the scenario is renamed afterwards: the signed report keeps what was signed
    import_feature(manager, [("直接支出更正（改）", [f"@{setup['first']['code']}"])])
    assert manager.get(f"/api/v1/releases/{rid}/requirements").json[0]["verdict"] == "untested"  # live data moved on
    after = text()
    assert after == before and "直接支出更正（改）" not in after


def test_two_managers_signing_at_once_sign_once(setup, manager, api, run_concurrently):
    rid = passing(setup, manager)
    other = api("manager", "440000")
    answers: dict[int, int] = {}

    def attempt(index: int) -> None:
        answers[index] = sign((manager, other)[index], rid).status_code

    assert run_concurrently(attempt, 2) == []
    assert sorted(answers.values()) == [201, 409]
    assert [s["role"] for s in manager.get(f"/api/v1/releases/{rid}/signoffs").json] == ["manager"]
