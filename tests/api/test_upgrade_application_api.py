"""The upgrade application with its emergency plan and the announcement through /api/v1 (issue 9)."""
from __future__ import annotations

import io

import pytest
from docx import Document

from tests.release_kit import APPLICATION, accepted_release, fill_application, move, new_release
from tests.rollout_kit import start_one

WINDOW = {"start": "2026-12-19T22:00:00", "end": "2026-12-20T06:00:00"}  # Beijing time


def app_url(rid):
    return f"/api/v1/releases/{rid}/upgrade-application"


def docx_text(response) -> str:
    doc = Document(io.BytesIO(response.data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_application_is_generated_from_the_release(accepted, manager):
    body = manager.get(app_url(accepted)).json
    assert body["version"] == "V2026.12" and body["status"] == "accepted" and body["domains"] == ["execution"]
    assert [r["title"] for r in body["requirements"]] == ["直接支出更正"]
    assert body["requirements"][0]["verdict"] == "passed"
    assert body["acceptance"]["result"] == "passed" and body["acceptance"]["accepted_at"]
    assert body["acceptance"]["report_url"].endswith(f"/releases/{accepted}/report")
    assert body["empty_sections"] == ["scope", "risks", "criteria", "method", "rollback", "tracking", "contacts"]
    assert body["complete"] is False and body["scope"] == "" and body["updated_at"] is None


def test_upgrade_requested_is_409_naming_the_empty_sections_until_all_are_filled(accepted, manager):
    response = move(manager, accepted, "upgrade_requested")
    assert response.status_code == 409
    assert "scope" in response.json["message"] and "contacts" in response.json["message"]
    assert set(response.json["errors"]) == set(APPLICATION)
    partial = manager.put(app_url(accepted), json={"scope": "  全省生产环境  ", "risks": "支付暂停"})
    assert partial.status_code == 200 and partial.json["scope"] == "全省生产环境"
    assert partial.json["empty_sections"] == ["criteria", "method", "rollback", "tracking", "contacts"]
    response = move(manager, accepted, "upgrade_requested")
    assert response.status_code == 409 and set(response.json["errors"]) == {
        "criteria", "method", "rollback", "tracking", "contacts"}
    assert "'scope'" not in response.json["message"] and "scope," not in response.json["message"]
    assert manager.get(f"/api/v1/releases/{accepted}").json["status"] == "accepted"
    fill_application(manager, accepted)
    assert move(manager, accepted, "upgrade_requested").json["status"] == "upgrade_requested"
    events = [e for e in manager.get(f"/api/v1/releases/{accepted}/timeline").json if e["kind"] == "application_edited"]
    assert len(events) == 2 and events[0]["details"]["sections"] == ["scope", "risks"]
    assert "Upgrade scope" in events[0]["summary"] or "升级范围" in events[0]["summary"]


def test_blank_sections_count_as_empty(accepted, manager):
    fill_application(manager, accepted, tracking="   ")
    response = move(manager, accepted, "upgrade_requested")
    assert response.status_code == 409 and list(response.json["errors"]) == ["tracking"]


def test_sections_cannot_be_emptied_once_requested(requested, manager):
    response = manager.put(app_url(requested), json={"rollback": "", "scope": "新范围"})
    assert response.status_code == 422 and list(response.json["errors"]) == ["rollback"]
    assert manager.get(app_url(requested)).json["scope"] == APPLICATION["scope"]  # nothing written
    assert manager.put(app_url(requested), json={"scope": "新范围"}).json["scope"] == "新范围"


def test_not_editable_once_the_upgrade_started(requested, manager):
    assert manager.put(f"/api/v1/releases/{requested}/window", json=WINDOW).status_code == 200
    assert move(manager, requested, "scheduled").status_code == 200
    start_one(manager, requested)  # the first region's start: rolling_out (issue 9)
    response = manager.put(app_url(requested), json={"scope": "新范围"})
    assert response.status_code == 409 and "'rolling_out'" in response.json["message"]


@pytest.mark.parametrize("body", [
    {"scope": 5}, {"unknown": "x"}, {"risks": ["a"]}, {"method": "x" * 20001},
])
def test_bad_input_is_422_naming_the_field_and_writes_nothing(accepted, manager, body):
    response = manager.put(app_url(accepted), json=body)
    assert response.status_code == 422, response.json
    assert set(response.json["errors"]) == set(body)
    assert manager.get(app_url(accepted)).json["updated_at"] is None


def test_roles_and_unknown_release(accepted, api, manager):
    for role in ("engineer", "reviewer", "taskforce"):
        client = api(role, "445200")
        assert client.get(app_url(accepted)).status_code == 200  # everyone reads
        assert client.put(app_url(accepted), json={"scope": "x"}).status_code == 403
        assert client.put(f"/api/v1/releases/{accepted}/announcement", json={"title": "x"}).status_code == 403
    assert api("manager", "440000").put(app_url(accepted), json={"scope": "省级"}).status_code == 200
    for url in (app_url(999999), app_url(2**40), "/api/v1/releases/999999/upgrade-application.docx",
                "/api/v1/releases/999999/announcement", "/api/v1/releases/999999/announcement.docx"):
        assert manager.get(url).status_code == 404, url
    assert manager.put(app_url(999999), json={"scope": "x"}).status_code == 404
    assert manager.get("/api/v1/announcements").status_code == 200
    assert api("taskforce", "445200").get("/api/v1/announcements").status_code == 200


def test_application_docx_has_the_release_and_every_section(requested, manager):
    response = manager.get(f"{app_url(requested)}.docx")
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    assert "attachment" in response.headers["Content-Disposition"]
    text = docx_text(response)
    assert "关于V2026.12迭代版本升级的申请" in text and "直接支出更正" in text and "验收通过" in text
    for heading in ("升级范围", "风险分析", "验证通过和失败准则", "升级方法", "回退方案", "问题跟踪", "联系人"):
        assert heading in text
    for value in APPLICATION.values():
        assert value in text


def test_application_docx_of_an_empty_plan_says_not_filled(accepted, manager):
    text = docx_text(manager.get(f"{app_url(accepted)}.docx"))
    assert text.count("（未填写）") == 7


def test_announcement_drafted_from_release_and_window_then_published(requested, manager, api):
    url = f"/api/v1/releases/{requested}/announcement"
    draft = manager.get(url).json
    assert draft["drafted"] is True and draft["published"] is False and draft["id"] is None
    assert draft["title"] == "关于V2026.12迭代版本升级的公告" and "升级窗口待定" in draft["body"]
    # publishing needs the window
    response = manager.put(url, json={"publish": True})
    assert response.status_code == 409 and "publish" in response.json["errors"]
    assert manager.get("/api/v1/announcements").json["total"] == 0
    assert manager.put(f"/api/v1/releases/{requested}/window", json=WINDOW).status_code == 200
    redrafted = manager.get(url).json
    assert "2026年12月19日 22:00至2026年12月20日 06:00" in redrafted["body"] and "执行域" in redrafted["body"]
    saved = manager.put(url, json={"title": "V2026.12升级公告", "body": redrafted["body"] + "\n请各单位知悉。"})
    assert saved.status_code == 200 and saved.json["drafted"] is False and saved.json["published"] is False
    published = manager.put(url, json={"publish": True}).json
    assert published["published"] is True and published["published_by"] == "manager_445200"
    listing = api("taskforce", "445100").get("/api/v1/announcements").json
    assert listing["total"] == 1
    item = listing["items"][0]
    assert item["title"] == "V2026.12升级公告" and item["version"] == "V2026.12" and "请各单位知悉" in item["body"]
    kinds = [e["kind"] for e in manager.get(f"/api/v1/releases/{requested}/timeline").json]
    assert "announcement_published" in kinds
    # withdrawn: off the list
    assert manager.put(url, json={"publish": False}).json["published"] is False
    assert manager.get("/api/v1/announcements").json["total"] == 0


def test_announcement_docx(requested, manager):
    assert manager.put(f"/api/v1/releases/{requested}/window", json=WINDOW).status_code == 200
    manager.put(f"/api/v1/releases/{requested}/announcement", json={"title": "升级公告", "body": "各单位：\n定于周六升级。"})
    response = manager.get(f"/api/v1/releases/{requested}/announcement.docx")
    assert response.status_code == 200
    text = docx_text(response)
    assert "升级公告" in text and "定于周六升级。" in text and "省运营中心" in text


def test_announcement_only_once_the_upgrade_is_requested(accepted, manager):
    response = manager.put(f"/api/v1/releases/{accepted}/announcement", json={"title": "公告"})
    assert response.status_code == 409 and "'accepted'" in response.json["message"]
    assert manager.get(f"/api/v1/releases/{accepted}/announcement").json["drafted"] is True


@pytest.mark.parametrize("body", [
    {"title": ""}, {"title": "   "}, {"body": ""}, {"title": "x" * 201}, {"publish": "maybe"}, {"extra": 1},
    {"title": 3},
])
def test_bad_announcement_is_422_naming_the_field(requested, manager, body):
    response = manager.put(f"/api/v1/releases/{requested}/announcement", json=body)
    assert response.status_code == 422, response.json
    assert set(response.json["errors"]) == set(body)
    assert manager.get(f"/api/v1/releases/{requested}/announcement").json["drafted"] is True


def test_announcements_are_newest_first_and_paginated(manager, api, filed):
    reviewer = api("reviewer", "440000")
    rids = []
    for n, version in enumerate(("V2026.10", "V2026.11", "V2026.12")):
        rid = accepted_release(manager, reviewer, filed(title=f"需求{n}")["id"], version=version)
        fill_application(manager, rid)
        assert move(manager, rid, "upgrade_requested").status_code == 200
        assert manager.put(f"/api/v1/releases/{rid}/window", json=WINDOW).status_code == 200
        assert manager.put(f"/api/v1/releases/{rid}/announcement", json={"publish": True}).status_code == 200
        rids.append(rid)
    first = manager.get("/api/v1/announcements", query_string={"per_page": 2}).json
    assert first["total"] == 3 and [i["version"] for i in first["items"]] == ["V2026.12", "V2026.11"]
    second = manager.get("/api/v1/announcements", query_string={"per_page": 2, "page": 2}).json
    assert [i["version"] for i in second["items"]] == ["V2026.10"]
    assert manager.get("/api/v1/announcements", query_string={"per_page": 0}).status_code == 422


def test_planned_release_may_draft_the_plan(manager):
    rid = new_release(manager)["id"]
    assert manager.put(app_url(rid), json={"scope": "草稿"}).json["acceptance"]["result"] == "pending"


def test_requirements_listed_are_in_the_readers_region(accepted, api):
    assert [r["title"] for r in api("taskforce", "445200").get(app_url(accepted)).json["requirements"]] == ["直接支出更正"]
    other = api("engineer", "445100").get(app_url(accepted)).json  # 汕头: the 揭阳 requirement is not named
    assert other["requirements"] == [] and other["version"] == "V2026.12"
