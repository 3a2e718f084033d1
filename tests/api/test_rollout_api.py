"""A release's rollout per region and the versions regions run, through /api/v1 (issue 9)."""
from __future__ import annotations

import pytest

from tests.release_kit import record
from tests.rollout_kit import keep_only, patch, scheduled_release, smoke_scenarios, targets, window

CITIES = 21  # the province's cities in the reference data


@pytest.fixture
def manager(api):
    return api("manager", "440000")


@pytest.fixture
def scheduled(manager, api, filed):
    return scheduled_release(manager, api("reviewer", "440000"), filed)


def release_of(client, rid):
    return client.get(f"/api/v1/releases/{rid}").json


def test_scheduling_creates_one_pending_target_per_city(scheduled, manager):
    response = manager.get(f"/api/v1/releases/{scheduled['id']}/rollout")
    assert response.status_code == 200
    body = response.json
    assert len(body["targets"]) == CITIES
    assert {t["level"] for t in body["targets"]} == {"city"}
    assert body["counts"] == {"pending": CITIES, "in_progress": 0, "done": 0, "failed": 0, "rolled_back": 0}
    assert body["overdue"] == [] and body["release_status"] == "scheduled"
    assert "445200" in {t["region"] for t in body["targets"]}


def test_two_cities_roll_out_to_completed_with_a_smoke_run(scheduled, manager, api):
    rid = scheduled["id"]
    keep_only(manager, rid, ("445200", "441300"))
    ids = smoke_scenarios(manager)
    t = targets(manager, rid)
    jieyang, huizhou = t["445200"]["id"], t["441300"]["id"]
    engineer = api("engineer", "445200")

    started = patch(engineer, rid, jieyang, status="in_progress", notes="升级包已部署")
    assert started.status_code == 200, started.json
    assert started.json["started_by"]["username"] == "engineer_445200" and started.json["started_at"]
    assert started.json["finished_at"] is None and started.json["notes"] == "升级包已部署"
    assert release_of(manager, rid)["status"] == "rolling_out"

    assert patch(manager, rid, huizhou, status="in_progress").status_code == 200
    smoke = manager.post(f"/api/v1/releases/{rid}/rollout/{huizhou}/smoke-run", json={})
    assert smoke.status_code == 201, smoke.json
    run = manager.get(f"/api/v1/runs/{smoke.json['smoke_run_id']}").json
    assert run["environment"] == "production" and run["scenario_count"] == 2
    assert smoke.json["smoke_passed"] is False
    refused = patch(manager, rid, huizhou, status="done")
    assert refused.status_code == 409 and "smoke run" in refused.json["message"]
    record(manager, run["id"], {ids["支付冒烟"]: "passed", ids["指标冒烟"]: "passed"})
    done = patch(manager, rid, huizhou, status="done")
    assert done.status_code == 200 and done.json["smoke_passed"] is True
    assert done.json["finished_by"]["username"] == "manager_440000"
    assert release_of(manager, rid)["status"] == "rolling_out"  # 揭阳 is still upgrading

    assert patch(engineer, rid, jieyang, status="done").status_code == 200
    assert release_of(manager, rid)["status"] == "completed"
    req = manager.get(f"/api/v1/requirements/{scheduled['requirement_id']}").json
    assert req["status"] == "released"
    kinds = [e["kind"] for e in manager.get(f"/api/v1/releases/{rid}/timeline").json]
    assert kinds.count("rollout_moved") == 4 and kinds[-1] == "transition"
    # a completed release's targets move no more
    assert patch(manager, rid, jieyang, status="in_progress").status_code == 409


def test_illegal_moves_are_409_and_bad_input_422(scheduled, manager):
    rid = scheduled["id"]
    target = targets(manager, rid)["445200"]["id"]
    response = patch(manager, rid, target, status="done")
    assert response.status_code == 409 and "status" in response.json["errors"]
    assert "'pending'" in response.json["message"]
    response = patch(manager, rid, target, status="finished")
    assert response.status_code == 422 and "status" in response.json["errors"]
    assert patch(manager, rid, target).status_code == 422
    assert patch(manager, rid, target, status="in_progress", extra=1).status_code == 422
    assert patch(manager, rid, target, notes="x" * 2001).status_code == 422
    assert targets(manager, rid)["445200"]["status"] == "pending"  # nothing written
    assert release_of(manager, rid)["status"] == "scheduled"
    assert patch(manager, rid, 999999, status="in_progress").status_code == 404
    assert patch(manager, rid, 2**40, status="in_progress").status_code == 404


