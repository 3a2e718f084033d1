"""A 1,000-scenario run in a real browser: the page lists the first scenario heads, a scenario's
steps load when it is opened, the next page arrives from the "more" link, and the keyboard
(j / k / p / f) goes on across the page boundary."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services import scenarios, verification
from app.web.verification import RUN_PAGE_SIZE

pytestmark = pytest.mark.e2e

ROWS = 1000


def outline(rows: int) -> str:
    lines = ["# language: zh-CN", "@回归", "功能: 批量支付校验", "", "  场景大纲: 支付校验",
             "    当 经办人提交第 <序号> 笔支付", "    那么 校验结果为\"<结果>\"", "", "    例子: 批量",
             "      | 序号 | 结果 |"]
    lines += [f"      | {n} | 成功 |" for n in range(1, rows + 1)]
    return "\n".join(lines) + "\n"


@pytest.fixture
def big_run(live_server):
    base, app = live_server
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.username == "manager"))
        scenarios.import_feature(manager, "regression/batch.feature", outline(ROWS))
        release = verification.create_release(manager, {"version": "V2026.12", "name": "12月迭代"})
        run = verification.create_run(manager, release, {"environment": "acceptance", "region": "445200",
                                                         "tags": "@回归"})
        assert run.scenario_count == ROWS
        return run.id


def heads(page) -> list[str]:
    return page.eval_on_selector_all("#checklist details.scenario", "els => els.map(e => e.dataset.scenarioId)")


def test_a_thousand_scenario_run_pages_and_lazy_loads(live_server, big_run, page, sign_in):
    base, app = live_server
    sign_in(page, base, "engineer")
    page.goto(f"{base}/runs/{big_run}")
    expect(page.locator("#run-progress")).to_have_attribute("data-total", str(ROWS))
    expect(page.locator("#checklist details.scenario")).to_have_count(RUN_PAGE_SIZE)
    expect(page.locator("#checklist li.step")).to_have_count(0)  # no steps until a scenario is opened
    ids = heads(page)

    # opening a scenario loads its steps
    page.click(f"#sc-head-{ids[0]}")
    expect(page.locator(f"#step-{ids[0]}-1")).to_be_visible()
    expect(page.locator(f"#sc-{ids[0]}")).to_have_attribute("open", "")
    expect(page.locator("#checklist li.step")).to_have_count(2)

    # the keyboard across the page boundary: the last scenario of the page, its two steps passed
    # with p p, and the cursor goes on into the first scenario of the next page
    last = ids[-1]
    page.click(f"#sc-head-{last}")
    page.click(f"#step-{last}-0 .step-text")
    page.keyboard.press("p")
    expect(page.locator(f"#step-{last}-0")).to_have_attribute("data-status", "passed")
    expect(page.locator(f"#step-{last}-1")).to_have_class(re.compile(r"\bkb-current\b"))
    page.keyboard.press("p")
    expect(page.locator(f"#sc-head-{last}")).to_have_attribute("data-status", "passed")
    # the next page arrived (from the "more" link) and the cursor is on its first scenario's first step
    expect(page.locator("#checklist details.scenario")).to_have_count(2 * RUN_PAGE_SIZE, timeout=15_000)
    following = heads(page)[RUN_PAGE_SIZE]
    assert following not in ids
    expect(page.locator(f"#step-{following}-0")).to_have_class(re.compile(r"\bkb-current\b"))
    page.keyboard.press("f")
    expect(page.locator(f"#step-{following}-0")).to_have_attribute("data-status", "failed")
    expect(page.locator(f"#sc-head-{following}")).to_have_attribute("data-status", "failed")
    expect(page.locator(f"#step-{following}-1")).to_have_class(re.compile(r"\bkb-current\b"))
    # k k goes back over the boundary, onto the last step of the previous page's last scenario
    page.keyboard.press("k")
    page.keyboard.press("k")
    expect(page.locator(f"#step-{last}-1")).to_have_class(re.compile(r"\bkb-current\b"))
    # j: into the next page's scenario again
    page.keyboard.press("j")
    expect(page.locator(f"#step-{following}-0")).to_have_class(re.compile(r"\bkb-current\b"))
    expect(page.locator("#count-passed")).to_have_text("1")
    expect(page.locator("#count-failed")).to_have_text("1")

    # the marks were stored: after a reload the head says so, and opening shows the steps
    page.reload()
    expect(page.locator(f"#sc-head-{last}")).to_have_attribute("data-status", "passed")
    expect(page.locator("#count-untested")).to_have_text(str(ROWS - 2))
    page.click(f"#sc-head-{last}")
    expect(page.locator(f"#step-{last}-1")).to_have_attribute("data-status", "passed")
