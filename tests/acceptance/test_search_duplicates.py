"""中文检索与重复需求 (features/search/search_and_duplicates.feature)."""
from __future__ import annotations

import html
import re

from pytest_bdd import given, scenarios, then, when

from tests.acceptance.conftest import BASE, P, World, fetch, file_requirement
from tests.conftest import PASSWORD

scenarios("search/search_and_duplicates.feature")

NONE = "（无）"


@given(P('{who:Who}为"{unit}"的"{name}"登记了需求"{title}"'))
def filed_for_proposer(world: World, payload, who: str, unit: str, name: str, title: str):
    person = world.person(who)
    response = file_requirement(world, payload, who, title, region=person.region, proposer_name=name,
                                proposer_unit=unit)
    assert response.status_code == 201, response.json


@given(P('{who:Who}登记了描述为"{description}"的需求"{title}"'))
def filed_with_description(world: World, payload, who: str, description: str, title: str):
    response = file_requirement(world, payload, who, title, description=description)
    assert response.status_code == 201, response.json


@given(P('{who:Who}为该需求添加备注"{body}"'))
def commented(world: World, who: str, body: str):
    response = world.person(who).client.post(f"{BASE}/{world.requirement()['id']}/comments", json={"body": body})
    assert response.status_code == 201, response.json


@when(P('{who:Who}搜索"{q}"'), target_fixture="response")
def search_for(world: World, who: str, q: str):
    return world.person(who).client.get(BASE, query_string={"q": q, "per_page": 100})


@then(P('搜索结果依次为"{titles}"'))
def search_results(response, titles: str):
    assert response.status_code == 200, response.json
    expected = [] if titles == NONE else titles.split("、")
    assert [i["title"] for i in response.json["items"]] == expected


@when(P('{who:Who}在需求列表页输入"{q}"查找'), target_fixture="list_page")
def search_on_the_list_page(app, world: World, who: str, q: str) -> str:
    client = app.test_client()
    signed_in = client.post("/login", data={"username": world.person(who).username, "password": PASSWORD})
    assert signed_in.status_code == 302
    response = client.get("/requirements", query_string={"q": q})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _excerpt_of(list_page: str, title: str) -> str | None:
    """The text of the "where it matched" line under a listed requirement (None: no such line)."""
    rows = [row for row in list_page.split("<tr")[1:] if f">{title}<" in re.sub(r"</?mark>", "", row)]
    assert len(rows) == 1, f"{title!r} is not listed once"
    found = re.search(r'<div class="excerpt[^"]*">(.*?)</div>', rows[0], re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))) if found else None


@then(P('需求"{title}"下注明命中处"{where}"'))
def excerpt_shown(list_page: str, title: str, where: str):
    assert _excerpt_of(list_page, title) == where


@then(P('需求"{title}"下不注明命中处'))
def no_excerpt(list_page: str, title: str):
    assert _excerpt_of(list_page, title) is None


@when(P('{who:Who}输入标题"{title}"查看相似需求'), target_fixture="response")
def look_for_similar(world: World, who: str, title: str):
    return world.person(who).client.get(f"{BASE}/similar", query_string={"title": title})


@then(P('相似需求的第一条是"{title}"，相似度不低于 {score:f}'))
def first_similar(response, title: str, score: float):
    assert response.status_code == 200, response.json
    assert response.json, "no similar requirement"
    assert response.json[0]["title"] == title and response.json[0]["score"] >= score


@then(P('相似需求中没有"{title}"'))
def not_similar(response, title: str):
    assert title not in [i["title"] for i in response.json]


@then("没有相似需求")
def no_similar(response):
    assert response.status_code == 200 and response.json == []


@then(P('需求"{title}"的提出人依次为"{names}"'))
def proposers_are(world: World, observer, title: str, names: str):
    response = observer.get(f"{BASE}/{world.requirement(title)['id']}/proposers")
    assert response.status_code == 200, response.json
    assert [p["name"] for p in response.json["items"]] == names.split("、")


@then(P('需求"{title}"由 {cities:d} 个地市的 {units:d} 个单位提出'))
def raised_by(world: World, observer, title: str, cities: int, units: int):
    body = observer.get(f"{BASE}/{world.requirement(title)['id']}/proposers").json
    assert (body["cities"], body["units"]) == (cities, units)


@then(P('需求"{dup}"的提出人"{name}"收到反馈：已合并到"{original}"'))
def merge_feedback(world: World, observer, dup: str, name: str, original: str):
    feedback = observer.get(f"{BASE}/{world.requirement(dup)['id']}/feedback").json
    proposers = observer.get(f"{BASE}/{world.requirement(original)['id']}/proposers").json["items"]
    ids = {p["id"] for p in proposers if p["name"] == name}
    assert any(f["decision"] == "duplicate" and f["proposer_id"] in ids
               and f["original"] == world.requirement(original)["code"] for f in feedback), feedback


@when(P('{who:Who}撤销需求"{title}"的合并'), target_fixture="response")
def undo(world: World, observer, who: str, title: str):
    response = world.person(who).client.post(f"{BASE}/{world.requirement(title)['id']}/undo-merge", json={})
    if response.status_code == 200:
        world.requirements[title] = fetch(observer, world.requirement(title)["id"])
    return response
