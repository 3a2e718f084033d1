"""The audit log in a real browser: a failed sign-in and a role change show up; the administrator
opens 审计日志 from 管理, filters, reads before → after, downloads the .xlsx; at 390 px the page
does not scroll sideways."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services import users
from tests.e2e.conftest import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def site(live_server):
    base, app = live_server
    with app.app_context():
        admin = users.create_user("audit_admin", PASSWORD, "admin", "440000", "周管理")
        target = db.session.scalar(select(User).where(User.username == "engineer"))
        with app.test_request_context("/admin/users", method="POST", environ_base={"REMOTE_ADDR": "198.51.100.4"}):
            users.admin_update(admin, target.id, {"role": "manager"})
    return base


def test_admin_opens_filters_and_downloads_the_audit_log(site, page, sign_in, browser, tmp_path):
    base = site
    # someone tries the engineer's account with a wrong password
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "engineer")
    page.fill("input[name=password]", "wrong-password")
    page.click("form button[type=submit]")
    expect(page.locator(".alert.error")).to_be_visible()

    sign_in(page, base, "audit_admin")
    page.locator("#nav-admin > summary").click()
    page.locator("#nav-admin .nav-group-links a[href='/admin/audit']").click()
    page.wait_for_url(f"{base}/admin/audit")
    expect(page.locator("h1")).to_have_text("审计日志")
    expect(page.locator("tr.audit-entry").first).to_be_visible()

    # filter: failed sign-ins only
    page.select_option("#audit-filters select[name=action]", "sign_in_failed")
    page.click("#audit-filters button[type=submit]")
    page.wait_for_url("**/admin/audit?*action=sign_in_failed*")
    rows = page.locator("tr.audit-entry")
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".audit-actor")).to_have_text("engineer")
    expect(rows.first.locator(".audit-action")).to_have_text("登录失败")

    # the role change reads as before → after
    page.goto(f"{base}/admin/audit?action=user_update")
    change = page.locator("tr.audit-entry").first.locator(".audit-changes li")
    expect(change).to_contain_text("角色")
    expect(change.locator("del")).to_have_text("驻场工程师")
    expect(change.locator("ins")).to_have_text("需求管理人员")
    expect(page.locator("tr.audit-entry").first.locator(".audit-origin")).to_contain_text("198.51.100.4")

    # the export holds what the filter shows
    with page.expect_download() as info:
        page.click("#audit-export")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / "audit.xlsx"
    download.save_as(path)
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert any(row[1] == "audit_admin" and row[2] == "修改用户" for row in rows), rows

    # on a phone: no sideways scroll
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                has_touch=True)
    small = phone.new_page()
    small.set_default_timeout(10_000)
    try:
        sign_in(small, base, "audit_admin")
        small.goto(f"{base}/admin/audit")
        expect(small.locator("tr.audit-entry").first).to_be_visible()
        assert small.evaluate("document.documentElement.scrollWidth") <= 390
        assert small.evaluate("document.body.scrollWidth") <= 390
        small.screenshot(path=str(tmp_path / "audit-phone.png"), full_page=True)
    finally:
        phone.close()