def test_failed_target_retries_or_rolls_back(scheduled, manager):
    rid = scheduled["id"]
    keep_only(manager, rid, ("445200",))
    target = targets(manager, rid)["445200"]["id"]
    assert patch(manager, rid, target, status="in_progress").status_code == 200
    failed = patch(manager, rid, target, status="failed", notes="脚本执行失败")
    assert failed.json["status"] == "failed" and failed.json["finished_at"]
    retry = patch(manager, rid, target, status="in_progress")
    assert retry.status_code == 200 and retry.json["finished_at"] is None
    assert retry.json["started_at"] == failed.json["started_at"]  # the first start is kept
    assert patch(manager, rid, target, status="failed").status_code == 200
    assert patch(manager, rid, target, status="rolled_back").json["status"] == "rolled_back"
    assert patch(manager, rid, target, status="in_progress").status_code == 409
    assert release_of(manager, rid)["status"] == "rolling_out"


def test_scope_404_outside_region_and_403_for_the_task_force(scheduled, manager, api):
    rid = scheduled["id"]
    t = targets(manager, rid)
    county = manager.post(f"/api/v1/releases/{rid}/rollout", json={"region": "445202"})
    assert county.status_code == 201 and county.json["level"] == "county" and county.json["parent"] == "445200"
    engineer = api("engineer", "445200")
    # a city user sees and acts on their city and its counties only
    assert set(targets(engineer, rid)) == {"445200", "445202"}
    assert patch(engineer, rid, t["441300"]["id"], status="in_progress").status_code == 404
    assert engineer.get(f"/api/v1/releases/{rid}/rollout/{t['441300']['id']}").status_code == 404
    assert engineer.post(f"/api/v1/releases/{rid}/rollout/{t['441300']['id']}/smoke-run", json={}).status_code == 404
    assert patch(engineer, rid, county.json["id"], status="in_progress").status_code == 200
    county_engineer = api("engineer", "445203")
    assert patch(county_engineer, rid, t["445200"]["id"], status="in_progress").status_code == 404
    taskforce = api("taskforce", "445200")
    assert len(targets(taskforce, rid)) == 2  # reads
    assert patch(taskforce, rid, t["445200"]["id"], status="in_progress").status_code == 403
    # adding and removing targets is the managers'
    assert engineer.post(f"/api/v1/releases/{rid}/rollout", json={"region": "445203"}).status_code == 403
    assert engineer.delete(f"/api/v1/releases/{rid}/rollout/{t['445200']['id']}").status_code == 403


def test_targets_added_and_removed_before_the_window_starts(scheduled, manager, api):
    rid = scheduled["id"]
    post = lambda body: manager.post(f"/api/v1/releases/{rid}/rollout", json=body)  # noqa: E731
    assert post({"region": "445202"}).status_code == 201
    again = post({"region": "445202"})
    assert again.status_code == 409 and "region" in again.json["errors"]
    for bad in ({"region": "440000"}, {"region": "445200Y01"}, {"region": "999999"}, {}, {"region": ""}):
        response = post(bad)
        assert response.status_code == 422 and "region" in response.json["errors"], bad
    city_manager = api("manager", "441300")
    assert city_manager.post(f"/api/v1/releases/{rid}/rollout", json={"region": "445203"}).status_code == 422
    t = targets(manager, rid)
    assert manager.delete(f"/api/v1/releases/{rid}/rollout/{t['440100']['id']}").status_code == 204
    assert "440100" not in targets(manager, rid)
    assert post({"region": "440100"}).status_code == 201  # a city removed can come back
    assert patch(manager, rid, t["445200"]["id"], status="in_progress").status_code == 200
    # the release is rolling out: the list of targets is fixed
    assert post({"region": "445203"}).status_code == 409
    assert manager.delete(f"/api/v1/releases/{rid}/rollout/{t['441300']['id']}").status_code == 409


