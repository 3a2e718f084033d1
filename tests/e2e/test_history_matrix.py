"""The scenario history matrix in a real browser: open it, filter the unstable scenarios (htmx
swaps the table and the address bar keeps the filter), click a cell to open that result; on a
390 px phone the page does not scroll sideways (the matrix scrolls inside its own box)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.history_kit import build_history

pytestmark = pytest.mark.e2e


@pytest.fixture
def site(live_server, api):
    base, app = live_server
    built = build_history(api("manager", "440000"))
    return base, built


def test_open_filter_unstable_and_click_a_cell(site, page, sign_in):
    base, built = site
    sign_in(page, base, "engineer")
    page.goto(f"{base}/scenarios/matrix")
    table = page.locator("#matrix-table")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr[data-scenario-id]")).to_have_count(3)
    expect(table.locator("thead th.rel")).to_have_count(6)
    # the header row stays on top while the matrix scrolls
    assert page.eval_on_selector("#matrix-table thead th.rel", "e => getComputedStyle(e).position") == "sticky"

    page.select_option("#matrix-unstable", "true")
    expect(table.locator("tbody tr[data-scenario-id]")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"unstable=true"))
    flaky = built["ids"]["直接支出更正"]
    row = page.locator(f"tr[data-scenario-id='{flaky}']")
    expect(row.locator("td.flips")).to_have_text("5")
    expect(row.locator(".unstable-badge")).to_be_visible()

    # the last release's cell: failed, in the last release's run
    cell = row.locator("td.mc").last
    expect(cell).to_have_attribute("data-status", "failed")
    cell.locator("a").click()
    expect(page).to_have_url(re.compile(rf"/runs/{built['runs'][-1]}\?show=failures&scenario={flaky}#sc-{flaky}$"))
    expect(page.locator(f"#sc-{flaky}")).to_be_visible()
    expect(page.locator(f"#sc-{flaky}")).to_have_attribute("open", "")
    expect(page.locator(f"#step-{flaky}-0")).to_be_visible()


def test_a_cell_opens_a_result_past_the_first_page_of_its_run(live_server, api, page, browser, sign_in):
    """A run of 60 scenarios: the matrix cell of the 60th (the run page lists 50 heads at a time)
    opens the run at its page with its steps open and in view; j / k start from it, and the
    earlier page loads above when k goes back past the page's first scenario."""
    from app.web.verification import RUN_PAGE_SIZE

    base, _app = live_server
    names = [f"支付校验{n:03d}" for n in range(1, 61)]
    target = names[-1]
    # only the target flips (passed, failed, passed): the one unstable row of the matrix
    pattern = {name: (["passed", "failed", "passed"] if name == target else ["passed"] * 3) for name in names}
    built = build_history(api("manager", "440000"), pattern, prefix="VP")
    sid = built["ids"][target]
    run_id = built["runs"][-1]

    sign_in(page, base, "engineer")
    page.goto(f"{base}/scenarios/matrix?unstable=true")
    row = page.locator(f"tr[data-scenario-id='{sid}']")
    expect(page.locator("#matrix-table tbody tr[data-scenario-id]")).to_have_count(1)
    cell = row.locator("td.mc").last
    expect(cell).to_have_attribute("data-status", "passed")
    cell.locator("a").click()

    expect(page).to_have_url(re.compile(rf"/runs/{run_id}\?show=all&scenario={sid}#sc-{sid}$"))
    scenario = page.locator(f"#sc-{sid}")
    expect(scenario).to_have_attribute("open", "")
    expect(page.locator(f"#step-{sid}-2")).to_be_visible()
    expect(scenario).to_be_in_viewport()
    # the second page of heads (51st to 60th), with the link to the first above it
    expect(page.locator("#checklist details.scenario")).to_have_count(60 - RUN_PAGE_SIZE)
    expect(page.locator("#checklist-earlier")).to_be_visible()
    expect(page.locator("#run-notice")).to_have_count(0)

    # the keyboard starts at the opened scenario: j onto its first step, p passes it and moves on
    page.keyboard.press("j")
    expect(page.locator(f"#step-{sid}-0")).to_have_class(re.compile(r"\bkb-current\b"))
    page.keyboard.press("p")
    expect(page.locator(f"#step-{sid}-0")).to_have_attribute("data-status", "passed")
    expect(page.locator(f"#step-{sid}-1")).to_have_class(re.compile(r"\bkb-current\b"))

    # k on the first step of the page's first scenario asks for the earlier page (loaded above)
    # and goes on to the last step of the scenario before it; the opened scenario stays open
    head = built["ids"][names[RUN_PAGE_SIZE]]
    page.click(f"#sc-head-{head}")
    page.click(f"#step-{head}-0 .step-text")
    page.keyboard.press("k")
    expect(page.locator("#checklist details.scenario")).to_have_count(60)
    before = built["ids"][names[RUN_PAGE_SIZE - 1]]
    expect(page.locator(f"#step-{before}-2")).to_have_class(re.compile(r"\bkb-current\b"))
    expect(page.locator("#checklist-earlier")).to_have_count(0)
    first = built["ids"][names[0]]
    expect(page.locator("#checklist details.scenario").first).to_have_attribute("data-scenario-id", str(first))
    expect(scenario).to_have_attribute("open", "")

    # a scenario not in the run: the run page opens as usual, with a notice
    page.goto(f"{base}/runs/{run_id}?scenario=999999")
    expect(page.locator("#run-notice")).to_be_visible()
    expect(page.locator("#checklist details.scenario")).to_have_count(RUN_PAGE_SIZE)

    # on a 390 px phone the opened page (earlier link, open scenario, notice) does not scroll sideways
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    try:
        sign_in(phone, base, "engineer")
        phone.goto(f"{base}/runs/{run_id}?show=failures&scenario={sid}#sc-{sid}")
        expect(phone.locator("#run-notice")).to_be_visible()  # passed now: shown with every scenario
        expect(phone.locator(f"#sc-{sid}")).to_be_in_viewport()
        expect(phone.locator("#checklist-earlier")).to_be_visible()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
    finally:
        context.close()


