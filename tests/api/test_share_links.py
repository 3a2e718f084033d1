"""Proposer status links (issue 10): the API to create and revoke, and what the public page
shows and hides — code, title, status, public history, feedback; never comments or names."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlparse

import pytest

from app.extensions import db
from app.models import Event, Feedback, RequirementShareLink
from app.services.share_links import token_hash
from app.utils import utcnow

COMMENT = "内部意见：此需求与国库支付模块改造冲突，暂不告知提出人"
FEEDBACK = "需求已纳入2026年第二季度版本计划，请留意上线通知。"


def _path(url: str) -> str:
    parsed = urlparse(url)
    assert parsed.scheme in ("http", "https") and parsed.netloc, url
    return parsed.path


def _share(api, req_id, role="engineer", region="445200"):
    response = api(role, region).post(f"/api/v1/requirements/{req_id}/share-link")
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def story(app, api, filed):
    """A filed requirement with an internal comment, a public history (decision, scheduled into
    a version) and a feedback text."""
    req = filed()
    eng = api("engineer", "445200")
    assert eng.post(f"/api/v1/requirements/{req['id']}/comments", json={"body": COMMENT}).status_code == 201
    with app.app_context():
        actor_id = eng.user.id
        db.session.add_all([
            Event(requirement_id=req["id"], kind="transition", actor_id=actor_id,
                  data={"from": "awaiting_review", "to": "approved", "reason": "会内讨论的内部理由"}),
            Event(requirement_id=req["id"], kind="transition", actor_id=actor_id,
                  data={"from": "approved", "to": "scheduled",
                        "context": {"release_id": 1, "release_version": "V6.2.0"}}),
            Feedback(requirement_id=req["id"], decision="approved", reason=FEEDBACK, created_by_id=actor_id),
        ])
        db.session.commit()
    return req


def test_create_answers_absolute_url_and_expiry_in_30_days(api, filed, app):
    req = filed()
    body = _share(api, req["id"])
    assert set(body) == {"url", "expires_at"}
    assert _path(body["url"]).startswith("/p/")
    token = _path(body["url"])[3:]
    with app.app_context():
        link = db.session.query(RequirementShareLink).one()
        assert link.token_hash == token_hash(token) and token not in link.token_hash
        assert link.revoked_at is None
        assert abs((link.expires_at - utcnow()) - timedelta(days=30)) < timedelta(minutes=1)
    assert body["expires_at"].endswith("+00:00")


def test_expiry_follows_config(api, filed, app):
    app.config["SHARE_LINK_DAYS"] = 7
    req = filed()
    _share(api, req["id"])
    with app.app_context():
        link = db.session.query(RequirementShareLink).one()
        assert abs((link.expires_at - utcnow()) - timedelta(days=7)) < timedelta(minutes=1)


def test_public_page_shows_public_status_and_nothing_internal(api, story, client):
    body = _share(api, story["id"])
    response = client.get(_path(body["url"]))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert story["code"] in page and story["title"] in page
    assert 'data-status="submitted"' in page
    assert FEEDBACK in page
    assert "V6.2.0" in page
    assert 'data-kind="filed"' in page and 'data-kind="decided"' in page and 'data-kind="scheduled"' in page
    # nothing internal: comments, decision reasons on the timeline, user names, the proposer
    assert COMMENT not in page
    assert "会内讨论的内部理由" not in page
    assert "engineer_445200" not in page
    assert "李秀英" not in page and "0663-8221001" not in page
    assert "topbar" not in page and "logout" not in page
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_revoke_makes_the_link_404_and_second_revoke_404(api, filed, client):
    req = filed()
    path = _path(_share(api, req["id"])["url"])
    assert client.get(path).status_code == 200
    eng = api("engineer", "445200")
    response = eng.delete(f"/api/v1/requirements/{req['id']}/share-link")
    assert response.status_code == 204
    assert client.get(path).status_code == 404
    assert eng.delete(f"/api/v1/requirements/{req['id']}/share-link").status_code == 404


def test_expired_link_is_404(api, filed, client, app):
    req = filed()
    path = _path(_share(api, req["id"])["url"])
    with app.app_context():
        link = db.session.query(RequirementShareLink).one()
        link.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("token", ["garbled", "x" * 43, "A" * 500, "..%2F..%2Fetc", "%00"])
def test_garbled_token_is_404(client, token):
    assert client.get(f"/p/{token}").status_code == 404


def test_second_link_invalidates_the_first(api, filed, client):
    req = filed()
    first = _path(_share(api, req["id"])["url"])
    second = _path(_share(api, req["id"], role="manager")["url"])
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_outside_region_is_404(api, filed, app):
    req = filed()
    other = api("engineer", "445100")  # 潮州
    assert other.post(f"/api/v1/requirements/{req['id']}/share-link").status_code == 404
    assert other.delete(f"/api/v1/requirements/{req['id']}/share-link").status_code == 404
    assert api("engineer", "445200").post("/api/v1/requirements/999999/share-link").status_code == 404
    with app.app_context():
        assert db.session.query(RequirementShareLink).count() == 0


@pytest.mark.parametrize("role", ["reviewer", "taskforce"])
def test_role_without_edit_is_403(api, filed, role, app):
    req = filed()
    assert api(role, "445200").post(f"/api/v1/requirements/{req['id']}/share-link").status_code == 403
    _share(api, req["id"])
    assert api(role, "445200").delete(f"/api/v1/requirements/{req['id']}/share-link").status_code == 403
    with app.app_context():
        assert db.session.query(RequirementShareLink).filter_by(revoked_at=None).count() == 1


def test_requires_a_token(client, filed):
    req = filed()
    assert client.post(f"/api/v1/requirements/{req['id']}/share-link").status_code == 401


def test_merge_feedback_names_no_other_requirement(api, filed, client, app):
    original, duplicate = filed(title="原需求：指标余额回滚"), filed(title="重复需求")
    with app.app_context():
        db.session.add(Feedback(requirement_id=duplicate["id"], original_id=original["id"], decision="duplicate",
                                reason="与已有需求相同，已合并处理"))
        db.session.commit()
    page = client.get(_path(_share(api, duplicate["id"])["url"])).get_data(as_text=True)
    assert "与已有需求相同，已合并处理" in page
    assert original["code"] not in page and original["title"] not in page
