"""The statistics page counts proposers on demand (`measure=proposers`), says how, links no
requirement list from a proposer count, and its spreadsheet names what it counted."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.duplicates_kit import merged_across_cities


def test_the_statistics_page_and_spreadsheet_count_proposers(api, filed, payload, make_user, login):
    merged_across_cities(api, filed, payload)
    make_user("prov_reader", "reviewer", "440000")
    client = login("prov_reader")
    page = client.get("/stats", query_string={"by": "region", "measure": "proposers"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="measure-note"' in html and '<option value="proposers" selected>' in html
    # a proposer count opens no requirement list
    assert 'href="/requirements?' not in html.split('id="crosstab"')[1]
    plain = client.get("/stats", query_string={"by": "region"}).get_data(as_text=True)
    assert 'href="/requirements?' in plain.split('id="crosstab"')[1] and 'id="measure-note"' not in plain
    sheet = client.get("/stats.xlsx", query_string={"by": "region", "measure": "proposers"})
    assert sheet.status_code == 200
    rows = [[c for c in row if c is not None] for row in load_workbook(io.BytesIO(sheet.data)).active.iter_rows(
        values_only=True)]
    assert any(row and row[0] == "统计对象" and row[1].startswith("提出方数") for row in rows)
    assert ["合计", 3] in rows
