"""History pages (issue 9): the scenario matrix (filters, groups, cells opening their result,
pages), the comparison of two releases, the release page's operation manual card and the
upgrade content summary download."""
from __future__ import annotations

import re

import pytest

from tests.history_kit import build_history
from tests.release_kit import add, approve, new_release

HX = {"HX-Request": "true"}


@pytest.fixture
def history(api):
    return build_history(api("manager", "440000"))


def test_matrix_page_groups_rows_and_links_cells_to_their_result(history, signed_in):
    client = signed_in("web_tf", "taskforce")
    response = client.get("/scenarios/matrix")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "场景历史" in html  # translated title
    assert html.count('class="rel"') == 6
    assert 'class="group-domain"' in html and "执行域" in html and 'class="group-feature"' in html
    flaky = history["ids"]["直接支出更正"]
    row = re.search(rf'<tr data-scenario-id="{flaky}"[^>]*>(.*?)</tr>', html, re.S)
    assert row and 'data-unstable="true"' in html and 'data-flips="5"' in row.group(1)
    first_run = history["runs"][0]
    second_run = history["runs"][1]
    assert f'href="/runs/{first_run}?show=all&amp;scenario={flaky}#sc-{flaky}"' in row.group(1)
    assert f'href="/runs/{second_run}?show=failures&amp;scenario={flaky}#sc-{flaky}"' in row.group(1)
    # the cell's link opens the run at that scenario's result, its steps open
    opened = client.get(f"/runs/{second_run}?show=failures&scenario={flaky}").get_data(as_text=True)
    assert re.search(rf'<details class="scenario" id="sc-{flaky}" data-scenario-id="{flaky}" open>', opened)
    assert f'data-open-scenario="{flaky}"' in opened and f'id="step-{flaky}-0"' in opened


def test_matrix_page_filters_unstable_as_a_block_and_pushes_the_address(history, signed_in):
    client = signed_in("web_eng", "engineer")
    response = client.get("/scenarios/matrix?unstable=true", headers=HX)
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="matrix-table"' in html
    assert html.count("<tr data-scenario-id=") == 1
    assert response.headers.get("HX-Push-Url") == "/scenarios/matrix?unstable=true&page=1"
    stable = client.get("/scenarios/matrix?unstable=false").get_data(as_text=True)
    assert stable.count("<tr data-scenario-id=") == 2


def test_matrix_page_reports_a_bad_filter_and_still_answers(history, signed_in):
    client = signed_in("web_eng", "engineer")
    response = client.get("/scenarios/matrix?releases=99&domain=nonsense")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="alert error"' in html and html.count("<tr data-scenario-id=") == 3


def test_matrix_page_without_results_says_so(signed_in):
    html = signed_in("web_eng", "engineer").get("/scenarios/matrix").get_data(as_text=True)
    assert 'id="matrix-empty"' in html


def test_matrix_page_needs_sign_in(client):
    response = client.get("/scenarios/matrix")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_compare_page_defaults_to_the_two_latest_releases(history, signed_in):
    client = signed_in("web_tf", "taskforce")
    html = client.get("/releases/compare").get_data(as_text=True)
    # the last two releases: 直接支出更正 passed → failed, 到人到户 failed → passed
    assert 'id="compare-newly-failing" data-count="1"' in html
    assert 'id="compare-newly-passing" data-count="1"' in html
    assert 'id="compare-new" data-count="0"' in html and 'id="compare-retired" data-count="0"' in html
    a, b = history["releases"][0]["id"], history["releases"][1]["id"]
    chosen = client.get(f"/releases/compare?a={a}&b={b}").get_data(as_text=True)
    assert 'id="compare-newly-failing" data-count="1"' in chosen and 'id="compare-newly-passing" data-count="0"' in chosen
    same = client.get(f"/releases/compare?a={a}&b={a}")
    assert same.status_code == 200 and 'id="compare-error"' in same.get_data(as_text=True)
    assert client.get(f"/releases/compare?a={a}&b=999999").status_code == 404


def test_release_list_links_to_matrix_and_comparison(signed_in):
    html = signed_in("web_eng", "engineer").get("/releases").get_data(as_text=True)
    assert 'href="/scenarios/matrix"' in html and 'href="/releases/compare"' in html


# --- the release page's operation manual card ------------------------------------------------


@pytest.fixture
def carried(api, filed):
    manager = api("manager", "445200")
    req = approve(manager, filed(title="直接支出更正")["id"])
    release = new_release(manager, "VM2026.02")
    assert add(manager, release["id"], req["id"]).status_code == 200
    return {"req": req, "release": release}


def test_manual_card_mark_then_close_with_who_and_when(carried, signed_in):
    rid, req = carried["release"]["id"], carried["req"]
    manager = signed_in("web_mgr", "manager")
    page = manager.get(f"/releases/{rid}").get_data(as_text=True)
    assert 'id="release-manuals" data-open="0"' in page and 'id="manual-form"' in page
    assert f'href="/releases/{rid}/summary.docx"' in page
    response = manager.post(f"/releases/{rid}/manual-updates", data={"requirement_id": req["id"], "domain": "execution",
                                                                      "note": "支付更正章节"}, headers=HX)
    assert response.status_code == 200 and response.headers["HX-Location"].endswith(f"/releases/{rid}")
    page = manager.get(f"/releases/{rid}").get_data(as_text=True)
    assert 'id="release-manuals" data-open="1"' in page and "支付更正章节" in page
    update_id = re.search(r'data-manual-id="(\d+)" data-done="false"', page).group(1)
    engineer = signed_in("web_eng", "engineer")
    assert 'id="manual-form"' not in engineer.get(f"/releases/{rid}").get_data(as_text=True)
    done = engineer.post(f"/releases/{rid}/manual-updates/{update_id}/done", data={"note": "已更新"}, headers=HX)
    assert done.status_code == 200 and "HX-Location" in done.headers
    page = manager.get(f"/releases/{rid}").get_data(as_text=True)
    assert 'id="release-manuals" data-open="0"' in page and 'data-done="true"' in page and "web_eng" in page
    again = engineer.post(f"/releases/{rid}/manual-updates/{update_id}/done", data={}, headers=HX)
    assert again.status_code == 409 and 'class="alert error"' in again.get_data(as_text=True)


def test_manual_form_bad_domain_answers_422_in_the_error_block(carried, signed_in):
    rid, req = carried["release"]["id"], carried["req"]
    manager = signed_in("web_mgr", "manager")
    response = manager.post(f"/releases/{rid}/manual-updates", data={"requirement_id": req["id"], "domain": "x"},
                            headers=HX)
    assert response.status_code == 422 and "<html" not in response.get_data(as_text=True)
    assert 'data-open="0"' in manager.get(f"/releases/{rid}").get_data(as_text=True)
    taskforce = signed_in("web_tf", "taskforce")
    assert taskforce.post(f"/releases/{rid}/manual-updates", data={"requirement_id": req["id"],
                                                                    "domain": "execution"}).status_code == 403


def test_summary_docx_download_from_the_page(carried, signed_in):
    response = signed_in("web_tf", "taskforce").get(f"/releases/{carried['release']['id']}/summary.docx")
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    assert "attachment" in response.headers["Content-Disposition"]
