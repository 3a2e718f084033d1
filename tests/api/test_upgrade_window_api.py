"""A release's upgrade window and the freeze periods through /api/v1 (issue 9)."""
from __future__ import annotations

import pytest

from tests.release_kit import move, new_release

WINDOW = {"start": "2026-12-19T22:00:00", "end": "2026-12-20T06:00:00"}  # Beijing time


def put_window(client, rid, **body):
    return client.put(f"/api/v1/releases/{rid}/window", json={**WINDOW, **body})


def freeze(admin, start="2026-12-31T00:00:00", end="2027-01-02T00:00:00", name="元旦封网"):
    response = admin.post("/api/v1/freeze-periods", json={"name": name, "start": start, "end": end, "reason": "年终决算"})
    assert response.status_code == 201, response.json
    return response.json


def test_window_is_set_in_utc_and_read_back_then_scheduled(requested, manager):
    assert manager.get(f"/api/v1/releases/{requested}/window").status_code == 404
    response = put_window(manager, requested)
    assert response.status_code == 200, response.json
    assert response.json["start"] == "2026-12-19T14:00:00+00:00"  # 22:00 Beijing time
    assert response.json["end"] == "2026-12-19T22:00:00+00:00"
    assert response.json["override_reason"] == "" and response.json["set_by"]
    # an offset given is honoured
    moved = put_window(manager, requested, start="2026-12-19T15:00:00Z", end="2026-12-19T23:00:00+00:00")
    assert moved.json["start"] == "2026-12-19T15:00:00+00:00"
    assert manager.get(f"/api/v1/releases/{requested}/window").json["end"] == "2026-12-19T23:00:00+00:00"
    assert move(manager, requested, "scheduled").json["status"] == "scheduled"
    assert put_window(manager, requested).status_code == 200  # still movable while scheduled
    kinds = [e["kind"] for e in manager.get(f"/api/v1/releases/{requested}/timeline").json]
    assert kinds.count("window_set") == 3


def test_scheduled_without_window_is_409(requested, manager):
    response = move(manager, requested, "scheduled")
    assert response.status_code == 409 and "window" in response.json["message"]
    assert manager.get(f"/api/v1/releases/{requested}").json["status"] == "upgrade_requested"


def test_wrong_status_is_409_naming_it(accepted, manager):
    response = put_window(manager, accepted)
    assert response.status_code == 409 and "'accepted'" in response.json["message"]
    assert manager.get(f"/api/v1/releases/{accepted}/window").status_code == 404


def test_planned_release_is_409(manager):
    rid = new_release(manager)["id"]
    response = put_window(manager, rid)
    assert response.status_code == 409 and "'planned'" in response.json["message"]


@pytest.mark.parametrize("body", [
    {"end": WINDOW["start"]},
    {"end": "2026-12-19T21:00:00"},
    {"start": "2026-12-40T22:00:00"},
    {"end": "明天"},
    {"start": None},
    {"override_reason": 5},
    {"start": "0001-01-01T00:00:00"},
    {"end": "9999-12-31T23:59:59-05:00"},
    {"start": "2026-12-19T22:00:00", "unknown": 1},
])
def test_bad_input_is_422_naming_the_field_and_writes_nothing(requested, manager, body):
    response = put_window(manager, requested, **body)
    assert response.status_code == 422, response.json
    assert set(response.json["errors"]) & {"start", "end", "override_reason", "unknown"}
    assert manager.get(f"/api/v1/releases/{requested}/window").status_code == 404


def test_end_before_start_names_end(requested, manager):
    response = put_window(manager, requested, end="2026-12-19T21:00:00")
    assert "end" in response.json["errors"]


def test_roles_and_unknown_release(requested, api, manager):
    for role in ("engineer", "reviewer", "taskforce"):
        assert put_window(api(role, "445200"), requested).status_code == 403
    assert put_window(manager, 999999).status_code == 404
    assert put_window(manager, 2**40).status_code == 404
    assert manager.get("/api/v1/releases/999999/window").status_code == 404


def test_freeze_overlap_is_409_naming_it_unless_overridden(requested, manager, admin):
    freeze(admin, start="2026-12-19T00:00:00", end="2026-12-21T00:00:00", name="年终封网")
    response = put_window(manager, requested)
    assert response.status_code == 409 and "年终封网" in response.json["message"]
    assert manager.get(f"/api/v1/releases/{requested}/window").status_code == 404
    blank = put_window(manager, requested, override_reason="   ")
    assert blank.status_code == 409
    ok = put_window(manager, requested, override_reason="财政部紧急补丁")
    assert ok.status_code == 200, ok.json
    assert ok.json["override_reason"] == "财政部紧急补丁" and ok.json["overridden_freeze"]["name"] == "年终封网"
    events = manager.get(f"/api/v1/releases/{requested}/timeline").json
    last = events[-1]
    assert last["kind"] == "window_set" and last["details"]["override_reason"] == "财政部紧急补丁"
    assert "年终封网" in last["summary"]


def test_touching_freeze_does_not_block(requested, manager, admin):
    # the window 22:00–06:00 Beijing time; the freeze ends exactly at its start
    freeze(admin, start="2026-12-18T00:00:00", end="2026-12-19T22:00:00")
    freeze(admin, start="2026-12-20T06:00:00", end="2026-12-22T00:00:00", name="周末封网")
    assert put_window(manager, requested).status_code == 200


def test_freeze_periods_crud_for_admins(admin, manager):
    created = freeze(admin)
    assert created["start"] == "2026-12-30T16:00:00+00:00"
    listing = manager.get("/api/v1/freeze-periods").json
    assert listing["total"] == 1 and listing["items"][0]["name"] == "元旦封网"
    url = f"/api/v1/freeze-periods/{created['id']}"
    assert manager.post("/api/v1/freeze-periods", json={"name": "x", **WINDOW}).status_code == 403
    assert manager.put(url, json={"name": "y"}).status_code == 403
    assert manager.delete(url).status_code == 403
    changed = admin.put(url, json={"name": "元旦假期封网"})
    assert changed.status_code == 200 and changed.json["name"] == "元旦假期封网"
    bad = admin.put(url, json={"end": "2026-12-01T00:00:00"})  # before the stored start
    assert bad.status_code == 422 and "end" in bad.json["errors"]
    assert admin.get("/api/v1/freeze-periods").json["items"][0]["end"] == "2027-01-01T16:00:00+00:00"
    both = admin.post("/api/v1/freeze-periods", json={"name": "x", "start": WINDOW["end"], "end": WINDOW["start"]})
    assert both.status_code == 422 and "end" in both.json["errors"]
    assert admin.post("/api/v1/freeze-periods", json={"name": "  ", **WINDOW}).status_code == 422
    too_long = admin.post("/api/v1/freeze-periods", json={"name": "封" * 101, **WINDOW})
    assert too_long.status_code == 422 and "name" in too_long.json["errors"]
    assert admin.put("/api/v1/freeze-periods/999999", json={"name": "z"}).status_code == 404
    assert admin.delete(url).status_code == 204
    assert admin.delete(url).status_code == 404
    assert manager.get("/api/v1/freeze-periods").json["total"] == 0
