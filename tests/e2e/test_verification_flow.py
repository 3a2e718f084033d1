"""Executing a verification run in a real browser: tick steps, keyboard shortcuts, filters,
phone width, and an automated report flowing into the same run."""
from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Release, User
from app.services import scenarios, verification

pytestmark = pytest.mark.e2e

REPORTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "reports")


@pytest.fixture
def run_id(live_server, release_id):
    """The fixture feature imported and an acceptance run of V2026.11 over it."""
    base, app = live_server
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.username == "manager"))
        release = db.session.get(Release, release_id)
        run = verification.create_run(manager, release, {"environment": "acceptance", "region": "445200",
                                                         "tags": "@执行域"})
        return run.id


def first_ids(page) -> list[str]:
    return page.eval_on_selector_all("#checklist details.scenario", "els => els.map(e => e.dataset.scenarioId)")


def test_tester_executes_a_run_by_clicking_steps(live_server, run_id, page, sign_in, settled):
    base, app = live_server
    sign_in(page, base, "engineer")
    page.goto(f"{base}/runs/{run_id}")
    expect(page.locator("#run-progress")).to_have_attribute("data-total", "6")
    expect(page.locator("#count-untested")).to_have_text("6")
    ids = first_ids(page)
    first, second = ids[0], ids[1]

    # one click marks one step; only that row is swapped, counts update out of band
    page.click(f"#sc-head-{first}")
    page.click(f"#step-{first}-0 button[data-mark=passed]")
    expect(page.locator(f"#step-{first}-0")).to_have_attribute("data-status", "passed")
    expect(page.locator(f"#sc-head-{first}")).to_have_attribute("data-status", "untested")
    for index in (1, 2, 3):
        settled(page)
        page.click(f"#step-{first}-{index} button[data-mark=passed]")
        expect(page.locator(f"#step-{first}-{index}")).to_have_attribute("data-status", "passed")
    expect(page.locator(f"#sc-head-{first}")).to_have_attribute("data-status", "passed")
    expect(page.locator("#count-passed")).to_have_text("1")
    expect(page.locator("#count-untested")).to_have_text("5")
    expect(page.locator(f"#sc-{first}")).to_have_attribute("open", "")  # the swap kept it open

    # keyboard: j moves to the next step, p passes and moves on, f fails
    settled(page)
    page.click(f"#sc-head-{second}")
    page.click(f"#step-{second}-0 .step-text")
    page.keyboard.press("p")
    expect(page.locator(f"#step-{second}-0")).to_have_attribute("data-status", "passed")
    settled(page)
    page.keyboard.press("p")
    expect(page.locator(f"#step-{second}-1")).to_have_attribute("data-status", "passed")
    settled(page)
    page.keyboard.press("f")
    expect(page.locator(f"#step-{second}-2")).to_have_attribute("data-status", "failed")
    expect(page.locator(f"#sc-head-{second}")).to_have_attribute("data-status", "failed")
    expect(page.locator("#count-failed")).to_have_text("1")
    settled(page)
    page.keyboard.press("k")
    page.keyboard.press("k")
    expect(page.locator(f"#step-{second}-1")).to_have_class(re.compile(r"\bkb-current\b"))

    # filter to failures: only the failed scenario is listed, the URL says so
    page.click("a[data-show=failures]")
    expect(page.locator("#checklist details.scenario")).to_have_count(1)
    expect(page.locator(f"#sc-{second}")).to_be_visible()
    # the checklist came from its own endpoint; the address bar shows the run page with the filter
    expect(page).to_have_url(re.compile(rf"/runs/{run_id}\?show=failures$"))
    expect(page.locator(".topbar")).to_have_count(1)  # the page kept its head: only the checklist was swapped
    page.click("a[data-show=all]")
    expect(page.locator("#checklist details.scenario")).to_have_count(6)
    expect(page).to_have_url(re.compile(rf"/runs/{run_id}\?show=all$"))

    # the results were stored: a reload shows them
    page.reload()
    expect(page.locator(f"#sc-head-{first}")).to_have_attribute("data-status", "passed")
    expect(page.locator(f"#step-{second}-2")).to_have_count(0)  # steps load when a scenario is opened
    page.click(f"#sc-head-{second}")
    expect(page.locator(f"#step-{second}-2")).to_have_attribute("data-status", "failed")

    # an automated report lands in the same run (cucumber-js: 4 passed, 2 failed)
    page.click("#import-box summary")
    page.set_input_files("#import-form input[type=file]", os.path.join(REPORTS, "cucumber-js.json"))
    page.click("#import-form button[type=submit]")
    expect(page.locator("#import-result")).to_have_attribute("data-matched", "6")
    expect(page.locator("#count-passed")).to_have_text("4")
    expect(page.locator("#count-failed")).to_have_text("2")
    expect(page.locator(f"#sc-head-{second}")).to_have_attribute("data-status", "failed")
    expect(page.locator(f"#sc-head-{first}")).to_have_attribute("data-status", "passed")


