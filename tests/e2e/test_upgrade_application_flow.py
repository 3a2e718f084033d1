"""The upgrade application and announcement in a real browser (issue 9): an accepted release's
move to 已提交升级申请 is refused naming the empty sections, the emergency plan is filled on its
page, the release moves, the window is set, the announcement is written and published, and
every signed-in user reads it on the announcements page (also at 390 px)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.release_kit import APPLICATION, accepted_release

pytestmark = pytest.mark.e2e


def test_application_then_upgrade_requested_then_announcement(live_server, page, sign_in, api, filed, browser, settled):
    base, _app = live_server
    rid = accepted_release(api("manager", "445200"), api("reviewer", "440000"), filed(title="直接支出更正")["id"])
    sign_in(page, base, "manager")

    page.goto(f"{base}/releases/{rid}")
    expect(page.locator("#release-status")).to_have_attribute("data-status", "accepted")
    expect(page.locator("#release-application-state")).to_have_attribute("data-complete", "false")
    # held while the plan is empty, naming the sections (the service answers 409 as well)
    expect(page.locator("#release-actions button[data-to=upgrade_requested]")).to_be_disabled()
    expect(page.locator("#application-blockers")).to_contain_text("回退方案")

    page.click("#application-blockers a")
    expect(page.locator("#application-form")).to_be_visible()
    expect(page.locator("#application-requirements")).to_contain_text("直接支出更正")
    for key, value in APPLICATION.items():
        page.fill(f"#application-form textarea[name={key}]", value)
    page.click("#application-form button[type=submit]")
    expect(page.locator("#application-saved")).to_be_visible()
    expect(page.locator("#application-complete")).to_be_visible()

    page.goto(f"{base}/releases/{rid}")
    expect(page.locator("#release-application-state")).to_have_attribute("data-complete", "true")
    page.click("#release-actions button[data-to=upgrade_requested]")
    expect(page.locator("#release-status")).to_have_attribute("data-status", "upgrade_requested")

    page.fill("#window-form input[name=start]", "2026-12-19T22:00")
    page.fill("#window-form input[name=end]", "2026-12-20T06:00")
    page.click("#window-form button[type=submit]")
    expect(page.locator("#window-start")).to_contain_text("2026-12-19 22:00")

    page.click("#release-announcement-link")
    expect(page.locator("#announcement-form textarea[name=body]")).to_contain_text("2026年12月19日 22:00")
    page.fill("#announcement-form input[name=title]", "V2026.12版本升级公告")
    page.click("#announcement-publish")
    expect(page.locator("#announcement-state")).to_have_attribute("data-published", "true")
    settled(page)

    page.click("nav.mainnav a[data-nav=announcements]")
    expect(page.locator("#announcement-list article").first).to_contain_text("V2026.12版本升级公告")

    # another signed-in user reads it, on a phone without sideways scrolling
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    other = phone.new_page()
    sign_in(other, base, "engineer")
    other.goto(f"{base}/announcements")
    expect(other.locator("#announcement-list article").first).to_contain_text("2026年12月19日 22:00")
    assert other.evaluate("() => document.documentElement.scrollWidth") <= 390
    other.goto(f"{base}/releases/{rid}/upgrade-application")
    expect(other.locator("#application-read")).to_contain_text(APPLICATION["rollback"])
    assert other.evaluate("() => document.documentElement.scrollWidth") <= 390
    phone.close()
    # the manager's forms fit a phone too
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    mobile = phone.new_page()
    sign_in(mobile, base, "manager")
    for path in (f"/releases/{rid}/upgrade-application", f"/releases/{rid}/announcement", f"/releases/{rid}"):
        mobile.goto(f"{base}{path}")
        assert mobile.evaluate("() => document.documentElement.scrollWidth") <= 390, path
    mobile.screenshot(path="/tmp/me/release_phone.png", full_page=True)
    phone.close()


def test_freeze_periods_admin_page(live_server, page, sign_in):
    from app.services import users
    from tests.e2e.conftest import PASSWORD

    base, app = live_server
    with app.app_context():
        users.create_user("freeze_admin", PASSWORD, "admin", "440000", "周管理")
    sign_in(page, base, "freeze_admin")
    page.goto(f"{base}/requirements")
    page.click("#nav-admin summary")
    page.click("#nav-admin .nav-group-links a[href='/admin/freeze-periods']")
    expect(page.locator("h1")).to_contain_text("封网期")

    page.fill("#freeze-form input[name=name]", "年终决算")
    page.fill("#freeze-form input[name=start]", "2027-01-03 00:00")
    page.fill("#freeze-form input[name=end]", "2026-12-31 00:00")
    page.click("#freeze-form button[type=submit]")
    expect(page.locator("#freeze-errors")).to_contain_text("结束时间必须晚于开始时间")
    page.fill("#freeze-form input[name=start]", "2026-12-31 00:00")
    page.fill("#freeze-form input[name=end]", "2027-01-03 00:00")
    page.click("#freeze-form button[type=submit]")
    row = page.locator("#freeze-table tbody tr").first
    expect(row).to_contain_text("年终决算")

    row.locator("a.button").click()
    expect(page.locator("#freeze-form-card h2")).to_contain_text("修改封网期 年终决算")
    page.fill("#freeze-form input[name=name]", "元旦封网")
    page.click("#freeze-form button[type=submit]")
    expect(page.locator("#freeze-table tbody tr").first).to_contain_text("元旦封网")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#freeze-table tbody tr").first.locator("button.danger").click()
    expect(page.locator("#freeze-table")).to_have_count(0)
    expect(page.locator("#freeze-page")).to_contain_text("暂无封网期")
