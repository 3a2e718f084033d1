"""API sign-in: tokens are issued for a correct password, stored hashed, revocable; every other
endpoint needs `Authorization: Bearer <token>` and answers a JSON 401 without one."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ApiToken, User
PASSWORD = "Secret#2026"  # the password tests/conftest.py gives every make_user() user

TOKEN_URL = "/api/v1/auth/token"


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The one error shape: JSON {code, message, errors}."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.json
    assert set(body) == {"code", "message", "errors"}
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], dict)
    if code is not None:
        assert body["code"] == code
    return body


def get_token(client, username: str, password: str = PASSWORD) -> str:
    response = client.post(TOKEN_URL, json={"username": username, "password": password})
    assert response.status_code == 201, response.json
    return response.json["token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# --- issuing -----------------------------------------------------------------------------


def test_token_is_issued_for_correct_password(client, make_user):
    make_user("li.engineer", "engineer", "445200")
    response = client.post(TOKEN_URL, json={"username": "li.engineer", "password": PASSWORD})
    assert response.status_code == 201
    assert set(response.json) == {"token"}
    token = response.json["token"]
    assert isinstance(token, str) and len(token) >= 20
    me = client.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.json["username"] == "li.engineer"


def test_each_sign_in_issues_a_new_token(client, make_user):
    make_user("li.engineer", "engineer", "445200")
    first, second = get_token(client, "li.engineer"), get_token(client, "li.engineer")
    assert first != second
    for token in (first, second):
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200


def test_token_is_stored_only_as_its_hash(app_ctx, client, make_user):
    user = make_user("li.engineer", "engineer", "445200")
    token = get_token(client, "li.engineer")
    rows = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()
    assert len(rows) == 1
    assert rows[0].token_hash != token
    assert token not in rows[0].token_hash
    assert rows[0].token_hash == ApiToken.hash(token)


def test_password_is_stored_hashed(make_user):
    user = make_user("li.engineer", "engineer", "445200")
    assert PASSWORD not in user.password_hash
    assert user.check_password(PASSWORD)
    assert not user.check_password(PASSWORD + "x")


def test_wrong_password_is_401_json(client, make_user):
    make_user("li.engineer", "engineer", "445200")
    response = client.post(TOKEN_URL, json={"username": "li.engineer", "password": "wrong-password"})
    body = assert_error(response, 401, "unauthorized")
    assert "token" not in body


def test_unknown_user_answers_like_a_wrong_password(client, make_user):
    make_user("li.engineer", "engineer", "445200")
    wrong_pw = client.post(TOKEN_URL, json={"username": "li.engineer", "password": "wrong-password"})
    no_user = client.post(TOKEN_URL, json={"username": "nobody", "password": "wrong-password"})
    assert_error(no_user, 401, "unauthorized")
    assert no_user.json == wrong_pw.json  # no user enumeration


@pytest.mark.parametrize("missing", ["username", "password"])
def test_token_request_missing_field_is_422_naming_it(client, missing):
    data = {"username": "li.engineer", "password": PASSWORD}
    del data[missing]
    body = assert_error(client.post(TOKEN_URL, json=data), 422, "validation_error")
    assert missing in body["errors"]


def test_token_request_unknown_field_is_rejected(client, make_user):
    make_user("li.engineer", "engineer", "445200")
    response = client.post(
        TOKEN_URL, json={"username": "li.engineer", "password": PASSWORD, "remember": True}
    )
    body = assert_error(response, 422)
    assert "remember" in body["errors"]


def test_token_request_wrong_type_is_422(client):
    body = assert_error(client.post(TOKEN_URL, json={"username": 1, "password": PASSWORD}), 422)
    assert "username" in body["errors"]


def test_token_request_malformed_json_is_400(client):
    response = client.post(TOKEN_URL, data="{not json", headers={"Content-Type": "application/json"})
    assert_error(response, 400)


# --- using and refusing bearer tokens ----------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/v1/me", "/api/v1/requirements", "/api/v1/reference/domains", "/api/v1/regions"]
)
def test_missing_bearer_is_401(client, url):
    response = client.get(url)
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer ",
        "Bearer not-a-real-token",
        "Basic bGkuZW5naW5lZXI6U2VjcmV0IzIwMjY=",
        "Token abc",
        "not-a-scheme",
    ],
)
def test_invalid_authorization_header_is_401(client, make_user, header):
    make_user("li.engineer", "engineer", "445200")
    assert_error(client.get("/api/v1/me", headers={"Authorization": header}), 401, "unauthorized")


def test_valid_token_with_wrong_scheme_is_401(client, make_user):
    make_user("li.engineer", "engineer", "445200")
    token = get_token(client, "li.engineer")
    assert_error(client.get("/api/v1/me", headers={"Authorization": f"Token {token}"}), 401)
    assert client.get("/api/v1/me", headers={"Authorization": f"bearer {token}"}).status_code == 200


def test_post_to_other_endpoints_still_needs_a_token(client, payload):
    assert_error(client.post("/api/v1/requirements", json=payload()), 401)


def test_delete_token_revokes_the_token_used(app_ctx, client, make_user):
    make_user("li.engineer", "engineer", "445200")
    token = get_token(client, "li.engineer")
    other = get_token(client, "li.engineer")
    response = client.delete(TOKEN_URL, headers=bearer(token))
    assert response.status_code == 204
    assert_error(client.get("/api/v1/me", headers=bearer(token)), 401, "unauthorized")
    assert_error(client.get("/api/v1/requirements", headers=bearer(token)), 401)
    # revoking twice: the token is no longer valid at all
    assert_error(client.delete(TOKEN_URL, headers=bearer(token)), 401)
    # the user's other token is untouched
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 200
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token)))
    assert row.revoked_at is not None


def test_delete_token_without_bearer_is_401(client):
    assert_error(client.delete(TOKEN_URL), 401)


def test_revoking_one_users_token_does_not_affect_another_user(client, make_user):
    make_user("li.engineer", "engineer", "445200")
    make_user("wang.manager", "manager", "445200")
    mine, theirs = get_token(client, "li.engineer"), get_token(client, "wang.manager")
    assert client.delete(TOKEN_URL, headers=bearer(mine)).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(theirs)).json["username"] == "wang.manager"


# --- inactive users ----------------------------------------------------------------------


def _deactivate(username: str) -> None:
    user = db.session.scalar(select(User).where(User.username == username))
    user.active = False
    db.session.commit()


def test_inactive_user_cannot_get_a_token(app_ctx, client, make_user):
    make_user("li.engineer", "engineer", "445200")
    _deactivate("li.engineer")
    response = client.post(TOKEN_URL, json={"username": "li.engineer", "password": PASSWORD})
    assert_error(response, 401, "unauthorized")


def test_existing_token_stops_working_when_user_is_deactivated(app_ctx, client, make_user):
    make_user("li.engineer", "engineer", "445200")
    token = get_token(client, "li.engineer")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    _deactivate("li.engineer")
    assert_error(client.get("/api/v1/me", headers=bearer(token)), 401, "unauthorized")


def test_admin_deactivation_through_api_locks_the_user_out(client, api, make_user):
    user = make_user("li.engineer", "engineer", "445200")
    token = get_token(client, "li.engineer")
    admin = api("admin", "440000")
    assert admin.patch(f"/api/v1/users/{user.id}", json={"active": False}).status_code == 200
    assert_error(client.get("/api/v1/me", headers=bearer(token)), 401)
    assert_error(client.post(TOKEN_URL, json={"username": "li.engineer", "password": PASSWORD}), 401)


# --- /me ---------------------------------------------------------------------------------


def test_me_describes_the_token_owner(client, make_user):
    make_user("li.engineer", "engineer", "445200")
    token = get_token(client, "li.engineer")
    body = client.get("/api/v1/me", headers=bearer(token)).json
    assert body["username"] == "li.engineer"
    assert body["role"] == "engineer"
    assert body["region"] == "445200"
    assert body["region_name"] == "揭阳市"
    assert body["active"] is True
    assert isinstance(body["id"], int)
    assert not {"password", "password_hash"} & set(body)


@pytest.mark.parametrize("role", ["admin", "manager", "engineer", "reviewer", "taskforce"])
def test_me_reports_each_role(api, role):
    body = api(role, "440100").get("/api/v1/me").json
    assert body["role"] == role
    assert body["region"] == "440100"


def test_password_change_by_admin_takes_effect(client, api, make_user):
    user = make_user("li.engineer", "engineer", "445200")
    admin = api("admin", "440000")
    response = admin.patch(f"/api/v1/users/{user.id}", json={"password": "NewSecret#2027"})
    assert response.status_code == 200
    assert_error(client.post(TOKEN_URL, json={"username": "li.engineer", "password": PASSWORD}), 401)
    assert get_token(client, "li.engineer", "NewSecret#2027")
