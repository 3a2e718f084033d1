"""Scenario library, releases and the manual execution checklist (htmx pages)."""
from __future__ import annotations

import re
from itertools import groupby

from flask import g, redirect, render_template, send_file, url_for
from markupsafe import Markup
from flask_babel import lazy_gettext as _l
from htmx_flask import make_response as htmx_response
from htmx_flask import request
from jinja2_fragments.flask import render_block, render_blocks

from app.models.verification import ENVIRONMENTS, RESULT_STATUSES
from app.schemas.verification import (
    ReleaseCreateSchema,
    ResultUpdateSchema,
    RunCreateSchema,
    ScenarioQuerySchema,
    StepResultSchema,
)
from app.services import permissions, reference, scenarios, verification
from app.services import releases as releases_service
from app.services.releases import lifecycle as release_lifecycle
from app.services.errors import Msg, ValidationFailed
from app.services.paging import paginate
from app.web import bp
from app.web.releases import release_page_context
from app.web.helpers import (
    FormSubmission,
    display_labels,
    htmx_redirect,
    load_query,
    render_page_or_block,
    wants_fragment,
)

RUN_TEMPLATE = "verification/run.html"
RELEASE_TEMPLATE = "verification/release.html"
RELEASES_TEMPLATE = "verification/releases.html"
FEATURES_TEMPLATE = "verification/features.html"
SCENARIOS_TEMPLATE = "verification/scenarios.html"

RESULT_LABELS = {
    "passed": _l("Passed"),
    "failed": _l("Failed"),
    "blocked": _l("Blocked"),
    "skipped": _l("Skipped"),
    "untested": _l("Not run"),
}
ENVIRONMENT_LABELS = {
    "acceptance": _l("Acceptance environment"),
    "pre_release": _l("Pre-release environment"),
    "production": _l("Production environment"),
}
CHANGE_LABELS = {
    "added": _l("Added"),
    "changed": _l("Changed"),
    "renamed": _l("Renamed"),
    "retired": _l("Retired"),
    "restored": _l("Restored"),
}
SHOW_FILTERS = ("all", "failures", "untested")


def _swappable(status: int) -> int:
    """The status of a form answer for a user-input failure.

    htmx swaps only 2xx, 409 and 422 answers (base.html's responseHandling): a failure the
    API answers with 400 (a malformed report) or another 4xx about the input is answered here
    with 422 so its message is shown where the form is (FormSubmission lets not found and
    forbidden propagate)."""
    return status if status in (409, 422) else 422


@bp.app_template_global()
def result_label(status: str) -> str:
    return str(RESULT_LABELS.get(status, status))


@bp.app_template_global()
def environment_label(environment: str) -> str:
    return str(ENVIRONMENT_LABELS.get(environment, environment))


@bp.app_template_global()
def change_label(change: str) -> str:
    """A scenario revision's change (added, changed, renamed, retired, restored) for people."""
    return str(CHANGE_LABELS.get(change, change))


@bp.app_template_global()
def scenarios_for_requirement(req) -> list:
    """Scenarios linked to a requirement (shown on its detail page), with their latest result."""
    return scenarios.for_requirement(g.user, req)


# --- scenario library --------------------------------------------------------------------


@bp.route("/features")
def feature_list():
    return render_template(FEATURES_TEMPLATE, features=scenarios.features(g.user), results=None, errors={})


@bp.route("/features/upload", methods=["POST"])
def feature_upload():
    """Import several .feature files at once; each file is its own transaction.

    The answer lists every file's outcome (the stored ones, and for a failing one its message,
    with file, line and column for a syntax error) and refreshes the feature table out of
    band; it is 422 if any file failed, so htmx swaps it (the API answers a syntax error 400)."""
    folder = (request.form.get("folder") or "").strip().strip("/")
    uploads = [f for f in request.files.getlist("files") if f and f.filename]
    files = ((f"{folder}/{name}" if folder else name, upload.read())
             for upload in uploads for name in [upload.filename.replace("\\", "/")])
    results = scenarios.import_feature_files(g.user, files)
    errors = {} if uploads else {"files": [_l("Choose one or more .feature files.")]}
    status = 422 if errors or not all(r.ok for r in results) else 200
    context = dict(features=scenarios.features(g.user), results=results, errors=errors)
    return render_blocks(FEATURES_TEMPLATE, ["upload", "feature_table_oob"], **context), status


@bp.route("/features/<int:feature_id>")
def feature_detail(feature_id: int):
    detail = scenarios.feature_detail(g.user, feature_id, include_retired=True)
    feature = detail.feature
    revision = request.args.get("revision", type=int)
    return render_template(
        "verification/feature.html", feature=feature, scenarios=detail.scenarios, revisions=detail.revisions,
        domains=scenarios.domains_of([s.id for s in detail.scenarios]), labels=display_labels(),
        description=detail.description, shown_revision=revision,
        revision_text=scenarios.revision_text(feature, revision) if revision else None,
    )


