"""升级申请、应急预案与升级公告 (features/releases/upgrade_application.feature), bound to
GET/PUT /api/v1/releases/<id>/upgrade-application(.docx), the release's transitions,
PUT /api/v1/releases/<id>/window, GET/PUT /api/v1/releases/<id>/announcement(.docx) and
GET /api/v1/announcements. Releases are built with tests/release_kit.py."""
from __future__ import annotations

import io

import pytest
from docx import Document
from pytest_bdd import given, parsers, scenarios, then, when

from tests.acceptance.conftest import World
from tests.release_kit import APPLICATION, accepted_release, move

scenarios("releases/upgrade_application.feature")

RELEASE_STATUSES = {"已提交升级申请": "upgrade_requested", "验收通过": "accepted"}


def ok(response, status: int = 200):
    assert response.status_code == status, (response.status_code, response.json)
    return response.json


def keys(text: str) -> list[str]:
    return text.split("、")


def docx_text(response) -> str:
    assert response.status_code == 200, response.status_code
    doc = Document(io.BytesIO(response.data))
    return "\n".join([p.text for p in doc.paragraphs]
                     + [c.text for t in doc.tables for row in t.rows for c in row.cells])


@pytest.fixture
def releases() -> dict:
    return {}


def _url(releases: dict, version: str, tail: str = "") -> str:
    assert version in releases, f"release {version!r} was not made in this scenario"
    return f"/api/v1/releases/{releases[version]}{tail}"


@given(parsers.parse('{who}的版本"{version}"已验收通过'))
def accepted(world: World, api, filed, releases: dict, who: str, version: str):
    manager = world.person(who).client
    releases[version] = accepted_release(manager, api("reviewer", "440000"),
                                         filed(title="直接支出更正")["id"], version=version)


@given(parsers.parse('{who}填写了版本"{version}"升级申请的"{sections}"'))
def filled_some(world: World, releases: dict, who: str, version: str, sections: str):
    body = {k: APPLICATION[k] for k in keys(sections)}
    ok(world.person(who).client.put(_url(releases, version, "/upgrade-application"), json=body))


@given(parsers.parse('{who}填写了版本"{version}"升级申请的全部内容'))
def filled_all(world: World, releases: dict, who: str, version: str):
    ok(world.person(who).client.put(_url(releases, version, "/upgrade-application"), json=APPLICATION))


@given(parsers.parse('{who}把版本"{version}"转为"{label}"'))
def moved(world: World, releases: dict, who: str, version: str, label: str):
    ok(move(world.person(who).client, releases[version], RELEASE_STATUSES[label]))


@given(parsers.re(r'(?P<who>\S+?)把版本"(?P<version>[^"]+)"的升级窗口设为北京时间"(?P<start>[^"]+)"至"(?P<end>[^"]+)"$'))
def window_set(world: World, releases: dict, who: str, version: str, start: str, end: str):
    body = {"start": start.replace(" ", "T") + ":00", "end": end.replace(" ", "T") + ":00"}
    ok(world.person(who).client.put(_url(releases, version, "/window"), json=body))


@when(parsers.parse('{who}读取版本"{version}"的升级申请'), target_fixture="response")
def read_application(world: World, releases: dict, who: str, version: str):
    return world.person(who).client.get(_url(releases, version, "/upgrade-application"))


@when(parsers.parse('{who}填写版本"{version}"升级申请的"{sections}"'), target_fixture="response")
def fill(world: World, releases: dict, who: str, version: str, sections: str):
    body = {k: APPLICATION[k] for k in keys(sections)}
    return world.person(who).client.put(_url(releases, version, "/upgrade-application"), json=body)


@when(parsers.parse('{who}把版本"{version}"转为"{label}"'), target_fixture="response")
def move_release(world: World, releases: dict, who: str, version: str, label: str):
    return move(world.person(who).client, releases[version], RELEASE_STATUSES[label])


@when(parsers.parse('{who}发布版本"{version}"的升级公告，标题为"{title}"'), target_fixture="response")
def publish(world: World, releases: dict, who: str, version: str, title: str):
    return world.person(who).client.put(_url(releases, version, "/announcement"),
                                        json={"title": title, "publish": True})


@then(parsers.parse('升级申请列出需求"{title}"，验证结论为"{verdict}"'))
def lists_requirement(response, title: str, verdict: str):
    assert [(r["title"], r["verdict"]) for r in response.json["requirements"]] == [(title, verdict)]


@then(parsers.parse('升级申请的验收结论为"{result}"'))
def acceptance_result(response, result: str):
    assert response.json["acceptance"]["result"] == result
    assert response.json["acceptance"]["report_url"]


@then(parsers.parse('升级申请未填写的部分为"{sections}"'))
def empty_sections(response, sections: str):
    assert response.json["empty_sections"] == keys(sections)


@then(parsers.parse('错误信息指明未填写的部分"{sections}"'))
def names_empty(response, sections: str):
    assert sorted(response.json["errors"]) == sorted(keys(sections)), response.json
    for key in keys(sections):
        assert key in response.json["message"]
    assert "scope" not in response.json["message"].split("empty sections:")[1]


@then(parsers.parse('版本"{version}"的状态为"{label}"'))
def status_is(observer, releases: dict, version: str, label: str):
    assert ok(observer.get(_url(releases, version)))["status"] == RELEASE_STATUSES[label]


@then(parsers.parse('版本"{version}"的升级申请书（Word）包含"{heading}"和填写的回退方案'))
def application_word(observer, releases: dict, version: str, heading: str):
    text = docx_text(observer.get(_url(releases, version, "/upgrade-application.docx")))
    assert heading in text and APPLICATION["rollback"] in text and version in text


@then(parsers.parse('{who}在公告列表第一条看到"{title}"，正文提到"{when}"'))
def first_announcement(world: World, who: str, title: str, when: str):
    first = ok(world.person(who).client.get("/api/v1/announcements"))["items"][0]
    assert first["title"] == title and when in first["body"], first


@then(parsers.parse('{who}看到的公告列表为空'))
def no_announcements(world: World, who: str):
    assert ok(world.person(who).client.get("/api/v1/announcements"))["total"] == 0


@then(parsers.parse('版本"{version}"的升级公告（Word）包含"{title}"'))
def announcement_word(observer, releases: dict, version: str, title: str):
    assert title in docx_text(observer.get(_url(releases, version, "/announcement.docx")))
