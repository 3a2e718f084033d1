"""The audit log (issue 13): who did what, when, from where. The one place its rules live.

Two ways in, never both for one request:

- `record(...)`: a service records its own event (a sign-in, a failed one, a user's role or
  region change, a token issued or revoked, a setting changed with its before → after) by
  adding the entry to the session inside its own `unit_of_work`, so the entry commits with
  the change or not at all. A failed sign-in commits its entry together with the attempt.
- `after_request` (installed by `init_app`): every other write request that succeeded (POST,
  PUT, PATCH, DELETE answered below 400, through the API or the pages) and every download of
  an export (.xlsx, .docx, .ics, .csv, told by the answer's type) gets one entry of its own,
  unless a service already recorded the request's event.

Entries are only inserted: no code path updates or deletes one (the API and the page only
read), and the database refuses it too (a trigger on SQLite, rules on PostgreSQL; migration
0016). Only administrators (`view_audit`) read the log: GET /api/v1/audit, /admin/audit and
the .xlsx of either.
"""
from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, or_, select
from sqlalchemy import inspect as sa_inspect

from app.extensions import db
from app.models import AuditEntry, User
from app.services import permissions
from app.services.paging import Page, paginate
from app.services.periods import day_start_utc

log = logging.getLogger(__name__)

ACTIONS = {
    "sign_in": _l("Signed in"),
    "sign_in_failed": _l("Failed sign-in"),
    "sign_in_locked": _l("Sign-in refused (locked)"),
    "sign_out": _l("Signed out"),
    "user_create": _l("User created"),
    "user_update": _l("User changed"),
    "token_create": _l("API token issued"),
    "token_revoke": _l("API token revoked"),
    "settings": _l("Setting changed"),
    "export": _l("Export"),
    "write": _l("Change"),
}

# what an entry is about, and the fields of before → after, in the reader's language
TARGET_LABELS = {
    "user": _l("User"),
    "api_token": _l("API token"),
    "calendar_override": _l("Working calendar"),
    "freeze_period": _l("Freeze period"),
    "sla_targets": _l("Service-level targets"),
    "region": _l("Region"),
    "lookup": _l("Reference data"),
}
FIELD_LABELS = {
    "role": _l("Role"),
    "region": _l("Region"),
    "active": _l("Active"),
    "display_name": _l("Display name"),
    "email": _l("E-mail"),
    "password": _l("Password"),
    "name": _l("Name"),
    "starts_at": _l("Start"),
    "ends_at": _l("End"),
    "reason": _l("Reason"),
    "workday": _l("Working day"),
    "note": _l("Note"),
    "expires_at": _l("Expires"),
    "label": _l("Label"),
    "label_en": _l("English label"),
    "sort_order": _l("Order"),
    "level": _l("Level"),
}
# the fixed summaries services write, shown translated
SUMMARY_LABELS = {
    "unknown user": _l("unknown user"),
    "working calendar": _l("Working calendar"),
    "service-level targets (working minutes)": _l("Service-level targets"),
}

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# downloads that carry data out of the system: recorded as exports by the answer's type
EXPORT_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "text/calendar": "ics",
    "text/csv": "csv",
}
USER_AGENT_MAX = 200
# NUL, other control characters (tab and newline kept) and lone surrogates: nothing a database
# refuses or a page cannot show is stored
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def target_label(target_type: str) -> str:
    return str(TARGET_LABELS.get(target_type, target_type))


def summary_text(summary: str) -> str:
    return str(SUMMARY_LABELS.get(summary, summary))


