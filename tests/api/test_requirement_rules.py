"""Rules added after review: assignee scope, merge naming, trimmed text, deactivated codes and
regions, literal search wildcards, token revocation on admin changes, label display."""
from __future__ import annotations

BASE = "/api/v1/requirements"


def test_assignee_must_be_able_to_see_the_requirement(api, filed, make_user):
    make_user("gz_eng", "engineer", "440100")
    make_user("jy_tf", "taskforce", "445200")
    make_user("prov_mgr", "manager", "440000")
    req = filed(region="445202")
    manager = api("manager", "445200")
    for name in ("gz_eng", "jy_tf"):
        response = manager.patch(f"{BASE}/{req['id']}", json={"version": 1, "assignee": name})
        assert response.status_code == 422 and "assignee" in response.json["errors"], name
    ok = manager.patch(f"{BASE}/{req['id']}", json={"version": 1, "assignee": "prov_mgr"})
    assert ok.status_code == 200 and ok.json["assignee"] == "prov_mgr"


def test_duplicate_of_only_with_a_move_to_duplicate(api, filed):
    original, other = filed(), filed(title="另一个需求")
    manager = api("manager", "445200")
    response = manager.post(f"{BASE}/{other['id']}/transitions",
                            json={"to": "assessing", "duplicate_of": original["code"]})
    assert response.status_code == 422 and "duplicate_of" in response.json["errors"]
    assert manager.get(f"{BASE}/{other['id']}").json["status"] == "submitted"


def test_whitespace_only_title_is_empty(api, payload):
    response = api("engineer", "445200").post(BASE, json=payload(title="   ", proposer_name="  李  "))
    assert response.status_code == 422 and "title" in response.json["errors"]
    stored = api("engineer", "445200").post(BASE, json=payload(title="  跨年退款  "))
    assert stored.json["title"] == "跨年退款"


def test_deactivated_code_kept_on_edit_but_not_chosen(api, filed):
    req = filed(domain="portal")
    admin = api("admin", "440000")
    assert admin.patch("/api/v1/reference/domains/portal", json={"active": False}).status_code == 200
    manager = api("manager", "445200")
    kept = manager.patch(f"{BASE}/{req['id']}", json={"version": 1, "domain": "portal", "title": "新标题"})
    assert kept.status_code == 200 and kept.json["domain"] == "portal"
    other = filed(domain="budget")
    refused = manager.patch(f"{BASE}/{other['id']}", json={"version": 1, "domain": "portal"})
    assert refused.status_code == 422 and "domain" in refused.json["errors"]
    assert manager.get(f"{BASE}/{other['id']}").json["version"] == 1
    assert api("engineer", "445200").post(BASE, json={**_payload_for(req), "domain": "portal"}).status_code == 422


def _payload_for(req):
    keys = ("title", "description", "domain", "module", "type", "priority", "channel", "region", "proposer_name")
    return {k: req[k] for k in keys}


def test_deactivated_region_cannot_be_chosen(api, filed, payload):
    admin = api("admin", "440000")
    assert admin.patch("/api/v1/regions/445222", json={"active": False}).status_code == 200
    response = api("engineer", "445200").post(BASE, json=payload(region="445222"))
    assert response.status_code == 422 and "region" in response.json["errors"]


def test_search_wildcards_are_literal(api, filed):
    filed(title="指标调剂 100% 完成")
    filed(title="普通需求")
    engineer = api("engineer", "445200")
    assert engineer.get(BASE, query_string={"q": "%"}).json["total"] == 1
    assert engineer.get(BASE, query_string={"q": "_"}).json["total"] == 0


def test_admin_change_of_rights_revokes_tokens(app, api):
    engineer = api("engineer", "445200")
    assert engineer.get("/api/v1/me").status_code == 200
    admin = api("admin", "440000")
    response = admin.patch(f"/api/v1/users/{engineer.user.id}", json={"role": "taskforce"})
    assert response.status_code == 200
    assert engineer.get("/api/v1/me").status_code == 401


def test_timeline_reads_labels_not_codes(api, filed):
    req = filed(priority="high", region="445200")
    manager = api("manager", "445200")
    manager.patch(f"{BASE}/{req['id']}", json={"version": 1, "priority": "urgent", "region": "445202",
                                                "needs_custom_dev": "yes"})
    summaries = [e["summary"] for e in manager.get(f"{BASE}/{req['id']}/timeline").json]
    assert "优先级：高 → 紧急" in summaries
    assert "区划：揭阳市 → 榕城区" in summaries
    assert "需定制开发：待定 → 是" in summaries
