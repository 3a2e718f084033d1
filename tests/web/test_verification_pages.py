"""Scenario library, release and run pages (htmx partials, out-of-band counters, roles)."""
from __future__ import annotations

import io
import os
import re

import pytest

from app.extensions import db
from app.models import Run
from app.seed import demo, demo_verification

PASSWORD = "Secret#2026"
REPORTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "reports")
HX = {"HX-Request": "true"}


@pytest.fixture
def signed_in(app, make_user):
    def sign_in(username: str, role: str = "engineer", region: str = "445200"):
        make_user(username, role, region)
        client = app.test_client()
        assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
        return client

    return sign_in


@pytest.fixture
def demo_data(app):
    demo.load()
    demo_verification.load()
    return db.session.scalar(db.select(Run.id))


def feature_bytes() -> bytes:
    with open(os.path.join(REPORTS, "features", "payments", "correction.feature"), "rb") as fh:
        return fh.read()


def test_upload_several_feature_files_and_browse(signed_in):
    client = signed_in("eng")
    bad = "Feature: broken\n  Scenario: x\n    Given y\n  nonsense here\n".encode()
    response = client.post("/features/upload", headers=HX, content_type="multipart/form-data", data={
        "folder": "execution",
        "files": [(io.BytesIO(feature_bytes()), "correction.feature"), (io.BytesIO(bad), "broken.feature")],
    })
    assert response.status_code == 400  # one of the files did not parse
    html = response.get_data(as_text=True)
    assert 'data-path="execution/correction.feature" data-ok="true"' in html
    assert 'data-path="execution/broken.feature" data-ok="false"' in html and "第 4 行第 3 列" in html
    assert 'id="feature-table" hx-swap-oob="true"' in html
    listing = client.get("/scenarios").get_data(as_text=True)
    assert 'data-total="6"' in listing
    assert 'data-total="1"' in client.get("/scenarios?q=更正调库", headers=HX).get_data(as_text=True)
    assert 'data-total="6"' in client.get("/scenarios?tag=@执行域", headers=HX).get_data(as_text=True)
    assert 'data-total="6"' in client.get("/scenarios?domain=execution", headers=HX).get_data(as_text=True)
    assert 'data-total="0"' in client.get("/scenarios?domain=budget", headers=HX).get_data(as_text=True)


def test_taskforce_reads_but_cannot_upload_or_record(signed_in, demo_data):
    client = signed_in("tf", "taskforce")
    assert client.get("/features").status_code == 200
    assert "feature-upload" not in client.get("/features").get_data(as_text=True)
    response = client.post("/features/upload", data={"files": (io.BytesIO(feature_bytes()), "a.feature")},
                           content_type="multipart/form-data")
    assert response.status_code == 403
    page = client.get(f"/runs/{demo_data}").get_data(as_text=True)
    assert 'id="checklist"' in page and "data-mark=" not in page
    assert client.post(f"/runs/{demo_data}/scenarios/1/steps/0", data={"status": "passed"}).status_code == 403


def test_scenario_page_shows_steps_tables_docstrings_links_and_results(signed_in, demo_data):
    client = signed_in("eng")
    listing = client.get("/scenarios?q=更正后生成更正通知书").get_data(as_text=True)
    scenario_id = re.search(r'data-scenario-id="(\d+)"', listing).group(1)
    html = client.get(f"/scenarios/{scenario_id}").get_data(as_text=True)
    assert '<span class="kw">假如</span>' in html and "<th>凭证号</th>" in html
    assert '<pre class="docstring">揭阳市财政局国库集中支付更正通知书' in html
    assert 'data-requirement="REQ-' in html and 'data-domain="execution"' in html
    assert f'data-run-id="{demo_data}"' in html and 'data-change="added"' in html


def test_requirement_page_lists_linked_scenarios(signed_in, demo_data):
    client = signed_in("eng")
    req_id = db.session.scalar(db.text("select requirement_id from scenario_requirement limit 1"))
    html = client.get(f"/requirements/{req_id}").get_data(as_text=True)
    assert 'id="requirement-scenarios"' in html
    count = int(re.search(r'id="requirement-scenarios" data-count="(\d+)"', html).group(1))
    assert count >= 3


