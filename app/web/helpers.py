"""View helpers: form loading with field errors, fragment rendering, template globals."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from flask import Flask, current_app, make_response
from htmx_flask import make_response as htmx_response
from htmx_flask import request
from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2_fragments.flask import render_block
from marshmallow import Schema, ValidationError

from app.i18n import translate_message  # noqa: F401  (the `tr` filter; views import it from here)
from app.schemas.common import flatten_errors, form_to_dict, unsafe_input
from app.services import permissions, reference, workflow
from app.services.errors import DomainError
from app.services.roles import role_label
from app.services.timeline import FIELD_LABELS, KIND_LABELS, describe
from app.utils import as_utc


class FormInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]], values: dict[str, Any]):
        super().__init__("form invalid")
        self.errors = errors
        self.values = values


def load_form(schema: Schema, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Validate request.form with the same schema the API uses; FormInvalid carries the errors."""
    raw = form_to_dict(schema, request.form)
    if extra:
        raw.update(extra)
    unsafe = unsafe_input(raw)
    if unsafe:
        raise FormInvalid(unsafe, request.form.to_dict())
    try:
        data = schema.load(raw)
    except ValidationError as error:
        raise FormInvalid(flatten_errors(error.messages), request.form.to_dict()) from None
    unsafe = unsafe_input(data)  # numbers beyond the database's integers
    if unsafe:
        raise FormInvalid(unsafe, request.form.to_dict())
    return data


FORM_ERRORS = (FormInvalid, DomainError)

T = TypeVar("T")


class FormSubmission(Generic[T]):
    """One form post: load it with the API's schema, call the service, and keep what a view
    needs to answer either way. The one place a view's form errors are handled:

        form = FormSubmission(MeetingCreateSchema())
        if form.submit(lambda data: meetings.create(g.user, data)):
            return htmx_redirect(url_for(..., meeting_id=form.result.id))
        return render_page_or_block("meetings/new.html", "form", errors=form.errors,
                                    values=form.values), form.status

    Invalid input (422) and conflicts (409) are kept for the view to re-render; 401/403/404
    propagate to the error pages. `schema` None calls the service with {}.
    """

    def __init__(self, schema: Schema | None = None, extra: dict[str, Any] | None = None):
        self.schema = schema
        self.extra = extra
        self.result: T | None = None
        self.error: Exception | None = None
        self.errors: dict[str, list[str]] = {}
        self.status = 200

    @property
    def values(self):
        return request.form

    def submit(self, call: Callable[[dict[str, Any]], T]) -> bool:
        try:
            data = load_form(self.schema, self.extra) if self.schema is not None else dict(self.extra or {})
            self.result = call(data)
        except FORM_ERRORS as error:
            self.status = form_error_status(error)
            self.errors = errors_of(error)
            self.error = error
            return False
        return True


def htmx_redirect(target: str):
    """After a form succeeds, go to `target` as a page of its own: a 303 for a plain form,
    HX-Location for htmx (htmx GETs `target` and swaps the whole page into <body>)."""
    if request.htmx:
        return htmx_response("", 200, location=target)
    response = make_response("", 303)
    response.headers["Location"] = target
    return response


def wants_fragment() -> bool:
    """htmx asks for a part of a page: neither boosting a navigation nor restoring a page
    from history after Back (those get the whole page)."""
    return bool(request.htmx) and not request.htmx.boosted and not request.htmx.history_restore_request


def form_error_status(error: Exception) -> int:
    """The status to re-render a form with; errors that are not the form's (403, 404) propagate."""
    if isinstance(error, DomainError):
        if error.status in (401, 403, 404):
            raise error
        return error.status
    return 422


