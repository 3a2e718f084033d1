"""Background exports on the reports page: start one, watch its progress (htmx polling), download
it when ready (issue 11). The job and its rules live in app.services.exports."""
from __future__ import annotations

from flask import g, url_for
from htmx_flask import request
from jinja2_fragments.flask import render_block

from app.services import exports
from app.services.documents import excel
from app.web import bp
from app.web.helpers import FormSubmission, htmx_redirect, render_page_or_block, wants_fragment

# the form fields taken as the export's filters (the ledger: the list's; the audit log: its own)
FILTER_FIELDS = ("status", "domain", "type", "channel", "priority", "region", "from", "to", "actor", "action", "q")
TEMPLATE = "taskforce/export.html"


@bp.route("/exports", methods=["POST"])
def export_start():
    filters = {k: v for k, v in request.form.items() if k in FILTER_FIELDS and v.strip()}
    form: FormSubmission = FormSubmission()
    if form.submit(lambda _data: exports.start(g.user, request.form.get("kind", "ledger"), filters)):
        if wants_fragment():
            return render_block(TEMPLATE, "job", job=form.result, percent=exports.percent(form.result))
        return htmx_redirect(url_for("web.export_status", job_id=form.result.id))
    return render_block(TEMPLATE, "job", job=None, errors=form.errors, percent=0), form.status


@bp.route("/exports/<int:job_id>")
def export_status(job_id: int):
    job = exports.get(g.user, job_id)
    return render_page_or_block(TEMPLATE, "job", job=job, percent=exports.percent(job))


@bp.route("/exports/<int:job_id>/file")
def export_file(job_id: int):
    from app.api.stats import download

    path, job = exports.file_path(g.user, job_id)
    with open(path, "rb") as fh:
        body = fh.read()
    return download(body, excel.XLSX_MIMETYPE, job.download_name or "export.xlsx", f"export-{job.kind}-{job.id}.xlsx")
