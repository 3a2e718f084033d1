"""The audit log page (issue 13): administrators only, linked under 管理, filters, pages, before →
after shown readably, the .xlsx; the pages' own sign-ins, sign-outs and form writes recorded once."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry

ADDRESS = "192.0.2.7"  # where the page sign-ins come from


def _actions(app, **where):
    with app.app_context():
        stmt = select(AuditEntry.action).order_by(AuditEntry.id)
        for key, value in where.items():
            stmt = stmt.where(getattr(AuditEntry, key) == value)
        return list(db.session.scalars(stmt))


def test_only_administrators_see_the_page_and_its_link(app, make_user, login):
    make_user("audit.admin", "admin", "440000")
    make_user("audit.mgr", "manager", "440000")
    admin = login("audit.admin", ADDRESS)
    page = admin.get("/requirements").get_data(as_text=True)
    assert re.search(r'id="nav-admin".*href="/admin/audit"', page, re.S)
    manager = login("audit.mgr", ADDRESS)
    assert 'href="/admin/audit"' not in manager.get("/requirements").get_data(as_text=True)
    assert manager.get("/admin/audit").status_code == 403
    assert manager.get("/admin/audit.xlsx").status_code == 403
    html = admin.get("/admin/audit").get_data(as_text=True)
    assert "审计日志" in html and "登录" in html  # Chinese by default: the page and the action names


def test_page_sign_ins_writes_and_sign_out_are_recorded_once(app, make_user, login):
    make_user("audit.admin", "admin", "440000")
    client = app.test_client()
    assert client.post("/login", data={"username": "audit.admin", "password": "wrong-password"}).status_code == 422
    admin = login("audit.admin", ADDRESS)
    created = admin.post("/admin/users", data={"username": "page.user", "password": "Long#Pass2026",
                                               "role": "engineer", "region": "445200"})
    assert created.status_code == 303
    assert admin.post("/logout").status_code == 302
    assert _actions(app)[1:] == ["sign_in_failed", "sign_in", "user_create", "sign_out"]  # [0]: make_user
    assert _actions(app, address="192.0.2.7") == ["sign_in", "user_create", "sign_out"]


def test_page_form_writes_are_recorded_once(app, make_user, filed, login):
    make_user("audit.admin", "admin", "440000")
    admin = login("audit.admin", ADDRESS)
    # reference data: a setting, with its values
    response = admin.post("/admin/reference/domain", data={"code": "audit_x", "label": "审计测试", "label_en": "Audit"})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert _actions(app, path="/admin/reference/domain") == ["settings"]
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.path == "/admin/reference/domain")).one()
        assert (entry.target_type, entry.target_id, entry.after["label"]) == ("lookup", "domain:audit_x", "审计测试")
    # any other form: one generic change entry
    req = filed()
    make_user("page.eng", "engineer", "445200")
    engineer = login("page.eng", ADDRESS)
    path = f"/requirements/{req['id']}/comments"
    assert engineer.post(path, data={"body": "现场已确认"}).status_code < 400
    assert _actions(app, path=path) == ["write"]


def test_filters_before_after_and_export(app, api, make_user, login):
    make_user("audit.admin", "admin", "440000")
    user = make_user("role.change", "engineer", "445200")
    assert api("admin", "440000").patch(f"/api/v1/users/{user.id}", json={"role": "manager"}).status_code == 200
    admin = login("audit.admin", ADDRESS)
    html = admin.get("/admin/audit", query_string={"action": "user_update"}).get_data(as_text=True)
    assert "role.change" in html
    assert re.search(r'<span class="audit-field">角色</span>: <del>驻场工程师</del> → <ins>需求管理人员</ins>', html)
    assert 'data-action="sign_in"' not in html
    assert 'href="/admin/audit.xlsx?action=user_update"' in html
    # the text search and the user filter
    assert 'data-action="user_update"' in admin.get("/admin/audit", query_string={"q": "role.change"}).get_data(as_text=True)
    only = admin.get("/admin/audit", query_string={"actor": "audit.admin"}).get_data(as_text=True)
    assert 'data-action="sign_in"' in only and 'data-action="user_update"' not in only
    # a bad filter is reported on its field, the rest still applies (never a 500)
    bad = admin.get("/admin/audit", query_string={"from": "not-a-day", "action": "user_update"})
    assert bad.status_code == 200 and 'data-field="from"' in bad.get_data(as_text=True)
    export = admin.get("/admin/audit.xlsx", query_string={"action": "user_update"})
    assert export.status_code == 200 and export.data[:2] == b"PK"
    assert _actions(app)[-1] == "export"


def test_the_page_is_paginated_and_htmx_gets_the_rows(app, make_user, client, login):
    make_user("audit.admin", "admin", "440000")
    for _ in range(4):
        client.post("/login", data={"username": "ghost", "password": "wrong-password"})
    admin = login("audit.admin", ADDRESS)
    first = admin.get("/admin/audit", query_string={"per_page": 2, "action": "sign_in_failed"}).get_data(as_text=True)
    assert first.count('class="audit-entry"') == 2 and "第 1 页，共 2 页" in first
    assert re.search(r"/admin/audit\?[^\"]*\bpage=2", first) and "action=sign_in_failed" in first
    rows = admin.get("/admin/audit", query_string={"page": 2, "per_page": 2, "action": "sign_in_failed"},
                     headers={"HX-Request": "true"}).get_data(as_text=True)
    assert rows.lstrip().startswith('<section id="audit-list">') and rows.count('class="audit-entry"') == 2
