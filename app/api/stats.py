"""The task force's figures, reports and ledger."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response
from flask.views import MethodView

from app.api import actor, make_blueprint
from app.api.contract import DOCX, XLSX, error_responses, file_response
from app.schemas.stats import (
    HalfYearQuerySchema,
    MonthQuerySchema,
    NotableCaseInSchema,
    NotableCaseSchema,
    StatsFilterSchema,
    StatsQuerySchema,
    StatsSchema,
    YearQuerySchema,
)
from app.services import exports, permissions, requirements
from app.services.documents import excel
from app.services.stats import cases, counts, reports

blp = make_blueprint("stats", "Statistics, reports (月报、半年报、年报) and the ledger (台帐)")


@blp.route("/stats")
class Stats(MethodView):
    @blp.arguments(StatsQuerySchema, location="query")
    @blp.response(200, StatsSchema)
    def get(self, args):
        """Requirements in your region counted by one or two of region, domain, type, channel,
        status, priority, month (Beijing time), over the list's filters and a period (from/to).

        `measure=proposers` counts their proposers instead (the units that raised them: a need
        merged from several bureaus counts each), by the proposer's own region, month raised and
        channel, and only proposers inside your region (or the `region` filter's)."""
        permissions.require(actor(), "view")
        by = args.pop("by")
        measure = args.pop("measure")
        return counts(actor(), by, args, measure=measure).as_dict()


def download(body: bytes, mimetype: str, filename: str, ascii_name: str) -> Response:
    """An attachment named in Chinese (RFC 5987 filename*) with a plain-ASCII fallback."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}")
    return response


def report_file(kind: str, fmt: str, args: dict) -> Response:
    report = reports.build(actor(), kind, reports.period_for(kind, args), args.get("region"))
    if fmt == "docx":
        return download(reports.report_docx(report), excel.DOCX_MIMETYPE, f"{report.filename}.docx",
                        f"{report.ascii_name}.docx")
    return download(reports.report_xlsx(report), excel.XLSX_MIMETYPE, f"{report.filename}.xlsx",
                    f"{report.ascii_name}.xlsx")


def _report_route(kind: str, fmt: str, schema):
    @blp.route(f"/reports/{kind}.{fmt}", endpoint=f"report_{kind}_{fmt}".replace("-", "_"))
    @blp.arguments(schema, location="query")
    @file_response(blp, DOCX if fmt == "docx" else XLSX, f"The {kind} report (.{fmt}).")
    def view(args):
        return report_file(kind, fmt, args)

    view.__doc__ = f"The {kind} report as .{fmt} (region: yours unless one within it is named)."
    return view


for _kind, _schema in (("monthly", MonthQuerySchema), ("half-year", HalfYearQuerySchema),
                       ("annual", YearQuerySchema)):
    for _fmt in ("docx", "xlsx"):
        _report_route(_kind, _fmt, _schema)


@blp.route("/ledger.xlsx")
class Ledger(MethodView):
    @blp.arguments(StatsFilterSchema, location="query")
    @file_response(blp, XLSX, "The ledger (台帐, .xlsx).")
    @error_responses(blp, 409, conflict="More rows than exported at once: start a background export.")
    def get(self, args):
        """The ledger (台帐): every requirement in scope matching the list's filters, with its
        stage dates, working days in each, meeting decision, release and verdict. Synchronous up
        to LEDGER_SYNC_MAX_ROWS rows (default 5,000); a larger scope answers 409: use the
        background export (POST /api/v1/exports, kind `ledger`)."""
        exports.check_sync_size(actor(), args)
        body = reports.ledger_xlsx(actor(), args)
        return download(body, excel.XLSX_MIMETYPE, "需求台帐.xlsx", "ledger.xlsx")


@blp.route("/requirements/<int:requirement_id>/notable-case")
class NotableCaseItem(MethodView):
    @blp.response(200, NotableCaseSchema)
    def get(self, requirement_id):
        """The requirement's notable-case mark (典型案例), 404 if it is not marked."""
        return cases.get_for(actor(), requirements.get_for(actor(), requirement_id))

    @blp.arguments(NotableCaseInSchema)
    @blp.response(200, NotableCaseSchema)
    @error_responses(blp, 403)
    def put(self, data, requirement_id):
        """Mark the requirement as a notable case with a short write-up (requirement managers)."""
        return cases.mark(actor(), requirements.get_for(actor(), requirement_id), data["write_up"])

    @blp.response(204)
    @error_responses(blp, 403)
    def delete(self, requirement_id):
        """Remove the mark."""
        cases.unmark(actor(), requirements.get_for(actor(), requirement_id))
