"""The reports' service-level, user-opinion and rollout parts against a fixture with known counts,
in the .docx and the .xlsx, scoped to the reader's region (issue 11)."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Region, Release, ReleaseRolloutTarget, Requirement, SlaState, UserOpinion

PAST, FUTURE = datetime(2026, 11, 20, 2), datetime(2099, 1, 1)
NOV, OCT = datetime(2026, 11, 3, 2), datetime(2026, 10, 12, 2)

# (requirement, clock, stored state, started, at_risk_at, due_at)
CLOCKS = [
    ("R1", "response", "met", NOV, None, None),
    ("R1", "assessment", "breached", NOV, None, None),
    ("R1", "confirmation", "met", OCT, None, None),
    ("R2", "response", "met", NOV, None, None),
    ("R2", "assessment", "running", NOV, datetime(2026, 11, 10), PAST),  # due passed: breached
    ("R2", "feedback", "running", NOV, datetime(2026, 11, 10), FUTURE),  # at risk
    ("R3", "response", "breached", NOV, None, None),
]
REQS = {"R1": "445202", "R2": "445200", "R3": "440100"}


@pytest.fixture
def loop_data(app, make_user):
    with app.app_context():
        author = make_user("loop_author", "manager", "440000")
        regions = {r.code: r.id for r in db.session.scalars(select(Region))}
        ids = {}
        for n, (key, region) in enumerate(REQS.items(), start=1):
            req = Requirement(code=f"REQ-2026-{n:04d}", title=f"需求{key}", domain="budget", type="defect",
                              priority="high", channel="phone", region_id=regions[region], status="assessing",
                              created_by_id=author.id, created_at=OCT, status_changed_at=OCT, updated_at=OCT)
            db.session.add(req)
            db.session.flush()
            ids[key] = req.id
        for key, clock, state, started, at_risk, due in CLOCKS:
            db.session.add(SlaState(requirement_id=ids[key], clock=clock, state=state, used_minutes=10,
                                    target_minutes=30, started_at=started, at_risk_at=at_risk, due_at=due,
                                    evaluated_at=started))
        for key, reason, at in (("R1", "界面太慢", NOV), ("R3", "广州的意见", NOV), ("R2", "十月的意见", OCT)):
            db.session.add(UserOpinion(requirement_id=ids[key], region_id=regions[REQS[key]], reason=reason,
                                       recorded_by_id=author.id, recorded_at=at))
        releases = {}
        for version, status, changed in (("V1", "completed", datetime(2026, 11, 20, 2)),
                                         ("V2", "rolling_out", OCT), ("V3", "rolling_out", OCT)):
            release = Release(version=version, name=f"版本{version}", created_by_id=author.id, status=status,
                              status_changed_at=changed)
            db.session.add(release)
            db.session.flush()
            releases[version] = release.id
        for version, region, status, finished in (
                ("V1", "445200", "done", datetime(2026, 11, 18, 2)), ("V1", "440100", "done", datetime(2026, 11, 19, 2)),
                ("V1", "445202", "failed", datetime(2026, 11, 18, 3)),
                ("V2", "445200", "done", OCT), ("V2", "440100", "in_progress", None),
                ("V3", "440100", "done", NOV)):
            db.session.add(ReleaseRolloutTarget(release_id=releases[version], region_code=region, status=status,
                                                finished_at=finished, notes=""))
        db.session.commit()


def _sheet(body: bytes, title: str) -> list[list]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(body))[title]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(rows) if row and row[0] in ("时限", "记录日期", "版本", "月份"))
    return rows[header:]


def test_monthly_xlsx_service_levels_opinions_and_rollout_of_the_city(loop_data, api):
    city = api("taskforce", "445200")
    body = city.get("/api/v1/reports/monthly.xlsx?month=2026-11").data
    levels = _sheet(body, "服务水平")
    assert levels[0] == ["时限", "按时完成", "超时", "临近超时", "计时中", "合计", "达标率（%）"]
    assert levels[1] == ["响应", 2, 0, 0, 0, 2, 100]
    assert levels[2] == ["评估", 0, 2, 0, 0, 2, 0]
    assert levels[3] == ["反馈", 0, 0, 1, 0, 1, "—"]
    assert levels[4] == ["确认", 0, 0, 0, 0, 0, "—"]  # R1's started in October
    opinions = _sheet(body, "用户意见")
    assert opinions[1:] == [["2026-11-03", "REQ-2026-0001", "需求R1", "榕城区", "界面太慢"]]
    rollout = _sheet(body, "版本上线")
    assert rollout[0][:5] == ["版本", "名称", "版本状态", "完成日期", "本期完成升级地区数"]
    # V1 only: V2's done target was in October, V3 has no target in the city
    assert rollout[1:] == [["V1", "版本V1", "已完成", "2026-11-20", 1, 1, 0, 0, 1, 0, 2]]


def test_province_counts_every_region(loop_data, api):
    body = api("taskforce", "440000").get("/api/v1/reports/monthly.xlsx?month=2026-11").data
    assert _sheet(body, "服务水平")[1] == ["响应", 2, 1, 0, 0, 3, 66.7]
    assert [row[4] for row in _sheet(body, "用户意见")[1:]] == ["界面太慢", "广州的意见"]
    rollout = _sheet(body, "版本上线")
    assert [(row[0], row[4], row[-1]) for row in rollout[1:]] == [("V1", 2, 3), ("V3", 1, 1)]


def test_a_county_region_narrows_the_parts_and_other_cities_are_404(loop_data, api):
    city = api("taskforce", "445200")
    body = city.get("/api/v1/reports/monthly.xlsx?month=2026-11&region=445202").data
    assert _sheet(body, "服务水平")[1] == ["响应", 1, 0, 0, 0, 1, 100]
    rollout = _sheet(body, "版本上线")
    assert rollout[1:] == [["V1", "版本V1", "已完成", "2026-11-20", 0, 0, 0, 0, 1, 0, 1]]
    assert city.get("/api/v1/reports/monthly.xlsx?month=2026-11&region=440100").status_code == 404


def test_annual_docx_has_the_parts_and_month_by_month_figures(loop_data, api):
    from docx import Document

    city = api("taskforce", "445200")
    doc = Document(io.BytesIO(city.get("/api/v1/reports/annual.docx?year=2026").data))
    texts = [p.text for p in doc.paragraphs]
    for heading in ("六、版本上线", "七、服务水平", "八、分月服务水平与意见", "十、用户意见"):
        assert heading in texts
    assert texts[texts.index("七、服务水平") + 1] == (
        "响应时限达标率100.0%（按时2项、超时0项、临近超时0项）；评估时限达标率0.0%（按时0项、超时2项、临近超时0项）；"
        "反馈时限暂无已完成计时（按时0项、超时0项、临近超时1项）；确认时限达标率100.0%（按时1项、超时0项、临近超时0项）。")
    assert texts[texts.index("十、用户意见") + 1] == "本期记录提出人不满意意见2条。"
    tables = {t.rows[0].cells[0].text + "|" + t.rows[0].cells[1].text: t for t in doc.tables}
    months = tables["月份|响应达标率（%）"]
    assert [c.text for c in months.rows[0].cells] == ["月份", "响应达标率（%）", "评估达标率（%）", "反馈达标率（%）",
                                                     "确认达标率（%）", "超时合计", "不满意意见", "完成升级地区数"]
    assert [c.text for c in months.rows[10].cells] == ["2026年10月", "—", "—", "—", "100.0", "0", "1", "1"]
    assert [c.text for c in months.rows[11].cells] == ["2026年11月", "100.0", "0.0", "—", "—", "2", "1", "1"]
    opinions = tables["记录日期|需求编号"]
    assert [[c.text for c in row.cells][4] for row in opinions.rows[1:]] == ["十月的意见", "界面太慢"]
    assert all("广州" not in cell.text for t in doc.tables for row in t.rows for cell in row.cells)
    body = city.get("/api/v1/reports/half-year.xlsx?year=2026&half=2").data
    assert _sheet(body, "分月服务水平与意见")[5] == ["2026年11月", 100, 0, "—", "—", 2, 1, 1]


def test_monthly_report_has_no_month_by_month_part(loop_data, api):
    from openpyxl import load_workbook

    body = api("taskforce", "445200").get("/api/v1/reports/monthly.xlsx?month=2026-11").data
    assert "分月服务水平与意见" not in load_workbook(io.BytesIO(body)).sheetnames


def _dashboard(app, make_user, username: str, region: str) -> str:
    from tests.conftest import PASSWORD

    make_user(username, "taskforce", region)
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client.get("/dashboard?from=2026-10-01&to=2026-11-30").get_data(as_text=True)


def _compliance_rows(page: str) -> dict[str, list[str]]:
    """The table view of the compliance chart: {month: [response, assessment, feedback, confirmation]}."""
    import re

    table = page.split('id="chart-sla_compliance"')[1].split("</table>")[0]
    rows = {}
    for month, cells in re.findall(r'<th scope="row"><a href="[^"]*">([0-9-]+)</a></th>(.*?)</tr>', table, re.S):
        rows[month] = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
    return rows


def test_dashboard_compliance_per_month_counts_the_readers_clocks(loop_data, app, make_user):
    province = _compliance_rows(_dashboard(app, make_user, "tf_gd", "440000"))
    # November: response met twice, breached once; assessment breached twice (one past its due time)
    assert province["2026-11"] == ["66.7%", "0.0%", "—", "—"]
    assert province["2026-10"] == ["—", "—", "—", "100.0%"]
    city = _compliance_rows(_dashboard(app, make_user, "tf_jy", "445200"))
    assert city["2026-11"] == ["100.0%", "0.0%", "—", "—"]  # 广州's breached response is not the city's
    page = _dashboard(app, make_user, "tf_jy2", "445200")
    assert "/requirements?from=2026-11-01&amp;to=2026-11-30&amp;sla=breached" in page
