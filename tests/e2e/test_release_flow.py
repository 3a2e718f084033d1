"""A release in a real browser: an acceptance run with one failure, the failing requirement
taken out, a waiver, both sign-offs in order, `accepted`; the requirements end `verified` and
`verification_failed` as their scenarios say."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Requirement, User
from app.services import releases, requirements, scenarios, verification
from tests.release_kit import feature_text

pytestmark = pytest.mark.e2e


def _approved(manager, title: str) -> Requirement:
    req = requirements.create(manager, {
        "title": title, "description": "", "domain": "execution", "module": "支付管理", "type": "functional",
        "priority": "high", "channel": "phone", "region": "445200", "proposer_name": "李秀英"})
    for step in ("assessing", "awaiting_review", "approved"):
        requirements.transition(manager, req, step, "测试")
    return req


@pytest.fixture
def release_setup(live_server):
    """Two approved requirements (the first one scheduled into V2026.12 from its page below) and
    an acceptance run: the first one's scenario fails, the second one's passes, and a scenario
    linked to no requirement is blocked."""
    base, app = live_server
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.username == "manager"))
        first, second = _approved(manager, "直接支出更正"), _approved(manager, "跨年退款")
        scenarios.import_feature(manager, "releases/acceptance.feature", feature_text([
            ("直接支出更正", [f"@{first.code}", "@功能验证"]), ("跨年退款", [f"@{second.code}", "@流程验证"]),
            ("到人到户", ["@系统控制验证"])]))
        release = verification.create_release(manager, {"version": "V2026.12", "name": "12月迭代版本"})
        releases.add_requirements(manager, release, [second.id])
        return {"release": release.id, "first": (first.id, first.code), "second": (second.id, second.code)}


def record_results(app, release_id: int) -> None:
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.username == "manager"))
        release = releases.get(manager, release_id)
        run = verification.runs_of(manager, release)[0]
        ids = {r.scenario.name: r.scenario.scenario_id for r in verification.result_rows(run)}
        verification.record_many(manager, run, [
            {"scenario_id": ids["直接支出更正"], "status": "failed", "defect": "TAPD-1001"},
            {"scenario_id": ids["跨年退款"], "status": "passed"},
            {"scenario_id": ids["到人到户"], "status": "blocked"},
        ])


def test_release_from_one_failure_through_waiver_and_signoffs_to_accepted(live_server, release_setup, page,
                                                                           sign_in):
    base, app = live_server
    rid = release_setup["release"]
    first_id, first_code = release_setup["first"]
    second_id, second_code = release_setup["second"]
    sign_in(page, base, "manager")

    # the requirement page schedules into a chosen release (a select, not free text)
    page.goto(f"{base}/requirements/{first_id}")
    page.click("#schedule-move summary")
    page.select_option("#schedule-move select[name=release_id]", label="V2026.12 12月迭代版本 · 计划中")
    page.click("#schedule-move button[data-to=scheduled]")
    expect(page.locator("#req-status")).to_have_attribute("data-status", "scheduled")

    # an acceptance run started from the release page moves the release to 验收测试中
    page.goto(f"{base}/releases/{rid}")
    expect(page.locator("#release-status")).to_have_attribute("data-status", "planned")
    page.fill("#run-form input[name=tags]", "@执行域")
    page.click("#run-form button[type=submit]")
    page.wait_for_url(f"{base}/runs/*")
    record_results(app, rid)

    page.goto(f"{base}/releases/{rid}")
    expect(page.locator("#release-status")).to_have_attribute("data-status", "in_acceptance")
    expect(page.locator(f"#requirement-verdicts tr[data-code='{first_code}']")).to_have_attribute("data-verdict", "failed")
    expect(page.locator(f"#requirement-verdicts tr[data-code='{second_code}']")).to_have_attribute("data-verdict", "passed")
    expect(page.locator("#gate-blockers li[data-kind=failed] a")).to_have_attribute("href", "/scenarios/1")

    # accepting is not offered yet: the button is disabled and says what stands in the way
    expect(page.locator("#release-actions button[data-to=accepted]")).to_be_disabled()
    expect(page.locator("#accept-blockers")).to_contain_text("尚缺“需求管理人员”的签署")
    expect(page.locator("#release-status")).to_have_attribute("data-status", "in_acceptance")

    # the failing requirement is taken out: verification_failed, its scenario no longer blocks
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(f"#requirement-verdicts tr[data-code='{first_code}'] button[data-action=remove]")
    expect(page.locator(f"#requirement-verdicts tr[data-code='{first_code}']")).to_have_class("removed")
    expect(page.locator("#gate-excluded")).to_contain_text("直接支出更正")

    # the blocked scenario is waived with a reason
    page.click("#gate-blockers li[data-kind=blocked] details.waive summary")
    page.fill("#gate-blockers li[data-kind=blocked] textarea[name=reason]", "到人到户接口由省运营中心下期修复，不影响本次升级")
    page.click("#gate-blockers li[data-kind=blocked] button[data-action=waive]")
    expect(page.locator("#release-gate")).to_have_attribute("data-passed", "true")
    expect(page.locator("#release-waivers li")).to_contain_text("不影响本次升级")

    # sign-off in order: the manager, then the reviewer
    page.click("#signoff-form button[data-decision=approve]")
    expect(page.locator("#release-signoff li[data-role=manager]")).to_have_attribute("data-signed", "approve")
    expect(page.locator("#signoff-form")).to_have_count(0)  # the reviewer signs next
    page.context.clear_cookies()
    sign_in(page, base, "reviewer")
    page.goto(f"{base}/releases/{rid}")
    page.fill("#signoff-form textarea[name=comment]", "同意升级")
    page.click("#signoff-form button[data-decision=approve]")
    expect(page.locator("#release-signoff li[data-role=reviewer]")).to_have_attribute("data-signed", "approve")

    page.context.clear_cookies()
    sign_in(page, base, "manager")
    page.goto(f"{base}/releases/{rid}")
    page.click("#release-actions button[data-to=accepted]")
    expect(page.locator("#release-status")).to_have_attribute("data-status", "accepted")
    expect(page.locator("#release-timeline li[data-kind=signoff]")).to_have_count(2)

    # the requirements end as their scenarios say; the verdict is on the requirement page
    page.goto(f"{base}/requirements/{second_id}")
    expect(page.locator("#req-status")).to_have_attribute("data-status", "verified")
    expect(page.locator("#requirement-release")).to_have_attribute("data-verdict", "passed")
    page.goto(f"{base}/requirements/{first_id}")
    expect(page.locator("#req-status")).to_have_attribute("data-status", "verification_failed")

    # the report, frozen as signed
    page.goto(f"{base}/releases/{rid}/report")
    expect(page.locator("article.release-report")).to_have_attribute("data-frozen", "true")
    expect(page.locator(f"#report-requirements tr[data-code='{second_code}']")).to_have_attribute("data-verdict", "passed")
    expect(page.locator("#report-waivers")).to_contain_text("不影响本次升级")


def test_release_page_fits_a_phone(live_server, release_setup, browser, sign_in):
    base, _app = live_server
    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="zh-CN")
    page = context.new_page()
    try:
        sign_in(page, base, "manager")
        for path in ("/releases", f"/releases/{release_setup['release']}"):
            page.goto(base + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    finally:
        context.close()