def test_checklist_works_at_phone_width(live_server, run_id, browser, sign_in):
    base, app = live_server
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, base, "engineer")
        page.goto(f"{base}/runs/{run_id}")
        scenario = first_ids(page)[0]
        page.click(f"#sc-head-{scenario}")
        button = page.locator(f"#step-{scenario}-0 button[data-mark=failed]")
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        button.click()
        expect(page.locator(f"#sc-head-{scenario}")).to_have_attribute("data-status", "failed")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, overflow
    finally:
        context.close()


# --- audit fixes -------------------------------------------------------------------------


@pytest.fixture
def release_id(live_server):
    """The fixture feature imported and release V2026.11 (no run yet)."""
    base, app = live_server
    with app.app_context():
        engineer = db.session.scalar(select(User).where(User.username == "engineer"))
        manager = db.session.scalar(select(User).where(User.username == "manager"))
        with open(os.path.join(REPORTS, "features", "payments", "correction.feature"), encoding="utf-8") as fh:
            scenarios.import_feature(engineer, "payments/correction.feature", fh.read())
        return verification.create_release(manager, {"version": "V2026.11", "name": "11月迭代"}).id


def expect_whole_run_page(page) -> None:
    expect(page.locator("header.topbar")).to_have_count(1)
    expect(page.locator("nav.mainnav")).to_be_visible()
    expect(page.locator("#run-progress")).to_be_visible()
    expect(page.locator("#run-progress-slot")).to_have_count(1)
    expect(page.locator("#checklist")).to_have_count(1)
    expect(page.locator("h1")).to_contain_text("#")


def test_engineer_starts_a_run_through_the_form_and_reruns(live_server, release_id, page, sign_in, settled):
    base, app = live_server
    sign_in(page, base, "engineer")  # testers start runs (the lead's decision)
    page.goto(f"{base}/releases/{release_id}")
    page.fill("#run-form input[name=tags]", "@执行域 and not @manual-skip")
    page.click("#run-form button[type=submit]")
    page.wait_for_url(re.compile(r"/runs/\d+$"))
    settled(page)
    expect_whole_run_page(page)
    expect(page.locator("#run-progress")).to_have_attribute("data-total", "6")
    scenario = first_ids(page)[0]
    page.click(f"#sc-head-{scenario}")
    page.click(f"#step-{scenario}-0 button[data-mark=failed]")
    expect(page.locator("#count-failed")).to_have_text("1")
    page.reload()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#rerun")
    expect(page.locator(f"#sc-head-{scenario}")).to_have_attribute("data-status", "untested")
    settled(page)
    expect_whole_run_page(page)
    expect(page.locator("#count-failed")).to_have_text("0")


def test_uploading_a_broken_feature_shows_file_line_and_column(live_server, page, sign_in):
    base, app = live_server
    sign_in(page, base, "engineer")
    page.goto(f"{base}/features")
    good = os.path.join(REPORTS, "features", "payments", "correction.feature")
    broken = {"name": "broken.feature", "mimeType": "text/plain",
              "buffer": "# language: zh-CN\n功能: 支付更正\n  场景: 一\n    假如 已登录\n  这一行不是 Gherkin\n".encode()}
    with open(good, "rb") as fh:
        correct = {"name": "correction.feature", "mimeType": "text/plain", "buffer": fh.read()}
    page.set_input_files("#feature-upload input[name=files]", [correct, broken])
    page.click("#feature-upload button[type=submit]")
    failing = page.locator('#import-results li[data-path="broken.feature"]')
    expect(failing).to_have_attribute("data-ok", "false")
    expect(failing).to_contain_text("第 5 行第 3 列")
    expect(page.locator('#import-results li[data-path="correction.feature"]')).to_have_attribute("data-ok", "true")
    expect(page.locator("#feature-table tr[data-feature-id]")).to_have_count(1)  # refreshed out of band
    expect(page.locator("#toast")).not_to_contain_text("400")
