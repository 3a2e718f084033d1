"""Scenario library, release and run pages (htmx partials, out-of-band counters, roles)."""
from __future__ import annotations

import io
import os
import re

import pytest

from app.extensions import db
from app.models import Run
from app.seed import demo, demo_verification

REPORTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "reports")
HX = {"HX-Request": "true"}


@pytest.fixture
def demo_data(seed_once):
    """The demo requirements and scenario library with its run (built once per worker, copied)."""

    def load():
        demo.load()
        demo_verification.load()
        return db.session.scalar(db.select(Run.id))

    return seed_once("demo+verification", load)


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
    assert response.status_code == 422  # one of the files did not parse: 422, so htmx swaps the answer
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


def test_requirement_page_lists_linked_scenarios(app, signed_in, demo_data):
    client = signed_in("eng")
    with app.app_context():
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
    failures = client.get(f"/runs/{demo_data}/checklist?show=failures", headers={**HX, "HX-Target": "checklist"})
    assert f'id="sc-{scenario_id}"' in failures.get_data(as_text=True) and "<html" not in failures.get_data(as_text=True)


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
    # htmx swaps 422, not 400 (base.html): the API's 400 for a malformed report is 422 here
    assert bad.status_code == 422 and 'id="import-error"' in bad.get_data(as_text=True)
    assert "The report is not valid JSON" in bad.get_data(as_text=True) or "不是有效的 JSON" in bad.get_data(as_text=True)


def test_out_of_scope_run_is_not_found(signed_in, demo_data):
    client = signed_in("gz", "engineer", "440100")  # the demo run is for 揭阳市 (445200)
    assert client.get(f"/runs/{demo_data}").status_code == 404


# --- audit fixes -------------------------------------------------------------------------


