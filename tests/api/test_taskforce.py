"""The task force's desk: figures from one query layer in the API, the pages, the .xlsx and the .docx,
checked against a fixture with known counts, and scoped to the reader's region."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Event, Region, Requirement
from app.services import periods
from app.services.stats import counts, filter_args

# (region, domain, status, channel, created_at UTC) -- 2026-10-31 17:00 UTC is 1 November in Beijing
ROWS = [
    ("445202", "budget", "submitted", "phone", datetime(2026, 10, 15, 4)),
    ("445202", "budget", "submitted", "phone", datetime(2026, 10, 15, 4)),
    ("445202", "budget", "submitted", "phone", datetime(2026, 10, 31, 17)),
    ("445202", "execution", "released", "onsite", datetime(2026, 10, 15, 4)),
    ("445202", "execution", "closed", "onsite", datetime(2026, 10, 15, 4)),
    ("445200", "budget", "assessing", "phone", datetime(2026, 10, 15, 4)),
    ("440100", "execution", "submitted", "phone", datetime(2026, 10, 15, 4)),
    ("440100", "execution", "submitted", "phone", datetime(2026, 10, 15, 4)),
    ("440100", "execution", "submitted", "phone", datetime(2026, 10, 15, 4)),
    ("440100", "execution", "released", "phone", datetime(2026, 10, 15, 4)),
]


def _build(app, make_user):
    with app.app_context():
        author = make_user("tf_author", "engineer", "440000")
        regions = {r.code: r.id for r in db.session.scalars(select(Region))}
        for n, (region, domain, status, channel, at) in enumerate(ROWS, start=1):
            req = Requirement(code=f"REQ-2026-{n:04d}", title=f"需求{n}", domain=domain, type="defect",
                              priority="high", channel=channel, region_id=regions[region], status=status,
                              created_by_id=author.id, created_at=at, status_changed_at=at, updated_at=at)
            db.session.add(req)
            db.session.flush()
            if status == "released":  # resolved on 10 November (Beijing)
                db.session.add(Event(requirement_id=req.id, kind="transition", at=datetime(2026, 11, 10, 2),
                                     data={"from": "verified", "to": "released", "reason": ""}))
        db.session.commit()


@pytest.fixture
def known(app, make_user):
    _build(app, make_user)


def rows_of(response):
    assert response.status_code == 200, response.json
    return {tuple(row[d] for d in response.json["by"]): row["count"] for row in response.json["rows"]}


def test_stats_api_counts_by_region_and_domain_for_the_province(known, api):
    province = api("taskforce", "440000")
    response = province.get("/api/v1/stats?by=region,domain")
    assert rows_of(response) == {("440100", "execution"): 4, ("445200", "budget"): 4, ("445200", "execution"): 2}
    assert response.json["total"] == 10
    assert response.json["by"] == ["region", "domain"]


def test_stats_api_city_user_counts_only_their_region_drilling_into_counties(known, api):
    city = api("taskforce", "445200")
    assert rows_of(city.get("/api/v1/stats?by=region")) == {("445200",): 1, ("445202",): 5}
    # a region outside scope counts nothing
    assert city.get("/api/v1/stats?by=region&region=440100").json["total"] == 0


def test_month_is_the_beijing_month_and_period_filters_apply(known, api):
    city = api("taskforce", "445200")
    assert rows_of(city.get("/api/v1/stats?by=month")) == {("2026-10",): 5, ("2026-11",): 1}
    november = city.get("/api/v1/stats?by=status&from=2026-11-01&to=2026-11-30")
    assert rows_of(november) == {("submitted",): 1}
    assert rows_of(city.get("/api/v1/stats?by=domain&status=submitted,closed")) == {("budget",): 3, ("execution",): 1}


@pytest.mark.parametrize("query, field", [("by=colour", "by.0"), ("by=month,month", "by"), ("", "by"),
                                          ("by=month&from=2026-02-30", "from"),
                                          ("by=month&from=2026-03-01&to=2026-02-01", "to"),
                                          ("by=region,domain,status", "by")])
def test_stats_api_names_the_bad_field(api, query, field):
    response = api("taskforce", "445200").get(f"/api/v1/stats?{query}")
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_the_list_behind_a_month_bar_has_the_same_count(known, api):
    city = api("taskforce", "445200")
    args = filter_args({}, "month", "2026-11")
    assert args == {"from": "2026-11-01", "to": "2026-11-30"}
    listed = city.get("/api/v1/requirements?from=2026-11-01&to=2026-11-30")
    assert listed.json["total"] == 1
    assert listed.json["items"][0]["code"] == "REQ-2026-0003"


def test_query_layer_and_api_agree(known, app, api):
    city = api("taskforce", "445200")
    with app.app_context():
        user = db.session.get(type(city.user), city.user.id)
        direct = counts(user, ["region", "status"], {}).as_dict()
    assert direct == city.get("/api/v1/stats?by=region,status").json


PASSWORD = "Secret#2026"  # tests/conftest.py's


@pytest.fixture
def signed_in(app, make_user):
    def sign_in(username: str, role: str, region: str):
        make_user(username, role, region)
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.data
        return client, response

    return sign_in


def test_taskforce_lands_on_the_dashboard_others_on_the_list(signed_in):
    _client, response = signed_in("tf_jy", "taskforce", "445200")
    assert response.headers["Location"].endswith("/dashboard")
    _client, response = signed_in("eng_jy", "engineer", "445200")
    assert response.headers["Location"].endswith("/requirements")


def test_dashboard_figures_link_to_their_lists(known, signed_in):
    client, _ = signed_in("tf_jy", "taskforce", "445200")
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'id="chart-status"' in page and 'id="chart-intake"' in page and "echarts-5.6.0" in page
    # the table view of the region chart: 榕城区 5, linking to its list
    assert '<a href="/requirements?region=445202">5</a>' in page
    # a month bar of a channel links to that month's items of that channel
    assert "/requirements?from=2026-11-01&amp;to=2026-11-30&amp;channel=phone" in page
    assert "广州" not in page


def test_stats_page_cross_tab_with_totals_scoped_to_the_city(known, signed_in):
    client, _ = signed_in("tf_jy", "taskforce", "445200")
    page = client.get("/stats?by=region,domain").get_data(as_text=True)
    assert '<a href="/requirements?region=445202&amp;domain=budget">3</a>' in page
    assert '<a href="/requirements?region=445202">5</a>' in page  # row total
    assert '<a href="/requirements">6</a>' in page  # grand total: the city's only
    assert "广州市" not in page.split('id="crosstab"')[1]


def _sheet_rows(body: bytes, title: str | None = None):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(body))
    sheet = workbook[title] if title else workbook.worksheets[0]
    rows = []
    for row in sheet.iter_rows():
        values = [c.value for c in row]
        while values and values[-1] is None:
            values.pop()
        rows.append(values)
    return sheet, rows


def test_stats_xlsx_writes_filters_and_the_cross_tab_cell_by_cell(known, signed_in):
    client, _ = signed_in("tf_jy", "taskforce", "445200")
    response = client.get("/stats.xlsx?by=region,domain&from=2026-10-01&to=2026-10-31")
    assert response.status_code == 200
    sheet, rows = _sheet_rows(response.data)
    assert ["统计口径", "地区 × 业务领域"] in rows
    assert ["登记日期", "2026-10-01 至 2026-10-31"] in rows
    header = rows.index(["地区", "预算域", "执行域", "合计"])
    assert rows[header + 1] == ["揭阳市（本级）", 1, 0, 1]
    assert rows[header + 2] == ["榕城区", 2, 2, 4]
    assert rows[header + 3] == ["合计", 3, 2, 5]
    assert len(rows) == header + 4
    assert sheet.freeze_panes == f"A{header + 2}"


def test_ledger_xlsx_has_frozen_filtered_header_and_only_the_scope(known, api):
    response = api("taskforce", "445200").get("/api/v1/ledger.xlsx?domain=execution")
    assert response.status_code == 200
    sheet, rows = _sheet_rows(response.data)
    header = next(i for i, row in enumerate(rows) if row and row[0] == "需求编号")
    codes = [row[0] for row in rows[header + 1:]]
    assert codes == ["REQ-2026-0004", "REQ-2026-0005"]
    released = rows[header + 1]
    assert released[rows[header].index("当前状态")] == "已上线"
    assert released[rows[header].index("发布上线日期")] == "2026-11-10"
    assert sheet.freeze_panes == f"A{header + 2}"
    assert sheet.auto_filter.ref == f"A{header + 1}:{sheet.cell(row=header + 1, column=len(rows[header])).column_letter}{header + 3}"
    assert sheet.column_dimensions["B"].width >= 10


def test_monthly_report_docx_and_xlsx_equal_the_statistics(known, api):
    city = api("taskforce", "445200")
    stats = city.get("/api/v1/stats?by=region,domain&from=2026-11-01&to=2026-11-30").json
    assert stats["total"] == 1
    response = city.get("/api/v1/reports/monthly.docx?month=2026-11")
    assert response.status_code == 200
    from docx import Document

    doc = Document(io.BytesIO(response.data))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "揭阳市数字财政需求管理月报（2026年11月）"
    assert texts[1] == "统计期间：2026年11月1日至2026年11月30日"
    assert texts[2] == "一、总体情况"
    assert texts[3] == "本期新增需求1项；本期办结需求1项；当前在办需求4项；当前逾期需求0项。"
    assert "二、分地区分领域需求" in texts and "揭阳市财政局" in texts
    table = doc.tables[1]
    assert [c.text for c in table.rows[0].cells] == ["地区", "预算域", "合计"]
    assert [c.text for c in table.rows[1].cells] == ["榕城区", "1", "1"]
    assert doc.sections[0].page_width.cm == pytest.approx(21.0, abs=0.01)
    assert doc.paragraphs[0].runs[0].font.name == "方正小标宋简体"

    workbook = city.get("/api/v1/reports/monthly.xlsx?month=2026-11")
    _sheet, rows = _sheet_rows(workbook.data, "总体情况")
    assert ["本期新增需求", 1] in rows and ["本期办结需求", 1] in rows
    _sheet, rows = _sheet_rows(workbook.data, "分地区分领域需求")
    assert rows[-1] == ["合计", 1, 1]


def test_reports_count_only_the_readers_region(known, api):
    from docx import Document

    province = Document(io.BytesIO(api("taskforce", "440000").get("/api/v1/reports/annual.docx?year=2026").data))
    city = Document(io.BytesIO(api("taskforce", "445200").get("/api/v1/reports/annual.docx?year=2026").data))
    assert "本期新增需求10项" in province.paragraphs[3].text
    assert "本期新增需求6项" in city.paragraphs[3].text
    assert all("广州" not in cell.text for table in city.tables for row in table.rows for cell in row.cells)
    months = city.tables[2]
    assert [c.text for c in months.rows[10].cells] == ["2026年10月", "5", "0"]
    assert [c.text for c in months.rows[11].cells] == ["2026年11月", "1", "1"]
    assert api("taskforce", "445200").get("/api/v1/reports/monthly.docx?month=2026-11&region=440100").status_code == 404


def test_half_year_xlsx_has_one_sheet_per_part(known, api):
    from openpyxl import load_workbook

    response = api("taskforce", "445200").get("/api/v1/reports/half-year.xlsx?year=2026&half=2")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["总体情况", "分地区分领域需求", "分月情况", "需求评审会", "版本验证", "版本上线",
                                  "服务水平", "分月服务水平与意见", "典型案例", "用户意见"]
    assert workbook["分月情况"]["A1"].value == "报表"
    assert api("taskforce", "445200").get("/api/v1/reports/half-year.xlsx?year=2026&half=3").status_code == 422


def test_web_report_downloads_and_page(known, signed_in):
    client, _ = signed_in("tf_jy", "taskforce", "445200")
    page = client.get("/reports").get_data(as_text=True)
    assert 'action="/reports/monthly.docx"' in page and 'hx-post="/exports"' in page
    response = client.get("/reports/monthly.xlsx?month=2026-11")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert client.get("/reports/monthly.docx?month=2026-13").status_code == 422


def test_a_manager_marks_a_notable_case_and_the_report_lists_it(known, api, app):
    manager, city_tf = api("manager", "445200"), api("taskforce", "445200")
    with app.app_context():
        req_id = db.session.scalar(select(Requirement.id).where(Requirement.code == "REQ-2026-0004"))
        gz_id = db.session.scalar(select(Requirement.id).where(Requirement.code == "REQ-2026-0010"))
    url = f"/api/v1/requirements/{req_id}/notable-case"
    assert manager.get(url).status_code == 404
    assert manager.put(url, json={"write_up": "  "}).status_code == 422
    assert city_tf.put(url, json={"write_up": "跨年退款"}).status_code == 403
    assert manager.put(f"/api/v1/requirements/{gz_id}/notable-case", json={"write_up": "x"}).status_code == 404
    response = manager.put(url, json={"write_up": "跨年退款更正后指标未回滚，配置调整后解决。"})
    assert response.status_code == 200 and response.json["requirement"] == "REQ-2026-0004"
    assert city_tf.get(url).json["write_up"] == "跨年退款更正后指标未回滚，配置调整后解决。"
    from docx import Document

    with app.app_context():
        year = periods.local_today().year
    doc = Document(io.BytesIO(city_tf.get(f"/api/v1/reports/annual.docx?year={year}").data))
    texts = [p.text for p in doc.paragraphs]
    assert "九、典型案例" in texts and "十、用户意见" in texts
    cases_table = doc.tables[-1]
    assert [c.text for c in cases_table.rows[1].cells] == ["REQ-2026-0004", "需求4", "榕城区",
                                                            "跨年退款更正后指标未回滚，配置调整后解决。"]
    assert manager.delete(url).status_code == 204
    assert manager.get(url).status_code == 404


def test_notable_case_button_on_the_requirement_page(known, signed_in, app):
    with app.app_context():
        req_id = db.session.scalar(select(Requirement.id).where(Requirement.code == "REQ-2026-0004"))
    manager, _ = signed_in("mgr_jy", "manager", "445200")
    page = manager.get(f"/requirements/{req_id}").get_data(as_text=True)
    assert 'id="notable-case-card"' in page and f'/requirements/{req_id}/notable-case"' in page
    response = manager.post(f"/requirements/{req_id}/notable-case", data={"write_up": "典型：配置解决"},
                            headers={"HX-Request": "true"})
    assert response.status_code == 200 and "典型：配置解决" in response.get_data(as_text=True)
    response = manager.post(f"/requirements/{req_id}/notable-case", data={"write_up": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    reader, _ = signed_in("tf_jy", "taskforce", "445200")
    page = reader.get(f"/requirements/{req_id}").get_data(as_text=True)
    assert "典型：配置解决" in page and f'/requirements/{req_id}/notable-case"' not in page


def test_lead_time_in_working_days_from_filing_to_release(known, app, api):
    from datetime import date

    from app.services.stats import leadtime

    city = api("taskforce", "445200")
    with app.app_context():
        user = db.session.get(type(city.user), city.user.id)
        result = leadtime.lead_times(user, {}, periods.Period(date(2026, 11, 1), date(2026, 11, 30)))
        # filed Thursday 15 October, released Tuesday 10 November (Beijing): 18 working days
        assert result.distribution == [("≤5", 0), ("6–10", 0), ("11–20", 1), ("21–40", 0), (">40", 0)]
        assert result.monthly == [("2026-11", 18.0, 1)]
        province = leadtime.lead_times(api("taskforce", "440000").user, {}, periods.Period(date(2026, 11, 1),
                                                                                        date(2026, 11, 30)))
        assert province.count == 2
        assert leadtime.lead_times(user, {}, periods.Period(date(2026, 10, 1), date(2026, 10, 31))).count == 0


def test_bad_filters_on_the_pages_are_reported_not_500(known, signed_in):
    client, _ = signed_in("tf_jy", "taskforce", "445200")
    for url in ("/dashboard?from=2026-02-30&region=nowhere", "/stats?by=colour&to=x", "/stats.xlsx?by=x&from=y",
                "/ledger.xlsx?region=nowhere", "/dashboard?region=440100"):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get("/dashboard?from=2026-02-30&region=nowhere").get_data(as_text=True)
    assert "nowhere" in page  # the unknown region is reported
    # a bad dimension falls back to region x status
    assert "<caption>区划 × 状态 · 需求（每条计一次）</caption>" in client.get("/stats?by=colour").get_data(as_text=True)
    assert client.get("/reports/weekly.docx").status_code == 404


def test_overdue_and_at_risk_counts_link_to_the_same_items(known, app, signed_in, api):
    from datetime import timedelta

    with app.app_context():
        today = periods.local_today()
        for code, due in (("REQ-2026-0001", today - timedelta(days=2)), ("REQ-2026-0002", today + timedelta(days=2)),
                          ("REQ-2026-0005", today - timedelta(days=9)),  # closed: not overdue
                          ("REQ-2026-0007", today - timedelta(days=1))):  # 广州: outside the city
            db.session.scalar(select(Requirement).where(Requirement.code == code)).due_date = due
        db.session.commit()
    client, _ = signed_in("tf_jy", "taskforce", "445200")
    page = client.get("/dashboard").get_data(as_text=True)
    assert '<strong data-kpi="overdue">1</strong>' in page
    assert '<strong data-kpi="at_risk">1</strong>' in page
    import html
    import re

    for kind, code in (("overdue", "REQ-2026-0001"), ("at-risk", "REQ-2026-0002")):
        href = html.unescape(re.search(rf'<a class="kpi {kind}" href="([^"]+)"', page).group(1))
        listed = api("taskforce", "445200").get("/api/v1" + href)
        assert [item["code"] for item in listed.json["items"]] == [code], href
