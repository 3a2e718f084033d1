"""The release's own moves follow its rollout targets (issue 9): a manual `rolling_out` only once
a target has started, `completed` only when every target is done, and a rollback takes back the
regions whose upgrade started."""
from __future__ import annotations

import pytest

from tests.release_kit import move
from tests.rollout_kit import keep_only, patch, roll_out, scheduled_release, targets


@pytest.fixture
def manager(api):
    return api("manager", "440000")


@pytest.fixture
def scheduled(manager, api, filed):
    release = scheduled_release(manager, api("reviewer", "440000"), filed)
    keep_only(manager, release["id"], ("445200", "441300", "440100"))
    return release


def status_of(client, rid):
    return client.get(f"/api/v1/releases/{rid}").json["status"]


def test_manual_rolling_out_refused_until_a_target_started(scheduled, manager):
    rid = scheduled["id"]
    response = move(manager, rid, "rolling_out")
    assert response.status_code == 409 and "rolling_out" in response.json["message"]
    assert "to" in response.json["errors"]
    assert status_of(manager, rid) == "scheduled"
    assert [e for e in manager.get(f"/api/v1/releases/{rid}/timeline").json
            if e["kind"] == "transition" and e["details"].get("to") == "rolling_out"] == []
    # the first start moves it by itself
    assert patch(manager, rid, targets(manager, rid)["445200"]["id"], status="in_progress").status_code == 200
    assert status_of(manager, rid) == "rolling_out"


def test_manual_completed_refused_naming_targets_not_done(scheduled, manager):
    rid = scheduled["id"]
    t = targets(manager, rid)
    assert patch(manager, rid, t["445200"]["id"], status="in_progress").status_code == 200
    assert patch(manager, rid, t["445200"]["id"], status="done").status_code == 200
    assert patch(manager, rid, t["441300"]["id"], status="in_progress").status_code == 200
    response = move(manager, rid, "completed")
    assert response.status_code == 409
    message = response.json["message"]
    assert "惠州市" in message and "广州市" in message and "揭阳市" not in message
    assert len(response.json["errors"]["targets"]) == 2
    assert any("441300" in e and "升级中" in e for e in response.json["errors"]["targets"])
    assert status_of(manager, rid) == "rolling_out"
    req = manager.get(f"/api/v1/requirements/{scheduled['requirement_id']}").json
    assert req["status"] == "verified"  # nothing released


def test_every_target_done_completes_and_releases(scheduled, manager):
    rid = scheduled["id"]
    roll_out(manager, rid)
    assert status_of(manager, rid) == "completed"
    req = manager.get(f"/api/v1/requirements/{scheduled['requirement_id']}").json
    assert req["status"] == "released"


def test_release_page_offers_no_blocked_move(scheduled, manager, client, make_user):
    from tests.conftest import PASSWORD

    make_user("mgr_web", "manager", "440000")
    client.post("/login", data={"username": "mgr_web", "password": PASSWORD})
    page = client.get(f"/releases/{scheduled['id']}").get_data(as_text=True)
    assert 'data-to="rolling_out"' not in page
    assert 'id="release-follows-rollout"' in page and "全部地区升级完成时自动转为“已完成”" in page
    rid = scheduled["id"]
    assert patch(manager, rid, targets(manager, rid)["445200"]["id"], status="in_progress").status_code == 200
    page = client.get(f"/releases/{rid}").get_data(as_text=True)
    assert 'data-to="completed"' not in page and 'data-to="rolled_back"' in page
    # a stale page's move is refused in Chinese, naming the regions not done
    answer = client.post(f"/releases/{rid}/transitions", data={"to": "completed"}, headers={"HX-Request": "true"})
    text = answer.get_data(as_text=True)
    assert "还不能完成" in text and "广州市（440100）：未开始" in text and "惠州市" in text
    assert status_of(manager, rid) == "rolling_out"


def test_rollback_takes_back_started_regions_and_leaves_pending(scheduled, manager):
    rid = scheduled["id"]
    t = targets(manager, rid)
    jieyang, huizhou, guangzhou = t["445200"]["id"], t["441300"]["id"], t["440100"]["id"]
    assert patch(manager, rid, jieyang, status="in_progress").status_code == 200
    assert patch(manager, rid, jieyang, status="done").status_code == 200
    assert patch(manager, rid, huizhou, status="in_progress").status_code == 200
    assert patch(manager, rid, huizhou, status="failed").status_code == 200
    response = move(manager, rid, "rolled_back", reason="惠州升级后无法登录，全省回退")
    assert response.status_code == 200, response.json
    after = targets(manager, rid)
    assert after["445200"]["status"] == "rolled_back" and after["441300"]["status"] == "rolled_back"
    assert after["440100"]["status"] == "pending"  # never started: nothing to take back
    assert after["441300"]["finished_by"]["username"] == "manager_440000"
    assert after["440100"]["overdue"] is False
    moved = [e for e in manager.get(f"/api/v1/releases/{rid}/timeline").json if e["kind"] == "rollout_moved"]
    assert [(e["details"]["region"], e["details"]["to"]) for e in moved[-2:]] == [
        ("441300", "rolled_back"), ("445200", "rolled_back")]
    # the rolled-back release is no region's version
    versions = {i["region"]: i for i in manager.get("/api/v1/regions/versions").json["items"]}
    assert versions["445200"]["release"] is None
    # and its targets move no more
    assert patch(manager, rid, guangzhou, status="in_progress").status_code == 409
