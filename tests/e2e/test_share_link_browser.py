"""Proposer status link in a real browser: the engineer creates it on the requirement page
(htmx swaps the card, the URL shown once), then a fresh browser (no cookies) on a 390 px phone
opens it without signing in and reads the status page in Chinese, nothing scrolling sideways."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services import requirements

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def test_engineer_creates_link_and_proposer_opens_it_on_a_phone(live_server, page, browser, sign_in):
    base, app = live_server
    with app.app_context():
        engineer = db.session.scalar(select(User).where(User.username == "engineer"))
        req = requirements.create(engineer, {
            "title": "直接支出更正后指标余额未回滚，导致后续支付无法发起", "description": "", "domain": "execution",
            "module": "", "type": "defect", "priority": "high", "channel": "phone", "proposer_name": "李秀英",
            "region": "445200"})
        req_id, code = req.id, req.code

    sign_in(page, base, "engineer")
    page.goto(f"{base}/requirements/{req_id}")
    card = page.locator("#share-link-card")
    expect(card.locator("#share-link-create")).to_have_text("生成链接")
    card.locator("#share-link-create").click()
    url_box = card.locator("#share-link-url")
    expect(url_box).to_be_visible()
    expect(card.locator("#share-link-revoke")).to_be_visible()  # swapped in by htmx, no reload
    expect(page).to_have_url(f"{base}/requirements/{req_id}")
    url = url_box.input_value()
    assert url.startswith(f"{base}/p/"), url

    proposer = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    try:
        assert proposer.cookies() == []
        phone = proposer.new_page()
        phone.set_default_timeout(10_000)
        refused: list[str] = []
        phone.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        response = phone.goto(url)
        assert response is not None and response.status == 200
        expect(phone).to_have_url(url)  # not sent to the sign-in page
        expect(phone.locator("html")).to_have_attribute("lang", "zh-CN")
        expect(phone.locator("#share-code")).to_have_text(code)
        expect(phone.locator("#share-state")).to_have_text("已登记")
        expect(phone.locator("#share-history h2")).to_have_text("办理进展")
        expect(phone.locator("#share-history li[data-kind=filed]")).to_have_count(1)
        expect(phone.locator("#share-history li[data-kind=filed]")).to_contain_text("需求已受理登记")
        expect(phone.locator("input[name=password]")).to_have_count(0)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{width} px wide"
        assert not refused, refused
    finally:
        proposer.close()
