"""Scenario library, releases and the manual execution checklist (htmx pages)."""
from __future__ import annotations

import re
from itertools import groupby

from flask import g, make_response, render_template, request, send_file, url_for
from flask_babel import lazy_gettext as _l
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
from app.services.errors import Msg, DomainError, ValidationFailed
from app.services.paging import every, paginate
from app.web import bp
from app.web.helpers import FORM_ERRORS, errors_of, form_error_status, load_form, load_query, render_page_or_block, display_labels

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
CHECKLIST_TARGET = "checklist"


def _input_error_status(error: Exception) -> int:
    """The status of a form answer for a user-input failure.

    htmx swaps only 2xx, 409 and 422 answers (base.html's responseHandling): a failure the
    API answers with 400 (a .feature syntax error, a malformed report) or another 4xx about
    the input is answered here with 422 so its message is shown where the form is. Not found
    and forbidden propagate (form_error_status)."""
    status = form_error_status(error)
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
    permissions.require(g.user, "manage_scenarios")
    folder = (request.form.get("folder") or "").strip().strip("/")
    uploads = [f for f in request.files.getlist("files") if f and f.filename]
    results, errors, status = [], {}, 200
    if not uploads:
        errors = {"files": [_l("Choose one or more .feature files.")]}
        status = 422
    for upload in uploads:
        name = upload.filename.replace("\\", "/")
        path = f"{folder}/{name}" if folder else name
        try:
            text = upload.read().decode("utf-8-sig")
            result = scenarios.import_feature(g.user, path, text)
            results.append({"path": result.path, "ok": True, "result": result})
        except UnicodeDecodeError:
            results.append({"path": path, "ok": False, "error": _l("The file is not UTF-8 text.")})
            status = 422
        except DomainError as error:
            _input_error_status(error)  # not found and forbidden propagate
            results.append({"path": path, "ok": False, "error": error.message})
            status = 422
    context = dict(features=scenarios.features(g.user), results=results, errors=errors)
    return render_blocks(FEATURES_TEMPLATE, ["upload", "feature_table_oob"], **context), status


