"""Background exports (a large ledger, the audit log): start, watch, download (issue 11)."""
from __future__ import annotations

from flask import url_for
from flask.views import MethodView

from app.api import actor, make_blueprint
from app.api.contract import XLSX, error_responses, file_response
from app.api.stats import download
from app.schemas.exports import ExportJobInSchema, ExportJobSchema
from app.services import exports

blp = make_blueprint("exports", "Background exports: the ledger (台帐) and audit log built while you wait")


def _answer(job) -> dict:
    data = exports.as_dict(job)
    data["status_url"] = url_for("exports.ExportItem", job_id=job.id)
    data["file_url"] = url_for("exports.ExportFile", job_id=job.id) if job.status == "done" else None
    return data


@blp.route("/exports")
class ExportCollection(MethodView):
    @blp.arguments(ExportJobInSchema)
    @blp.response(202, ExportJobSchema)
    @error_responses(blp, 403, 422, forbidden="The ledger takes 'view'; the audit log administrators.")
    def post(self, data):
        """Start an export (kind `ledger` with the list's filters, or `audit` with the audit
        log's); poll `status_url` until `status` is `done`, then download `file_url`."""
        return _answer(exports.start(actor(), data["kind"], data.get("filters")))

    @blp.response(200, ExportJobSchema(many=True))
    def get(self):
        """Your ten latest exports, newest first."""
        return [_answer(job) for job in exports.recent(actor())]


@blp.route("/exports/<int:job_id>")
class ExportItem(MethodView):
    @blp.response(200, ExportJobSchema)
    def get(self, job_id):
        """An export's status and progress (`processed` of `total` rows, `percent`); only its owner sees it."""
        return _answer(exports.get(actor(), job_id))


@blp.route("/exports/<int:job_id>/file")
class ExportFile(MethodView):
    @file_response(blp, XLSX, "The finished export (.xlsx).")
    @error_responses(blp, 409, conflict="The export is not finished (or failed).")
    def get(self, job_id):
        """Download the finished export; 409 while it runs."""
        path, job = exports.file_path(actor(), job_id)
        with open(path, "rb") as fh:
            body = fh.read()
        return download(body, XLSX, job.download_name or "export.xlsx", f"export-{job.kind}-{job.id}.xlsx")
