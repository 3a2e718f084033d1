"""Configuration, read from the environment.

`DATABASE_URL` selects the database (any SQLAlchemy URL; default: a SQLite file under
`instance/`). `SECRET_KEY` must be set in production. Any other setting can be given as
`FLASK_<NAME>` (Flask's `from_prefixed_env`).
"""
from __future__ import annotations

import os

from app.utils import json_loads


class Config:
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI: str | None = os.environ.get("DATABASE_URL")
    # JSON columns (a run's frozen steps and step marks) read back with orjson
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "json_deserializer": json_loads}
    SQLITE_BUSY_TIMEOUT_MS = 10_000

    # flask-smorest / OpenAPI
    API_TITLE = "数字财政需求与版本验证跟踪 API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    # i18n
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh_CN": "简体中文", "en": "English"}

    # the working calendar (service levels): daily working periods, local time of WORKING_TIMEZONE
    WORKING_HOURS = "09:00-12:00,14:00-18:00"
    WORKING_TIMEZONE = "Asia/Shanghai"
    # a released / locally resolved requirement without the proposer's answer after this many
    # working days is confirmed by `sla tick` (app/services/sla/confirmation.py); 0 turns it off
    AUTO_CONFIRM_WORKING_DAYS = 5

    # uploads
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024

    PASSWORD_HASH_METHOD = "scrypt"
    # sign-in throttling (app/services/auth.py): SIGNIN_MAX_FAILURES wrong passwords for one
    # account within SIGNIN_WINDOW_MINUTES lock it for SIGNIN_LOCK_MINUTES; one address gets
    # SIGNIN_MAX_FAILURES_PER_ADDRESS failures (over any accounts) in the same window
    SIGNIN_MAX_FAILURES = 5
    SIGNIN_MAX_FAILURES_PER_ADDRESS = 20
    SIGNIN_WINDOW_MINUTES = 15
    SIGNIN_LOCK_MINUTES = 15
    # API bearer tokens answer for this many days after they are issued
    API_TOKEN_DAYS = 30
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"

    # served over HTTPS (FLASK_HTTPS=true): Strict-Transport-Security is sent (HSTS_MAX_AGE
    # seconds) and the session cookie is Secure. Off by default (plain HTTP in development).
    HTTPS = False
    # reverse proxies in front of the app (FLASK_PROXY_FIX=1 behind one nginx): their
    # X-Forwarded-For/-Proto/-Host are trusted that many hops deep; 0 trusts none
    PROXY_FIX = 0
    HSTS_MAX_AGE = 365 * 24 * 3600

    PER_PAGE_DEFAULT = 20
    PER_PAGE_MAX = 200


class ProductionConfig(Config):
    DEBUG = False


class DevelopmentConfig(Config):
    DEBUG = True
