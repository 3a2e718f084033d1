"""The main intake flow in a real browser: sign in, file, find, move to assessing."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_engineer_files_finds_and_starts_assessment(live_server, page, sign_in, settled):
    base, app = live_server
    sign_in(page, base, "engineer")
    expect(page.locator("h1")).to_have_text("需求列表")

    page.click("a.button.primary")  # 登记需求
    page.wait_for_url(f"{base}/requirements/new")
    # Submitting with the title missing shows the error in place (422), nothing is stored.
    page.select_option("select[name=domain]", "execution")
    page.select_option("select[name=type]", "defect")
    page.select_option("select[name=channel]", "phone")
    page.fill("input[name=proposer_name]", "李秀英")
    page.evaluate("document.querySelector('input[name=title]').removeAttribute('required')")
    page.click("#new-requirement button.primary")
    expect(page.locator(".field-error[data-field=title]")).to_be_visible()
    expect(page.locator(".field-error[data-field=title]")).to_have_text("此项为必填项。")

    page.fill("input[name=title]", "跨年退款无法关联上年度支付凭证")
    page.fill("textarea[name=description]", "年初办理跨年退款时检索不到上年度凭证。")
    page.click("#new-requirement button.primary")
    page.wait_for_url(re.compile(r".*/requirements/\d+$"))
    expect(page.locator("#req-status")).to_have_attribute("data-status", "submitted")
    expect(page.locator("#req-status")).to_have_text("已登记")
    code = page.locator(".crumbs .code").inner_text()
    assert re.fullmatch(r"REQ-\d{4}-\d{4}", code)

    # Find it again with the active search box: results swap in and the URL is pushed.
    page.click("nav.mainnav a[href='/requirements']")
    page.wait_for_url(f"{base}/requirements")
    settled(page)
    page.fill("#q", "跨年退款")
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=%E8%B7%A8"))
    page.click(f"table.list a:has-text('{code}')")
    page.wait_for_url(re.compile(r".*/requirements/\d+$"))

    # Move it to assessing; the status, actions and timeline update in place.
    page.click("button.transition-btn[data-to=assessing]")
    expect(page.locator("#req-status")).to_have_attribute("data-status", "assessing")
    expect(page.locator("#req-status")).to_have_text("分析评估中")
    expect(page.locator("ol.timeline li[data-kind=transition]")).to_have_count(1)
    expect(page.locator("ol.timeline li[data-kind=transition] .summary")).to_contain_text("已登记 → 分析评估中")

    # The page read the database, not a cached answer: a reload shows the same.
    page.reload()
    expect(page.locator("#req-status")).to_have_attribute("data-status", "assessing")


def test_manager_edits_inline_and_comments(live_server, page, sign_in):
    base, app = live_server
    sign_in(page, base, "engineer")
    page.goto(f"{base}/requirements/new")
    page.fill("input[name=title]", "到人到户补贴发放明细导出字段不全")
    page.select_option("select[name=domain]", "execution")
    page.select_option("select[name=type]", "optimization")
    page.select_option("select[name=channel]", "yuezhengyi")
    page.fill("input[name=proposer_name]", "吴海燕")
    page.click("#new-requirement button.primary")
    page.wait_for_url(re.compile(r".*/requirements/\d+$"))
    detail_url = page.url
    page.context.clear_cookies()

    sign_in(page, base, "manager")
    page.goto(detail_url)
    page.click("#fields-panel button:has-text('编辑')")
    page.select_option("select[name=priority]", "urgent")
    page.select_option("select[name=needs_custom_dev]", "yes")
    page.click("#fields-panel button.primary")
    expect(page.locator("#fields-panel dl.fields")).to_contain_text("紧急")
    expect(page.locator("ol.timeline li[data-kind=field_changed]")).to_have_count(2)

    page.fill("#comment-form textarea[name=body]", "已电话联系提出人确认导出字段。")
    page.click("#comment-form button[type=submit]")
    expect(page.locator("ol.timeline li[data-kind=comment] .summary")).to_have_text("已电话联系提出人确认导出字段。")
    expect(page.locator("#comment-form textarea[name=body]")).to_have_value("")


def test_requirement_page_fits_a_phone(live_server, browser, sign_in):
    """At 390px the page does not scroll sideways and the workflow comes before the timeline."""
    base, app = live_server
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    try:
        sign_in(page, base, "engineer")
        page.goto(f"{base}/requirements/new")
        page.fill("input[name=title]", "统一门户单点登录后偶发跳转空白页" + "https://portal.example/very/long/path" * 5)
        page.select_option("select[name=domain]", "portal")
        page.select_option("select[name=type]", "defect")
        page.select_option("select[name=channel]", "ops_platform")
        page.fill("input[name=proposer_name]", "张国强")
        page.click("#new-requirement button.primary")
        page.wait_for_url(re.compile(r".*/requirements/\d+$"))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        actions = page.locator("#actions-card").bounding_box()
        timeline = page.locator("#timeline-card").bounding_box()
        assert actions["y"] < timeline["y"]
    finally:
        context.close()
