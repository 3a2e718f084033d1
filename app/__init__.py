"""Application factory for the 数字财政 requirement and release-verification tracker."""
from __future__ import annotations

import os
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.config import Config
from app.utils import DatabaseIntConverter
from app.extensions import babel, csrf, db, htmx, login_manager, migrate


def _default_database_url(app: Flask) -> str:
    return "sqlite:///" + os.path.join(app.instance_path, "tracker.db")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):  # pragma: no cover - driver hook
    """SQLite: WAL (readers never block the writer), a busy timeout, enforced foreign keys."""
    module = type(dbapi_connection).__module__
    if "sqlite" not in module:
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={Config.SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.url_map.converters["int"] = DatabaseIntConverter  # before any route: ids beyond INTEGER are 404
    app.config.from_object(Config)
    app.config.from_prefixed_env()
    # every JSON answer (API, errors) sends Chinese as UTF-8, not \\uXXXX escapes (a third the size)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    if test_config:
        app.config.update(test_config)
    if app.config.get("HTTPS"):
        app.config["SESSION_COOKIE_SECURE"] = True
    proxies = int(app.config.get("PROXY_FIX") or 0)
    if proxies > 0:
        # behind that many reverse proxies: the client's address (sign-in limits, the audit
        # log), scheme and host come from their X-Forwarded-* headers
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    os.makedirs(app.instance_path, exist_ok=True)

    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = _default_database_url(app)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgres://"):  # Heroku-style URLs
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + url[len("postgresql://") :]

    if not app.config.get("SECRET_KEY"):
        if os.environ.get("TRACKER_ENV") == "production":
            raise RuntimeError("SECRET_KEY must be set when TRACKER_ENV=production.")
        app.config["SECRET_KEY"] = _dev_secret(app)

    from app import timing

    timing.init_app(app)  # first: its hooks enclose every other one
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    htmx.init_app(app)

    from app import i18n

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)

    from app import errors

    errors.init_app(app)

    from app.api import init_app as init_api

    init_api(app)

    from app.web import init_app as init_web

    init_web(app)

    from app.services import audit

    audit.init_app(app)  # every write request and export not recorded by a service

    from app import cli

    cli.init_app(app)

    from app.services import sla

    sla.install_hooks()  # service-level clocks re-evaluated on every commit that touches a timeline
    return app


def _dev_secret(app: Flask) -> str:
    """Outside production a random key is kept in instance/ so sessions survive restarts."""
    path = os.path.join(app.instance_path, "dev-secret-key")
    if not os.path.exists(path):
        import secrets

        with open(path, "w") as fh:
            fh.write(secrets.token_hex(32))
    with open(path) as fh:
        return fh.read().strip()