def test_matrix_fits_a_phone(site, browser, sign_in):
    base, _built = site
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, base, "engineer")
        page.goto(f"{base}/scenarios/matrix")
        expect(page.locator("#matrix-table")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        page.goto(f"{base}/releases/compare")
        expect(page.locator("#compare-newly-failing")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
    finally:
        context.close()


def test_manual_update_card_on_a_phone(live_server, api, filed, browser, sign_in):
    """A manager marks a requirement as changing a domain's manual on the release page; an
    engineer records it updated; the card shows who; the page fits 390 px."""
    from tests.release_kit import add, approve, new_release

    base, _app = live_server
    client = api("manager", "445200")
    req = approve(client, filed(title="直接支出更正")["id"])
    release = new_release(client, "VM2026.03")
    assert add(client, release["id"], req["id"]).status_code == 200
    for username in ("manager", "engineer"):
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
        page = context.new_page()
        page.set_default_timeout(10_000)
        try:
            sign_in(page, base, username)
            page.goto(f"{base}/releases/{release['id']}")
            card = page.locator("#release-manuals")
            if username == "manager":
                expect(card).to_have_attribute("data-open", "0")
                page.select_option("#manual-form select[name=domain]", "execution")
                page.fill("#manual-form textarea[name=note]", "支付更正操作章节")
                page.click("#manual-form button[type=submit]")
                expect(page.locator("#release-manuals")).to_have_attribute("data-open", "1")
                expect(page.locator("#release-manuals")).to_contain_text("支付更正操作章节")
            else:
                expect(page.locator("#manual-form")).to_have_count(0)
                page.fill(".manual-done-form input[name=note]", "已发布新版手册")
                page.click(".manual-done-form button[type=submit]")
                expect(page.locator("#release-manuals")).to_have_attribute("data-open", "0")
                expect(page.locator(".manual-item[data-done=true]")).to_contain_text("黄志明")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, width
        finally:
            context.close()