@bp.route("/scenarios")
def scenario_list():
    schema = ScenarioQuerySchema()
    args, raw, errors = load_query(schema)
    page, per_page = args.pop("page"), args.pop("per_page")
    result = paginate(scenarios.search(g.user, args), page, per_page)
    context = dict(
        result=result, filters=raw, errors=errors, options=scenarios.scenario_filter_options(),
        domains=scenarios.domains_of([s.id for s in result.items]), labels=display_labels(),
        domain_lookups=reference.lookups("domain"),
    )
    # the address bar shows the filters, so the view can be bookmarked and shared
    response = htmx_response(render_page_or_block(SCENARIOS_TEMPLATE, "results", **context),
                             push_url=url_for("web.scenario_list", **raw) if request.htmx else None)
    response.vary.add("HX-Request")
    return response


@bp.route("/scenarios/<int:scenario_id>")
def scenario_detail(scenario_id: int):
    detail = scenarios.scenario_detail(g.user, scenario_id)
    return render_template(
        "verification/scenario.html", scenario=detail.scenario, versions=detail.versions,
        requirements=detail.requirements, domains=detail.domains, results=detail.results, labels=display_labels(),
    )


# --- releases ----------------------------------------------------------------------------


def _releases_context(**extra):
    status = request.args.get("status") or None
    status = status if status in release_lifecycle.STATUSES else None
    q = (request.args.get("q") or "").strip()[:100] or None
    items = releases_service.listing(g.user, status, q)
    return dict(releases=items, progress=releases_service.progress(items), statuses=release_lifecycle.STATUSES,
                filters={"status": status or "", "q": q or ""}, domain_lookups=reference.lookups("domain"),
                labels=display_labels(), errors=extra.pop("errors", {}), values=extra.pop("values", {}), **extra)


@bp.route("/releases", methods=["GET", "POST"])
def release_list():
    if request.method == "POST":
        form = FormSubmission(ReleaseCreateSchema())
        if form.submit(lambda data: verification.create_release(g.user, data)):
            return htmx_redirect(url_for("web.release_detail", release_id=form.result.id))
        context = _releases_context(errors=form.errors, values=form.values)
        return render_page_or_block(RELEASES_TEMPLATE, "form", **context), form.status
    if wants_fragment():
        return render_block(RELEASES_TEMPLATE, "release_rows", **_releases_context())
    return render_template(RELEASES_TEMPLATE, **_releases_context())


def _release_context(release, **extra):
    runs = verification.runs_of(g.user, release)
    return dict(
        release=release, runs=runs, run_totals={run.id: verification.totals(run) for run in runs},
        environments=ENVIRONMENTS, regions=reference.regions(g.user.region), domain_lookups=reference.lookups("domain"),
        labels=display_labels(), errors=extra.pop("errors", {}), values=extra.pop("values", None) or {},
        tag_options=scenarios.tag_counts(), **release_page_context(release), **extra,
    )


@bp.route("/releases/<int:release_id>")
def release_detail(release_id: int):
    release = verification.get_release(g.user, release_id)
    return render_template(RELEASE_TEMPLATE, **_release_context(release))


def _codes(text: str) -> list[str]:
    return [c for c in re.split(r"[\s,，、;；]+", text or "") if c]


@bp.route("/releases/<int:release_id>/runs", methods=["POST"])
def run_create(release_id: int):
    release = verification.get_release(g.user, release_id)
    # requirement codes are typed as one text ("REQ-2026-0001, REQ-2026-0002"), not a list input
    form = FormSubmission(RunCreateSchema(exclude=("requirements", "scenario_ids")))
    if form.submit(lambda data: verification.create_run(
            g.user, release, {**data, "requirements": _codes(request.form.get("requirements", ""))})):
        return htmx_redirect(url_for("web.run_detail", run_id=form.result.id))
    context = _release_context(release, errors=form.errors, values=form.values)
    return render_page_or_block(RELEASE_TEMPLATE, "run_form", **context), _swappable(form.status)


# --- the run page: manual execution ------------------------------------------------------


def _show() -> str:
    show = request.values.get("show", "all")
    return show if show in SHOW_FILTERS else "all"


RUN_PAGE_SIZE = 50


def _page_number() -> int:
    try:
        return max(1, int(request.values.get("page", 1)))
    except (TypeError, ValueError):
        return 1


def _status_of(show: str) -> str | None:
    """The service's status filter for the page's `show` choice (None: every scenario)."""
    return {"failures": "failures", "untested": "untested"}.get(show)


