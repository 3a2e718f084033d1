"""Issue 12 in a real browser: typing a new requirement's title shows the similar one another
bureau already raised; the manager merges it with one click and the original keeps both
proposers; search highlights the two-character word."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import User
from app.services import requirements

pytestmark = pytest.mark.e2e


def test_similar_while_typing_then_one_click_merge_keeps_both_proposers(live_server, page, sign_in, settled):
    base, app = live_server
    with app.app_context():
        engineer = db.session.scalar(db.select(User).where(User.username == "engineer"))
        original = requirements.create(engineer, {
            "title": "直接支出更正后指标余额未回滚", "description": "更正后原指标可用余额没有恢复。",
            "domain": "execution", "type": "defect", "priority": "high", "channel": "phone",
            "region": "445200", "proposer_name": "李秀英", "proposer_unit": "揭阳市财政局国库科",
        })
        original_code, original_id = original.code, original.id

    sign_in(page, base, "engineer")
    page.goto(f"{base}/requirements/new")
    settled(page)
    page.fill("input[name=title]", "直接支出更正后余额没有回滚")
    panel = page.locator("#similar .similar-item")
    expect(panel).to_have_count(1)
    expect(panel.first).to_have_attribute("data-code", original_code)
    expect(panel.first).to_contain_text("相似度")
    page.select_option("select[name=domain]", "execution")
    page.select_option("select[name=type]", "defect")
    page.select_option("select[name=channel]", "yuezhengyi")
    page.select_option("select[name=region]", "445202")
    page.fill("input[name=proposer_name]", "陈志强")
    page.fill("input[name=proposer_unit]", "榕城区财政局")
    page.click("#new-requirement button.primary")
    page.wait_for_url(re.compile(r".*/requirements/\d+$"))
    new_code = page.locator(".crumbs .code").inner_text()

    # search finds the two-character word and marks it
    page.goto(f"{base}/requirements")
    settled(page)
    page.fill("#q", "余额")
    expect(page.locator("table.list tbody tr")).to_have_count(2)
    expect(page.locator("table.list td.title mark").first).to_have_text("余额")

    page.context.clear_cookies()  # sign out; the manager signs in
    sign_in(page, base, "manager")
    page.goto(f"{base}/requirements/duplicates")
    group = page.locator(f".dup-group[data-original='{original_code}']")
    expect(group.locator(f".dup-item[data-code='{new_code}']")).to_have_count(1)
    group.locator(f".dup-item[data-code='{new_code}'] button[type=submit]").click()
    expect(page.locator("#groups .alert.success")).to_contain_text(f"{new_code} 已合并到 {original_code}")

    page.goto(f"{base}/requirements/{original_id}")
    card = page.locator("#proposers-card")
    expect(card.locator("li.proposer")).to_have_count(2)
    expect(card).to_contain_text("李秀英")
    expect(card).to_contain_text("陈志强")
    expect(card.locator(".reach")).to_have_text("1 个地市的 2 个单位提出")
    expect(page.locator("ol.timeline li[data-kind=merged_in]")).to_have_count(1)
