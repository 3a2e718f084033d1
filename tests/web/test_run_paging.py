"""The run page at scale: scenario heads a page at a time (cut in SQL), steps loaded when a
scenario is opened, the next page from the "more" link; the same few queries whatever the size."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from app.extensions import db
from app.models import User
from app.services import scenarios, verification
from app.web.verification import RUN_PAGE_SIZE

PASSWORD = "Secret#2026"
HX = {"HX-Request": "true"}


def outline(rows: int) -> str:
    """A feature whose outline expands to `rows` scenarios of two steps each."""
    lines = ["# language: zh-CN", f"@规模{rows}", "功能: 批量支付校验", "", "  场景大纲: 支付校验",
             "    当 经办人提交第 <序号> 笔支付", "    那么 校验结果为\"<结果>\"", "", "    例子: 批量",
             "      | 序号 | 结果 |"]
    lines += [f"      | {n} | 成功 |" for n in range(1, rows + 1)]
    return "\n".join(lines) + "\n"


def make_run(app, rows: int, version: str) -> int:
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.username == "mgr"))
        scenarios.import_feature(manager, f"scale/batch_{rows}.feature", outline(rows))
        release = verification.create_release(manager, {"version": version, "name": "规模测试"})
        run = verification.create_run(manager, release, {"environment": "acceptance", "region": "445200",
                                                         "tags": f"@规模{rows}"})
        return run.id


@pytest.fixture
def client(make_user, login):
    make_user("mgr", "manager", "445200")
    make_user("eng", "engineer", "445200")
    return login("eng")


def stub_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<details class="scenario" id="sc-(\d+)" data-scenario-id="\d+" data-lazy="true"', html)]


def test_the_run_page_lists_one_page_of_heads_and_loads_the_rest_on_demand(app, client):
    run_id = make_run(app, 120, "V2026.90")
    page = client.get(f"/runs/{run_id}").get_data(as_text=True)
    assert 'data-total="120"' in page and 'id="count-untested">120<' in page
    first = stub_ids(page)
    assert len(first) == RUN_PAGE_SIZE and '<li class="step' not in page and "data-mark=" not in page
    assert "0/2" in page  # each head says how many of its steps are marked
    assert f'hx-get="/runs/{run_id}/checklist?show=all&amp;page=2"' in page
    assert f'href="/runs/{run_id}?show=all&amp;page=2"' in page  # and a plain link without JavaScript

    second = client.get(f"/runs/{run_id}/checklist?show=all&page=2", headers=HX)
    html = second.get_data(as_text=True)
    assert second.status_code == 200 and "HX-Push-Url" not in second.headers
    assert "<html" not in html and 'id="show-filter"' not in html  # the next heads alone
    ids = stub_ids(html)
    assert len(ids) == RUN_PAGE_SIZE and not set(ids) & set(first)
    assert "page=3" in html
    last = client.get(f"/runs/{run_id}/checklist?show=all&page=3", headers=HX).get_data(as_text=True)
    assert len(stub_ids(last)) == 120 - 2 * RUN_PAGE_SIZE and 'id="checklist-more"' not in last
    assert sorted(first + ids + stub_ids(last)) == sorted(set(first + ids + stub_ids(last)))
    # past the end: nothing, not even the "nothing to show" notice
    beyond = client.get(f"/runs/{run_id}/checklist?show=all&page=9", headers=HX).get_data(as_text=True)
    assert "details" not in beyond and "checklist-empty" not in beyond
    # without htmx the link opens the run page at that page
    plain = client.get(f"/runs/{run_id}/checklist?show=all&page=2")
    assert plain.status_code == 302 and plain.headers["Location"] == f"/runs/{run_id}?show=all&page=2"
    assert stub_ids(client.get(f"/runs/{run_id}?page=2").get_data(as_text=True)) == ids

    # opening a scenario loads it whole: its steps with the marks, open
    one = client.get(f"/runs/{run_id}/scenarios/{first[0]}", headers=HX)
    body = one.get_data(as_text=True)
    assert one.status_code == 200 and "<html" not in body
    assert re.search(rf'<details class="scenario" id="sc-{first[0]}" data-scenario-id="{first[0]}" open>', body)
    assert f'id="step-{first[0]}-0"' in body and f'id="step-{first[0]}-1"' in body and "data-mark=" in body
    assert "data-lazy" not in body
    assert client.get(f"/runs/{run_id}/scenarios/999999", headers=HX).status_code == 404


def test_the_filters_page_too_and_marks_show_in_the_heads(app, client):
    run_id = make_run(app, 70, "V2026.91")
    ids = stub_ids(client.get(f"/runs/{run_id}").get_data(as_text=True))
    target = ids[3]
    assert client.post(f"/runs/{run_id}/scenarios/{target}/steps/1", headers=HX, data={"status": "failed"}).status_code == 200
    failures = client.get(f"/runs/{run_id}/checklist?show=failures", headers=HX).get_data(as_text=True)
    assert stub_ids(failures) == [target] and "1/2" in failures and 'id="checklist-more"' not in failures
    untested = client.get(f"/runs/{run_id}/checklist?show=untested", headers=HX).get_data(as_text=True)
    assert len(stub_ids(untested)) == RUN_PAGE_SIZE and target not in stub_ids(untested)
    rest = client.get(f"/runs/{run_id}/checklist?show=untested&page=2", headers=HX).get_data(as_text=True)
    assert len(stub_ids(rest)) == 69 - RUN_PAGE_SIZE and "show=untested" in rest


def test_the_scenario_endpoint_keeps_scope(app, client, make_user):
    run_id = make_run(app, 3, "V2026.92")
    ids = stub_ids(client.get(f"/runs/{run_id}").get_data(as_text=True))
    make_user("gz", "engineer", "440100")
    other = app.test_client()
    assert other.post("/login", data={"username": "gz", "password": PASSWORD}).status_code == 302
    assert other.get(f"/runs/{run_id}/scenarios/{ids[0]}", headers=HX).status_code == 404
    assert other.get(f"/runs/{run_id}/checklist?page=2", headers=HX).status_code == 404


def count_queries(app, client, url: str, headers: dict | None = None) -> int:
    statements = []
    with app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        assert client.get(url, headers=headers or {}).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(statements)


def test_the_run_page_costs_the_same_queries_for_60_or_600_scenarios(app, client):
    small, large = make_run(app, 60, "V2026.93"), make_run(app, 600, "V2026.94")
    assert count_queries(app, client, f"/runs/{small}") == count_queries(app, client, f"/runs/{large}")
    assert count_queries(app, client, f"/runs/{small}/checklist?page=2", HX) == \
        count_queries(app, client, f"/runs/{large}/checklist?page=2", HX)
