"""Fixtures shared by the page tests: test clients signed in through the sign-in form."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

PASSWORD = "Secret#2026"  # the password `make_user` gives every user


@pytest.fixture
def login(app) -> Callable[..., FlaskClient]:
    """login(username, remote_addr=None) -> a new test client signed in as the existing user
    through the form (from `remote_addr` when given)."""

    def sign_in(username: str, remote_addr: str | None = None) -> FlaskClient:
        client = app.test_client()
        if remote_addr:
            client.environ_base["REMOTE_ADDR"] = remote_addr
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.data
        return client

    return sign_in


@pytest.fixture
def signed_in(make_user, login) -> Callable[..., FlaskClient]:
    """signed_in(username, role="engineer", region="445200") -> a new user of that role and
    region, signed in (a test client)."""

    def sign_in(username: str, role: str = "engineer", region: str = "445200") -> FlaskClient:
        make_user(username, role, region)
        return login(username)

    return sign_in