def follow_like_htmx(client, response):
    """What htmx does with HX-Location: GET the path with HX-Request, without HX-Boosted or
    HX-Target (it swaps the answer into <body>, which has no id)."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    location = response.headers["HX-Location"]
    assert "HX-Redirect" not in response.headers
    return client.get(location, headers={**HX, "HX-Current-URL": "http://localhost/releases"})


def assert_full_run_page(html: str) -> None:
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert '<header class="topbar">' in html and 'class="mainnav"' in html
    assert 'id="run-progress"' in html and 'role="progressbar"' in html
    assert 'id="checklist"' in html and 'class="run-tools"' in html


def test_starting_a_run_and_rerunning_land_on_the_whole_run_page(signed_in, demo_data):
    client = signed_in("mgr", "manager")
    created = client.post("/releases", headers=HX, data={"version": "V2026.12"})
    release_url = created.headers["HX-Location"]
    run = client.post(release_url + "/runs", headers={**HX, "HX-Target": "run-form"},
                      data={"environment": "acceptance", "tags": "not @manual-skip"})
    page = follow_like_htmx(client, run)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert_full_run_page(html)
    run_url = run.headers["HX-Location"]
    scenario_id = re.search(r'<details class="scenario" id="sc-(\d+)"', html).group(1)
    client.post(f"{run_url}/scenarios/{scenario_id}", headers=HX, data={"status": "failed"})
    rerun = client.post(run_url + "/rerun", headers=HX)
    html = follow_like_htmx(client, rerun).get_data(as_text=True)
    assert_full_run_page(html)
    assert f'<summary id="sc-head-{scenario_id}" data-status="untested">' in html and "第 2 轮" in html
    # the filter links still get only the checklist
    part = client.get(run_url + "/checklist?show=failures", headers={**HX, "HX-Target": "checklist"}).get_data(as_text=True)
    assert "<header" not in part and 'id="run-progress"' not in part


def test_engineer_starts_a_run_from_the_release_page(signed_in, demo_data):
    manager = signed_in("mgr", "manager")
    release_url = manager.post("/releases", headers=HX, data={"version": "V2026.12"}).headers["HX-Location"]
    engineer = signed_in("eng", "engineer")
    page = engineer.get(release_url).get_data(as_text=True)
    assert 'id="run-form"' in page
    run = engineer.post(release_url + "/runs", headers=HX, data={"environment": "acceptance", "region": "445200"})
    assert_full_run_page(follow_like_htmx(engineer, run).get_data(as_text=True))
    assert engineer.post("/releases", headers=HX, data={"version": "V2026.13"}).status_code == 403
    taskforce = signed_in("tf", "taskforce")
    assert 'id="run-form"' not in taskforce.get(release_url).get_data(as_text=True)
    assert taskforce.post(release_url + "/runs", headers=HX, data={"environment": "acceptance"}).status_code == 403


def test_a_feature_syntax_error_is_a_422_answer_with_file_line_and_column(signed_in):
    client = signed_in("eng")
    bad = "# language: zh-CN\n功能: 支付更正\n  场景: 一\n    假如 已登录\n  这一行不是 Gherkin\n".encode()
    response = client.post("/features/upload", headers=HX, content_type="multipart/form-data",
                           data={"files": [(io.BytesIO(bad), "bad.feature")]})
    html = response.get_data(as_text=True)
    assert response.status_code == 422  # htmx swaps 422 (base.html), so the message is shown
    assert 'data-path="bad.feature" data-ok="false"' in html
    assert "bad.feature 第 5 行第 3 列存在 Gherkin 语法错误" in html
    not_utf8 = client.post("/features/upload", headers=HX, content_type="multipart/form-data",
                           data={"files": [(io.BytesIO("功能: x".encode("gbk")), "gbk.feature")]})
    assert not_utf8.status_code == 422 and 'data-ok="false"' in not_utf8.get_data(as_text=True)


def test_evidence_keeps_the_scenario_expanded(signed_in, demo_data):
    client = signed_in("eng")
    page = client.get(f"/runs/{demo_data}").get_data(as_text=True)
    scenario_id = re.search(r'<details class="scenario" id="sc-(\d+)"', page).group(1)
    response = client.post(f"/runs/{demo_data}/scenarios/{scenario_id}/evidence", headers=HX,
                           content_type="multipart/form-data", data={"file": (io.BytesIO(b"png"), "screen.png")})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "screen.png" in html
    assert re.search(rf'<details class="scenario" id="sc-{scenario_id}" data-scenario-id="{scenario_id}" open>', html)


def test_revision_changes_are_labels_and_the_feature_shows_its_description(signed_in):
    client = signed_in("eng")
    text = feature_bytes()
    client.post("/features/upload", headers=HX, content_type="multipart/form-data",
                data={"files": [(io.BytesIO(text), "correction.feature")]})
    shorter = text.decode().split("  场景: 更正调库后国库报表与总账核对")[0].encode()
    client.post("/features/upload", headers=HX, content_type="multipart/form-data",
                data={"files": [(io.BytesIO(shorter), "correction.feature")]})
    listing = client.get("/scenarios?q=更正调库&include_retired=true").get_data(as_text=True)
    scenario_id = re.search(r'data-scenario-id="(\d+)"', listing).group(1)
    html = client.get(f"/scenarios/{scenario_id}").get_data(as_text=True)
    labels = dict(re.findall(r'data-change="(\w+)".*?<span class="change-label">([^<]+)</span>', html, re.S))
    assert set(labels) == {"added", "retired"}
    assert labels["retired"] == "已停用"  # translated like the feature page's "Retired"
    assert labels["added"] != "added"
    feature_id = re.search(r'/features/(\d+)', html).group(1)
    feature = client.get(f"/features/{feature_id}").get_data(as_text=True)
    assert '<p class="prose feature-description" id="feature-description">预算单位对已支付凭证办理更正，国库科复核。</p>' in feature


def test_a_step_click_keeps_a_status_set_directly_until_follow_the_steps(signed_in, demo_data):
    client = signed_in("eng")
    page = client.get(f"/runs/{demo_data}?show=untested").get_data(as_text=True)
    scenario_id = re.search(r'<details class="scenario" id="sc-(\d+)"', page).group(1)
    client.post(f"/runs/{demo_data}/scenarios/{scenario_id}", headers=HX, data={"status": "blocked"})
    click = client.post(f"/runs/{demo_data}/scenarios/{scenario_id}/steps/0", headers=HX, data={"status": "passed"})
    html = click.get_data(as_text=True)
    assert f'id="step-{scenario_id}-0"' in html and 'data-status="passed"' in html
    assert f'<summary id="sc-head-{scenario_id}" data-status="blocked" hx-swap-oob="true">' in html
    follow = client.post(f"/runs/{demo_data}/scenarios/{scenario_id}", headers=HX, data={"status": ""})
    assert f'<summary id="sc-head-{scenario_id}" data-status="untested"' in follow.get_data(as_text=True)


# --- issue 7: one endpoint per answer, forms through FormSubmission, messages in Chinese --------


def test_the_checklist_has_its_own_endpoint_and_the_run_page_is_always_whole(signed_in, demo_data):
    """The run page no longer answers a fragment when HX-Target names the checklist: the filter
    links ask /runs/<id>/checklist, which answers the checklist, the filter links out of band and
    the run page's address for the address bar."""
    client = signed_in("eng")
    page = client.get(f"/runs/{demo_data}").get_data(as_text=True)
    links = re.findall(r'<a href="([^"]+)" hx-get="([^"]+)" hx-target="#checklist"', page)
    assert [hx for _, hx in links] == [f"/runs/{demo_data}/checklist?show={key}" for key in ("all", "failures", "untested")]
    assert [href for href, _ in links] == [f"/runs/{demo_data}?show={key}" for key in ("all", "failures", "untested")]
    aimed = client.get(f"/runs/{demo_data}?show=failures", headers={**HX, "HX-Target": "checklist"})
    assert_full_run_page(aimed.get_data(as_text=True))
    part = client.get(f"/runs/{demo_data}/checklist?show=failures", headers=HX)
    html = part.get_data(as_text=True)
    assert part.status_code == 200 and "<header" not in html and 'id="run-progress"' not in html
    assert '<div id="show-filter" hx-swap-oob="innerHTML">' in html and 'data-show="failures" aria-current="true"' in html
    assert part.headers["HX-Push-Url"] == f"/runs/{demo_data}?show=failures"
    assert "HX-Request" in part.headers["Vary"]
    # opened outside htmx (a new tab, a bookmark): the run page, not an unstyled fragment
    plain = client.get(f"/runs/{demo_data}/checklist?show=untested")
    assert plain.status_code == 302 and plain.headers["Location"] == f"/runs/{demo_data}?show=untested"
    assert client.get(f"/runs/{demo_data}/checklist", headers=HX).status_code == 200
    assert signed_in("gz", "engineer", "440100").get(f"/runs/{demo_data}/checklist", headers=HX).status_code == 404


