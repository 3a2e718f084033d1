"""Locale selection: the user's choice (cookie), else Simplified Chinese. The API's error
messages: English, unless the client's Accept-Language prefers Chinese."""
from __future__ import annotations

from typing import Any

from flask import current_app, request

LANG_COOKIE = "lang"


def select_locale() -> str:
    choice = request.cookies.get(LANG_COOKIE) if request else None
    if choice in current_app.config["LANGUAGES"]:
        return choice
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


# the API answers English messages by default (what its clients have always read); a client
# whose Accept-Language prefers Chinese reads them in Simplified Chinese
API_LANGUAGES = {"en": None, "zh": "zh_CN"}


def api_locale() -> str | None:
    """The locale an API request's Accept-Language asks for (`zh_CN`), or None for English."""
    best = request.accept_languages.best_match(list(API_LANGUAGES)) if request else None
    return API_LANGUAGES.get(best or "en")


def translate_message(message: Any) -> str:
    """A service or schema message in the current locale (a Msg keeps its template and values;
    any other text is looked up as it stands, e.g. marshmallow's messages)."""
    from flask_babel import gettext

    if hasattr(message, "translated"):
        return message.translated()
    return gettext(str(message))
