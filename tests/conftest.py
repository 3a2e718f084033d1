"""Shared fixtures: one app per worker with a fresh database per test, users of each role, API clients.

`app` gives no app context; tests that call services or `db` directly use `app_ctx` (a module of
them: `pytestmark = pytest.mark.usefixtures("app_ctx")`), fixtures push a short one. Costly data
(the demo data) is loaded once per worker through `seed_once` and copied to each test."""
from __future__ import annotations

import copy
import hashlib
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from app.models import User
from app.seed import reference_data
from app.services import auth, users

PASSWORD = "Secret#2026"
# a PostgreSQL server for the whole suite (`make test-pg`); SQLite files when unset
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
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


class WorkerApp:
    """The one app of this (xdist) worker, its database and the templates copied per test.

    `create_app` is slow (flask-smorest documents ~320 routes), so it runs once per worker; what a
    test may change on the app (config, instance_path, test_client_class) is put back for the next.
    SQLite by default (a template is a file copied per test); with `TEST_DATABASE_URL` set to a
    PostgreSQL server (see `make test-pg`) a template is a database and each test gets
    `CREATE DATABASE ... TEMPLATE` of it.
    """

    def __init__(self, root: Path):
        self.root = root
        self.db_path = root / "test.db"
        self.pg = PostgresDatabases(PG_URL, _worker_name()) if PG_URL else None
        url = self.pg.url(self.pg.main) if self.pg else f"sqlite:///{self.db_path}"
        if self.pg:
            self.pg.recreate(self.pg.main)
        self.app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
        self.app.test_client_class = FreshContextClient
        self.config = copy.deepcopy(dict(self.app.config))
        self.instance_path = self.app.instance_path
        # (template this test's database was copied from, name of what was loaded) -> (template, result)
        self.seeded: dict[tuple[str, str], tuple[Any, Any]] = {}
        self.copied_from: Any = None
        self.copied_stat: tuple[int, int] | None = None
        with self.app.app_context():
            db.create_all()
            reference_data.load()
        self.template = self._save_template("template")

    def close_connections(self) -> None:
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()

    def _files(self) -> list[Path]:
        return [Path(f"{self.db_path}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")]

    @staticmethod
    def _stem(template: Any) -> str:
        return template.stem if isinstance(template, Path) else str(template).split("__", 1)[-1]

    def _save_template(self, name: str) -> Any:
        """Save the database as it is now as the template <name> (SQLite: a file, its WAL
        checkpointed and every connection closed; PostgreSQL: a database)."""
        if self.pg:
            self.close_connections()
            template = self.pg.template(name)
            self.pg.recreate(template, source=self.pg.main)
            self.fresh_database(template)
            return template
        with self.app.app_context():
            db.session.execute(db.text("PRAGMA wal_checkpoint(TRUNCATE)"))
            db.session.remove()
        self.close_connections()
        wal = Path(f"{self.db_path}-wal")
        assert not wal.exists() or wal.stat().st_size == 0, "the WAL was not checkpointed"
        path = self.root / f"{name}.db"
        shutil.copyfile(self.db_path, path)
        self.fresh_database(path)
        return path

    def fresh_database(self, template: Any = None) -> None:
        """Replace the database by a copy of `template` (new files or a new database: no old
        connection sees them)."""
        self.close_connections()
        template = template or self.template
        if self.pg:
            self.pg.recreate(self.pg.main, source=template)
        else:
            for path in self._files():
                path.unlink(missing_ok=True)
            shutil.copyfile(template, self.db_path)
        self.copied_from, self.copied_stat = template, self._stat()

    def _stat(self) -> tuple[int, int]:
        if self.pg:  # the guard below is a developer's check; the SQLite runs keep it
            return (0, 0)
        wal = Path(f"{self.db_path}-wal")
        main = self.db_path.stat()
        return (main.st_mtime_ns, main.st_size + (wal.stat().st_size if wal.exists() else 0))

    def seed_once(self, name: str, load: Callable[[], Any]) -> Any:
        """The database as `load()` leaves it (in an app context) and what it returned; run once per
        worker, then kept as a template that later tests get a copy of."""
        assert self.copied_from is not None and self._stat() == self.copied_stat, (
            f"seed_once({name!r}) must come before anything writes to the test's database: "
            "request its fixture first"
        )
        key = (str(self.copied_from), name)
        if key not in self.seeded:
            with self.app.app_context():
                result = load()
                db.session.commit()
            template = self._save_template(f"{self._stem(self.copied_from)}+{name}")
            self.seeded[key] = (template, result)
        template, result = self.seeded[key]
        self.fresh_database(template)
        return copy.deepcopy(result)

    def reset(self, instance_path: str) -> Flask:
        app = self.app
        app.config.clear()
        app.config.update(copy.deepcopy(self.config))
        app.test_client_class = FreshContextClient
        app.instance_path = instance_path
        os.makedirs(instance_path, exist_ok=True)
        return app


