"""The task force's dashboard in a real browser: it lands there after signing in, the ECharts
charts render, a click on a bar opens the filtered requirement list, and a screenshot of the
dashboard is kept as the test's artifact (in its tmp dir)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from sqlalchemy import select

from app.extensions import db
from app.models import Requirement
from app.services import requirements, users

pytestmark = pytest.mark.e2e

PASSWORD = "Browser#2026"  # tests/e2e/conftest.py's


def _data(app) -> None:
    with app.app_context():
        engineer = users.create_user("tf_filer", PASSWORD, "engineer", "445200", "黄志明")
        users.create_user("taskforce", PASSWORD, "taskforce", "445200", "郑丽华")
        base = {"title": "直接支出更正后指标余额未回滚", "description": "", "domain": "execution", "module": "",
                "type": "defect", "priority": "high", "channel": "phone", "proposer_name": "李秀英"}
        for region, domain in (("445202", "execution"), ("445202", "budget"), ("445281", "execution")):
            requirements.create(engineer, {**base, "region": region, "domain": domain})


def test_dashboard_renders_and_a_bar_opens_its_list(live_server, page, tmp_path):
    base, app = live_server
    _data(app)
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "taskforce")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/dashboard")
    expect(page.locator("h1")).to_contain_text("工作台")

    # every chart is drawn by ECharts (a canvas inside it)
    for chart in ("status", "domain", "region", "intake"):
        expect(page.locator(f"#chart-{chart} .chart canvas")).to_have_count(1)
    page.wait_for_function("() => document.querySelectorAll('.chart[data-rendered]').length >= 4")
    # the table view carries the same figures
    page.click("#chart-domain summary")
    expect(page.locator("#chart-domain table a", has_text="2")).to_have_attribute("href", "/requirements?domain=execution")

    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    # click the domain chart's 执行域 bar (2 requirements) where ECharts drew it
    point = page.evaluate("""() => {
        const el = document.querySelector('#chart-domain .chart');
        const chart = echarts.getInstanceByDom(el);
        const spec = JSON.parse(el.dataset.chart);
        const i = spec.categories.indexOf('执行域');
        const [x, y] = chart.convertToPixel({seriesIndex: 0}, [i, spec.series[0].values[i]]);
        const box = el.getBoundingClientRect();
        return {x: box.left + x, y: box.top + y + 8};
    }""")
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(re.compile(r".*/requirements\?domain=execution$"))
    expect(page.locator("table.list tbody tr")).to_have_count(2)


def test_statistics_count_requirements_or_their_proposers(live_server, page):
    """From the dashboard to the statistics page: counted by region, then switched to proposers
    (a need raised by two counties and merged counts both units, each in its own county); the
    export keeps what was counted."""
    base, app = live_server
    _data(app)
    with app.app_context():
        manager = users.create_user("tf_manager", PASSWORD, "manager", "445200", "林晓燕")
        rongcheng_exec, _budget, puning = db.session.scalars(select(Requirement).order_by(Requirement.id)).all()
        requirements.transition(manager, puning, "duplicate", "同一问题", duplicate_of=rongcheng_exec.code)
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "taskforce")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/dashboard")
    page.click("a[href='/stats']")
    page.select_option("#by-rows", "region")
    page.select_option("#by-cols", "")
    with page.expect_navigation():  # the old page's figures must not answer the checks below
        page.click(".dimension-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/stats\?.*measure=requirements"))
    expect(page.locator("#crosstab tfoot td.total")).to_have_text("3")  # three requirements
    expect(page.locator("#measure-note")).to_have_count(0)

    page.select_option("#measure", "proposers")
    with page.expect_navigation():
        page.click(".dimension-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/stats\?.*measure=proposers"))
    expect(page.locator("#measure-note")).to_be_visible()
    rows = page.locator("#crosstab tbody tr")
    expect(rows.filter(has_text="榕城区").locator("td.total")).to_have_text("2")
    expect(rows.filter(has_text="普宁市").locator("td.total")).to_have_text("1")
    expect(page.locator("#crosstab tfoot td.total")).to_have_text("3")
    expect(page.locator("#crosstab a")).to_have_count(0)  # a proposer count opens no requirement list
    expect(page.locator("a", has_text="导出Excel")).to_have_attribute("href", re.compile(r"measure=proposers"))