def _run_context(run, show: str = "all", page: int = 1, **extra):
    """The run page's context: the counts and one page of scenario heads (`RUN_PAGE_SIZE`, cut in
    SQL), grouped by feature. A scenario's steps and forms load when it is opened (`run_scenario`),
    the next page when the "more" link is reached (`run_checklist` with `page`), an earlier one
    from the "earlier" link at the top of a page past the first (`run_checklist` with `earlier`)."""
    result_page = verification.result_page(run, _status_of(show), page, RUN_PAGE_SIZE, with_evidence=False)
    groups = [(path, list(items))
              for path, items in groupby(result_page.items, key=lambda r: r.scenario.feature_path)]
    return dict(run=run, release=run.release, groups=groups, result_page=result_page, totals=verification.totals(run),
                show=show, statuses=RESULT_STATUSES, can_record=permissions.can(g.user, "record_results"),
                import_result=extra.pop("import_result", None), errors=extra.pop("errors", {}), **extra)


@bp.route("/runs/<int:run_id>")
def run_detail(run_id: int):
    """The whole run page, whoever asks (htmx navigations after a form and history restores
    included); the filter links ask `run_checklist` for the checklist alone."""
    run = verification.get_run(g.user, run_id)
    show, page, opened = _show(), _page_number(), {}
    if "scenario" in request.args:
        show, page, opened = _opened_at(run, show, page)
    return render_template(RUN_TEMPLATE, **_run_context(run, show, page, **opened))


def _opened_at(run, show: str, page: int) -> tuple[str, int, dict]:
    """`?scenario=<id>` (a history matrix cell, a comparison): the page of heads holding that
    scenario (its position in one query, page = position // RUN_PAGE_SIZE + 1) with it open, its
    steps rendered as opening it loads them (`run_scenario`). A scenario the filter no longer
    shows (retested since) is shown with every scenario; one not in the run leaves the page as
    asked, with a notice. Answers the filter, the page and the context's `opened` entries."""
    raw = request.args.get("scenario", "").strip()
    scenario_id = int(raw) if raw.isdigit() and len(raw) <= 12 else None
    position = verification.result_position(run, scenario_id, _status_of(show)) if scenario_id else None
    notice = None
    if position is None and scenario_id and _status_of(show):
        position = verification.result_position(run, scenario_id)
        if position is not None:
            show, notice = "all", Msg("Scenario %(id)s does not match this filter: every scenario is shown.",
                                      id=scenario_id)
    if position is None:
        return show, page, {"notice": Msg("Scenario %(id)s is not in this run.", id=raw[:20])}
    opened_html = Markup(render_block(RUN_TEMPLATE, "scenario", **_row_context(run, scenario_id, expanded=True)))
    return show, position // RUN_PAGE_SIZE + 1, {"opened": scenario_id, "opened_html": opened_html, "notice": notice}


@bp.route("/runs/<int:run_id>/checklist")
def run_checklist(run_id: int):
    """The checklist with a filter (`show`), as the filter links ask for it: the checklist, the
    filter links out of band (showing the choice), and the run page's address with the filter
    in the address bar. With `page` > 1 (the "more" link at the end of a page), the next page
    of scenario heads alone, appended where the link was; with `earlier` (the link at the top of
    a page opened past the first), that earlier page alone, put where that link was. Opened
    outside htmx (a new tab, a bookmark), it is the run page."""
    run = verification.get_run(g.user, run_id)
    page = _page_number()
    page_url = url_for("web.run_detail", run_id=run.id, show=_show())
    if not wants_fragment():
        return redirect(url_for("web.run_detail", run_id=run.id, show=_show(), page=page) if page > 1 else page_url)
    context = _run_context(run, _show(), page)
    if request.args.get("earlier"):
        # an earlier page, put where the "earlier" link was (above the pages shown): its heads and
        # the link to the page before it, not the "more" link (the pages after it are shown)
        response = htmx_response(render_block(RUN_TEMPLATE, "checklist_page", no_more=True, **context))
    elif page > 1:
        response = htmx_response(render_block(RUN_TEMPLATE, "checklist_page", no_earlier=True, **context))
    else:
        response = htmx_response(render_blocks(RUN_TEMPLATE, ["checklist", "show_filter_oob"], **context),
                                 push_url=page_url)
    response.vary.add("HX-Request")
    return response


@bp.route("/runs/<int:run_id>/scenarios/<int:scenario_id>")
def run_scenario(run_id: int, scenario_id: int):
    """One scenario of the run, whole (steps with their marks, the scenario's form and
    evidence), open: what the run page loads when a scenario is opened."""
    run = verification.get_run(g.user, run_id)
    return render_block(RUN_TEMPLATE, "scenario", **_row_context(run, scenario_id, expanded=True))


