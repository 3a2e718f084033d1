"""The audit log (administrators): the filtered entries, newest first, and their .xlsx."""
from __future__ import annotations

from flask.views import MethodView

from app.api import actor, make_blueprint
from app.api.contract import XLSX, error_responses, file_response
from app.api.stats import download
from app.schemas.audit import AuditFilterSchema, AuditPageSchema, AuditQuerySchema
from app.services import audit

blp = make_blueprint("audit", "The audit log: sign-ins, changes, exports (administrators)")

ADMINS_ONLY = "Only administrators read the audit log."


@blp.route("/audit")
class AuditLog(MethodView):
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditPageSchema)
    @error_responses(blp, 403, 422, forbidden=ADMINS_ONLY)
    def get(self, args):
        """Audit entries, newest first: `actor` (username), `action`, `from`/`to` (local days,
        inclusive), `q` (text). Entries are never changed or removed (no route does)."""
        page = audit.listing(actor(), args)
        return {"items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page}


@blp.route("/audit.xlsx")
class AuditExport(MethodView):
    @blp.arguments(AuditFilterSchema, location="query")
    @file_response(blp, XLSX, "The filtered audit log (.xlsx), newest first.")
    @error_responses(blp, 403, 422, forbidden=ADMINS_ONLY)
    def get(self, args):
        """The filtered audit log as a workbook (newest first)."""
        return download(audit.export_xlsx(actor(), args), XLSX, "审计日志.xlsx", "audit-log.xlsx")
