"""Sign-in hardening (issue 13): throttling and lockout per account and per address (stored in
the database), equal work for unknown users, the password policy, API tokens that expire and
record their use, listed and revoked by their owner and by administrators."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ApiToken, SignInAttempt
from app.services import auth, users
from app.services.errors import ValidationFailed
from app.utils import utcnow

PASSWORD = "Secret#2026"
TOKEN_URL = "/api/v1/auth/token"


def _try(client, username, password, address="10.0.0.1"):
    return client.post(TOKEN_URL, json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _shift_attempts(app, **delta):
    """Move every stored attempt into the past (instead of waiting)."""
    with app.app_context():
        for attempt in db.session.scalars(select(SignInAttempt)):
            attempt.at = attempt.at - timedelta(**delta)
        db.session.commit()


def test_five_failures_lock_the_account_even_for_the_right_password(client, app, make_user):
    make_user("lock.me", "engineer", "445200")
    for _ in range(5):
        assert _try(client, "lock.me", "wrong-password").status_code == 401
    locked = _try(client, "lock.me", PASSWORD)
    assert locked.status_code == 429
    assert locked.json["code"] == "too_many_attempts" and "15" in locked.json["message"]
    # another account from another address is not affected
    make_user("other.one", "engineer", "445200")
    assert _try(client, "other.one", PASSWORD, "10.0.0.2").status_code == 201
    # the lock ends after 15 minutes; the right password works again and resets the count
    _shift_attempts(app, minutes=16)
    assert _try(client, "lock.me", PASSWORD).status_code == 201
    assert _try(client, "lock.me", "wrong-password").status_code == 401
    assert _try(client, "lock.me", PASSWORD).status_code == 201


def test_failures_spread_over_more_than_the_window_do_not_lock(client, app, make_user):
    make_user("slow.typist", "engineer", "445200")
    for _ in range(4):
        assert _try(client, "slow.typist", "wrong-password").status_code == 401
    _shift_attempts(app, minutes=20)
    assert _try(client, "slow.typist", "wrong-password").status_code == 401
    assert _try(client, "slow.typist", PASSWORD).status_code == 201


def test_one_address_guessing_many_accounts_is_limited(client, app, make_user):
    app.config["SIGNIN_MAX_FAILURES_PER_ADDRESS"] = 6
    try:
        make_user("victim", "engineer", "445200")
        for n in range(6):
            assert _try(client, f"nobody{n}", "wrong-password", "10.9.9.9").status_code == 401
        assert _try(client, "victim", PASSWORD, "10.9.9.9").status_code == 429
        assert _try(client, "victim", PASSWORD, "10.9.9.8").status_code == 201
    finally:
        app.config["SIGNIN_MAX_FAILURES_PER_ADDRESS"] = 20


def test_attempts_are_stored_with_user_address_and_outcome(client, app, make_user):
    make_user("stored", "engineer", "445200")
    _try(client, "stored", "wrong-password", "10.1.1.1")
    _try(client, "stored", PASSWORD, "10.1.1.1")
    with app.app_context():
        rows = db.session.scalars(select(SignInAttempt).where(SignInAttempt.username == "stored")
                                  .order_by(SignInAttempt.id)).all()
        assert [(r.address, r.succeeded) for r in rows] == [("10.1.1.1", False), ("10.1.1.1", True)]


def test_unknown_user_costs_a_password_check_too(app_ctx, make_user, monkeypatch):
    make_user("known", "engineer", "445200")
    checked = []
    real = auth.check_password_hash
    monkeypatch.setattr(auth, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    with pytest.raises(auth.Unauthorized):
        auth.authenticate("nobody-at-all", "wrong-password", "10.2.2.2")
    assert len(checked) == 1 and checked[0].startswith(app_ctx.config["PASSWORD_HASH_METHOD"].split(":")[0])


@pytest.mark.parametrize("password, message", [
    ("Short#1", "at least 10"),
    ("xx-alice.w-2026", "username"),
    ("1234567890", "too common"),
    ("Password123", "too common"),
    ("aaaaaaaaaaaa", "too common"),
])
def test_password_policy(app_ctx, password, message):
    with pytest.raises(ValidationFailed) as caught:
        users.check_password_policy(password, "alice.w")
    assert "password" in caught.value.errors and message in str(caught.value.message)


def test_policy_holds_for_creation_admin_change_and_cli(app, api, make_user):
    from app.seed.demo import DEMO_PASSWORD

    for good in (DEMO_PASSWORD, "Secret#2026", "Browser#2026"):
        users.check_password_policy(good, "manager_gd")
    admin = api("admin", "440000")
    created = admin.post("/api/v1/users", json={"username": "zhang.san", "password": "12345678",
                                                "role": "engineer", "region": "445200"})
    assert created.status_code == 422 and "password" in created.json["errors"]
    user = make_user("li.si", "engineer", "445200")
    for bad in ("li.si-2026#x", "qwertyuiop"):
        response = admin.patch(f"/api/v1/users/{user.id}", json={"password": bad})
        assert response.status_code == 422 and "password" in response.json["errors"]
    result = app.test_cli_runner().invoke(args=["users", "create", "wang.wu", "--role", "engineer",
                                                "--password", "wang.wu2026#"])
    assert result.exit_code != 0 and "username" in result.output


def test_tokens_expire_and_record_their_use(client, app, make_user):
    make_user("tok.user", "engineer", "445200")
    token = _try(client, "tok.user", PASSWORD).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    with app.app_context():
        row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token)))
        assert row.last_used_at is None
        assert timedelta(days=29) < row.expires_at - row.created_at <= timedelta(days=30)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with app.app_context():
        first = db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.token_hash == ApiToken.hash(token)))
        assert first is not None
    client.get("/api/v1/me", headers=headers)
    with app.app_context():
        again = db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.token_hash == ApiToken.hash(token)))
        assert again == first  # at most one write a minute
        row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token)))
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    expired = client.get("/api/v1/me", headers=headers)
    assert expired.status_code == 401 and "expired" in expired.json["message"]


def test_owner_lists_and_revokes_tokens_others_cannot(client, api, make_user):
    make_user("owner.a", "engineer", "445200")
    first = _try(client, "owner.a", PASSWORD).json["token"]
    second = _try(client, "owner.a", PASSWORD).json["token"]
    mine = {"Authorization": f"Bearer {first}"}
    listed = client.get("/api/v1/auth/tokens", headers=mine)
    assert listed.status_code == 200
    assert len(listed.json) == 2 and all(t["user"] == "owner.a" and t["active"] for t in listed.json)
    assert first not in listed.get_data(as_text=True) and "token_hash" not in listed.json[0]
    second_id = listed.json[0]["id"]
    # another engineer can neither see nor revoke it
    stranger = api("engineer", "445200")
    assert stranger.delete(f"/api/v1/auth/tokens/{second_id}").status_code == 404
    assert stranger.get("/api/v1/auth/tokens?user=owner.a").status_code == 403
    assert client.delete(f"/api/v1/auth/tokens/{second_id}", headers=mine).status_code == 204
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code == 401
    assert [t["active"] for t in client.get("/api/v1/auth/tokens", headers=mine).json] == [False, True]


def test_admin_lists_and_revokes_anyones_token(client, api, make_user):
    make_user("owner.b", "engineer", "445200")
    token = _try(client, "owner.b", PASSWORD).json["token"]
    admin = api("admin", "440000")
    listed = admin.get("/api/v1/auth/tokens?user=owner.b")
    assert listed.status_code == 200 and [t["user"] for t in listed.json] == ["owner.b"]
    assert admin.delete(f"/api/v1/auth/tokens/{listed.json[0]['id']}").status_code == 204
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert admin.get("/api/v1/auth/tokens?user=no.such.user").status_code == 404
    assert admin.delete("/api/v1/auth/tokens/99999999999999999999").status_code == 404