def _row_context(run, scenario_id: int, **extra):
    return dict(run=run, row=verification.result_row(run, scenario_id), totals=verification.totals(run),
                statuses=RESULT_STATUSES, can_record=permissions.can(g.user, "record_results"),
                show=_show(), sc_errors=extra.pop("errors", {}), **extra)


@bp.route("/runs/<int:run_id>/scenarios/<int:scenario_id>/steps/<int:index>", methods=["POST"])
def run_mark_step(run_id: int, scenario_id: int, index: int):
    """One click marks one step: the answer swaps that step's row, and out of band the
    scenario's status and the run's progress and counts."""
    run = verification.get_run(g.user, run_id, "record_results")
    form = FormSubmission(StepResultSchema(), extra={"index": index})
    if not form.submit(lambda step: verification.record(g.user, run, {"scenario_id": scenario_id, "steps": [step]})):
        # the buttons send only valid marks: a bad one is a tampered request, answered by the error page
        first = next(message for messages in form.errors.values() for message in messages)
        raise ValidationFailed(first, form.errors)
    context = _row_context(run, scenario_id)
    step = context["row"].steps[index]
    return render_blocks(RUN_TEMPLATE, ["step_row", "scenario_head", "progress_oob"], step=step, oob=True, **context)


@bp.route("/runs/<int:run_id>/scenarios/<int:scenario_id>", methods=["POST"])
def run_scenario_update(run_id: int, scenario_id: int):
    """The scenario's own fields: a status set directly, the note, defect and fed-back flag."""
    run = verification.get_run(g.user, run_id, "record_results")
    form = FormSubmission(ResultUpdateSchema(only=("status", "note", "defect", "fed_back")))
    # an empty status select is "Follow the steps": it clears a status set directly
    if not form.submit(lambda data: verification.record(
            g.user, run, {"status": None, **data, "scenario_id": scenario_id})):
        context = _row_context(run, scenario_id, errors=form.errors)
        return render_block(RUN_TEMPLATE, "scenario", **context), _swappable(form.status)
    context = _row_context(run, scenario_id, saved=True)
    return render_blocks(RUN_TEMPLATE, ["scenario", "progress_oob"], **context)


@bp.route("/runs/<int:run_id>/scenarios/<int:scenario_id>/evidence", methods=["POST"])
def run_evidence(run_id: int, scenario_id: int):
    run = verification.get_run(g.user, run_id, "record_results")
    upload = request.files.get("file")

    def attach(_):
        if upload is None or not upload.filename:
            raise ValidationFailed.field("file", Msg("Choose a file to upload."))
        return verification.add_evidence(g.user, run, scenario_id, upload.filename, upload.stream, upload.mimetype)

    form = FormSubmission()
    if not form.submit(attach):
        context = _row_context(run, scenario_id, errors=form.errors)
        return render_block(RUN_TEMPLATE, "scenario", **context), _swappable(form.status)
    # the answer replaces the scenario: keep it expanded, as the tester left it
    return render_block(RUN_TEMPLATE, "scenario", **_row_context(run, scenario_id, expanded=True))


@bp.route("/evidence/<int:evidence_id>")
def evidence_download(evidence_id: int):
    evidence, path = verification.get_evidence_for(g.user, evidence_id)
    return send_file(path, mimetype=evidence.content_type, as_attachment=True, download_name=evidence.filename)


@bp.route("/runs/<int:run_id>/import", methods=["POST"])
def run_import(run_id: int):
    run = verification.get_run(g.user, run_id, "record_results")
    upload = request.files.get("file")

    def import_upload(_):
        if upload is None or not upload.filename:
            raise ValidationFailed.field("file", Msg("Choose a report file."))
        return verification.import_report(g.user, run, upload.stream, filename=upload.filename,
                                          content_type=upload.mimetype or "")

    form = FormSubmission()
    if not form.submit(import_upload):
        # a malformed report: 400 in the API, 422 here
        context = _run_context(run, _show(), errors=form.errors)
        return render_block(RUN_TEMPLATE, "import_form", **context), _swappable(form.status)
    context = _run_context(run, _show(), import_result=form.result)
    return render_blocks(RUN_TEMPLATE, ["import_form", "progress_oob", "checklist_oob"], **context)


@bp.route("/runs/<int:run_id>/rerun", methods=["POST"])
def run_rerun(run_id: int):
    """A new attempt on the failed and blocked scenarios; testers (record_results) may."""
    run = verification.get_run(g.user, run_id, "record_results")
    verification.rerun(g.user, run)
    return htmx_redirect(url_for("web.run_detail", run_id=run.id))
