"""The API's error messages are English (what its clients have always read), or Simplified
Chinese where the request's Accept-Language prefers it; `code` and field names never change."""
from __future__ import annotations

import pytest

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}


def test_english_by_default(engineer):
    answer = engineer.post("/api/v1/requirements", json={"title": "退款"})
    assert answer.status_code == 422 and answer.headers["Content-Language"] == "en"
    assert answer.json["code"] == "validation_error"
    assert answer.json["message"].startswith("Invalid input: ") and "domain" in answer.json["message"]
    assert answer.json["errors"]["domain"] == ["Missing data for required field."]
    assert "Accept-Language" in answer.headers["Vary"]


def test_chinese_where_accept_language_prefers_it(engineer):
    answer = engineer.post("/api/v1/requirements", json={"title": "退款"}, headers=ZH)
    assert answer.status_code == 422 and answer.headers["Content-Language"] == "zh-CN"
    assert answer.json["code"] == "validation_error"  # the code and the field names stay
    assert answer.json["message"].startswith("输入有误：") and "domain" in answer.json["message"]
    assert answer.json["errors"]["domain"] == ["此项为必填项。"]


def test_service_messages_are_translated_with_their_values(engineer, filed):
    req = filed()
    english = engineer.post(f"/api/v1/requirements/{req['id']}/transitions", json={"to": "closed"})
    chinese = engineer.post(f"/api/v1/requirements/{req['id']}/transitions", json={"to": "closed"}, headers=ZH)
    assert english.status_code == chinese.status_code == 409
    assert english.json["code"] == chinese.json["code"] == "illegal_transition"
    assert english.json["message"].startswith("Cannot move " + req["code"])
    assert req["code"] in chinese.json["message"] and "Cannot" not in chinese.json["message"]
    assert set(chinese.json["errors"]) == {"to"} and "not allowed" not in chinese.json["errors"]["to"][0]


@pytest.mark.parametrize("header, language", [
    ("zh-CN", "zh-CN"), ("zh", "zh-CN"), ("zh-Hans-CN", "zh-CN"), ("en-US,en;q=0.9", "en"),
    ("en;q=0.5, zh;q=0.9", "zh-CN"), ("zh;q=0.5, en;q=0.9", "en"), ("fr", "en"), ("*", "en"), ("", "en"),
])
def test_the_preferred_language_wins(client, header, language):
    answer = client.get("/api/v1/requirements/1", headers={"Accept-Language": header} if header else {})
    assert answer.status_code == 401 and answer.headers["Content-Language"] == language
    assert ("Authorization" in answer.json["message"]) and (("请" in answer.json["message"]) == (language == "zh-CN"))


def test_unknown_addresses_and_unreadable_bodies(engineer):
    missing = engineer.get("/api/v1/no-such-thing", headers=ZH)
    assert missing.status_code == 404 and missing.json["code"] == "not_found" and "服务器上没有" in missing.json["message"]
    unreadable = engineer.post("/api/v1/requirements", data="{", content_type="application/json", headers=ZH)
    assert unreadable.status_code == 400 and unreadable.json["code"] == "bad_request"
    assert unreadable.json["message"]
