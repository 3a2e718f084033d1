"""Issue 13 in a real browser (with the Content-Security-Policy on): a locked account is told
in Chinese when to try again; a city's task force reading a provincial meeting sees only its
own items and how many are hidden; signing out ends the session."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.services import meetings, requirements, users

pytestmark = pytest.mark.e2e
PASSWORD = "Browser#2026"


def test_lockout_message_after_five_wrong_passwords(live_server, page):
    base, app = live_server
    with app.app_context():
        users.create_user("guessed", PASSWORD, "engineer", "445200", "被猜的账号")
        db.session.remove()
    page.goto(f"{base}/login")
    for _ in range(5):
        page.fill("input[name=username]", "guessed")
        page.fill("input[name=password]", "wrong-password")
        page.click("form button[type=submit]")
        expect(page.locator(".alert.error")).to_contain_text("用户名或密码错误")
    page.fill("input[name=username]", "guessed")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    expect(page.locator(".alert.error")).to_contain_text("登录失败次数过多，请 15 分钟后再试。")
    assert page.url.startswith(f"{base}/login")


def test_taskforce_sees_only_its_items_of_a_provincial_meeting(live_server, page):
    base, app = live_server
    with app.app_context():
        province = users.create_user("prov_mgr", PASSWORD, "manager", "440000", "省级需求管理")
        users.create_user("jy_tf", PASSWORD, "taskforce", "445200", "揭阳专班")
        made = []
        for region, title in (("445200", "揭阳非税票据核销"), ("440100", "广州公务卡还款对账")):
            req = requirements.create(province, {
                "title": title, "domain": "execution", "type": "functional", "priority": "medium",
                "channel": "phone", "region": region, "proposer_name": "李秀英"})
            for to in ("assessing", "awaiting_review"):
                requirements.transition(province, req, to)
            made.append((req.id, req.code))
        meeting = meetings.create(province, {"title": "全省需求评审会",
                                             "scheduled_at": datetime(2099, 6, 18, 6, 30, tzinfo=timezone.utc)})
        meetings.add_to_agenda(province, meeting, [rid for rid, _ in made])
        mid = meeting.id
        db.session.remove()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "jy_tf")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/dashboard")  # the task force lands on its desk
    page.goto(f"{base}/meetings/{mid}")
    expect(page.locator("#agenda-list .agenda-item")).to_have_count(1)
    expect(page.locator(f"#agenda-list [data-code='{made[0][1]}']")).to_be_visible()
    expect(page.locator("#hidden-items")).to_have_text("另有 1 项不在您的区划范围内")
    assert made[1][1] not in page.content() and "广州公务卡还款对账" not in page.content()
    page.goto(f"{base}/meetings/{mid}/minutes")
    expect(page.locator(".items-intro")).to_contain_text("另有1项不在您的区划范围内")
    assert made[1][1] not in page.content()
    # signing out: the page is gone, going back lands on the sign-in page
    page.goto(f"{base}/requirements")
    page.locator("form[action$='/logout'] button").first.click()
    page.wait_for_url(f"{base}/login**")
    page.goto(f"{base}/meetings/{mid}")
    assert "/login" in page.url
