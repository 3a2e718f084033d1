"""Shared fixtures: a fresh app and database per test, users of each role, API clients."""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from app.models import User
from app.seed import reference_data
from app.services import auth, users

PASSWORD = "Secret#2026"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pytest_configure(config):
    """Compile the translation catalogues (a fresh checkout has only the .po files)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    base = os.path.join(ROOT, "app", "translations")
    for lang in os.listdir(base) if os.path.isdir(base) else []:
        po = os.path.join(base, lang, "LC_MESSAGES", "messages.po")
        mo = po[:-2] + "mo"
        if os.path.exists(po) and (not os.path.exists(mo) or os.path.getmtime(mo) < os.path.getmtime(po)):
            with open(po, "rb") as fh:
                catalog = read_po(fh)
            with open(mo + ".tmp", "wb") as fh:
                write_mo(fh, catalog)
            os.replace(mo + ".tmp", mo)


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (fresh `g`, fresh DB session), as in production.

    Without this, requests made while a test holds an app context would share `g`, so the
    signed-in user and the chosen locale would leak from one request into the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test",
    "WTF_CSRF_ENABLED": False,
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast in tests; production keeps scrypt
}


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """A database with the schema and reference data, built once per worker and copied per test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        db.create_all()
        reference_data.load()
        db.session.execute(db.text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.remove()
        db.engine.dispose()
    return path


@pytest.fixture
def app(tmp_path, template_db):
    shutil.copyfile(template_db, tmp_path / "test.db")
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}"})
    app.instance_path = str(tmp_path / "instance")
    app.test_client_class = FreshContextClient
    os.makedirs(app.instance_path, exist_ok=True)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app) -> Callable[..., User]:
    def make(username: str, role: str, region: str = "440000") -> User:
        return users.create_user(username, PASSWORD, role, region, display_name=username)

    return make


@pytest.fixture
def api(app, make_user):
    """api(role, region) -> a client whose requests carry that user's bearer token."""
    created: dict[tuple[str, str], "ApiClient"] = {}

    def get(role: str = "engineer", region: str = "445200") -> ApiClient:
        key = (role, region)
        if key not in created:
            user = make_user(f"{role}_{region}", role, region)
            created[key] = ApiClient(app.test_client(), auth.issue_token(user), user)
        return created[key]

    return get


class ApiClient:
    def __init__(self, client, token: str, user: User):
        self.client = client
        self.user = user
        self.headers = {"Authorization": f"Bearer {token}"}

    def __getattr__(self, method):
        def call(url, **kw):
            headers = {**self.headers, **kw.pop("headers", {})}
            return getattr(self.client, method)(url, headers=headers, **kw)

        return call


def requirement_payload(**overrides) -> dict:
    data = {
        "title": "直接支出更正后指标余额未回滚",
        "description": "预算单位办理直接支出更正后，原指标可用余额未恢复。",
        "domain": "execution",
        "module": "支付管理",
        "type": "defect",
        "priority": "high",
        "channel": "phone",
        "region": "445200",
        "proposer_name": "李秀英",
        "proposer_unit": "揭阳市财政局国库科",
        "proposer_contact": "0663-8221001",
    }
    data.update(overrides)
    return data


@pytest.fixture
def payload():
    return requirement_payload


@pytest.fixture
def filed(api, payload):
    """file(**overrides) -> the JSON of a requirement filed by a 揭阳 engineer."""

    def file(**overrides) -> dict:
        response = api("engineer", "445200").post("/api/v1/requirements", json=payload(**overrides))
        assert response.status_code == 201, response.json
        return response.json

    return file


@pytest.fixture
def run_concurrently():
    """run(target, count) -> errors: `target(i)` in `count` threads released together."""
    import threading

    def run(target, count: int) -> list[BaseException]:
        errors: list[BaseException] = []
        barrier = threading.Barrier(count)

        def worker(index: int) -> None:
            try:
                barrier.wait()
                target(index)
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return errors

    return run
