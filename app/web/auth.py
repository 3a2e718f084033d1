from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.i18n import LANG_COOKIE
from app.schemas.auth import LoginFormSchema
from app.services import auth
from app.services.errors import Unauthorized
from app.web import bp
from app.web.helpers import FormInvalid, load_form, translate_message


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("web.requirement_list")


@bp.route("/login", methods=["GET", "POST"])
def login():
    errors: dict = {}
    values = {"next": request.args.get("next", "")}
    if request.method == "POST":
        try:
            data = load_form(LoginFormSchema())
            user = auth.authenticate(data["username"], data["password"], request.remote_addr or "")
        except FormInvalid as error:
            errors, values = error.errors, error.values
        except auth.TooManyAttempts as error:
            values = {k: v for k, v in request.form.to_dict().items() if k != "password"}
            errors = {"_schema": [translate_message(error.message)]}
            return render_template("auth/login.html", errors=errors, values=values), 429
        except Unauthorized:
            errors, values = {"_schema": [_("Wrong username or password.")]}, request.form.to_dict()
        else:
            login_user(user)
            if user.role == "taskforce" and not data.get("next"):
                # the task force lands on its desk; everyone else on the list
                return redirect(url_for("web.dashboard"))
            return redirect(_safe_next(data.get("next")))
        return render_template("auth/login.html", errors=errors, values=values), 422
    return render_template("auth/login.html", errors=errors, values=values)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out: this session cookie (and any other of this user's, copied or not) stops working."""
    auth.sign_out(current_user._get_current_object())
    logout_user()
    return redirect(url_for("web.login"))


@bp.route("/lang/<code>")
def set_language(code: str):
    response = redirect(_safe_next(request.args.get("next")))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@bp.route("/")
def index():
    return redirect(url_for("web.requirement_list"))