def _worker_name() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


class PostgresDatabases:
    """Throw-away databases of this worker on the server of `TEST_DATABASE_URL`."""

    def __init__(self, url: str, worker: str):
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.base = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1)
                             if url.startswith("postgresql://") else url)
        self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT", poolclass=_null_pool())
        self.prefix = f"t_{worker}"
        self.main = self.prefix

    def url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def template(self, name: str) -> str:
        digest = hashlib.sha1(name.encode()).hexdigest()[:12]
        return f"{self.prefix}__{digest}"

    def recreate(self, name: str, source: str | None = None) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            tail = f' TEMPLATE "{source}" STRATEGY FILE_COPY' if source else " TEMPLATE template0"
            conn.execute(text(f'CREATE DATABASE "{name}"{tail}'))

    def drop(self, name: str) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _null_pool():
    from sqlalchemy.pool import NullPool

    return NullPool


@pytest.fixture(scope="session")
def worker_app(tmp_path_factory) -> WorkerApp:
    return WorkerApp(tmp_path_factory.mktemp("worker_app"))


@pytest.fixture
def app(worker_app, tmp_path):
    """The worker's app with a fresh copy of the template database (schema and reference data).

    No app context is pushed: each test-client request gets its own. A test or fixture that calls
    services or `db` directly uses `app_ctx` (or pushes a short `with app.app_context():`).
    """
    worker_app.fresh_database()
    app = worker_app.reset(str(tmp_path / "instance"))
    try:
        yield app
    finally:
        worker_app.close_connections()
        worker_app.reset(worker_app.instance_path)


@pytest.fixture
def seed_once(worker_app, app) -> Callable[[str, Callable[[], Any]], Any]:
    """seed_once(name, load) -> what `load()` returned, with the database as `load` left it.

    For costly data (the demo data): `load` runs in an app context once per worker and the result
    is kept as a template; later tests get a copy of it. Values returned must be plain (ids, not
    ORM objects). Call it before anything else writes to the test's database.
    """
    return worker_app.seed_once


@pytest.fixture
def app_ctx(app):
    """An app context held for the whole test, for tests that call services and `db` directly."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


def _in_context(app: Flask, work: Callable[[], Any]) -> Any:
    """Run `work` in the current app context, or else in a short one whose ORM results stay
    readable (column attributes loaded, detached) after it closes."""
    if has_app_context():
        return work()
    with app.app_context():
        result = work()
        for obj in result if isinstance(result, tuple) else (result,):
            if isinstance(obj, db.Model):
                db.session.refresh(obj)
                db.session.expunge(obj)
        return result


@pytest.fixture
def make_user(app) -> Callable[..., User]:
    """make(username, role, region) -> the User; outside `app_ctx` a detached one (columns only)."""

    def make(username: str, role: str, region: str = "440000") -> User:
        return _in_context(
            app, lambda: users.create_user(username, PASSWORD, role, region, display_name=username)
        )

    return make


@pytest.fixture
def api(app, make_user):
    """api(role, region) -> a client whose requests carry that user's bearer token."""
    created: dict[tuple[str, str], "ApiClient"] = {}

    def get(role: str = "engineer", region: str = "445200") -> ApiClient:
        key = (role, region)
        if key not in created:

            def issue():
                user = make_user(f"{role}_{region}", role, region)
                return user, auth.issue_token(user)

            user, token = _in_context(app, issue)
            created[key] = ApiClient(app.test_client(), token, user)
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


@pytest.fixture
def empty_app(tmp_path):
    """An app of its own bound to a brand-new, empty database (no create_all; a SQLite file, or a
    PostgreSQL database under `make test-pg`), for the tests that run the Alembic migrations."""
    pg = None
    if PG_URL:
        pg = PostgresDatabases(PG_URL, _worker_name())
        url = pg.url(f"{pg.prefix}__migrated")
        pg.recreate(f"{pg.prefix}__migrated")
    else:
        url = f"sqlite:///{tmp_path / 'migrated.db'}"
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    app.instance_path = str(tmp_path / "instance")
    # env.py's fileConfig() would otherwise disable the loggers of already-imported modules
    disabled = {name: lg.disabled for name, lg in logging.Logger.manager.loggerDict.items()
                if isinstance(lg, logging.Logger)}
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    for name, was in disabled.items():
        logging.getLogger(name).disabled = was
