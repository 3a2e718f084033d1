"""History across releases (the scenario matrix, comparing two releases), the release page's
operation manual card and the upgrade content summary (.docx). Forms post to their own route
and go back to the release page (HX-Location) or answer its `release_errors` block (409/422)."""
from __future__ import annotations

from flask import g, render_template, send_file, url_for
from flask_babel import lazy_gettext as _l
from htmx_flask import make_response as htmx_response
from htmx_flask import request

from app.schemas.history import ManualDoneSchema, ManualMarkSchema, MatrixQuerySchema
from app.services import reference, releases, scenarios
from app.services.releases import history, manuals, summary
from app.web import bp
from app.web.helpers import FormSubmission, display_labels, load_query, render_page_or_block

MATRIX_TEMPLATE = "verification/matrix.html"
COMPARE_TEMPLATE = "verification/compare.html"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
RELEASE_COUNTS = (3, 5, 8, 12, 18, 24)
MATRIX_PAGE_SIZE = 50

CELL_SYMBOLS = {"passed": "✓", "failed": "✗", "blocked": "!", "skipped": "–", "untested": "·"}
UNSTABLE_CHOICES = {"": _l("All"), "true": _l("Unstable only"), "false": _l("Stable only")}


@bp.app_template_global()
def matrix_cell_symbol(status: str) -> str:
    return CELL_SYMBOLS.get(status, "?")


@bp.route("/scenarios/matrix")
def scenario_matrix():
    args, raw, errors = load_query(MatrixQuerySchema())
    raw.pop("page", None)
    raw.pop("per_page", None)
    result = history.matrix(g.user, args["releases"], args.get("domain"), args.get("feature"), args.get("unstable"),
                            args["page"], MATRIX_PAGE_SIZE)
    context = dict(matrix=result, filters=raw, errors=errors, labels=display_labels(),
                   domain_lookups=reference.lookups("domain"), features=scenarios.scenario_filter_options()["features"],
                   release_counts=RELEASE_COUNTS, chosen_releases=args["releases"], unstable_choices=UNSTABLE_CHOICES)
    response = htmx_response(render_page_or_block(MATRIX_TEMPLATE, "matrix", **context),
                             push_url=url_for("web.scenario_matrix", **raw, page=args["page"])
                             if request.htmx else None)
    response.vary.add("HX-Request")
    return response


@bp.route("/releases/compare")
def release_compare():
    """Two releases side by side (`a` the earlier, `b` the later; the two latest by default)."""
    choices = history.release_choices()
    comparison, error = None, None
    a_id, b_id = request.args.get("a", ""), request.args.get("b", "")
    if a_id.isdigit() and b_id.isdigit():
        a, b = history.get_release(g.user, int(a_id)), history.get_release(g.user, int(b_id))
        if a.id == b.id:
            error = _l("Choose two different releases to compare.")
        else:
            comparison = history.compare(g.user, a, b)
    elif not a_id and not b_id:
        pair = history.default_pair()
        if pair is not None:
            comparison = history.compare(g.user, *pair)
    return render_template(COMPARE_TEMPLATE, choices=choices, comparison=comparison, error=error,
                           labels=display_labels())


# --- the release page's operation manual card ------------------------------------------------


@bp.app_template_global()
def release_manual_updates(release) -> list:
    return manuals.updates(g.user, release)


def _answer(release, form: FormSubmission):
    from app.web.releases import _answer as release_answer

    return release_answer(release, form)


@bp.route("/releases/<int:release_id>/manual-updates", methods=["POST"])
def release_mark_manual(release_id: int):
    release = releases.get(g.user, release_id)
    form = FormSubmission(ManualMarkSchema())
    form.submit(lambda data: manuals.mark(g.user, release, data["requirement_id"], data["domain"], data["note"]))
    return _answer(release, form)


@bp.route("/releases/<int:release_id>/manual-updates/<int:update_id>/done", methods=["POST"])
def release_manual_done(release_id: int, update_id: int):
    release = releases.get(g.user, release_id)
    form = FormSubmission(ManualDoneSchema())
    form.submit(lambda data: manuals.close(g.user, release, update_id, data["note"]))
    return _answer(release, form)


@bp.route("/releases/<int:release_id>/manual-updates/<int:update_id>/unmark", methods=["POST"])
def release_manual_unmark(release_id: int, update_id: int):
    release = releases.get(g.user, release_id)
    form = FormSubmission()
    form.submit(lambda _data: manuals.unmark(g.user, release, update_id))
    return _answer(release, form)


@bp.route("/releases/<int:release_id>/summary.docx")
def release_summary_docx(release_id: int):
    release = releases.get(g.user, release_id)
    return send_file(summary.summary_docx(summary.build(release)), mimetype=DOCX, as_attachment=True,
                     download_name=summary.filename(release))
