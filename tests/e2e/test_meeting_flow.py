"""A whole review meeting in a real browser: schedule, build the agenda from the queue, keep live
minutes (autosaved notes with the saved time), record decisions, finalise, then read the
requirements' new statuses, timelines and feedback on their own pages."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import User
from app.services import requirements

pytestmark = pytest.mark.e2e


def _awaiting_review(app, titles: list[tuple[str, str]]) -> list[tuple[int, str]]:
    """File requirements as the engineer and move them to awaiting_review as the manager."""
    made = []
    with app.app_context():
        engineer = db.session.scalar(db.select(User).where(User.username == "engineer"))
        manager = db.session.scalar(db.select(User).where(User.username == "manager"))
        for title, domain in titles:
            req = requirements.create(engineer, {
                "title": title, "domain": domain, "type": "functional", "priority": "high",
                "channel": "onsite", "region": "445200", "proposer_name": "李秀英",
                "proposer_unit": "揭阳市财政局国库科"})
            for to in ("assessing", "awaiting_review"):
                requirements.transition(manager, req, to)
            made.append((req.id, req.code))
        db.session.remove()
    return made


def test_manager_runs_a_review_meeting(live_server, page, sign_in, settled):
    base, app = live_server
    (a, a_code), (b, b_code), (c, c_code), (d, _d_code) = _awaiting_review(app, [
        ("跨年退款无法关联上年度支付凭证", "execution"),
        ("支付更正审核流程增加财政局复核节点", "execution"),
        ("到人到户补贴发放明细导出字段不全", "execution"),
        ("部门预算编制增加项目绩效目标模板", "budget"),
    ])
    sign_in(page, base, "manager")

    # schedule the meeting
    page.click("nav.mainnav a[href='/meetings']")
    page.wait_for_url(f"{base}/meetings")
    expect(page.locator("#meetings-empty")).to_be_visible()
    page.click("#new-meeting")
    page.wait_for_url(f"{base}/meetings/new")
    page.fill("#new-meeting-form input[name=title]", "揭阳市六月需求评审会")
    page.fill("#new-meeting-form input[name=scheduled_at]", "2099-06-18T14:30")
    page.fill("#new-meeting-form input[name=location]", "揭阳市财政局四楼会议室")
    page.click("#new-meeting-form button.primary")
    page.wait_for_url(re.compile(r".*/meetings/\d+$"))
    meeting_url = page.url
    expect(page.locator("#meeting-status")).to_have_attribute("data-status", "draft")
    expect(page.locator("#meeting-time")).to_contain_text("2099-06-18 14:30")

    # the agenda, from the awaiting-review queue filtered by domain
    settled(page)
    expect(page.locator("#queue tbody tr")).to_have_count(4)
    page.select_option("#queue-filters select[name=domain]", "execution")
    expect(page.locator("#queue tbody tr")).to_have_count(3)
    for rid in (a, b, c):
        page.check(f"#pick-{rid}")
    page.click("#add-to-agenda")
    expect(page.locator("#agenda li.agenda-item")).to_have_count(3)
    expect(page.locator("#queue #queue-empty")).to_be_visible()  # the rest is filtered out
    settled(page)
    page.click(f"#item-{a} button.move-down")
    expect(page.locator("#agenda li.agenda-item").first).to_have_attribute("data-requirement-id", str(b))
    settled(page)
    page.click(f"#item-{a} button.move-up")
    expect(page.locator("#agenda li.agenda-item").first).to_have_attribute("data-requirement-id", str(a))
    settled(page)

    # attendees with attendance
    page.fill("#attendee-form input[name=name]", "王建国")
    page.select_option("#attendee-form select[name=organization]", "provincial_team")
    page.fill("#attendee-form input[name=role]", "主持")
    page.click("#add-attendee")
    expect(page.locator("#attendees li.attendee")).to_have_count(1)
    settled(page)
    page.click("#attendees li.attendee button.presence")
    expect(page.locator("#attendees li.attendee")).to_have_attribute("data-present", "false")
    settled(page)

    # live minutes: notes autosave while typing and show the saved time
    page.locator(f"#notes-{a}").press_sequentially("省厅需求团队认为属于共性问题。", delay=10)
    saved = page.locator(f"#saved-{a}")
    expect(saved).to_have_attribute("data-state", "saved")
    expect(saved).to_have_text(re.compile(r"\d{2}:\d{2}:\d{2}"))
    settled(page)
    page.reload()
    expect(page.locator(f"#notes-{a}")).to_have_value("省厅需求团队认为属于共性问题。")

    # decisions
    page.check(f"#decision-{a} input[name=decision][value=approved]")
    page.fill(f"#decision-{a} input[name=target]", "V2026.07 迭代")
    page.click(f"#decision-{a} button.save-decision")
    expect(page.locator(f"#decision-{a}")).to_have_attribute("data-decision", "approved")
    settled(page)

    page.check(f"#decision-{b} input[name=decision][value=rejected]")
    page.click(f"#decision-{b} button.save-decision")  # no reason: refused in place
    expect(page.locator(f"#decision-{b} .field-error[data-field=reason]")).to_be_visible()
    settled(page)
    page.select_option(f"#decision-{b} select[name=canned_reason]", index=1)
    page.click(f"#decision-{b} button.save-decision")
    expect(page.locator(f"#decision-{b}")).to_have_attribute("data-decision", "rejected")
    settled(page)

    page.check(f"#decision-{c} input[name=decision][value=needs_info]")
    page.fill(f"#decision-{c} textarea[name=reason]", "请补充涉及的乡镇财政所和导出样表")
    page.click(f"#decision-{c} button.save-decision")
    expect(page.locator(f"#decision-{c}")).to_have_attribute("data-decision", "needs_info")
    settled(page)
    expect(page.locator("#decided-count")).to_have_attribute("data-decided", "3")

    page.locator("#summary").press_sequentially("通过1项，不通过1项，待补充1项。", delay=5)
    expect(page.locator("#saved-summary")).to_have_attribute("data-state", "saved")
    settled(page)

    # finalise (confirm dialog: the meeting, on 2099-06-18, has not started yet), then read-only
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.click("#finalize-btn")
    expect(page.locator("#finalised-note")).to_be_visible()
    expect(page.locator("#meeting-status")).to_have_attribute("data-status", "finalised")
    expect(page.locator("textarea.autosave")).to_have_count(0)
    expect(page.locator("form.decision-form")).to_have_count(0)
    expect(page.locator("#amendment-form")).to_be_visible()
    expect(page.locator("#finalised-early")).to_contain_text("2099-06-18 14:30")
    assert page.url == meeting_url
    assert "2099-06-18 14:30" in dialogs[0] and "尚未开始" in dialogs[0]

    # each requirement shows its new status, the meeting on its timeline and (rejected) the feedback
    for rid, status, label in ((a, "approved", "评审通过"), (b, "rejected", "评审不通过"),
                               (c, "needs_info", "待补充")):
        page.goto(f"{base}/requirements/{rid}")
        expect(page.locator("#req-status")).to_have_attribute("data-status", status)
        expect(page.locator("#req-status")).to_have_text(label)
        expect(page.locator("ol.timeline li[data-kind=transition]").last).to_contain_text("揭阳市六月需求评审会")
        expect(page.locator(f"#meetings-card li.req-meeting[data-decision={status}]")).to_have_count(1)
    expect(page.locator("#meetings-card li.feedback-item[data-decision=needs_info]")).to_have_count(1)
    page.goto(f"{base}/requirements/{b}")
    expect(page.locator("#meetings-card li.feedback-item[data-decision=rejected]")).to_have_count(1)
    # the budget item was not on the agenda and still awaits review
    page.goto(f"{base}/requirements/{d}")
    expect(page.locator("#req-status")).to_have_attribute("data-status", "awaiting_review")
    assert a_code and b_code and c_code


def test_minutes_survive_a_dropped_connection_and_locked_edits_say_so(live_server, page, sign_in):
    """An autosave that fails offline keeps the text, warns before leaving, and is sent again when
    the connection returns; an edit after someone else finalised shows a toast and a read-only block."""
    from datetime import datetime, timezone

    from app.models import AgendaItem
    from app.services import meetings

    base, app = live_server
    [(rid, _code)] = _awaiting_review(app, [("跨年退款无法关联上年度支付凭证", "execution")])
    with app.app_context():
        manager = db.session.scalar(db.select(User).where(User.username == "manager"))
        meeting = meetings.create(manager, {"title": "断网演练评审会",
                                            "scheduled_at": datetime(2099, 6, 18, 6, 30, tzinfo=timezone.utc)})
        meetings.add_to_agenda(manager, meeting, [rid])
        meetings.record_decision(manager, meeting, rid, {"decision": "approved"})
        mid = meeting.id
        db.session.remove()
    sign_in(page, base, "manager")
    page.goto(f"{base}/meetings/{mid}")
    notes = page.locator(f"#notes-{rid}")
    marker = page.locator(f"#saved-{rid}")

    page.context.set_offline(True)
    notes.fill("讨论：需省级统一改造，断网时记录")
    expect(marker).to_have_attribute("data-state", "error", timeout=5000)
    assert notes.evaluate("el => el.dataset.dirty") == "true"  # beforeunload would warn
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(marker).to_have_attribute("data-state", "saved", timeout=5000)
    assert notes.evaluate("el => el.dataset.dirty || ''") == ""
    with app.app_context():
        item = db.session.scalar(db.select(AgendaItem).where(AgendaItem.meeting_id == mid))
        assert item.notes == "讨论：需省级统一改造，断网时记录"
        # meanwhile, in another tab, the minutes are finalised
        manager = db.session.scalar(db.select(User).where(User.username == "manager"))
        meetings.finalize(manager, meetings.get_for(manager, mid), confirm_early=True)
        db.session.remove()
    page.fill("#attendee-form input[name=name]", "王建国")
    page.click("#add-attendee")
    expect(page.locator("#attendees [data-locked=true]")).to_be_visible()
    expect(page.locator("#toast")).to_contain_text("断网演练评审会")
    expect(page.locator("#attendee-form")).to_have_count(0)
    expect(page.locator("#finalised-note")).to_be_visible()


def test_printable_minutes_fit_a_phone_with_codes_on_one_line(live_server, browser, sign_in):
    """At 390 px nothing on the printable minutes scrolls sideways (it was 444 px wide) and a
    requirement code stays on one line in the table (it wrapped onto three)."""
    from datetime import datetime, timezone

    from app.services import meetings

    base, app = live_server
    made = _awaiting_review(app, [("跨年退款无法关联上年度支付凭证，国库集中支付系统提示凭证已结转", "execution"),
                                  ("支付更正审核流程增加财政局复核节点", "execution")])
    with app.app_context():
        manager = db.session.scalar(db.select(User).where(User.username == "manager"))
        meeting = meetings.create(manager, {
            "title": "揭阳市数字财政需求评审会（第一次）", "location": "揭阳市财政局四楼会议室",
            "video_link": "https://meeting.example.gov.cn/j/8652210330612345678?pwd=abcdefghijklmnop",
            "scheduled_at": datetime(2026, 6, 18, 6, 30, tzinfo=timezone.utc)})
        meetings.add_to_agenda(manager, meeting, [rid for rid, _ in made])
        meetings.record_decision(manager, meeting, made[0][0], {
            "decision": "rejected", "reason": "属于全省统一功能，不支持地市个性化定制",
            "notes": "与会人员讨论后认为可通过现有审批流配置解决，详见 https://docs.example.gov.cn/a/very/long/path"})
        meetings.add_attendee(manager, meeting, {"name": "李科长", "organization": "other", "role": "参会",
                                                 "present": False})
        meetings.add_action_item(manager, meeting, {"text": "向提出人反馈评审结论", "owner": "林晓燕",
                                                    "requirement_id": made[0][0]})
        mid = meeting.id
        db.session.remove()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    try:
        sign_in(page, base, "manager")
        page.goto(f"{base}/meetings/{mid}/minutes")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.evaluate("document.body.scrollWidth") <= 390
        expect(page.locator("dd[data-fact=组织单位]")).to_have_text("揭阳市财政局")
        codes = page.locator("table.minutes-table td.code")
        assert codes.count() == 3  # two agenda items, one action item
        for cell in codes.all():
            # the line boxes the code's text takes: one
            lines = cell.evaluate("el => { const r = document.createRange(); r.selectNodeContents(el);"
                                  " return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }")
            assert lines == 1, cell.inner_text()
    finally:
        context.close()
