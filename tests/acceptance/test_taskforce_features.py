"""专班的统计、报表与台帐 (features/taskforce/*.feature), bound to /api/v1/stats, the reports
and the ledger. The shared steps of tests/acceptance/conftest.py (users, filing, response checks)
are reused; dimension and status words are translated from the issue's vocabulary here."""
from __future__ import annotations

import io

import parse
from pytest_bdd import parsers, scenarios, then, when

scenarios("taskforce/statistics.feature")  # background exports: test_taskforce_exports_features.py

DIMENSIONS = {"区划": "region", "业务领域": "domain", "状态": "status", "月份": "month", "渠道": "channel",
              "类型": "type", "紧急程度": "priority"}
STATUSES = {"已登记": "submitted", "分析评估中": "assessing", "已上线": "released", "已关闭": "closed"}


@parse.with_pattern(r'[^"\s，、]+?')
def _who(text: str) -> str:
    return text


def P(fmt: str):
    return parsers.parse(fmt, extra_types={"Who": _who})


@when(P('{who:Who}按"{dimensions}"统计需求'), target_fixture="response")
def stats_by(world, who: str, dimensions: str):
    by = ",".join(DIMENSIONS.get(d, d) for d in dimensions.split(","))
    return world.person(who).client.get(f"/api/v1/stats?by={by}")


@when(P('{who:Who}按"{dimensions}"统计提出方'), target_fixture="response")
def proposer_stats_by(world, who: str, dimensions: str):
    by = ",".join(DIMENSIONS.get(d, d) for d in dimensions.split(","))
    return world.person(who).client.get(f"/api/v1/stats?by={by}&measure=proposers")


@then("统计结果为:")
def stats_rows(response, datatable):
    assert response.status_code == 200, response.json
    header, *rows = datatable
    dims = [DIMENSIONS[h] for h in header[:-1]]
    assert response.json["by"] == dims
    expected = [tuple(STATUSES.get(v, v) for v in row[:-1]) + (int(row[-1]),) for row in rows]
    actual = [tuple(r[d] for d in dims) + (r["count"],) for r in response.json["rows"]]
    assert actual == expected


@then(P("统计总数为 {n:d}"))
def stats_total(response, n: int):
    assert response.json["total"] == n


def _this_month(app) -> str:
    from app.services import periods

    with app.app_context():
        today = periods.local_today()
    return f"{today.year:04d}-{today.month:02d}"


@when(P("{who:Who}下载本月的月报"), target_fixture="report")
def monthly_report(world, app, who: str):
    from docx import Document

    month = _this_month(app)
    response = world.person(who).client.get(f"/api/v1/reports/monthly.docx?month={month}")
    assert response.status_code == 200, response.json
    return {"doc": Document(io.BytesIO(response.data)), "month": month}


@then(P('月报标题为"{prefix}"加本月'))
def report_title(report, prefix: str):
    year, month = report["month"].split("-")
    assert report["doc"].paragraphs[0].text == f"{prefix}（{int(year)}年{int(month)}月）"


@then(P('月报写明"{text}"'))
def report_says(report, text: str):
    assert any(text in p.text for p in report["doc"].paragraphs)


@then(P('月报的分地区分领域表中"{region}"一行合计为 {n:d}'))
def report_region_total(report, region: str, n: int):
    table = report["doc"].tables[1]
    assert table.rows[0].cells[0].text == "地区"
    row = next(r for r in table.rows if r.cells[0].text == region)
    assert row.cells[-1].text == str(n)


@then(P('月报中没有"{text}"'))
def report_lacks(report, text: str):
    doc = report["doc"]
    assert all(text not in p.text for p in doc.paragraphs)
    assert all(text not in c.text for t in doc.tables for r in t.rows for c in r.cells)


@when(P("{who:Who}下载台帐"), target_fixture="ledger")
def download_ledger(world, who: str):
    from openpyxl import load_workbook

    response = world.person(who).client.get("/api/v1/ledger.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    start = next(i for i, row in enumerate(rows) if row[0] == "需求编号")
    return {"header": rows[start], "rows": rows[start + 1:]}


@then(P("台帐共 {n:d} 行，依次为{titles}"))
def ledger_titles(ledger, n: int, titles: str):
    expected = [t.strip('"') for t in titles.split("、")]
    column = ledger["header"].index("需求名称")
    assert len(ledger["rows"]) == n
    assert [row[column] for row in ledger["rows"]] == expected


@then(P('台帐每行的当前状态为"{label}"'))
def ledger_status(ledger, label: str):
    column = ledger["header"].index("当前状态")
    assert {row[column] for row in ledger["rows"]} == {label}
