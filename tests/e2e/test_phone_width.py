"""Issue 7 in a real browser: every main page fits a 390 px phone (nothing scrolls sideways,
lists are cards, list filters fold away so results show on the first screen); the run filter and
the list sort follow what was chosen through htmx swaps, reloads and Back; dates read and take
yyyy-mm-dd in an English browser.

The pages carry the demo data of `flask seed-demo` (long Chinese titles, agendas, minutes, a
run with results), loaded into the live server's database."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import FeatureFile, Meeting, Release, Requirement, Run, Scenario
from app.seed import demo, demo_meetings, demo_verification

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

# what sticks out to the right of the viewport, for the failure message
WIDEST = """() => {
  const width = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1) {
      out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && el.className.baseVal === undefined ? '.' + String(el.className).trim().split(/\\s+/).join('.') : ''} → ${Math.round(box.right)}px`);
    }
  }
  return out.slice(-6);
}"""


@pytest.fixture
def demo_site(live_server, seed_once):
    """The live server with the demo data; the ids of the pages worth opening (built once per
    worker, copied)."""
    base, app = live_server

    def load():
        demo.load()
        demo_meetings.load()
        demo_verification.load()
        run = db.session.scalar(select(Run).order_by(Run.id))
        return {
            "requirement": db.session.scalar(
                select(Requirement.id).where(Requirement.title == "直接支出更正后指标余额未回滚").order_by(Requirement.id)),
            "editable": db.session.scalar(
                select(Requirement.id).where(Requirement.status == "assessing").order_by(Requirement.id)),
            "draft": db.session.scalar(select(Meeting.id).where(Meeting.status == "draft")),
            "finalised": db.session.scalar(select(Meeting.id).where(Meeting.status == "finalised")),
            "feature": db.session.scalar(select(FeatureFile.id).order_by(FeatureFile.id)),
            "scenario": db.session.scalar(select(Scenario.id).order_by(Scenario.id)),
            "release": db.session.scalar(select(Release.id).order_by(Release.id)),
            "run": run.id,
        }

    ids = seed_once("demo-site", load)
    assert all(ids.values()), ids
    return base, ids


def too_wide(page, path: str) -> list[str]:
    """The sideways overflow of the page as loaded and with every <details> opened."""
    problems = []
    for state in ("as loaded", "details opened"):
        if state == "details opened":
            page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
            page.wait_for_timeout(30)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{path} ({state}): {width} px wide; {page.evaluate(WIDEST)}")
    return problems


def test_every_main_page_fits_a_phone(demo_site, browser, sign_in):
    base, ids = demo_site
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []
    try:
        sign_in(page, base, "manager")
        pages = [
            "/requirements",
            "/requirements?sort=-priority&status=awaiting_review",
            f"/requirements/{ids['requirement']}",
            f"/requirements/{ids['editable']}/edit",
            "/requirements/new",
            "/requirements?q=%E9%80%80%E6%AC%BE",  # search with matched words marked
            "/requirements/duplicates",
            "/meetings",
            "/meetings?when=past",
            "/meetings/new",
            f"/meetings/{ids['draft']}",
            f"/meetings/{ids['finalised']}",
            f"/meetings/{ids['finalised']}/minutes",
            f"/meetings/{ids['draft']}/minutes",
            "/features",
            f"/features/{ids['feature']}",
            "/scenarios",
            f"/scenarios/{ids['scenario']}",
            "/releases",
            f"/releases/{ids['release']}",
            f"/runs/{ids['run']}",
            f"/runs/{ids['run']}?show=failures",
        ]
        for path in pages:
            response = page.goto(base + path)
            assert response.ok, f"{path}: {response.status}"
            page.wait_for_load_state("networkidle")
            problems += too_wide(page, path)

        # the admin's pages
        page.context.clear_cookies()
        sign_in(page, base, "admin", demo.DEMO_PASSWORD)
        for path in ("/admin/users", "/admin/reference"):
            response = page.goto(base + path)
            assert response.ok, f"{path}: {response.status}"
            page.wait_for_load_state("networkidle")
            problems += too_wide(page, path)
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_phone_lists_are_cards_with_the_filters_folded(demo_site, browser, sign_in):
    base, ids = demo_site
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, base, "manager")
        page.goto(f"{base}/requirements?status=awaiting_review")
        filters = page.locator("#filters details.filter-more")
        expect(filters).not_to_have_attribute("open", "")
        expect(filters.locator("summary .filter-count")).to_have_text("1")  # one filter applied
        expect(page.locator("#filters select[name=status]")).to_be_hidden()
        # the results start on the first screen, each row a card showing its status
        first = page.locator("#results tbody tr").first
        box = first.bounding_box()
        assert box["y"] + 60 < PHONE["height"] and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        badge = first.locator(".badge").bounding_box()
        assert badge["x"] + badge["width"] <= PHONE["width"]
        assert page.locator("#results thead th[data-sort]").first.is_visible()  # the sort bar stays
        # the toggle opens the filters; a filter chosen there still filters
        filters.locator("summary").click()
        page.select_option("#filters select[name=status]", "submitted")
        expect(page).to_have_url(re.compile(r"status=submitted"))
        expect(page.locator("#results .badge.status-submitted").first).to_be_visible()

        # a meeting's queue and the scenario list fold their filters too
        page.goto(f"{base}/meetings/{ids['draft']}")
        expect(page.locator("#queue-filters details.filter-more")).not_to_have_attribute("open", "")
        page.goto(f"{base}/scenarios")
        expect(page.locator("#scenario-filters details.filter-more")).not_to_have_attribute("open", "")
        # also when the list is reached through a (boosted) link
        page.click("header.topbar button.nav-toggle")  # the phone's menu
        page.click("nav.mainnav a[href='/requirements']")
        page.wait_for_url(f"{base}/requirements")
        expect(page.locator("#filters details.filter-more")).not_to_have_attribute("open", "")
        expect(page.locator("#results tbody tr").first).to_be_in_viewport()
    finally:
        context.close()

    # on a wide screen they are open and the toggle is not shown
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    try:
        sign_in(page, base, "manager")
        expect(page.locator("#filters details.filter-more")).to_have_attribute("open", "")
        expect(page.locator("#filters details.filter-more > summary")).to_be_hidden()
        expect(page.locator("#filters select[name=status]")).to_be_visible()
        expect(page.locator("#results thead th").first).to_be_visible()  # a table, not cards
    finally:
        context.close()


def test_run_filter_and_meeting_tabs_highlight_what_is_shown(demo_site, page, sign_in, settled):
    base, ids = demo_site
    sign_in(page, base, "manager")
    page.goto(f"{base}/runs/{ids['run']}")
    active = page.locator("#show-filter a.primary")
    expect(active).to_have_attribute("data-show", "all")
    settled(page)
    page.click("#show-filter a[data-show=failures]")
    expect(page).to_have_url(re.compile(r"show=failures"))
    expect(active).to_have_count(1)
    expect(active).to_have_attribute("data-show", "failures")
    expect(page.locator("#show-filter a[data-show=failures]")).to_have_attribute("aria-current", "true")
    settled(page)
    page.click("#show-filter a[data-show=untested]")
    expect(active).to_have_attribute("data-show", "untested")
    settled(page)
    page.reload()
    expect(active).to_have_attribute("data-show", "untested")
    page.go_back()
    expect(page).to_have_url(re.compile(r"show=failures"))
    expect(active).to_have_attribute("data-show", "failures")

    # the meeting list's tabs likewise
    page.goto(f"{base}/meetings")
    settled(page)
    page.click("#tab-past")
    expect(page).to_have_url(re.compile(r"when=past"))
    expect(page.locator("#tab-past")).to_have_attribute("aria-current", "page")
    expect(page.locator("#tab-upcoming")).not_to_have_class(re.compile(r"\bactive\b"))
    expect(page.locator("table.meetings")).to_have_attribute("data-when", "past")


def test_sorting_goes_into_the_address_with_its_direction(demo_site, page, sign_in, settled):
    base, _ids = demo_site
    sign_in(page, base, "manager")
    created = page.locator("#results th[data-sort=created]")
    priority = page.locator("#results th[data-sort=priority]")
    expect(created).to_have_attribute("aria-sort", "descending")
    settled(page)
    priority.locator("a").click()
    expect(page).to_have_url(re.compile(r"sort=-priority"))
    expect(priority).to_have_attribute("aria-sort", "descending")
    expect(priority.locator(".sort-dir")).to_have_text("↓")
    expect(created).not_to_have_attribute("aria-sort", re.compile("."))
    expect(page.locator("#results tbody tr").first.locator(".prio")).to_have_text("紧急")
    settled(page)
    priority.locator("a").click()
    expect(page).to_have_url(re.compile(r"sort=priority(&|$)"))
    expect(priority).to_have_attribute("aria-sort", "ascending")
    expect(priority.locator(".sort-dir")).to_have_text("↑")
    settled(page)
    # a filter keeps the sort
    page.select_option("#filters select[name=status]", "submitted")
    expect(page).to_have_url(re.compile(r"(?=.*sort=priority)(?=.*status=submitted)"))
    expect(priority).to_have_attribute("aria-sort", "ascending")
    settled(page)
    page.reload()
    expect(priority).to_have_attribute("aria-sort", "ascending")
    page.go_back()
    expect(page).to_have_url(re.compile(r"sort=priority(&|$)"))
    # the restored page (fetched again: no history cache) has no status filter; wait for it before
    # going back again, or its late answer lands on the earlier address
    expect(page.locator("#filters select[name=status]")).to_have_value("")
    expect(priority).to_have_attribute("aria-sort", "ascending")
    page.go_back()
    expect(page).to_have_url(re.compile(r"sort=-priority"))
    expect(priority).to_have_attribute("aria-sort", "descending")


def test_dates_read_and_take_yyyy_mm_dd_in_an_english_browser(demo_site, browser, sign_in):
    base, ids = demo_site
    context = browser.new_context(viewport=DESKTOP, locale="en-US", timezone_id="America/New_York")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, base, "manager")
        # a release's planned date, typed as digits: the separators come by themselves
        page.goto(f"{base}/releases")
        planned = page.locator("#release-form input[name=planned_date]")
        expect(planned).to_have_attribute("type", "text")
        expect(planned).to_have_attribute("placeholder", "yyyy-mm-dd")
        page.fill("#release-form input[name=version]", "V2026.12")
        planned.press_sequentially("20261207", delay=20)
        expect(planned).to_have_value("2026-12-07")
        # the calendar button opens the browser's picker, whose value is written back as yyyy-mm-dd
        expect(page.locator("#release-form .date-pick")).to_be_visible()
        page.evaluate("""() => { const n = document.querySelector('#release-form .date-native');
                                 n.value = '2026-12-08'; n.dispatchEvent(new Event('change')); }""")
        expect(planned).to_have_value("2026-12-08")
        page.click("#release-form button.primary")
        page.wait_for_url(re.compile(r".*/releases/\d+$"))
        expect(page.locator("dl.fields")).to_contain_text("2026-12-08")

        # a meeting's time: yyyy-mm-dd HH:MM, kept so on the page and in its edit form
        page.goto(f"{base}/meetings/new")
        when = page.locator("#new-meeting-form input[name=scheduled_at]")
        expect(when).to_have_attribute("placeholder", "yyyy-mm-dd HH:MM")
        when.press_sequentially("209906181430", delay=20)
        expect(when).to_have_value("2099-06-18 14:30")
        page.click("#new-meeting-form button.primary")
        page.wait_for_url(re.compile(r".*/meetings/\d+$"))
        expect(page.locator("#meeting-time")).to_contain_text("2099-06-18 14:30")
        expect(page.locator("#meeting-edit-form input[name=scheduled_at]")).to_have_value("2099-06-18 14:30")

        # a requirement's due date, other common spellings tidied to yyyy-mm-dd
        page.goto(f"{base}/requirements/{ids['editable']}/edit")
        due = page.locator("#fields-panel input[name=due_date]")
        due.fill("2026/6/8")
        due.blur()
        expect(due).to_have_value("2026-06-08")
        page.click("#fields-panel button.primary")
        expect(page.locator("#fields-panel dl.fields")).to_contain_text("2026-06-08")
    finally:
        context.close()
