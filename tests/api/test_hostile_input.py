"""What a hostile client sent in the review of issue 13, each answered 4xx in the API's error format
and nothing stored that a later read (JSON, page, .docx, .xlsx, .ics) cannot render."""
from __future__ import annotations

import io
import json
from urllib.parse import quote

import pytest

BASE = "/api/v1/requirements"
BIG = 2**63  # beyond SQLite's integers (and PostgreSQL's INTEGER, 2**31)


def _error(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.json
    assert isinstance(body["code"], str) and isinstance(body["message"], str) and isinstance(body["errors"], dict)
    if field is not None:
        assert any(key == field or key.startswith(field + ".") for key in body["errors"]), body
    return body


@pytest.mark.parametrize("url", [f"{BASE}/{BIG}", f"{BASE}/{2**31}/timeline", f"/api/v1/meetings/{BIG}",
                                 f"/api/v1/meetings/{2**31}/minutes.docx", f"/api/v1/attachments/{BIG}"])
def test_ids_beyond_the_database_answer_404(manager, url):
    _error(manager.get(url), 404)


def test_ids_beyond_the_database_match_no_route(manager, page_client):
    for method, url in (("delete", f"/api/v1/auth/tokens/{2**31}"), ("patch", f"/api/v1/users/{2**31}"),
                        ("get", f"/api/v1/runs/{2**40}/results")):
        _error(getattr(manager, method)(url, json={}), 404)
    assert page_client.get(f"/requirements/{2**31}").status_code == 404
    assert page_client.get(f"/meetings/{2**63}").status_code == 404


@pytest.mark.parametrize("query", [f"page={BIG}", f"page={2**31}", f"per_page={BIG}", "page=1e400",
                                   f"requirement={BIG}"])
def test_numbers_beyond_the_database_in_queries_answer_422(manager, query):
    response = manager.get(f"{BASE}?{query}")
    assert response.status_code in (200, 422), response.json
    if response.status_code == 422:
        _error(response, 422)


def test_page_beyond_the_database_is_named(manager):
    _error(manager.get(f"{BASE}?page={BIG}"), 422, "page")


def test_numbers_beyond_the_database_in_bodies_answer_422(manager, filed):
    release = manager.post("/api/v1/releases", json={"version": "V2026.12", "name": "12月版本",
                                                     "planned_date": "2026-12-20", "domains": ["execution"]})
    assert release.status_code == 201, release.json
    response = manager.post(f"/api/v1/releases/{release.json['id']}/requirements",
                            json={"requirement_ids": [BIG]})
    _error(response, 422, "requirement_ids")
    req = filed()
    _error(manager.patch(f"{BASE}/{req['id']}", json={"version": BIG, "title": "x"}), 422, "version")


def test_json_nested_a_thousand_deep_answers_400(manager):
    body = "[" * 1000 + "]" * 1000
    _error(manager.post(BASE, data=body, content_type="application/json"), 400)
    body = '{"title": ' + "[" * 100 + "]" * 100 + "}"
    response = manager.post(BASE, data=body, content_type="application/json")
    assert response.status_code in (400, 422)
    _error(response, response.status_code)


def test_numbers_of_thousands_of_digits_answer_400(manager):
    _error(manager.post(BASE, data='{"title": ' + "9" * 5000 + "}", content_type="application/json"), 400)


@pytest.mark.parametrize("text", ["x\ud800y", "a\x00b", "a\x01b", "a\x0bb", "\ufffe"])
def test_text_no_page_can_show_is_refused_and_not_stored(manager, filed, payload, text):
    req = filed()
    raw = json.dumps({"body": text})  # the escapes (\ud800, \u0000) as a client sends them
    _error(manager.post(f"{BASE}/{req['id']}/comments", data=raw, content_type="application/json"), 422, "body")
    raw = json.dumps(payload(title=f"标题{text}"))
    _error(manager.post(BASE, data=raw, content_type="application/json"), 422, "title")
    query = quote(text.encode("utf-8", "surrogatepass"))  # a lone surrogate: bytes that are no UTF-8
    listed = manager.get(f"{BASE}?q={query}")
    assert listed.status_code in (200, 422)
    if "\ud800" not in text:
        _error(listed, 422, "q")
    assert manager.get(f"{BASE}/{req['id']}/timeline").status_code == 200
    assert [c for c in manager.get(f"{BASE}/{req['id']}/comments").json] == []


def test_tabs_and_line_breaks_are_text(manager, filed):
    req = filed()
    response = manager.post(f"{BASE}/{req['id']}/comments", json={"body": "第一行\n第二行\t完"})
    assert response.status_code == 201, response.json


@pytest.fixture
def page_client(app, make_user):
    from tests.conftest import PASSWORD

    make_user("page_eng", "engineer", "445200")
    client = app.test_client()
    assert client.post("/login", data={"username": "page_eng", "password": PASSWORD}).status_code == 302
    return client


def test_pages_report_and_ignore_unsafe_filters(page_client, filed):
    filed(title="跨年退款")
    for query in ("q=%00", "q=a%01b", f"page={BIG}", "page=99999999999999999999999"):
        page = page_client.get(f"/requirements?{query}")
        assert page.status_code == 200, query
        assert "跨年退款" in page.get_data(as_text=True), query


def test_forms_refuse_text_no_page_can_show(page_client, manager):
    form = {"title": "跨年\x01退款", "domain": "execution", "type": "defect", "priority": "high",
            "channel": "phone", "region": "445200", "proposer_name": "李秀英"}
    response = page_client.post("/requirements/new", data=form, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert manager.get(BASE).json["total"] == 0


def test_meeting_title_with_control_characters_is_refused_and_minutes_render(manager, filed):
    req = filed()
    meeting = manager.post("/api/v1/meetings", json={"title": "评审会\x01\x0b", "scheduled_at": "2026-12-10T09:30:00+08:00"})
    _error(meeting, 422, "title")
    meeting = manager.post("/api/v1/meetings", json={"title": "评审会", "scheduled_at": "2026-12-10T09:30:00+08:00"})
    assert meeting.status_code == 201, meeting.json
    for url in (f"/api/v1/meetings/{meeting.json['id']}/minutes.docx", f"/api/v1/meetings/{meeting.json['id']}.ics"):
        assert manager.get(url).status_code == 200, url
    assert req


@pytest.mark.parametrize("name", ["a\x00b.txt", "x" * 300 + ".txt", "a\x01\x0bb.txt", "../../etc/passwd", ""])
def test_odd_attachment_names_are_stored_safely_or_refused(manager, filed, name):
    req = filed()
    upload = manager.post(f"{BASE}/{req['id']}/attachments",
                          data={"file": (io.BytesIO(b"hello"), name)}, content_type="multipart/form-data")
    assert upload.status_code in (201, 422), upload.get_data(as_text=True)[:300]
    if upload.status_code == 422:
        _error(upload, 422)
        return
    stored = upload.json
    assert "\x00" not in stored["filename"] and "/" not in stored["filename"] and len(stored["filename"]) <= 255
    download = manager.get(f"/api/v1/attachments/{stored['id']}")
    assert download.status_code == 200 and download.data == b"hello"
    assert manager.get(f"{BASE}/{req['id']}/attachments").status_code == 200


@pytest.fixture
def run(manager):
    feature = ("# language: zh-CN\n功能: 退款\n\n  场景: 按原支付年度办理退款\n    假如经办人已登录\n"
               "    当经办人申请退款\n    那么退款成功\n")
    created = manager.post("/api/v1/features", json={"path": "payments/refund.feature", "text": feature})
    assert created.status_code in (200, 201), created.json
    release = manager.post("/api/v1/releases", json={"version": "V2026.13", "name": "退款版本",
                                                     "planned_date": "2026-12-20", "domains": ["execution"]})
    assert release.status_code == 201, release.json
    answer = manager.post(f"/api/v1/releases/{release.json['id']}/runs", json={"environment": "acceptance"})
    assert answer.status_code == 201, answer.json
    return answer.json


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('[{"uri": "payments/refund.feature", "elements": [{"name": "按原支付年度办理退款", "line": '
         + "9" * 5000 + ', "steps": []}]}]', "application/json"),
        ('[{"uri": "payments/refund.feature\\udbff\\udfff\\ud800", "elements": []}]', "application/json"),
        ('[{"uri": "a\\u0000.feature", "elements": [{"name": "x\\u0001", "steps": [{"name": "s", '
         '"result": {"status": "passed"}}]}]}]', "application/json"),
        ("[" * 5000 + "]" * 5000, "application/json"),
        ('<testsuite><testcase name="x" classname="a&#1;b" line="' + "9" * 5000 + '"/></testsuite>',
         "application/xml"),
        ('{"testCaseStarted": {"timestamp": {"seconds": ' + "9" * 5000 + "}}}\n", "application/x-ndjson"),
    ],
)
def test_crafted_reports_answer_4xx_and_results_still_read(manager, run, body, content_type):
    answer = manager.post(f"/api/v1/runs/{run['id']}/import", data=body.encode("utf-8", "surrogatepass"),
                          content_type=content_type)
    assert 400 <= answer.status_code < 500 or answer.status_code == 200, answer.get_data(as_text=True)[:300]
    if answer.status_code != 200:
        _error(answer, answer.status_code)
    assert manager.get(f"/api/v1/runs/{run['id']}/results").status_code == 200
    assert manager.get(f"/api/v1/runs/{run['id']}").status_code == 200


def test_statuses_the_app_does_not_name_answer_the_error_format_too(manager, filed):
    req = filed()
    upload = manager.post(f"{BASE}/{req['id']}/attachments", data={"file": (io.BytesIO(b"hello"), "a.txt")},
                          content_type="multipart/form-data")
    assert upload.status_code == 201
    response = manager.get(f"/api/v1/attachments/{upload.json['id']}", headers={"Range": "bytes=100-200"})
    body = _error(response, 416)
    assert body["code"] == "requested_range_not_satisfiable"
