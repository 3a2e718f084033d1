"""Proposer status links (issue 10) on the pages: the requirement page's card (create, copy,
revoke through htmx) and the public page in Chinese without sign-in."""
from __future__ import annotations

import re

import pytest

HX = {"HX-Request": "true"}


@pytest.fixture
def signed_in(make_user, login):
    make_user("eng_jy", "engineer", "445200")
    make_user("rev_jy", "reviewer", "445200")
    make_user("eng_cz", "engineer", "445100")
    return login


def _url(fragment: str) -> str:
    match = re.search(r'id="share-link-url" value="([^"]+)"', fragment)
    assert match, fragment
    return match.group(1)


def test_card_creates_shows_url_and_revokes(signed_in, filed, app):
    req = filed()
    eng = signed_in("eng_jy")
    detail = eng.get(f"/requirements/{req['id']}").get_data(as_text=True)
    assert 'id="share-link-card"' in detail and "提出人状态链接" in detail
    assert 'id="share-link-revoke"' not in detail

    created = eng.post(f"/requirements/{req['id']}/share-link", headers=HX)
    fragment = created.get_data(as_text=True)
    assert created.status_code == 200 and "<html" not in fragment
    url = _url(fragment)
    assert url.startswith("http://localhost/p/")
    assert 'id="share-link-expiry"' in fragment and 'id="share-link-revoke"' in fragment

    public = app.test_client().get(url.removeprefix("http://localhost"))
    text = public.get_data(as_text=True)
    assert public.status_code == 200 and req["code"] in text and req["title"] in text
    assert 'data-status="submitted"' in text and "已登记" in text  # status label, in Chinese
    assert "需求状态" in text and "办理进展" in text and "需求已受理登记" in text
    assert "eng_jy" not in text

    # the URL is shown only once: the page afterwards shows only the expiry
    again = eng.get(f"/requirements/{req['id']}").get_data(as_text=True)
    assert 'id="share-link-url"' not in again and 'id="share-link-expiry"' in again

    revoked = eng.post(f"/requirements/{req['id']}/share-link/revoke", headers=HX)
    assert revoked.status_code == 200 and 'id="share-link-revoked"' in revoked.get_data(as_text=True)
    gone = app.test_client().get(url.removeprefix("http://localhost"))
    assert gone.status_code == 404 and "链接不可用" in gone.get_data(as_text=True)


def test_card_hidden_and_routes_forbidden_for_reviewer(signed_in, filed):
    req = filed()
    rev = signed_in("rev_jy")
    assert 'id="share-link-card"' not in rev.get(f"/requirements/{req['id']}").get_data(as_text=True)
    assert rev.post(f"/requirements/{req['id']}/share-link", headers=HX).status_code == 403


def test_outside_region_is_404(signed_in, filed):
    req = filed()
    assert signed_in("eng_cz").post(f"/requirements/{req['id']}/share-link", headers=HX).status_code == 404


def test_public_page_needs_no_sign_in_and_has_no_user_menu(signed_in, filed, app):
    req = filed()
    url = _url(signed_in("eng_jy").post(f"/requirements/{req['id']}/share-link", headers=HX).get_data(as_text=True))
    response = app.test_client().get(url.removeprefix("http://localhost"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'lang="zh-CN"' in page and 'name="viewport"' in page
    assert "topbar" not in page and "userbox" not in page and "/login" not in page
    assert "<script" not in page
