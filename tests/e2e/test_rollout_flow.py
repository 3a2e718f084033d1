"""A scheduled release rolled out in a real browser at phone width (390 px): a target removed
before the window, two cities upgraded from the board (one with a smoke run that must pass
first), the release `completed`, its requirement `released`, and the versions page after it."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.release_kit import record
from tests.rollout_kit import keep_only, scheduled_release, smoke_scenarios, targets

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page) -> None:
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide"


@pytest.fixture
def scheduled(live_server, api, filed):
    manager = api("manager", "440000")
    release = scheduled_release(manager, api("reviewer", "440000"), filed)
    keep_only(manager, release["id"], ("445200", "441300", "440100"))
    ids = smoke_scenarios(manager)
    return {**release, "manager": manager, "smoke": ids}


def test_two_cities_roll_out_to_completed_with_a_smoke_run(live_server, scheduled, page, settled):
    base, _app = live_server
    rid, manager = scheduled["id"], scheduled["manager"]
    t = {code: target["id"] for code, target in targets(manager, rid).items()}
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "manager_440000")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/requirements")

    page.goto(f"{base}/releases/{rid}")
    page.click("#rollout-link")
    page.wait_for_url(f"{base}/releases/{rid}/rollout")
    expect(page.locator(".rollout-target")).to_have_count(3)
    no_sideways_scroll(page)

    # before the window: 广州 is taken out of this rollout
    page.click(f"#target-{t['440100']} .rollout-remove button")
    settled(page)
    expect(page.locator(".rollout-target")).to_have_count(2)
    expect(page.locator("#rollout-counts [data-status=pending] strong")).to_have_text("2")

    # 揭阳 starts: the release is rolling out
    jieyang = page.locator(f"#target-{t['445200']}")
    jieyang.locator("input[name=notes]").fill("升级包已部署")
    jieyang.locator("button[value=in_progress]").click()
    settled(page)
    expect(page.locator(f"#target-{t['445200']} .rollout-badge")).to_have_text("升级中")
    expect(page.locator("#release-status")).to_have_attribute("data-status", "rolling_out")
    expect(page.locator(f"#target-{t['445200']} .rollout-notes")).to_have_text("升级包已部署")

    # 惠州 starts and runs its smoke scenarios in production; done waits for them to pass
    page.locator(f"#target-{t['441300']} button[value=in_progress]").click()
    settled(page)
    page.locator(f"#target-{t['441300']} .rollout-smoke button").click()
    settled(page)
    huizhou = page.locator(f"#target-{t['441300']}")
    expect(huizhou.locator(".smoke-state")).to_have_attribute("data-passed", "no")
    huizhou.locator("button[value=done]").click()
    settled(page)
    expect(page.locator(f"#target-{t['441300']} [role=alert]")).to_contain_text("冒烟验证")
    expect(page.locator(f"#target-{t['441300']} .rollout-badge")).to_have_text("升级中")
    no_sideways_scroll(page)

    run_id = targets(manager, rid)["441300"]["smoke_run_id"]
    run = manager.get(f"/api/v1/runs/{run_id}").json
    assert run["environment"] == "production" and run["region"] == "441300"
    record(manager, run_id, {sid: "passed" for sid in (scheduled["smoke"]["支付冒烟"], scheduled["smoke"]["指标冒烟"])})
    page.reload()
    expect(page.locator(f"#target-{t['441300']} .smoke-state")).to_have_attribute("data-passed", "yes")
    page.locator(f"#target-{t['441300']} button[value=done]").click()
    settled(page)
    expect(page.locator(f"#target-{t['441300']} .rollout-badge")).to_have_text("已升级")
    expect(page.locator("#release-status")).to_have_attribute("data-status", "rolling_out")

    # the last city done: the release is completed and its requirement released
    page.locator(f"#target-{t['445200']} button[value=done]").click()
    settled(page)
    expect(page.locator("#release-status")).to_have_attribute("data-status", "completed")
    expect(page.locator("#rollout-counts [data-status=done] strong")).to_have_text("2")
    expect(page.locator(".rollout-target form")).to_have_count(0)
    assert manager.get(f"/api/v1/requirements/{scheduled['requirement_id']}").json["status"] == "released"

    # which version each region runs: 揭阳 and its counties on it, 广州 behind
    page.goto(f"{base}/regions/versions")
    expect(page.locator("#latest-release")).to_contain_text("V2026.12")
    expect(page.locator("tr[data-region='445200']")).to_contain_text("V2026.12")
    expect(page.locator("tr[data-region='440100'] .behind-badge")).to_have_text("版本落后")
    no_sideways_scroll(page)
