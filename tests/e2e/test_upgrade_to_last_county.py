"""From acceptance to the last county in a real browser (issue 9): an accepted release's upgrade
application (all seven sections of the emergency plan) is filled, the upgrade is requested, a
window agreed, the announcement published and read on the announcements page, the release
scheduled; two cities upgrade from the rollout board (one through a production smoke run that
must pass before it is done), the release ends `completed` by itself and its requirement
`released` (已上线) on the requirement page."""
from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD  # of the users `api` makes (not the e2e users')
from tests.release_kit import APPLICATION, record
from tests.rollout_kit import accepted_release, keep_only, smoke_scenarios, targets, window

pytestmark = pytest.mark.e2e


def test_accepted_release_upgraded_to_the_last_county(live_server, page, api, filed, settled, sign_in):
    base, _app = live_server
    manager = api("manager", "440000")  # the provincial manager sees every city's target
    release = accepted_release(manager, api("reviewer", "440000"), filed)
    rid, req_id = release["id"], release["requirement_id"]
    smoke = smoke_scenarios(manager)
    span = window(start_in_hours=48, hours=8)  # ahead: targets can still be removed
    start, end = (datetime.fromisoformat(span[k]) for k in ("start", "end"))
    sign_in(page, base, "manager_440000", PASSWORD)

    # the upgrade application: every section of the emergency plan
    page.goto(f"{base}/releases/{rid}")
    expect(page.locator("#release-status")).to_have_attribute("data-status", "accepted")
    expect(page.locator("#release-actions button[data-to=upgrade_requested]")).to_be_disabled()
    page.click("#application-blockers a")
    expect(page.locator("#application-requirements")).to_contain_text("直接支出更正")
    assert len(APPLICATION) == 7
    for key, value in APPLICATION.items():
        page.fill(f"#application-form textarea[name={key}]", value)
    page.click("#application-form button[type=submit]")
    expect(page.locator("#application-complete")).to_be_visible()

    page.goto(f"{base}/releases/{rid}")
    page.click("#release-actions button[data-to=upgrade_requested]")
    expect(page.locator("#release-status")).to_have_attribute("data-status", "upgrade_requested")

    # the window, then the announcement, published and read by everyone signed in
    page.fill("#window-form input[name=start]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#window-form input[name=end]", end.strftime("%Y-%m-%dT%H:%M"))
    page.click("#window-form button[type=submit]")
    expect(page.locator("#window-start")).to_contain_text(start.strftime("%Y-%m-%d %H:%M"))
    page.click("#release-announcement-link")
    expect(page.locator("#announcement-form textarea[name=body]")).to_contain_text(
        f"{start.year}年{start.month}月{start.day}日")
    page.fill("#announcement-form input[name=title]", "V2026.12版本全省升级公告")
    page.click("#announcement-publish")
    expect(page.locator("#announcement-state")).to_have_attribute("data-published", "true")
    settled(page)
    page.goto(f"{base}/announcements")
    expect(page.locator("#announcement-list article").first).to_contain_text("V2026.12版本全省升级公告")

    # scheduled: one target per city; all but two are taken out before the window
    page.goto(f"{base}/releases/{rid}")
    expect(page.locator("#release-actions button[data-to=rolling_out]")).to_have_count(0)
    page.click("#release-actions button[data-to=scheduled]")
    expect(page.locator("#release-status")).to_have_attribute("data-status", "scheduled")
    # the release does not move to rolling_out by hand: the board moves it
    expect(page.locator("#release-actions button[data-to=rolling_out]")).to_have_count(0)
    keep_only(manager, rid, ("445200", "441300", "440100"))
    t = {code: target["id"] for code, target in targets(manager, rid).items()}
    page.click("#rollout-link")
    page.wait_for_url(f"{base}/releases/{rid}/rollout")
    expect(page.locator(".rollout-target")).to_have_count(3)
    page.click(f"#target-{t['440100']} .rollout-remove button")
    settled(page)
    expect(page.locator(".rollout-target")).to_have_count(2)

    # 揭阳 upgrades without a smoke run
    page.locator(f"#target-{t['445200']} button[value=in_progress]").click()
    settled(page)
    expect(page.locator("#release-status")).to_have_attribute("data-status", "rolling_out")
    page.locator(f"#target-{t['445200']} button[value=done]").click()
    settled(page)
    expect(page.locator(f"#target-{t['445200']} .rollout-badge")).to_have_text("已升级")
    expect(page.locator("#release-status")).to_have_attribute("data-status", "rolling_out")

    # 惠州 upgrades through a production smoke run that must pass first
    page.locator(f"#target-{t['441300']} button[value=in_progress]").click()
    settled(page)
    page.locator(f"#target-{t['441300']} .rollout-smoke button").click()
    settled(page)
    expect(page.locator(f"#target-{t['441300']} .smoke-state")).to_have_attribute("data-passed", "no")
    page.locator(f"#target-{t['441300']} button[value=done]").click()
    settled(page)
    expect(page.locator(f"#target-{t['441300']} [role=alert]")).to_contain_text("冒烟验证")
    expect(page.locator(f"#target-{t['441300']} .rollout-badge")).to_have_text("升级中")
    run_id = targets(manager, rid)["441300"]["smoke_run_id"]
    record(manager, run_id, {smoke["支付冒烟"]: "passed", smoke["指标冒烟"]: "passed"})
    page.reload()
    expect(page.locator(f"#target-{t['441300']} .smoke-state")).to_have_attribute("data-passed", "yes")
    page.locator(f"#target-{t['441300']} button[value=done]").click()
    settled(page)

    # the last city done: completed by itself, the requirement released
    expect(page.locator("#release-status")).to_have_attribute("data-status", "completed")
    expect(page.locator("#rollout-counts [data-status=done] strong")).to_have_text("2")
    page.goto(f"{base}/requirements/{req_id}")
    expect(page.locator("#req-status")).to_have_attribute("data-status", "released")
    expect(page.locator("#req-status")).to_have_text("已上线")
    page.goto(f"{base}/releases/{rid}")
    expect(page.locator("#release-status")).to_have_attribute("data-status", "completed")