def clean(value: Any, limit: int) -> str:
    text = _UNSAFE.sub("\ufffd", str(value if value is not None else ""))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clean_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {clean(k, 100): _clean_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean_json(v) for v in value]
    if isinstance(value, str):
        return clean(value, 1000)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return clean(value, 1000)  # dates, decimals: as text


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only what differs: the (before, after) of the keys whose value changed."""
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def _request_actor() -> User | None:
    user = g.get("api_user") or g.get("user")
    if user is None:
        from flask_login import current_user

        if current_user and current_user.is_authenticated:
            user = current_user._get_current_object()
    return user


def _request_fields() -> dict[str, Any]:
    if not has_request_context():
        return {}
    return {
        "method": request.method[:8],
        "path": clean(request.path, 500),
        "endpoint": clean(request.endpoint or "", 100),
        "address": clean(request.remote_addr or "", 64),
        "user_agent": clean(request.user_agent.string or "", USER_AGENT_MAX),
    }


def record(action: str, target_type: str = "", target_id: Any = "", summary: str = "",
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None, *,
           actor: User | None = None, actor_name: str | None = None, status: int | None = None) -> AuditEntry:
    """Add one entry to the session, to commit with the caller's change (call it inside the
    service's `unit_of_work`). `actor` defaults to the request's user; the request's method,
    path, address and user agent are taken from the request, if any (the CLI has none)."""
    entry = AuditEntry(**_entry_fields(action, target_type, target_id, summary, before, after,
                                       actor=actor, actor_name=actor_name, status=status))
    db.session.add(entry)
    if has_request_context():
        g.audit_recorded = True
    return entry


def _entry_fields(action: str, target_type: str = "", target_id: Any = "", summary: str = "",
                  before: dict[str, Any] | None = None, after: dict[str, Any] | None = None, *,
                  actor: User | None = None, actor_name: str | None = None,
                  status: int | None = None) -> dict[str, Any]:
    """The columns of one entry, cleaned (`record`'s arguments). `before`/`after` only when
    given: an entry without them stores SQL NULL, whether written through the ORM or not."""
    if actor is None and actor_name is None and has_request_context():
        actor = _request_actor()
    values = dict(
        actor_id=actor.id if actor is not None else None,
        actor_name=clean(actor_name if actor_name is not None else (actor.username if actor else ""), 64),
        action=action,
        target_type=clean(target_type, 40),
        target_id=clean(target_id if target_id is not None else "", 64),
        summary=clean(summary, 500),
        status=status,
        **_request_fields(),
    )
    if before is not None:
        values["before"] = _clean_json(before)
    if after is not None:
        values["after"] = _clean_json(after)
    return values


# --- the request hook: every other write, every export ----------------------------------------

def _download_name(response: Response) -> str:
    disposition = response.headers.get("Content-Disposition", "")
    match = re.search(r"filename\*=UTF-8''([^;]+)", disposition)
    if match:
        from urllib.parse import unquote

        return unquote(match.group(1))
    match = re.search(r'filename="?([^";]+)"?', disposition)
    return match.group(1) if match else ""


def _request_entry(response: Response) -> tuple[str, str] | None:
    """(action, summary) of the entry this answer needs, or None."""
    if request.endpoint in (None, "static") or g.get("audit_recorded"):
        return None
    kind = EXPORT_TYPES.get(response.mimetype or "")
    if kind and response.status_code == 200 and request.method in ("GET", "POST"):
        name = _download_name(response) or request.path.rsplit("/", 1)[-1]
        return "export", f"{kind}: {name}"
    if request.method in WRITE_METHODS and response.status_code < 400:
        return "write", f"{request.method} {request.path} → {response.status_code}"
    return None


def _after_request(response: Response) -> Response:
    try:
        found = _request_entry(response)
        if found is None:
            return response
        action, summary = found
        # whatever the view left uncommitted would be rolled back at the request's end anyway
        db.session.rollback()
        # the request's own entry and nothing else to write: one INSERT, past the ORM's unit of
        # work (what `record` adds to a service's transaction goes through the session instead)
        fields = _entry_fields(action, summary=summary, status=response.status_code, actor_name="")
        actor = _request_actor()
        if actor is not None:
            # the service's commit expired the user: its id is known without loading it again,
            # and the INSERT reads the name itself (no SELECT of the user first)
            identity = sa_inspect(actor).identity
            fields["actor_id"] = identity[0] if identity else actor.id
            fields["actor_name"] = select(User.username).where(User.id == fields["actor_id"]).scalar_subquery()
        db.session.execute(insert(AuditEntry).values(**fields))
        db.session.commit()
    except Exception:  # the answer stands; the failure is logged for the operator
        db.session.rollback()
        log.exception("audit entry for %s %s not written", request.method, request.path)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_after_request)


# --- reading (administrators) -----------------------------------------------------------------

def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def query(actor: User, args: dict[str, Any]):
    """The select of entries matching the filters, newest first: `actor` (a username), `action`,
    `from`/`to` (local days, inclusive), `q` (text in the summary, path, target or username)."""
    permissions.require(actor, "view_audit")
    stmt = select(AuditEntry)
    name = clean(args.get("actor") or "", 64)
    if name:
        user_id = db.session.scalar(select(User.id).where(User.username == name))
        stmt = stmt.where(AuditEntry.actor_id == user_id if user_id is not None else AuditEntry.actor_name == name)
    if args.get("action"):
        stmt = stmt.where(AuditEntry.action == args["action"])
    if args.get("date_from"):
        stmt = stmt.where(AuditEntry.created_at >= day_start_utc(args["date_from"]))
    if args.get("date_to"):
        stmt = stmt.where(AuditEntry.created_at < day_start_utc(args["date_to"] + timedelta(days=1)))
    text = clean(args.get("q") or "", 200).replace("\ufffd", "").strip()
    if text:
        pattern = _like(text)
        stmt = stmt.where(or_(*(column.ilike(pattern, escape="\\") for column in (
            AuditEntry.summary, AuditEntry.path, AuditEntry.target_id, AuditEntry.actor_name,
            AuditEntry.target_type, AuditEntry.endpoint, AuditEntry.address))))
    return stmt.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())


def listing(actor: User, args: dict[str, Any]) -> Page:
    return paginate(query(actor, args), args.get("page", 1), args.get("per_page", 50))


EXPORT_MAX_ROWS = 100_000


def export_xlsx(actor: User, args: dict[str, Any]) -> bytes:
    """The filtered log as a workbook (newest first, at most EXPORT_MAX_ROWS rows), the filters
    written above the table."""
    from flask_babel import gettext as _

    from app.services.documents import excel
    from app.web.helpers import local_dt

    entries = db.session.scalars(query(actor, args).limit(EXPORT_MAX_ROWS))
    rows = ([local_dt(e.created_at, "yyyy-MM-dd HH:mm:ss"), e.actor_name, action_label(e.action),
             f"{target_label(e.target_type)} {e.target_id}".strip(), summary_text(e.summary),
             describe_change(e.before, e.after),
             e.method, e.path, e.status, e.address, e.user_agent] for e in entries)
    notes = [(label, str(args[key])) for key, label in (
        ("actor", _("User")), ("action", _("Operation")), ("date_from", _("From")), ("date_to", _("To")),
        ("q", _("Search"))) if args.get(key)]
    if args.get("action"):
        notes = [(label, action_label(value) if label == _("Operation") else value) for label, value in notes]
    workbook = excel.new_workbook()
    excel.add_sheet(workbook, _("Audit log"),
                    [_("Time"), _("User"), _("Operation"), _("Target"), _("Summary"), _("Before → after"),
                     _("Method"), _("Path"), _("Status"), _("Address"), _("User agent")],
                    list(rows), notes=notes)
    return excel.to_bytes(workbook)


def _show(value: Any, field: str = "") -> str:
    if field == "role" and isinstance(value, str):
        from app.services.roles import role_label

        return role_label(value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, (list, tuple)):
        return ", ".join(_show(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={_show(v)}" for k, v in value.items())
    return str(value)


def change_lines(before: dict | None, after: dict | None) -> list[tuple[str, str, str]]:
    """(field, before, after) per changed field, readable."""
    before, after = before or {}, after or {}
    return [(str(FIELD_LABELS.get(key, key)), _show(before.get(key), key) if key in before else "—",
             _show(after.get(key), key) if key in after else "—")
            for key in dict.fromkeys([*before, *after])
            if before.get(key) not in (None, "") or after.get(key) not in (None, "")]


def describe_change(before: dict | None, after: dict | None) -> str:
    return "; ".join(f"{key}: {old} → {new}" for key, old, new in change_lines(before, after))


def snapshot_user(user: User) -> dict[str, Any]:
    """What a user's rights and identity are, for before → after (never the password)."""
    return {"role": user.role, "region": user.region.code if user.region else None, "active": bool(user.active),
            "display_name": user.display_name or "", "email": user.email or ""}
