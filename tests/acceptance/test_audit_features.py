"""审计日志 (features/audit/audit_log.feature): failed sign-ins with their address, a role change's
before → after, writes and exports recorded, administrators only. Through the real API; the
users come from the shared step "以下用户已开通" (tests/acceptance/conftest.py)."""
from __future__ import annotations

import io

from openpyxl import load_workbook
from pytest_bdd import parsers, scenarios, then, when

from tests.acceptance.conftest import P, World

scenarios("audit/audit_log.feature")

# the words for the recorded kinds -> the API's action codes
ACTIONS = {
    "登录": "sign_in",
    "登录失败": "sign_in_failed",
    "修改用户": "user_update",
    "数据变更": "write",
    "导出": "export",
}
AUDIT = "/api/v1/audit"


def _admin(world: World):
    return world.person("管理员").client


@when(P('有人从地址"{address}"用{who:Who}的账号输错密码'))
def wrong_password_from(world: World, client, address: str, who: str):
    response = client.post("/api/v1/auth/token", json={"username": world.person(who).username,
                                                       "password": "wrong-password"},
                           environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 401


@then(P('管理员按操作"{label}"筛选审计日志，看到{who:Who}的 {n:d} 条记录'), target_fixture="entry")
def filtered_entries(world: World, label: str, who: str, n: int):
    response = _admin(world).get(AUDIT, query_string={"action": ACTIONS[label],
                                                      "actor": world.person(who).username})
    assert response.status_code == 200, response.json
    assert response.json["total"] == n, response.json
    return response.json["items"][0]


@then(P('该记录的来源地址是"{address}"'))
def entry_address(entry: dict, address: str):
    assert entry["address"] == address


@when(P('管理员把{who:Who}的角色改为"{role_label}"'))
def change_role(world: World, who: str, role_label: str):
    from tests.acceptance.conftest import ROLES

    person = world.person(who)
    response = _admin(world).patch(f"/api/v1/users/{person.client.user.id}", json={"role": ROLES[role_label]})
    assert response.status_code == 200, response.json


@then(P('审计日志最新一条是"{label}"，角色从"{old}"改为"{new}"'))
def latest_role_change(world: World, label: str, old: str, new: str):
    latest = _admin(world).get(AUDIT).json["items"][0]
    assert latest["action"] == ACTIONS[label]
    assert latest["before"]["role"] == old and latest["after"]["role"] == new
    assert latest["actor"] == world.person("管理员").username


@when(P("{who:Who}导出需求台帐"))
def export_ledger(world: World, who: str):
    response = world.person(who).client.get("/api/v1/ledger.xlsx")
    assert response.status_code == 200


@when(P("{who:Who}查阅审计日志"), target_fixture="response")
def read_log(world: World, who: str):
    return world.person(who).client.get(AUDIT)


@then(parsers.re(r'管理员导出的审计日志 Excel 含(?P<who>[^"\s]+?)的"(?P<label>[^"]+)"记录'))
def export_holds(world: World, who: str, label: str):
    response = _admin(world).get(AUDIT + ".xlsx", query_string={"action": ACTIONS[label]})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).worksheets[0].iter_rows(values_only=True))
    assert any(row[1] == world.person(who).username and row[7] == "/api/v1/ledger.xlsx" for row in rows), rows