@bp.route("/features/<int:feature_id>")
def feature_detail(feature_id: int):
    feature = scenarios.get_feature(g.user, feature_id)
    description = scenarios.feature_description(feature)
    items = every(scenarios.search(g.user, {"feature": feature.id, "include_retired": True}))
    revision = request.args.get("revision", type=int)
    return render_template(
        "verification/feature.html", feature=feature, scenarios=items, revisions=scenarios.revisions(feature),
        domains=scenarios.domains_of([s.id for s in items]), labels=display_labels(), description=description,
        shown_revision=revision, revision_text=scenarios.revision_text(feature, revision) if revision else None,
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
    response = make_response(render_page_or_block(SCENARIOS_TEMPLATE, "results", **context))
    if request.headers.get("HX-Request") == "true":
        response.headers["HX-Push-Url"] = url_for("web.scenario_list", **raw)
    return response


@bp.route("/scenarios/<int:scenario_id>")
def scenario_detail(scenario_id: int):
    scenario = scenarios.get_scenario(g.user, scenario_id)
    return render_template(
        "verification/scenario.html", scenario=scenario, versions=scenarios.versions(scenario),
        requirements=scenarios.requirements_of(g.user, scenario),
        domains=scenarios.domains_of([scenario.id]).get(scenario.id, []),
        results=scenarios.results_across_runs(g.user, scenario), labels=display_labels(),
    )


# --- releases ----------------------------------------------------------------------------


def _releases_context(**extra):
    return dict(releases=verification.releases(g.user), domain_lookups=reference.lookups("domain"),
                labels=display_labels(), errors=extra.pop("errors", {}), values=extra.pop("values", {}), **extra)


@bp.route("/releases", methods=["GET", "POST"])
def release_list():
    if request.method == "POST":
        try:
            data = load_form(ReleaseCreateSchema())
            release = verification.create_release(g.user, data)
        except FORM_ERRORS as error:
            status = form_error_status(error)
            context = _releases_context(errors=errors_of(error), values=request.form)
            return render_page_or_block(RELEASES_TEMPLATE, "form", **context), status
        return _redirect(url_for("web.release_detail", release_id=release.id))
    return render_template(RELEASES_TEMPLATE, **_releases_context())


def _redirect(target: str):
    """After a form succeeds, go to `target` as a page of its own.

    For htmx, HX-Location: htmx GETs `target` and swaps it into <body>. That request carries
    HX-Request but neither HX-Boosted nor HX-Target (the body has no id), so pages answer it
    with the whole page; only a request aimed at a part (e.g. HX-Target: checklist) gets a
    fragment (see run_detail)."""
    response = make_response("", 303)
    response.headers["Location"] = target
    if request.headers.get("HX-Request") == "true":
        response.status_code = 200
        response.headers["HX-Location"] = target
    return response


def _release_context(release, **extra):
    runs = verification.runs_of(g.user, release)
    return dict(
        release=release, runs=runs, run_totals={run.id: verification.totals(run) for run in runs},
        environments=ENVIRONMENTS, regions=reference.regions(g.user.region), domain_lookups=reference.lookups("domain"),
        labels=display_labels(), errors=extra.pop("errors", {}), values=extra.pop("values", None) or {},
        tag_options=scenarios.tag_counts(), **extra,
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
    try:
        schema = RunCreateSchema(exclude=("requirements", "scenario_ids"))
        data = load_form(schema)
        data["requirements"] = _codes(request.form.get("requirements", ""))
        run = verification.create_run(g.user, release, data)
    except FORM_ERRORS as error:
        status = _input_error_status(error)
        context = _release_context(release, errors=errors_of(error), values=request.form)
        return render_page_or_block(RELEASE_TEMPLATE, "run_form", **context), status
    return _redirect(url_for("web.run_detail", run_id=run.id))


# --- the run page: manual execution ------------------------------------------------------


def _show() -> str:
    show = request.values.get("show", "all")
    return show if show in SHOW_FILTERS else "all"


def _run_context(run, show: str = "all", **extra):
    status = {"failures": "failures", "untested": "untested"}.get(show)
    rows = verification.result_rows(run, status, with_evidence=True)
    groups = [(path, list(items)) for path, items in groupby(rows, key=lambda r: r.scenario.feature_path)]
    return dict(run=run, release=run.release, groups=groups, totals=verification.totals(run), show=show,
                statuses=RESULT_STATUSES, can_record=permissions.can(g.user, "record_results"),
                import_result=extra.pop("import_result", None), errors=extra.pop("errors", {}), **extra)


def _checklist_only() -> bool:
    """Only the checklist is asked for: the filter links (hx-target="#checklist"). Every other
    request, htmx navigations after a form (HX-Location) and history restores included, gets
    the whole page with its header, progress bar and tools."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == CHECKLIST_TARGET
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


@bp.route("/runs/<int:run_id>")
def run_detail(run_id: int):
    run = verification.get_run(g.user, run_id)
    context = _run_context(run, _show())
    if not _checklist_only():
        return render_template(RUN_TEMPLATE, **context)
    response = make_response(render_block(RUN_TEMPLATE, "checklist", **context))
    response.headers["HX-Push-Url"] = url_for("web.run_detail", run_id=run.id, show=context["show"])
    return response


def _row_context(run, scenario_id: int, **extra):
    return dict(run=run, row=verification.result_row(run, scenario_id), totals=verification.totals(run),
                statuses=RESULT_STATUSES, can_record=permissions.can(g.user, "record_results"),
                show=_show(), sc_errors=extra.pop("errors", {}), **extra)


@bp.route("/runs/<int:run_id>/scenarios/<int:scenario_id>/steps/<int:index>", methods=["POST"])
def run_mark_step(run_id: int, scenario_id: int, index: int):
    """One click marks one step: the answer swaps that step's row, and out of band the
    scenario's status and the run's progress and counts."""
    run = verification.get_run(g.user, run_id, "record_results")
    try:
        step = load_form(StepResultSchema(), extra={"index": index})
        verification.record(g.user, run, {"scenario_id": scenario_id, "steps": [step]})
    except FORM_ERRORS as error:
        form_error_status(error)
        raise ValidationFailed(str(errors_of(error))) from None
    context = _row_context(run, scenario_id)
    step = context["row"].as_dict()["steps"][index]
    return render_blocks(RUN_TEMPLATE, ["step_row", "scenario_head", "progress_oob"], step=step, oob=True, **context)


@bp.route("/runs/<int:run_id>/scenarios/<int:scenario_id>", methods=["POST"])
def run_scenario_update(run_id: int, scenario_id: int):
    """The scenario's own fields: a status set directly, the note, defect and fed-back flag."""
    run = verification.get_run(g.user, run_id, "record_results")
    try:
        data = load_form(ResultUpdateSchema(only=("status", "note", "defect", "fed_back")))
        if "status" not in data:
            data["status"] = None
        verification.record(g.user, run, {**data, "scenario_id": scenario_id})
    except FORM_ERRORS as error:
        status = _input_error_status(error)
        context = _row_context(run, scenario_id, errors=errors_of(error))
        return render_block(RUN_TEMPLATE, "scenario", **context), status
    context = _row_context(run, scenario_id, saved=True)
    return render_blocks(RUN_TEMPLATE, ["scenario", "progress_oob"], **context)


@bp.route("/runs/<int:run_id>/scenarios/<int:scenario_id>/evidence", methods=["POST"])
def run_evidence(run_id: int, scenario_id: int):
    run = verification.get_run(g.user, run_id, "record_results")
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise ValidationFailed.field("file", Msg("Choose a file to upload."))
        verification.add_evidence(g.user, run, scenario_id, upload.filename, upload.stream, upload.mimetype)
    except DomainError as error:
        status = _input_error_status(error)
        return render_block(RUN_TEMPLATE, "scenario", **_row_context(run, scenario_id, errors=errors_of(error))), status
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
    try:
        if upload is None or not upload.filename:
            raise ValidationFailed.field("file", Msg("Choose a report file."))
        result = verification.import_report(g.user, run, upload.read(), upload.mimetype or "")
    except DomainError as error:
        status = _input_error_status(error)  # a malformed report: 400 in the API, 422 here
        context = _run_context(run, _show(), errors=errors_of(error))
        return render_block(RUN_TEMPLATE, "import_form", **context), status
    context = _run_context(run, _show(), import_result=result)
    return render_blocks(RUN_TEMPLATE, ["import_form", "progress_oob", "checklist_oob"], **context)


@bp.route("/runs/<int:run_id>/rerun", methods=["POST"])
def run_rerun(run_id: int):
    """A new attempt on the failed and blocked scenarios; testers (record_results) may."""
    run = verification.get_run(g.user, run_id, "record_results")
    verification.rerun(g.user, run)
    return _redirect(url_for("web.run_detail", run_id=run.id))
