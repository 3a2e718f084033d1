"""Sign-in hardening on the pages (issue 13): a locked account answers 429 with a Chinese
message; a session cookie stops working after sign-out and after a password change, even a copy
captured before."""
from __future__ import annotations

PASSWORD = "Secret#2026"


def _copy(app, client):
    """Another browser holding a copy of `client`'s session cookie (captured, say)."""
    thief = app.test_client()
    cookie = client.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    return thief


def test_signout_ends_the_session_even_for_a_captured_cookie(app, make_user, login):
    make_user("sess.out", "engineer", "445200")
    client = login("sess.out")
    thief = _copy(app, client)
    assert thief.get("/requirements").status_code == 200
    assert client.post("/logout").status_code == 302
    stale = thief.get("/requirements")
    assert stale.status_code == 302 and "/login" in stale.headers["Location"]
    # signing in again works, with a fresh session
    assert login("sess.out").get("/requirements").status_code == 200


def test_password_change_ends_the_users_sessions(app, api, make_user, login):
    user = make_user("sess.pw", "engineer", "445200")
    client = login("sess.pw")
    assert client.get("/requirements").status_code == 200
    response = api("admin", "440000").patch(f"/api/v1/users/{user.id}", json={"password": "Brand#new2027"})
    assert response.status_code == 200
    stale = client.get("/requirements")
    assert stale.status_code == 302 and "/login" in stale.headers["Location"]


def test_locked_account_gets_429_and_a_chinese_message(app, make_user):
    make_user("page.lock", "engineer", "445200")
    client = app.test_client()
    for _ in range(5):
        wrong = client.post("/login", data={"username": "page.lock", "password": "wrong-password"})
        assert wrong.status_code == 422
    locked = client.post("/login", data={"username": "page.lock", "password": PASSWORD})
    assert locked.status_code == 429
    html = locked.get_data(as_text=True)
    assert "登录失败次数过多，请 15 分钟后再试。" in html
    assert PASSWORD not in html  # the password is not echoed back
    assert client.get("/requirements").status_code == 302  # not signed in
