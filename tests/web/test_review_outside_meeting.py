"""Review outcomes on the requirement page (outside a review meeting): a reason, marked as such on
the timeline, and only for reviewers and managers. Also: admin forms speak Chinese, not field names."""
from __future__ import annotations

import pytest



@pytest.fixture
def signed_in(make_user, login):
    make_user("eng", "engineer", "445200")
    make_user("mgr", "manager", "445200")
    make_user("rev", "reviewer", "440000")
    make_user("root", "admin", "440000")
    return login


@pytest.fixture
def awaiting(api, filed):
    req = filed()
    manager = api("manager", "445200")
    for to in ("assessing", "awaiting_review"):
        assert manager.post(f"/api/v1/requirements/{req['id']}/transitions", json={"to": to}).status_code == 200
    return req


def test_review_decision_on_the_page_needs_a_reason_and_shows_as_outside_a_meeting(signed_in, awaiting):
    reviewer = signed_in("rev")
    url = f"/requirements/{awaiting['id']}"
    html = reviewer.get(url).get_data(as_text=True)
    assert "会外决定" in html and 'name="reason"' in html
    htmx = {"HX-Request": "true"}
    refused = reviewer.post(f"{url}/transitions", data={"to": "approved"}, headers=htmx)
    assert refused.status_code == 422
    assert "会外" in refused.get_data(as_text=True)
    done = reviewer.post(f"{url}/transitions", data={"to": "approved", "reason": "紧急，省厅书面同意"}, headers=htmx)
    assert done.status_code == 200
    page = reviewer.get(url).get_data(as_text=True)
    assert "评审会外决定" in page and "紧急，省厅书面同意" in page


def test_administrators_are_offered_no_review_decision(signed_in, awaiting):
    html = signed_in("root").get(f"/requirements/{awaiting['id']}").get_data(as_text=True)
    assert 'data-to="approved"' not in html and 'data-to="rejected"' not in html
    response = signed_in("root").post(f"/requirements/{awaiting['id']}/transitions",
                                      data={"to": "approved", "reason": "代办"}, headers={"HX-Request": "true"})
    assert response.status_code == 403


def test_duplicate_username_error_is_chinese_without_the_field_name(signed_in):
    admin = signed_in("root")
    response = admin.post("/admin/users", data={"username": "eng", "password": "Another#2026", "role": "engineer",
                                                 "region": "445200"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "该用户名已被使用" in html
    assert "username:" not in html and "username：" not in html
