"""提出人状态链接 (features/service_levels/share_link.feature), bound to
POST/DELETE /api/v1/requirements/<id>/share-link and the public page /p/<token>, opened by a
fresh test client without any session (the proposer has no account). Users, the filed
requirement and its status come from the shared steps of tests/acceptance/conftest.py.

The feedback text is stored as the review meeting's finalisation stores it (a `Feedback` row
with decision `rejected`): walking a whole meeting is the meetings features' subject."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from app.extensions import db
from app.models import Feedback

from tests.acceptance.conftest import BASE, STATUSES

scenarios("service_levels/share_link.feature")


@pytest.fixture
def shared() -> dict:
    """The link's URL as the engineer got it, and the proposer's last answer."""
    return {"url": None, "page": None}


def _link(world, who: str):
    return world.person(who).client.post(f"{BASE}/{world.requirement()['id']}/share-link")


@given(parsers.parse('{who}在该需求下留了内部评论"{body}"'))
def internal_comment(world, who: str, body: str):
    response = world.person(who).client.post(f"{BASE}/{world.requirement()['id']}/comments", json={"body": body})
    assert response.status_code == 201, response.json


@given(parsers.parse('给提出人的反馈意见是"{reason}"'))
def feedback_given(world, app, observer, reason: str):
    req = world.requirement()
    assert observer.get(f"{BASE}/{req['id']}").json["status"] == "rejected"
    with app.app_context():
        db.session.add(Feedback(requirement_id=req["id"], decision="rejected", reason=reason))
        db.session.commit()


@given(parsers.parse("{who}为该需求生成了状态链接"))
def link_made(world, shared, who: str):
    response = _link(world, who)
    assert response.status_code == 201, response.json
    shared["url"] = response.json["url"]


@when(parsers.parse("{who}为该需求生成状态链接"), target_fixture="response")
def make_link(world, shared, who: str):
    response = _link(world, who)
    if response.status_code == 201:
        assert set(response.json) == {"url", "expires_at"}, response.json
        shared["url"] = response.json["url"]
    return response


@when(parsers.parse("{who}撤销该需求的状态链接"), target_fixture="response")
def revoke_link(world, who: str):
    return world.person(who).client.delete(f"{BASE}/{world.requirement()['id']}/share-link")


@when("提出人不登录打开该链接")
def open_link(app, shared):
    assert shared["url"], "no link was made in this scenario"
    parsed = urlparse(shared["url"])
    assert parsed.scheme in ("http", "https") and parsed.netloc and parsed.path.startswith("/p/"), shared["url"]
    shared["page"] = app.test_client().get(parsed.path)  # a fresh client: no session, no token


@then(parsers.parse("页面回答 {status:d}"))
def page_status(shared, status: int):
    assert shared["page"].status_code == status
    assert shared["page"].headers["Cache-Control"] == "no-store"


@then(parsers.parse('页面显示该需求的编号和状态"{label}"'))
def page_shows_code_and_status(world, shared, label: str):
    html = shared["page"].get_data(as_text=True)
    req = world.requirement()
    assert f'id="share-code">{req["code"]}<' in html
    assert f'data-status="{STATUSES[label]}"' in html
    state = html.split('id="share-state"', 1)[1].split("</span>", 1)[0]
    assert label in state, state  # read in Chinese


@then(parsers.parse('页面显示反馈意见"{reason}"'))
def page_shows_feedback(shared, reason: str):
    html = shared["page"].get_data(as_text=True)
    assert 'id="share-feedback"' in html and reason in html


@then(parsers.parse('页面不含内部评论"{body}"'))
def page_hides_comment(world, shared, body: str):
    html = shared["page"].get_data(as_text=True)
    assert body not in html
    assert world.person("揭阳工程师").username not in html


@then("页面不透露该需求的编号和标题")
def page_hides_requirement(world, shared):
    html = shared["page"].get_data(as_text=True)
    req = world.requirement()
    assert req["code"] not in html and req["title"] not in html
    assert 'id="share-missing"' in html