def test_a_bad_report_upload_says_what_and_where_in_chinese(signed_in, demo_data):
    """Python's English parser text ("Expecting value: line 1 column 1 (char 0)") reached the
    page; now the catalogue says it, with the line and column."""
    client = signed_in("eng")
    bad_json = client.post(f"/runs/{demo_data}/import", headers=HX, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(b'[{"uri": "a.feature",\n  "elements": [}]'), "report.json")})
    html = bad_json.get_data(as_text=True)
    assert bad_json.status_code == 422 and 'id="import-error"' in html
    assert "报告不是有效的 JSON（第 2 行第 16 列）" in html
    bad_xml = client.post(f"/runs/{demo_data}/import", headers=HX, content_type="multipart/form-data",
                          data={"file": (io.BytesIO(b"<testsuite>\n<testcase name='x'>\n</testsuite>"), "r.xml")})
    assert "报告不是有效的 XML（第 3 行第 3 列）" in bad_xml.get_data(as_text=True)
    for html in (html, bad_xml.get_data(as_text=True)):
        for english in ("Expecting", "mismatched tag", "line 1 column", "not valid"):
            assert english not in html
    # a report named .json is read as JSON even when the browser sends no useful type
    untyped = client.post(f"/runs/{demo_data}/import", headers=HX, content_type="multipart/form-data",
                          data={"file": (io.BytesIO(b"not json at all"), "report.json", "application/octet-stream")})
    assert "报告不是有效的 JSON（第 1 行第 1 列）" in untyped.get_data(as_text=True)


def test_syntax_and_tag_expression_errors_read_in_chinese(signed_in, demo_data):
    client = signed_in("mgr", "manager")
    bad = "# language: zh-CN\n功能: 支付更正\n  场景: 一\n    假如 已登录\n  这一行不是 Gherkin\n".encode()
    response = client.post("/features/upload", headers=HX, content_type="multipart/form-data",
                           data={"files": [(io.BytesIO(bad), "bad.feature")]})
    html = response.get_data(as_text=True)
    assert "bad.feature 第 5 行第 3 列存在 Gherkin 语法错误：此处不应出现“这一行不是 Gherkin”" in html
    assert "expected:" not in html and "#StepLine" not in html
    table = "Feature: a\n  Scenario: b\n    Given c\n      | a | b |\n      | 1 |\n".encode()
    html = client.post("/features/upload", headers=HX, content_type="multipart/form-data",
                       data={"files": [(io.BytesIO(table), "table.feature")]}).get_data(as_text=True)
    assert "table.feature 第 5 行第 7 列存在 Gherkin 语法错误：表格各行的单元格数不一致" in html
    release_url = client.post("/releases", headers=HX, data={"version": "V2026.12"}).headers["HX-Location"]
    for tags, reason in (("@执行域 and", "“and”两侧都需要标签"), ("(@执行域", "有“(”未闭合"),
                         ("@a @b", "@a 之后缺少“and”或“or”")):
        answer = client.post(release_url + "/runs", headers=HX, data={"environment": "acceptance", "tags": tags})
        html = answer.get_data(as_text=True)
        assert answer.status_code == 422 and f"标签表达式有误：{tags}（{reason}）" in html.replace("&#34;", '"'), tags
        assert "Too few" not in html and "Syntax error" not in html


def test_verification_views_use_the_shared_form_and_htmx_helpers():
    """Forms go through FormSubmission, redirects through htmx_redirect, htmx is read from
    `request.htmx`: no view of this module handles form errors, HX-* headers or redirects its own way."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        "app", "web", "verification.py")
    with open(path, encoding="utf-8") as fh:
        source = fh.read()
    for own_way in ("FORM_ERRORS", "except DomainError", "def _redirect", 'headers.get("HX-', 'headers["HX-',
                    "HX-Target", "_checklist_only"):
        assert own_way not in source, own_way
    assert source.count("FormSubmission(") >= 6 and "htmx_redirect(" in source
