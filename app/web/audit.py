"""The audit log page (administrators): filters, newest first, paginated, and its .xlsx."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, g

from app.schemas.audit import AuditFilterSchema, AuditQuerySchema
from app.services import audit, permissions
from app.services.documents import excel
from app.web import bp
from app.web.helpers import load_query, render_page_or_block


@bp.app_template_global("audit_action_label")
def audit_action_label(action: str) -> str:
    return audit.action_label(action)


@bp.app_template_global("audit_changes")
def audit_changes(entry) -> list[tuple[str, str, str]]:
    return audit.change_lines(entry.before, entry.after)


@bp.app_template_global("audit_target_label")
def audit_target_label(target_type: str) -> str:
    return audit.target_label(target_type)


@bp.app_template_global("audit_summary")
def audit_summary(entry) -> str:
    return audit.summary_text(entry.summary)


@bp.route("/admin/audit")
def admin_audit():
    permissions.require(g.user, "view_audit")
    args, raw, errors = load_query(AuditQuerySchema())
    page = audit.listing(g.user, args)
    filters = {k: v for k, v in raw.items() if k not in ("page", "per_page") and k not in errors}
    return render_page_or_block("admin/audit.html", "rows", page=page, filters=filters, errors=errors,
                                actions=[(code, audit.action_label(code)) for code in audit.ACTIONS])


@bp.route("/admin/audit.xlsx")
def admin_audit_xlsx():
    permissions.require(g.user, "view_audit")
    args, _raw, _errors = load_query(AuditFilterSchema())
    response = Response(audit.export_xlsx(g.user, args), mimetype=excel.XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = (
        "attachment; filename=\"audit-log.xlsx\"; filename*=UTF-8''" + quote("审计日志.xlsx"))
    return response