def load_query(schema: Schema) -> tuple[dict[str, Any], dict[str, str], dict[str, list[str]]]:
    """Load a list page's query string leniently: a bad filter is reported and ignored, the
    rest still applies. Returns (args, raw filters as given, errors)."""
    raw = {k: v for k, v in request.args.items() if v != ""}
    unsafe = unsafe_input(raw)  # text no page can show: reported and ignored like a bad filter
    raw = {k: v for k, v in raw.items() if k not in unsafe}
    try:
        args = schema.load(raw)
        errors = unsafe_input(args)  # numbers beyond the database's integers
    except ValidationError as error:
        errors = flatten_errors(error.messages)
    if not errors:
        return args, raw, unsafe
    bad = {key.split(".")[0] for key in errors}
    return schema.load({k: v for k, v in raw.items() if k not in bad}), raw, {**unsafe, **errors}


def errors_of(error: DomainError | FormInvalid) -> dict[str, list[str]]:
    if isinstance(error, FormInvalid):
        return error.errors
    return error.errors or {"_schema": [error.message]}


def render_page_or_block(template: str, block: str, **context):
    """The whole page, or only `block` when htmx asks (and is neither boosting a navigation nor
    restoring a page from history after Back)."""
    if wants_fragment():
        return render_block(template, block, **context)
    from flask import render_template

    return render_template(template, **context)


def local_dt(value, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    if value is None:
        return ""
    return format_datetime(as_utc(value), fmt)


def duration(seconds: float) -> str:
    from flask_babel import gettext as _

    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)sd %(h)sh", d=days, h=hours)
    if hours:
        return _("%(h)sh %(m)smin", h=hours, m=mins)
    return _("%(m)smin", m=mins)


def region_choices(regions, current: str | None = None) -> list[tuple[str, str]]:
    """(code, indented name) pairs for a region <select>, in tree order; deactivated regions
    only where one is the current value."""
    return [
        (r.code, "\u3000" * (r.path.count("/") - 2) + f"{r.name}（{r.code}）")
        for r in regions
        if r.active or r.code == current
    ]


def lookup_choices(rows, current: str | None = None, kind: str | None = None) -> list[tuple[str, str]]:
    """(code, label) pairs of active codes, plus the current value if it was deactivated since."""
    english = not str(get_locale()).startswith("zh")
    choices = [(r.code, (r.label_en or r.label) if english else r.label) for r in rows]
    if current and kind and current not in {code for code, _ in choices}:
        choices.append((current, display_labels().get(kind, {}).get(current, current)))
    return choices


LEVEL_LABELS = {
    "province": _l("Province"),
    "city": _l("City"),
    "county": _l("County/district"),
    "park": _l("Park"),
}


def display_labels() -> dict[str, dict[str, str]]:
    """Reference labels for pages, in the reader's language."""
    return reference.all_labels(english=not str(get_locale()).startswith("zh"))


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def init_app(app: Flask) -> None:
    app.jinja_env.filters["file_size"] = file_size
    app.jinja_env.filters["tr"] = translate_message
    app.jinja_env.globals["role_choices"] = lambda roles: [(r, role_label(r)) for r in roles]
    app.jinja_env.globals["level_label"] = lambda level: str(LEVEL_LABELS.get(level, level))
    app.jinja_env.globals["region_choices"] = region_choices
    app.jinja_env.globals["user_choices"] = lambda users: [(u.username, u.name) for u in users]
    app.jinja_env.globals["lookup_choices"] = lookup_choices
    app.jinja_env.filters["local_dt"] = local_dt
    app.jinja_env.filters["duration"] = duration
    app.jinja_env.globals["status_label"] = workflow.label
    app.jinja_env.globals["describe_event"] = describe
    app.jinja_env.globals["event_kind_label"] = lambda k: str(KIND_LABELS.get(k, k))
    app.jinja_env.globals["field_label"] = lambda f: str(FIELD_LABELS.get(f, f))

    @app.context_processor
    def _globals():
        user = current_user if current_user and current_user.is_authenticated else None
        return {
            "current_locale": "zh_CN" if str(get_locale()).startswith("zh") else str(get_locale()),
            "languages": current_app.config["LANGUAGES"],
            "can": (lambda action, req=None, to=None: permissions.can(user, action, req, to)) if user else (lambda *a, **k: False),
            "ref_labels": display_labels if user else (lambda: {}),
        }
