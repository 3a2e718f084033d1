"""Closing the loop with the proposer in a real browser: a rejected requirement's feedback is
drafted on its page (the status link put in when copied), delivered by SMS and its feedback clock
stops; a locally resolved requirement the proposer is not satisfied with is reopened."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Feedback, User
from app.services import requirements

pytestmark = pytest.mark.e2e

FIELDS = {"description": "", "domain": "execution", "module": "", "type": "optimization", "priority": "medium",
          "channel": "phone", "proposer_name": "李秀英", "region": "445200"}


def _setup(app):
    with app.app_context():
        engineer = db.session.scalar(select(User).where(User.username == "engineer"))
        manager = db.session.scalar(select(User).where(User.username == "manager"))
        rejected = requirements.create(engineer, {**FIELDS, "title": "增加预算单位自定义报表"})
        resolved = requirements.create(engineer, {**FIELDS, "title": "支付明细导出缺少科目列"})
        # rejected outside a meeting (with the reason): the proposer gets a feedback record
        for to, reason in (("assessing", None), ("awaiting_review", None), ("rejected", "与省级统一规划不符")):
            requirements.transition(manager, rejected, to, reason)
        for to in ("assessing", "resolved_locally"):
            requirements.transition(manager, resolved, to)
        feedback_id = db.session.scalar(select(Feedback.id).where(Feedback.requirement_id == rejected.id))
        return (rejected.id, rejected.code, feedback_id), (resolved.id, resolved.code)


def test_feedback_is_drafted_delivered_and_the_clock_stops(live_server, page, sign_in):
    base, app = live_server
    (req_id, code, feedback_id), _ = _setup(app)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    sign_in(page, base, "engineer")
    page.goto(f"{base}/requirements/{req_id}")
    expect(page.locator("#sla-card li[data-clock=feedback]")).to_have_attribute("data-state", "running")
    card = page.locator("#proposer-loop")
    draft = card.locator(f"#draft-{feedback_id}")
    text = draft.input_value()
    assert f"（编号：{code}）" in text and "暂不采纳" in text and "原因：与省级统一规划不符" in text, text
    assert "【状态链接】" not in text

    # a status link created on the page: the draft says where it goes, the copy puts it in
    page.locator("#share-link-create").click()
    link = page.locator("#share-link-url")
    expect(link).to_be_visible()
    expect(card.locator(".hint")).to_contain_text("【状态链接】")
    url = link.input_value()
    card.locator("button.copy-draft").click()
    button = card.locator("button.copy-draft")
    expect(button).to_have_attribute("data-copy-result", "copied")
    copied = button.get_attribute("data-copied-text")
    assert url in copied and "【状态链接】" not in copied and code in copied, copied
    expect(card.locator(".copy-status")).to_have_text("已复制")

    form = card.locator(f"form.feedback-delivery[data-feedback-id='{feedback_id}']")
    form.locator("select[name=channel]").select_option("sms")
    form.locator("input[name=note]").fill("短信已发送给李秀英")
    form.locator("button[type=submit]").click()
    delivered = page.locator(f"#proposer-loop article[data-feedback-id='{feedback_id}']")
    expect(delivered).to_have_attribute("data-delivered", "true")
    expect(delivered).to_contain_text("通过短信送达")
    expect(page.locator("#sla-card li[data-clock=feedback]")).to_have_attribute("data-state", "met")
    expect(page.locator("#timeline li[data-kind=feedback_delivered]")).to_contain_text("短信已发送给李秀英")


def test_not_satisfied_reopens_the_requirement(live_server, page, sign_in):
    base, app = live_server
    _, (req_id, _code) = _setup(app)
    sign_in(page, base, "engineer")
    page.goto(f"{base}/requirements/{req_id}")
    expect(page.locator("#req-status")).to_have_attribute("data-status", "resolved_locally")
    form = page.locator("#confirmation-form")
    expect(page.locator("#sla-card li[data-clock=confirmation]")).to_have_attribute("data-state", "running")
    form.locator("input[value=not_satisfied]").check()
    form.locator("button[type=submit]").click()
    # no reason: the card answers with the error, nothing recorded
    expect(page.locator("#proposer-loop .field-error[data-field=reason]")).to_contain_text("请填写提出人不满意的原因")
    expect(page.locator("#req-status")).to_have_attribute("data-status", "resolved_locally")
    form = page.locator("#confirmation-form")
    expect(form.locator("input[value=not_satisfied]")).to_be_checked()
    form.locator("textarea[name=reason]").fill("导出后仍缺少科目列")
    form.locator("button[type=submit]").click()
    expect(page.locator("#req-status")).to_have_attribute("data-status", "assessing")
    expect(page.locator("#confirmation-form")).to_have_count(0)
    expect(page.locator("#timeline li[data-kind=transition]", has_text="提出人不满意，已重新打开")).to_have_count(1)
    expect(page.locator("#sla-card li[data-clock=confirmation]")).to_have_attribute("data-state", "met")

    page.goto(f"{base}/opinions")
    expect(page.locator("#opinion-list")).to_contain_text("导出后仍缺少科目列")


def test_the_card_fits_a_phone(live_server, browser):
    base, app = live_server
    (rejected_id, _code, _feedback_id), (resolved_id, _) = _setup(app)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    try:
        phone = context.new_page()
        phone.set_default_timeout(10_000)
        phone.goto(f"{base}/login")
        phone.fill("input[name=username]", "engineer")
        phone.fill("input[name=password]", "Browser#2026")
        phone.click("form button[type=submit]")
        phone.wait_for_url(f"{base}/requirements")
        for req_id, part in ((rejected_id, "textarea.draft-text"), (resolved_id, "#confirmation-form")):
            phone.goto(f"{base}/requirements/{req_id}")
            expect(phone.locator(f"#proposer-loop {part}")).to_be_visible()
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{width} px wide"
    finally:
        context.close()
