"""The top bar in a real browser: on a 390 px phone it is one short row with a "菜单" button that
opens the links (and the user box); on a wide screen the links sit inline and the admin links
are grouped under "管理"."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.services import users
from tests.e2e.conftest import PASSWORD

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def site(live_server):
    base, app = live_server
    with app.app_context():
        users.create_user("nav_admin", PASSWORD, "admin", "440000", "周管理")
    return base


def _context(browser, viewport, **extra):
    context = browser.new_context(viewport=viewport, locale="zh-CN", **extra)
    refused: list[str] = []
    context.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return context, refused


def test_phone_top_bar_is_one_row_and_the_menu_button_opens_it(site, browser, sign_in, tmp_path):
    base = site
    context, refused = _context(browser, PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, base, "nav_admin")
        bar = page.locator("header.topbar")
        toggle = bar.locator("button.nav-toggle")
        expect(toggle).to_be_visible()
        expect(toggle).to_have_text("菜单")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(toggle).to_have_attribute("aria-controls", "topbar-panel")
        expect(page.locator("nav.mainnav a[href='/releases']")).to_be_hidden()
        expect(bar.locator(".userbox")).to_be_hidden()
        assert bar.bounding_box()["height"] < 70, bar.bounding_box()
        page.screenshot(path=str(tmp_path / "nav-phone-closed.png"))

        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        link = page.locator("nav.mainnav a[data-nav='releases']")
        expect(link).to_be_visible()
        expect(bar.locator(".userbox button.link")).to_be_visible()  # sign out is in the panel
        # the admin links are behind "管理" inside the menu
        admin = page.locator("nav.mainnav a[href='/admin/users']")
        expect(admin).to_be_hidden()
        bar.locator("#nav-admin > summary").click()
        expect(admin).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(tmp_path / "nav-phone-open.png"), full_page=True)
        admin.click()
        page.wait_for_url(f"{base}/admin/users")
        # the page reached (through a boosted link) starts with the menu closed; it opens again
        toggle = page.locator("header.topbar button.nav-toggle")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        toggle.click()
        page.locator("nav.mainnav a[data-nav='releases']").click()
        page.wait_for_url(f"{base}/releases")
        expect(page.locator("nav.mainnav a[data-nav='releases']")).to_be_hidden()
        # Escape closes an open menu
        page.locator("header.topbar button.nav-toggle").click()
        expect(page.locator("nav.mainnav a[data-nav='scenarios']")).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.locator("nav.mainnav a[data-nav='scenarios']")).to_be_hidden()
    finally:
        context.close()
    assert not refused, refused


def test_wide_screen_shows_links_inline_and_admin_as_a_dropdown(site, browser, sign_in, tmp_path):
    base = site
    context, refused = _context(browser, DESKTOP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, base, "nav_admin")
        bar = page.locator("header.topbar")
        expect(bar.locator("button.nav-toggle")).to_be_hidden()
        for nav in ("dashboard", "scenarios", "releases", "stats", "reports"):
            expect(page.locator(f"nav.mainnav a[data-nav='{nav}']")).to_be_visible()
        expect(bar.locator(".userbox .who")).to_be_visible()
        assert bar.bounding_box()["height"] < 60, bar.bounding_box()
        summary = bar.locator("#nav-admin > summary")
        expect(summary).to_have_text("管理")
        calendar = page.locator("nav.mainnav a[href='/admin/calendar']")
        expect(calendar).to_be_hidden()
        summary.click()
        expect(calendar).to_be_visible()
        page.screenshot(path=str(tmp_path / "nav-desktop-open.png"))
        # a click elsewhere closes the dropdown
        page.locator("main").click(position={"x": 5, "y": 5})
        expect(calendar).to_be_hidden()
        summary.click()
        calendar.click()
        page.wait_for_url(f"{base}/admin/calendar")
    finally:
        context.close()
    assert not refused, refused


def test_manager_sees_no_admin_group(live_server, page, sign_in):
    base, _app = live_server
    sign_in(page, base, "manager")
    expect(page.locator("nav.mainnav a[data-nav='releases']")).to_be_visible()
    expect(page.locator("#nav-admin")).to_have_count(0)


def test_release_page_holds_the_accept_button_while_blocked(live_server, browser, sign_in, tmp_path):
    """A release in acceptance whose run has not been executed: '验收通过' is shown disabled, with
    what blocks it, and the page still fits a phone."""
    import os

    from sqlalchemy import select

    from app.extensions import db
    from app.models import User
    from app.services import scenarios, verification

    base, app = live_server
    reports = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "reports")
    with app.app_context():
        engineer = db.session.scalar(select(User).where(User.username == "engineer"))
        manager = db.session.scalar(select(User).where(User.username == "manager"))
        with open(os.path.join(reports, "features", "payments", "correction.feature"), encoding="utf-8") as fh:
            scenarios.import_feature(engineer, "payments/correction.feature", fh.read())
        release = verification.create_release(manager, {"version": "V2026.11", "name": "11月迭代"})
        verification.create_run(manager, release, {"environment": "acceptance", "region": "445200",
                                                   "tags": "@执行域"})
        release_id = release.id
    context, refused = _context(browser, PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, base, "manager")
        page.goto(f"{base}/releases/{release_id}")
        button = page.locator("#release-actions button[data-to=accepted]")
        expect(button).to_be_disabled()
        blockers = page.locator("#accept-blockers")
        expect(blockers).to_be_visible()
        expect(blockers).to_contain_text("以下事项解决后方可验收通过")
        expect(blockers.locator("li").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        button.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "release-phone.png"))
    finally:
        context.close()
    assert not refused, refused
