"""Building blocks for the rollout tests (API, acceptance, browser): a scheduled release whose
window is ahead, smoke scenarios, trimming the targets down to a few cities."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.release_kit import add, approve, fill_application, import_feature, move, new_release, record, start_run

BEIJING = timezone(timedelta(hours=8))


def window(start_in_hours: float = 24, hours: float = 8) -> dict:
    start = datetime.now(BEIJING).replace(tzinfo=None, microsecond=0) + timedelta(hours=start_in_hours)
    return {"start": start.isoformat(), "end": (start + timedelta(hours=hours)).isoformat()}


def accepted_release(manager, reviewer, filed, version: str = "V2026.12") -> dict:
    """An accepted release carrying one requirement verified by one passed scenario:
    {"id", "requirement_id"}."""
    req = approve(manager, filed(title="直接支出更正")["id"])
    ids = import_feature(manager, [("直接支出更正", [f"@{req['code']}"])])
    rid = new_release(manager, version)["id"]
    assert add(manager, rid, req["id"]).status_code == 200
    run = start_run(manager, rid)
    record(manager, run["id"], {sid: "passed" for sid in ids.values()})
    for client in (manager, reviewer):
        response = client.post(f"/api/v1/releases/{rid}/signoffs", json={"decision": "approve"})
        assert response.status_code == 201, response.json
    assert move(manager, rid, "accepted").status_code == 200
    return {"id": rid, "requirement_id": req["id"]}


def schedule(manager, rid: int, span: dict | None = None) -> None:
    """accepted → upgrade_requested (its application filled) → window → scheduled."""
    fill_application(manager, rid)
    response = move(manager, rid, "upgrade_requested")
    assert response.status_code == 200, response.json
    response = manager.put(f"/api/v1/releases/{rid}/window", json=span or window())
    assert response.status_code == 200, response.json
    response = move(manager, rid, "scheduled")
    assert response.status_code == 200, response.json


def scheduled_release(manager, reviewer, filed, version: str = "V2026.12") -> dict:
    """`accepted_release`, then `schedule`d (its window ahead): {"id", "requirement_id"}."""
    release = accepted_release(manager, reviewer, filed, version)
    schedule(manager, release["id"])
    return release


def smoke_scenarios(manager, passed: bool = True) -> dict:
    """A feature of two smoke scenarios (one `@smoke`, one `@冒烟`) and one that is not."""
    return import_feature(manager, [("支付冒烟", ["@smoke"]), ("指标冒烟", ["@冒烟"]), ("年终结转", [])],
                          path="releases/smoke.feature")


def targets(client, rid: int) -> dict[str, dict]:
    """{region code: target} of the release's rollout as `client` sees it."""
    response = client.get(f"/api/v1/releases/{rid}/rollout")
    assert response.status_code == 200, response.json
    return {t["region"]: t for t in response.json["targets"]}


def keep_only(manager, rid: int, codes: tuple[str, ...]) -> None:
    """Remove every target but `codes` (before the window starts)."""
    for code, target in targets(manager, rid).items():
        if code not in codes:
            response = manager.delete(f"/api/v1/releases/{rid}/rollout/{target['id']}")
            assert response.status_code == 204, response.json


def patch(client, rid: int, target_id: int, **body):
    return client.patch(f"/api/v1/releases/{rid}/rollout/{target_id}", json=body)


def start_one(client, rid: int) -> dict:
    """Start the first target: the release moves to `rolling_out` by itself (a manual move to
    `rolling_out` is refused while no target has started). Answers the target."""
    first = next(iter(targets(client, rid).values()))
    response = patch(client, rid, first["id"], status="in_progress")
    assert response.status_code == 200, response.json
    return response.json


def roll_out(client, rid: int) -> None:
    """Carry every target to `done` (in_progress first): the release moves to `rolling_out` at
    the first start and to `completed` at the last `done`, by itself — the only way to complete
    a release that has targets."""
    for target in targets(client, rid).values():
        if target["status"] == "pending":
            response = patch(client, rid, target["id"], status="in_progress")
            assert response.status_code == 200, response.json
        if target["status"] != "done":
            response = patch(client, rid, target["id"], status="done")
            assert response.status_code == 200, response.json
