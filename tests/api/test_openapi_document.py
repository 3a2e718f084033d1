"""The OpenAPI document tells the truth: the error format as answered, downloads as files of their
media type (not JSON), uploads as multipart, the error answers with their rules, the input bounds."""
from __future__ import annotations

import re

import pytest

BINARY = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ics": "text/calendar",
    ".zip": "application/zip",
}
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def _error_schema(document, response: dict) -> dict:
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    schema = response["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Error"}, response
    return document["components"]["schemas"]["Error"]


def test_error_schema_is_the_answered_format(document, api):
    error = document["components"]["schemas"]["Error"]
    assert error["properties"]["code"]["type"] == "string"
    assert error["properties"]["message"]["type"] == "string"
    assert error["properties"]["errors"]["additionalProperties"] == {"type": "array", "items": {"type": "string"}}
    assert set(error["required"]) == {"code", "message", "errors"}
    assert "status" not in error["properties"]
    answered = api("engineer", "445200").get("/api/v1/requirements/999999").json
    assert set(answered) == {"code", "message", "errors"} and answered["code"] == "not_found"


def test_every_error_answer_is_documented_with_the_error_schema(document):
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        _error_schema(document, responses["default"])
        for status, response in responses.items():
            if status != "default" and int(status) >= 400:
                _error_schema(document, response)
                assert response.get("description") or "$ref" in response, (method, path, status)
        if "{" in path:
            assert "404" in responses, (method, path)
        if operation.get("security") != []:
            assert "401" in responses, (method, path)


def test_downloads_are_documented_as_files_of_their_media_type(document):
    downloads = [(path, method, operation) for path, method, operation in _operations(document)
                 if method == "get" and path.endswith(tuple(BINARY))]
    assert len(downloads) >= 10  # minutes, calendar, reports, ledger, problems, acceptance report, ...
    for path, _method, operation in downloads:
        media_type = BINARY[re.search(r"\.\w+$", path).group()]
        content = operation["responses"]["200"]["content"]
        assert list(content) == [media_type], path
        assert content[media_type]["schema"] == {"type": "string", "format": "binary"}, path
    for path in ("/api/v1/attachments/{attachment_id}", "/api/v1/evidence/{evidence_id}"):
        content = document["paths"][path]["get"]["responses"]["200"]["content"]
        assert "application/json" not in content and content[next(iter(content))]["schema"]["format"] == "binary"


def test_downloads_answer_what_the_document_says(app, api, seed_once):
    from app.seed import demo, demo_meetings

    seed_once("demo+meetings", lambda: (demo.load(), demo_meetings.load()) and None)
    manager = api("manager", "440000")
    for url, media_type in (("/api/v1/meetings/1/minutes.docx", BINARY[".docx"]),
                            ("/api/v1/meetings/1.ics", BINARY[".ics"]),
                            ("/api/v1/ledger.xlsx", BINARY[".xlsx"]),
                            ("/api/v1/reports/monthly.docx?month=2026-11", BINARY[".docx"])):
        response = manager.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert response.mimetype == media_type, url


def test_uploads_are_documented_as_multipart(document):
    for path, method in (("/api/v1/requirements/{requirement_id}/attachments", "post"),
                         ("/api/v1/runs/{run_id}/results/{scenario_id}/evidence", "post"),
                         ("/api/v1/runs/{run_id}/import", "post")):
        body = document["paths"][path][method]["requestBody"]
        schema = body["content"]["multipart/form-data"]["schema"]
        assert schema["properties"]["file"] == {"type": "string", "format": "binary"}
    imported = document["paths"]["/api/v1/runs/{run_id}/import"]["post"]["requestBody"]["content"]
    assert {"application/json", "application/x-ndjson", "application/junit+xml"} <= set(imported)


def test_conflict_validation_and_throttling_rules_are_described(document):
    paths = document["paths"]

    def described(path, method, status, *words):
        response = paths[path][method]["responses"][str(status)]
        text = response["description"]
        assert all(word in text for word in words), (path, method, status, text)

    described("/api/v1/auth/token", "post", 429, "too_many_attempts")
    assert paths["/api/v1/auth/token"]["post"]["security"] == []
    described("/api/v1/requirements/{requirement_id}/transitions", "post", 409, "illegal_transition", "allowed")
    described("/api/v1/requirements/{requirement_id}", "patch", 409, "stale_version")
    described("/api/v1/releases/{release_id}/transitions", "post", 409, "gate", "sign-off")
    described("/api/v1/releases/{release_id}/requirements", "post", 409, "approved")
    described("/api/v1/meetings/{meeting_id}/finalize", "post", 409, "decision")
    described("/api/v1/users", "post", 422, "username")
    described("/api/v1/meetings/{meeting_id}/agenda", "post", 422, "awaiting review")
    for path, method, operation in _operations(document):
        if "requestBody" in operation and method in ("post", "put", "patch"):
            assert {"400", "415"} <= set(operation["responses"]), (method, path)


def test_input_rules_and_integer_bounds_are_documented(document):
    rules = document["info"]["description"]
    assert "NUL" in rules and "2147483647" in rules
    page = next(p for p in document["paths"]["/api/v1/requirements"]["get"]["parameters"] if p["name"] == "page")
    assert page["schema"]["minimum"] == 1 and page["schema"]["maximum"] == 2**31 - 1


# writes any signed-in user may make on their own things: no role rule to answer 403
SELF_SERVICE = {("post", "/api/v1/auth/token"), ("delete", "/api/v1/auth/token"),
                ("delete", "/api/v1/auth/tokens/{token_id}"), ("post", "/api/v1/notifications/read"),
                ("put", "/api/v1/notifications/settings"), ("post", "/api/v1/requirements/{requirement_id}/watch"),
                ("delete", "/api/v1/requirements/{requirement_id}/watch")}


def test_writes_document_who_may_make_them(document):
    missing = [(method, path) for path, method, operation in _operations(document)
               if method != "get" and (method, path) not in SELF_SERVICE and "403" not in operation["responses"]]
    assert not missing, f"writes without their 403 (app/api/contract.py error_responses): {missing}"
