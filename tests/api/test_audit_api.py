"""The audit log (issue 13) through the API: only administrators read it; every kind of event is
recorded once (sign-ins, failed ones, user and role changes, tokens, settings with before → after,
every other write, every export), with who, when, from where; filters and the .xlsx."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry
from app.services.periods import local_today

PASSWORD = "Secret#2026"
AUDIT = "/api/v1/audit"


def entries(app, **where) -> list[AuditEntry]:
    with app.app_context():
        stmt = select(AuditEntry).order_by(AuditEntry.id)
        for key, value in where.items():
            stmt = stmt.where(getattr(AuditEntry, key) == value)
        rows = list(db.session.scalars(stmt))
        db.session.expunge_all()
        return rows


def actions(app) -> list[str]:
    return [e.action for e in entries(app)]


@pytest.mark.parametrize("role", ["manager", "engineer", "reviewer", "taskforce"])
def test_only_administrators_read_the_log(api, role):
    client = api(role, "440000")
    assert client.get(AUDIT).status_code == 403
    assert client.get(AUDIT + ".xlsx").status_code == 403
    assert api("admin", "440000").get(AUDIT).status_code == 200


def test_an_unauthenticated_client_gets_401_and_nothing_is_recorded(client, app):
    before = len(entries(app))
    assert client.get(AUDIT).status_code == 401
    assert client.post("/api/v1/requirements", json={}).status_code == 401
    assert len(entries(app)) == before


def test_sign_ins_and_failed_ones_are_recorded_with_address_and_agent(client, app, make_user):
    make_user("wang.wu", "engineer", "445200")
    headers = {"User-Agent": "curl/8.5 " + "x" * 400}
    env = {"REMOTE_ADDR": "10.1.2.3"}
    assert client.post("/api/v1/auth/token", json={"username": "wang.wu", "password": "wrong-password"},
                       headers=headers, environ_base=env).status_code == 401
    assert client.post("/api/v1/auth/token", json={"username": "nobody.here", "password": "x" * 10},
                       headers=headers, environ_base=env).status_code == 401
    assert client.post("/api/v1/auth/token", json={"username": "wang.wu", "password": PASSWORD},
                       headers=headers, environ_base=env).status_code == 201
    rows = entries(app)
    failed = [e for e in rows if e.action == "sign_in_failed"]
    assert [e.actor_name for e in failed] == ["wang.wu", "nobody.here"]
    assert failed[0].actor_id is not None and failed[1].actor_id is None
    assert failed[1].summary == "unknown user"
    signed_in = [e for e in rows if e.action == "sign_in"]
    assert len(signed_in) == 1 and signed_in[0].actor_name == "wang.wu"
    for e in failed + signed_in:
        assert e.address == "10.1.2.3"
        assert e.user_agent.startswith("curl/8.5") and len(e.user_agent) <= 200
        assert e.method == "POST" and e.path == "/api/v1/auth/token"
    # the token request is a sign-in and an issued token; no generic "write" on top of them
    assert [e.action for e in rows if e.path == "/api/v1/auth/token"] == [
        "sign_in_failed", "sign_in_failed", "sign_in", "token_create"]


def test_a_locked_sign_in_is_recorded(client, app, make_user, api):
    make_user("locked.one", "engineer", "445200")
    for _ in range(5):
        client.post("/api/v1/auth/token", json={"username": "locked.one", "password": "wrong-password"})
    assert client.post("/api/v1/auth/token", json={"username": "locked.one", "password": PASSWORD}).status_code == 429
    assert actions(app)[-1] == "sign_in_locked"
    assert entries(app)[-1].actor_name == "locked.one" and entries(app)[-1].actor_id is not None
    admin = api("admin", "440000")
    mine = admin.get(AUDIT, query_string={"actor": "locked.one"}).json
    assert [e["action"] for e in mine["items"]] == ["sign_in_locked"] + ["sign_in_failed"] * 5


def test_user_role_and_region_changes_show_before_and_after(api, app):
    admin = api("admin", "440000")
    created = admin.post("/api/v1/users", json={"username": "li.si", "password": "Long#Pass2026", "role": "engineer",
                                                "region": "445200"})
    assert created.status_code == 201, created.json
    user_id = created.json["id"]
    changed = admin.patch(f"/api/v1/users/{user_id}", json={"role": "manager", "region": "440000",
                                                            "password": "Other#Pass2026"})
    assert changed.status_code == 200, changed.json
    made = entries(app, action="user_create")[-1]
    assert made.target_id == str(user_id) and made.after["role"] == "engineer" and made.after["region"] == "445200"
    update = entries(app, action="user_update")[-1]
    assert update.actor_name == "admin_440000"
    assert update.before == {"role": "engineer", "region": "445200", "password": None}
    assert update.after == {"role": "manager", "region": "440000", "password": "********"}
    assert "Other#Pass2026" not in str(update.after) and "display_name" not in update.after
    # one entry per request: the service's, not a generic "write" as well
    assert not entries(app, action="write", path=f"/api/v1/users/{user_id}")
    # a refused change (422) writes nothing, the audit log included
    count = len(entries(app))
    assert admin.patch(f"/api/v1/users/{user_id}", json={"region": "999999"}).status_code == 422
    assert len(entries(app)) == count


def test_token_issue_and_revocation(api, app):
    engineer = api("engineer", "445200")
    tokens = engineer.get("/api/v1/auth/tokens").json
    assert engineer.delete(f"/api/v1/auth/tokens/{tokens[0]['id']}").status_code == 204
    revoked = entries(app, action="token_revoke")
    assert len(revoked) == 1 and revoked[0].target_id == str(tokens[0]["id"])
    assert revoked[0].actor_name == "engineer_445200"
    assert entries(app, action="token_create", target_id=str(tokens[0]["id"]))


def test_settings_changes_keep_before_and_after(api, app):
    admin = api("admin", "440000")
    made = admin.post("/api/v1/calendar/overrides", json={"date": "2026-10-10", "workday": True, "note": "调休"})
    assert made.status_code == 201, made.json
    assert admin.delete("/api/v1/calendar/overrides/2026-10-10").status_code == 204
    added, removed = entries(app, target_type="calendar_override")
    assert (added.before, added.after) == (None, {"workday": True, "note": "调休"})
    assert (removed.before, removed.after) == ({"workday": True, "note": "调休"}, None)
    freeze = admin.post("/api/v1/freeze-periods", json={"name": "国庆封网", "start": "2026-10-01T00:00",
                                                        "end": "2026-10-08T00:00"})
    assert freeze.status_code == 201, freeze.json
    assert admin.put(f"/api/v1/freeze-periods/{freeze.json['id']}", json={"name": "国庆节封网"}).status_code == 200
    renamed = entries(app, target_type="freeze_period")[-1]
    assert (renamed.before, renamed.after) == ({"name": "国庆封网"}, {"name": "国庆节封网"})
    targets = admin.get("/api/v1/sla/targets").json
    rows = targets["targets"] if isinstance(targets, dict) else targets
    rows = [{k: r[k] for k in ("clock", "type", "priority", "minutes")} for r in rows]
    rows[0]["minutes"] += 5
    key = f"{rows[0]['clock']}/{rows[0]['type']}/{rows[0]['priority']}"
    assert admin.put("/api/v1/sla/targets", json={"targets": rows}).status_code == 200
    sla = entries(app, target_type="sla_targets")[-1]
    assert sla.action == "settings" and sla.before == {key: rows[0]["minutes"] - 5} and sla.after == {key: rows[0]["minutes"]}


def test_every_other_write_is_recorded_once_and_failed_ones_not(api, filed, app):
    engineer = api("engineer", "445200")
    req = filed()
    writes = entries(app, action="write")
    assert len(writes) == 1
    write = writes[0]
    assert (write.method, write.path, write.status, write.actor_name) == ("POST", "/api/v1/requirements", 201,
                                                                          "engineer_445200")
    assert write.endpoint and write.summary == "POST /api/v1/requirements → 201"
    assert write.actor_id == engineer.user.id  # the writer, named without loading them again
    assert engineer.post(f"/api/v1/requirements/{req['id']}/comments", json={"body": "看过了"}).status_code == 201
    assert len(entries(app, action="write")) == 2
    # a refused write (422, 404) is not a change
    assert engineer.post(f"/api/v1/requirements/{req['id']}/comments", json={"body": ""}).status_code == 422
    assert engineer.post("/api/v1/requirements/999999/comments", json={"body": "x"}).status_code == 404
    assert len(entries(app, action="write")) == 2
    # reads are not recorded
    count = len(entries(app))
    assert engineer.get(f"/api/v1/requirements/{req['id']}").status_code == 200
    assert len(entries(app)) == count


def test_every_export_is_recorded(api, filed, app):
    manager = api("manager", "445200")
    filed()
    ledger = manager.get("/api/v1/ledger.xlsx")
    assert ledger.status_code == 200
    export = entries(app, action="export")[-1]
    assert export.actor_name == "manager_445200" and export.path == "/api/v1/ledger.xlsx"
    assert export.summary == "xlsx: 需求台帐.xlsx" and export.status == 200
    admin = api("admin", "440000")
    assert admin.get(AUDIT + ".xlsx").status_code == 200
    assert entries(app, action="export")[-1].path == AUDIT + ".xlsx"


def test_filters_pages_and_newest_first(api, app, client, make_user):
    admin = api("admin", "440000")
    api("engineer", "445200")
    make_user("zhao.liu", "engineer", "445200")
    for _ in range(3):
        client.post("/api/v1/auth/token", json={"username": "zhao.liu", "password": "wrong-password"})
    everything = admin.get(AUDIT).json
    ids = [e["id"] for e in everything["items"]]
    assert ids == sorted(ids, reverse=True) and everything["total"] >= 5
    mine = admin.get(AUDIT, query_string={"actor": "zhao.liu"}).json
    assert mine["total"] == 3 and {e["action"] for e in mine["items"]} == {"sign_in_failed"}
    assert mine["items"][0]["actor"] == "zhao.liu" and mine["items"][0]["action_label"]
    failed = admin.get(AUDIT, query_string={"action": "sign_in_failed", "per_page": 2}).json
    assert failed["total"] == 3 and len(failed["items"]) == 2
    with app.app_context():
        today = local_today()
    assert admin.get(AUDIT, query_string={"from": today.isoformat(), "to": today.isoformat()}).json["total"] \
        == everything["total"]
    assert admin.get(AUDIT, query_string={"to": (today - timedelta(days=1)).isoformat()}).json["total"] == 0
    assert admin.get(AUDIT, query_string={"q": "auth/token"}).json["total"] >= 3
    assert admin.get(AUDIT, query_string={"q": "100%_"}).json["total"] == 0
    # a name nobody used, bad filters: nothing, 422 naming the field; never a 500
    assert admin.get(AUDIT, query_string={"actor": "no.such.user"}).json["total"] == 0
    bad = admin.get(AUDIT, query_string={"action": "drop_table"})
    assert bad.status_code == 422 and "action" in bad.json["errors"]
    assert admin.get(AUDIT, query_string={"from": "9999-12-31"}).status_code == 422
    assert admin.get(AUDIT + "?q=a%00%ED%A0%80b&actor=%00").status_code in (200, 422)


def test_the_export_holds_the_filtered_entries(api, app, client, make_user):
    admin = api("admin", "440000")
    make_user("qian.qi", "engineer", "445200")
    client.post("/api/v1/auth/token", json={"username": "qian.qi", "password": "wrong-password"},
                headers={"User-Agent": '=HYPERLINK("http://evil.example","x")'})
    response = admin.get(AUDIT + ".xlsx", query_string={"actor": "qian.qi"})
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert any("qian.qi" in (row[1] or "") for row in values)
    data_rows = [row for row in values if row[1] == "qian.qi" and row[7]]
    assert len(data_rows) == 1 and data_rows[0][7] == "/api/v1/auth/token"
    # a user agent beginning with "=" stays text, not a formula Excel would run
    agent = [cell for row in sheet.iter_rows() for cell in row if cell.value == data_rows[0][10]][0]
    assert agent.value.startswith("=HYPERLINK") and agent.data_type == "s"


def test_the_log_has_no_update_or_delete_route(api):
    admin = api("admin", "440000")
    entry_id = admin.get(AUDIT).json["items"][0]["id"]
    for method in ("put", "patch", "delete"):
        assert getattr(admin, method)(f"{AUDIT}/{entry_id}", json={}).status_code in (404, 405)
        assert getattr(admin, method)(AUDIT, json={}).status_code == 405


def test_the_list_and_the_export_cost_the_same_queries_for_3_or_30_entries(api, client, make_user, count_statements):
    def _statements(call) -> int:
        statements, response = count_statements(call)
        assert response.status_code == 200
        return statements

    admin = api("admin", "440000")
    make_user("many.tries", "engineer", "445200")

    def fail(n):
        for _ in range(n):
            client.post("/api/v1/auth/token", json={"username": "many.tries", "password": "wrong-password"},
                        environ_base={"REMOTE_ADDR": f"10.9.{_}.1"})

    fail(3)
    admin.get(AUDIT)  # the token's last use is written on its first request
    few = (_statements(lambda: admin.get(AUDIT, query_string={"per_page": 50})),
           _statements(lambda: admin.get(AUDIT + ".xlsx")))
    fail(27)
    many = (_statements(lambda: admin.get(AUDIT, query_string={"per_page": 50})),
            _statements(lambda: admin.get(AUDIT + ".xlsx")))
    assert few == many
