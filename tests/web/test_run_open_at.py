"""The run page opened at a scenario (`?scenario=<id>`, what a history matrix cell links to): the
page of heads holding it, with it open (its steps, as opening it loads them), the earlier pages
from a link above; a scenario not in the run opens the page as usual, with a notice."""
from __future__ import annotations

import re

import pytest

from app.web.verification import RUN_PAGE_SIZE
from tests.web.test_run_paging import count_queries, make_run, stub_ids

HX = {"HX-Request": "true"}


@pytest.fixture
def client(make_user, login):
    make_user("mgr", "manager", "445200")
    make_user("eng", "engineer", "445200")
    return login("eng")


def run_order(client, run_id: int, pages: int) -> list[int]:
    """The run's scenario ids in run order, read from its plain pages."""
    return [i for page in range(1, pages + 1)
            for i in stub_ids(client.get(f"/runs/{run_id}?page={page}").get_data(as_text=True))]


def opened(html: str, scenario_id: int) -> bool:
    return bool(re.search(rf'<details class="scenario" id="sc-{scenario_id}" data-scenario-id="{scenario_id}" open>', html))


def test_the_150th_of_200_scenarios_opens_on_its_page_with_its_steps(app, client):
    run_id = make_run(app, 200, "V2026.95")
    order = run_order(client, run_id, 4)
    assert len(order) == 200 == len(set(order))
    target = order[149]  # the 150th: position 149, page 149 // 50 + 1 = 3

    response = client.get(f"/runs/{run_id}?scenario={target}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert opened(html, target) and f'data-open-scenario="{target}"' in html
    assert f'id="step-{target}-0"' in html and f'id="step-{target}-1"' in html and "data-mark=" in html
    # the rest of page 3 as heads, and nothing of the other pages
    assert stub_ids(html) == [i for i in order[2 * RUN_PAGE_SIZE:3 * RUN_PAGE_SIZE] if i != target]
    assert html.count('<li class="step') == 2  # only the opened scenario's steps
    # the earlier pages from a link above (htmx, and a plain link), the next from the "more" link
    assert f'hx-get="/runs/{run_id}/checklist?show=all&amp;page=2&amp;earlier=1"' in html
    assert f'href="/runs/{run_id}?show=all&amp;page=2"' in html
    assert "前面的场景（此前还有 100 个）" in html  # zh-CN by default
    assert f'hx-get="/runs/{run_id}/checklist?show=all&amp;page=4"' in html
    assert 'id="run-notice"' not in html

    # the first of page 1 needs no earlier link
    first = client.get(f"/runs/{run_id}?scenario={order[0]}").get_data(as_text=True)
    assert opened(first, order[0]) and 'id="checklist-earlier"' not in first
    assert stub_ids(first) == order[1:RUN_PAGE_SIZE]
    # the 50th is still on page 1, the 51st on page 2
    assert order[49] not in stub_ids(client.get(f"/runs/{run_id}?scenario={order[49]}").get_data(as_text=True))
    assert stub_ids(client.get(f"/runs/{run_id}?scenario={order[50]}").get_data(as_text=True)) == order[51:100]


def test_the_earlier_link_loads_that_page_above_without_a_more_link(app, client):
    run_id = make_run(app, 120, "V2026.96")
    order = run_order(client, run_id, 3)
    earlier = client.get(f"/runs/{run_id}/checklist?show=all&page=2&earlier=1", headers=HX)
    html = earlier.get_data(as_text=True)
    assert earlier.status_code == 200 and "<html" not in html and "HX-Push-Url" not in earlier.headers
    assert stub_ids(html) == order[RUN_PAGE_SIZE:2 * RUN_PAGE_SIZE]
    assert 'id="checklist-more"' not in html  # the pages after it are on the page already
    assert f'hx-get="/runs/{run_id}/checklist?show=all&amp;page=1&amp;earlier=1"' in html
    top = client.get(f"/runs/{run_id}/checklist?show=all&page=1&earlier=1", headers=HX).get_data(as_text=True)
    assert stub_ids(top) == order[:RUN_PAGE_SIZE]
    assert 'id="checklist-earlier"' not in top and 'id="checklist-more"' not in top and 'id="show-filter"' not in top
    # the "more" pages appended below carry no earlier link
    more = client.get(f"/runs/{run_id}/checklist?show=all&page=2", headers=HX).get_data(as_text=True)
    assert 'id="checklist-earlier"' not in more and 'id="checklist-more"' in more


def test_the_filter_is_kept_and_dropped_only_when_it_hides_the_scenario(app, client):
    run_id = make_run(app, 70, "V2026.97")
    order = run_order(client, run_id, 2)
    failed = order[60]
    assert client.post(f"/runs/{run_id}/scenarios/{failed}/steps/0", headers=HX, data={"status": "failed"}).status_code == 200
    kept = client.get(f"/runs/{run_id}?show=failures&scenario={failed}").get_data(as_text=True)
    assert opened(kept, failed) and stub_ids(kept) == [] and 'id="run-notice"' not in kept
    assert 'data-show="failures" aria-current="true"' in kept
    # a scenario the filter does not show (passed, or not run): every scenario, with a notice
    other = order[65]
    shown = client.get(f"/runs/{run_id}?show=failures&scenario={other}").get_data(as_text=True)
    assert opened(shown, other) and 'data-show="all" aria-current="true"' in shown
    assert 'id="run-notice"' in shown and f"场景 {other} 不符合此筛选条件" in shown
    assert stub_ids(shown) == [i for i in order[RUN_PAGE_SIZE:] if i != other]


@pytest.mark.parametrize("value", ["999999", "abc", "", "-3", "1" * 40, "<b>x</b>"])
def test_a_scenario_not_in_the_run_opens_the_page_with_a_notice(app, client, value):
    run_id = make_run(app, 60, "V2026.98")
    response = client.get(f"/runs/{run_id}", query_string={"scenario": value, "page": "2"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="run-notice"' in html and "本次验证执行不包含场景" in html and "<b>x</b>" not in html
    assert "data-open-scenario" not in html and len(stub_ids(html)) == 60 - RUN_PAGE_SIZE  # the page asked for


def test_scope_and_cost(app, client, signed_in):
    small, large = make_run(app, 60, "V2026.99"), make_run(app, 600, "V2026.100")
    small_id = run_order(client, small, 2)[55]
    large_id = stub_ids(client.get(f"/runs/{large}?page=12").get_data(as_text=True))[5]
    # the same few queries wherever the scenario stands
    assert count_queries(app, client, f"/runs/{small}?scenario={small_id}") == \
        count_queries(app, client, f"/runs/{large}?scenario={large_id}")
    other = signed_in("gz", "engineer", "440100")
    assert other.get(f"/runs/{small}?scenario={small_id}").status_code == 404