def test_window_started_fixes_the_targets_and_an_ended_window_makes_overdue(scheduled, manager):
    rid = scheduled["id"]
    assert manager.put(f"/api/v1/releases/{rid}/window", json=window(start_in_hours=-10, hours=9)).status_code == 200
    t = targets(manager, rid)
    response = manager.delete(f"/api/v1/releases/{rid}/rollout/{t['440100']['id']}")
    assert response.status_code == 409 and "window" in response.json["message"]
    body = manager.get(f"/api/v1/releases/{rid}/rollout").json
    assert len(body["overdue"]) == CITIES and body["targets"][0]["overdue"] is True
    keep = window(start_in_hours=-10, hours=20)  # the window moved later: nothing overdue
    assert manager.put(f"/api/v1/releases/{rid}/window", json=keep).status_code == 200
    assert manager.get(f"/api/v1/releases/{rid}/rollout").json["overdue"] == []
    assert manager.put(f"/api/v1/releases/{rid}/window", json=window(-10, 9)).status_code == 200
    for code in ("445200", "441300"):
        assert patch(manager, rid, t[code]["id"], status="in_progress").status_code == 200
    assert patch(manager, rid, t["445200"]["id"], status="done").status_code == 200
    body = manager.get(f"/api/v1/releases/{rid}/rollout").json
    assert len(body["overdue"]) == CITIES - 1 and t["445200"]["id"] not in body["overdue"]
    assert body["targets"][0]["region"] == "440100"  # overdue first, by code
    assert body["targets"][-1]["region"] == "445200" and body["targets"][-1]["overdue"] is False


def test_smoke_run_default_tags_bad_expression_and_states(scheduled, manager):
    rid = scheduled["id"]
    smoke_scenarios(manager)
    target = targets(manager, rid)["445200"]["id"]
    bad = manager.post(f"/api/v1/releases/{rid}/rollout/{target}/smoke-run", json={"tags": "@smoke and"})
    assert bad.status_code == 422 and "tags" in bad.json["errors"]
    none = manager.post(f"/api/v1/releases/{rid}/rollout/{target}/smoke-run", json={"tags": "@nothing"})
    assert none.status_code == 422
    own = manager.post(f"/api/v1/releases/{rid}/rollout/{target}/smoke-run", json={"tags": "@冒烟"})
    assert own.status_code == 201
    run = manager.get(f"/api/v1/runs/{own.json['smoke_run_id']}").json
    assert run["scenario_count"] == 1 and run["region"] == "445200" and run["environment"] == "production"
    runs = manager.get(f"/api/v1/releases/{rid}").json["runs"]
    assert any(r["environment"] == "production" for r in runs)


def test_versions_per_region_flag_those_behind(scheduled, manager, api):
    rid = scheduled["id"]
    before = manager.get("/api/v1/regions/versions").json
    assert before["latest_completed"] is None and not any(i["behind"] for i in before["items"])
    manager.post(f"/api/v1/releases/{rid}/rollout", json={"region": "445202"})
    keep_only(manager, rid, ("445200", "445202"))
    for code in ("445200", "445202"):
        target = targets(manager, rid)[code]["id"]
        patch(manager, rid, target, status="in_progress")
        assert patch(manager, rid, target, status="done").status_code == 200
    assert release_of(manager, rid)["status"] == "completed"
    body = manager.get("/api/v1/regions/versions").json
    assert body["latest_completed"]["version"] == "V2026.12"
    items = {i["region"]: i for i in body["items"]}
    assert items["445200"]["release"]["version"] == "V2026.12" and items["445200"]["behind"] is False
    assert items["445202"]["inherited"] is False
    assert items["445203"]["release"]["version"] == "V2026.12" and items["445203"]["inherited"] is True
    assert items["441300"]["release"] is None and items["441300"]["behind"] is True
    behind = manager.get("/api/v1/regions/versions?behind=true").json["items"]
    assert "445200" not in {i["region"] for i in behind} and "441300" in {i["region"] for i in behind}
    city = api("taskforce", "445200").get("/api/v1/regions/versions").json["items"]
    assert {i["region"] for i in city} == {"445200", "445202", "445203", "445222", "445224", "445281"}
    assert manager.get("/api/v1/regions/versions?behind=maybe").status_code == 422