def test_release_and_run_forms(signed_in, demo_data):
    client = signed_in("mgr", "manager")
    bad = client.post("/releases", headers=HX, data={"version": "", "name": "x"})
    assert bad.status_code == 422 and 'data-field="version"' in bad.get_data(as_text=True)
    dup = client.post("/releases", headers=HX, data={"version": "V2026.11"})
    assert dup.status_code == 409
    created = client.post("/releases", headers=HX, data={"version": "V2026.12", "name": "12月迭代",
                                                         "planned_date": "2026-12-20", "domains": ["execution"]})
    assert created.status_code == 200 and created.headers["HX-Location"].startswith("/releases/")
    release_url = created.headers["HX-Location"]
    assert "V2026.12" in client.get(release_url).get_data(as_text=True)
    none = client.post(release_url + "/runs", headers=HX, data={"environment": "acceptance", "tags": "@没有这个标签"})
    assert none.status_code == 422
    bad_tags = client.post(release_url + "/runs", headers=HX, data={"environment": "acceptance", "tags": "@a and"})
    assert bad_tags.status_code == 422 and 'data-field="tags"' in bad_tags.get_data(as_text=True)
    run = client.post(release_url + "/runs", headers=HX, data={"environment": "pre_release", "domains": ["execution"],
                                                               "tags": "not @manual-skip"})
    assert run.status_code == 200 and run.headers["HX-Location"].startswith("/runs/")


def test_marking_a_step_swaps_the_row_and_updates_counts_out_of_band(signed_in, demo_data):
    client = signed_in("eng")
    page = client.get(f"/runs/{demo_data}?show=untested").get_data(as_text=True)
    untested_before = int(re.search(r'id="count-untested">(\d+)<', page).group(1))
    scenario_id = re.search(r'<details class="scenario" id="sc-(\d+)"', page).group(1)
    response = client.post(f"/runs/{demo_data}/scenarios/{scenario_id}/steps/0", headers=HX, data={"status": "failed"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<li class="step step-failed')
    assert f'id="step-{scenario_id}-0"' in html
    assert f'<summary id="sc-head-{scenario_id}" data-status="failed" hx-swap-oob="true">' in html
    assert 'id="run-progress-slot" hx-swap-oob="innerHTML"' in html
    assert int(re.search(r'id="count-untested">(\d+)<', html).group(1)) == untested_before - 1
    assert client.post(f"/runs/{demo_data}/scenarios/{scenario_id}/steps/99", headers=HX,
                       data={"status": "passed"}).status_code == 422
    assert client.post(f"/runs/{demo_data}/scenarios/{scenario_id}/steps/0", headers=HX,
                       data={"status": "great"}).status_code == 422
    failures = client.get(f"/runs/{demo_data}?show=failures", headers=HX).get_data(as_text=True)
    assert f'id="sc-{scenario_id}"' in failures and "<html" not in failures


def test_scenario_form_sets_status_note_defect_and_fed_back(signed_in, demo_data):
    client = signed_in("eng")
    page = client.get(f"/runs/{demo_data}").get_data(as_text=True)
    scenario_id = re.search(r'<details class="scenario" id="sc-(\d+)"', page).group(1)
    response = client.post(f"/runs/{demo_data}/scenarios/{scenario_id}", headers=HX, data={
        "status": "blocked", "note": "环境不可用", "defect": "TAPD-1", "fed_back": ["true", "false"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-status="blocked"' in html and 'data-saved="true"' in html
    assert "环境不可用" in html and 'name="fed_back" value="true" checked' in html
    long = client.post(f"/runs/{demo_data}/scenarios/{scenario_id}", headers=HX, data={"defect": "x" * 200})
    assert long.status_code == 422 and 'data-field="defect"' in long.get_data(as_text=True)


def test_report_upload_on_the_run_page(signed_in, app):
    client = signed_in("mgr", "manager")
    client.post("/features/upload", headers=HX, content_type="multipart/form-data",
                data={"files": [(io.BytesIO(feature_bytes()), "correction.feature")], "folder": "payments"})
    created = client.post("/releases", headers=HX, data={"version": "V1"})
    run = client.post(created.headers["HX-Location"] + "/runs", headers=HX, data={"environment": "acceptance"})
    run_url = run.headers["HX-Location"]
    with open(os.path.join(REPORTS, "cucumber-js.json"), "rb") as fh:
        response = client.post(run_url + "/import", headers=HX, content_type="multipart/form-data",
                               data={"file": (fh, "cucumber.json")})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-matched="6" data-unmatched="0" data-passed="4" data-failed="2"' in html
    assert 'id="checklist" hx-swap-oob="innerHTML"' in html
    bad = client.post(run_url + "/import", headers=HX, content_type="multipart/form-data",
                      data={"file": (io.BytesIO(b"[{]"), "x.json")})
    assert bad.status_code == 400 and 'id="import-error"' in bad.get_data(as_text=True)


def test_out_of_scope_run_is_not_found(signed_in, demo_data):
    client = signed_in("gz", "engineer", "440100")  # the demo run is for 揭阳市 (445200)
    assert client.get(f"/runs/{demo_data}").status_code == 404
