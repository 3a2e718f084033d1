"""Building blocks for the release tests (API, acceptance, browser): approved requirements,
a feature whose scenarios name them, a release, an acceptance run and its results."""
from __future__ import annotations

APPROVE_PATH = ("assessing", "awaiting_review", "approved")


def approve(client, req_id: int) -> dict:
    body = {}
    for step in APPROVE_PATH:
        response = client.post(f"/api/v1/requirements/{req_id}/transitions", json={"to": step, "reason": "测试"})
        assert response.status_code == 200, response.json
        body = response.json
    return body


def feature_text(scenarios: list[tuple[str, list[str]]]) -> str:
    """A Chinese feature: each (name, tags) a three-step scenario."""
    lines = ["# language: zh-CN", "@执行域", "功能: 版本验收", ""]
    for name, tags in scenarios:
        lines += [f"  {' '.join(tags)}" if tags else "", f"  场景: {name}", "    假如 经办人已登录执行域",
                  f"    当 经办人办理{name}", "    那么 办理成功", ""]
    return "\n".join(lines)


def import_feature(client, scenarios: list[tuple[str, list[str]]], path: str = "releases/acceptance.feature") -> dict:
    """Import the feature; answers {name: scenario id}."""
    response = client.post("/api/v1/features", json={"path": path, "text": feature_text(scenarios)})
    assert response.status_code in (200, 201), response.json
    listing = client.get("/api/v1/scenarios", query_string={"feature": response.json["id"], "per_page": 100}).json
    return {s["name"]: s["id"] for s in listing["items"]}


def new_release(client, version: str = "V2026.12") -> dict:
    response = client.post("/api/v1/releases", json={"version": version, "name": "12月迭代版本",
                                                      "domains": ["execution"]})
    assert response.status_code == 201, response.json
    return response.json


def add(client, release_id: int, *req_ids: int):
    return client.post(f"/api/v1/releases/{release_id}/requirements", json={"requirement_ids": list(req_ids)})


def start_run(client, release_id: int, environment: str = "acceptance", tags: str = "@执行域") -> dict:
    response = client.post(f"/api/v1/releases/{release_id}/runs", json={"environment": environment, "tags": tags})
    assert response.status_code == 201, response.json
    return response.json


def record(client, run_id: int, results: dict[int, str]) -> None:
    """Set each scenario's status directly ({scenario id: status})."""
    items = [{"scenario_id": sid, "status": status, **({"defect": "BUG-1", "note": "金额不符"} if status == "failed" else {})}
             for sid, status in results.items()]
    response = client.post(f"/api/v1/runs/{run_id}/results", json=items)
    assert response.status_code == 200, response.json


def move(client, release_id: int, to: str, **extra):
    return client.post(f"/api/v1/releases/{release_id}/transitions", json={"to": to, **extra})


APPLICATION = {
    "scope": "全省各地市、县（区）生产环境执行域",
    "risks": "升级期间支付业务暂停；数据库脚本执行失败的风险",
    "criteria": "冒烟场景全部通过为通过；任一支付场景不通过为失败",
    "method": "停止应用服务，备份数据库，部署安装包，执行配置脚本，启动服务并冒烟测试",
    "rollback": "恢复备份的数据库与上一版本安装包",
    "tracking": "问题登记到智能运维平台，驻场工程师跟踪至关闭",
    "contacts": "省运营中心 张工 13800000000",
}


def fill_application(client, release_id: int, **sections) -> dict:
    """Fill every section of the release's upgrade application (needed before `upgrade_requested`)."""
    response = client.put(f"/api/v1/releases/{release_id}/upgrade-application", json={**APPLICATION, **sections})
    assert response.status_code == 200, response.json
    return response.json


def accepted_release(manager, reviewer, req_id: int, version: str = "V2026.12") -> int:
    """An accepted release carrying the (filed) requirement, verified by one passed scenario and
    signed by the manager and the reviewer; answers its id."""
    req = approve(manager, req_id)
    ids = import_feature(manager, [("直接支出更正", [f"@{req['code']}"])])
    rid = new_release(manager, version)["id"]
    assert add(manager, rid, req["id"]).status_code == 200
    record(manager, start_run(manager, rid)["id"], {sid: "passed" for sid in ids.values()})
    for client in (manager, reviewer):
        assert client.post(f"/api/v1/releases/{rid}/signoffs", json={"decision": "approve"}).status_code == 201
    assert move(manager, rid, "accepted").status_code == 200
    return rid
