"""Locale selection: the user's choice (cookie), else Simplified Chinese."""
from __future__ import annotations

from flask import current_app, request

LANG_COOKIE = "lang"


def select_locale() -> str:
    choice = request.cookies.get(LANG_COOKIE) if request else None
    if choice in current_app.config["LANGUAGES"]:
        return choice
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]
