"""In a real browser: the bell shows the unread count, picks up a new notification without a
reload (htmx polling), and clears once everything is marked read; watching from the page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services import requirements

pytestmark = pytest.mark.e2e


def _users(app):
    with app.app_context():
        engineer = db.session.scalar(select(User).where(User.username == "engineer"))
        manager = db.session.scalar(select(User).where(User.username == "manager"))
        return engineer.id, manager.id


def _comment(app, req_id: int, body: str) -> None:
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.username == "manager"))
        requirements.comment(manager, requirements.get_for(manager, req_id), body)


def test_bell_counts_polls_and_clears(live_server, page, sign_in):
    base, app = live_server
    app.config["NOTIFICATION_POLL_SECONDS"] = 1
    try:
        with app.app_context():
            engineer = db.session.scalar(select(User).where(User.username == "engineer"))
            req = requirements.create(engineer, {
                "title": "直接支出更正后指标余额未回滚", "description": "", "domain": "execution", "module": "",
                "type": "defect", "priority": "high", "channel": "phone", "proposer_name": "李秀英",
                "region": "445200"})
            req_id, code = req.id, req.code
        _comment(app, req_id, "请补充截图")

        sign_in(page, base, "engineer")
        count = page.locator("#bell .bell-count")
        expect(count).to_have_text("1")
        # a new comment arrives while the page stays open: the bell updates by itself
        _comment(app, req_id, "已受理，正在分析")
        expect(count).to_have_text("2", timeout=8_000)

        page.click("#bell-link")
        page.wait_for_url(f"{base}/notifications")
        expect(page.locator(".notification.unread")).to_have_count(2)
        expect(page.locator(".notification").first).to_contain_text(f"林晓燕 评论了 {code}")
        page.click("#read-all")
        expect(page.locator(".notification.unread")).to_have_count(0)
        expect(page.locator("#bell .bell-count")).to_have_count(0)
    finally:
        app.config.pop("NOTIFICATION_POLL_SECONDS", None)


def test_watch_from_the_requirement_page(live_server, page, sign_in):
    base, app = live_server
    with app.app_context():
        engineer = db.session.scalar(select(User).where(User.username == "engineer"))
        req = requirements.create(engineer, {
            "title": "跨年退款无法生成凭证", "description": "", "domain": "execution", "module": "",
            "type": "defect", "priority": "high", "channel": "phone", "proposer_name": "李秀英", "region": "445200"})
        req_id = req.id
    sign_in(page, base, "reviewer")
    page.goto(f"{base}/requirements/{req_id}")
    expect(page.locator("#watch-button")).to_have_text("关注")
    page.click("#watch-button")
    expect(page.locator("#watch-button")).to_have_text("取消关注")
    _comment(app, req_id, "关注者会收到")
    page.reload()
    expect(page.locator("#bell .bell-count")).to_have_text("1")


def test_notifications_page_fits_a_phone(live_server, page, sign_in):
    base, app = live_server
    with app.app_context():
        engineer = db.session.scalar(select(User).where(User.username == "engineer"))
        req = requirements.create(engineer, {
            "title": "单位会计核算月结时提示凭证断号，且无法继续办理后续的结账业务" * 2, "description": "",
            "domain": "execution", "module": "", "type": "defect", "priority": "high", "channel": "phone",
            "proposer_name": "李秀英", "region": "445200"})
        req_id = req.id
    _comment(app, req_id, "请补充截图")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "engineer")
    expect(page.locator("#bell .bell-count")).to_be_visible()  # outside the folded menu
    for path in ("/notifications", f"/requirements/{req_id}"):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    expect(page.locator("#watch-button")).to_be_visible()
