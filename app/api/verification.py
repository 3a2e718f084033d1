"""Scenario library, releases, verification runs and results under /api/v1."""
from __future__ import annotations

from flask import current_app, request, send_file
from flask.views import MethodView

from app.api import actor, make_blueprint
from app.api.contract import ANY_FILE, error_responses, file_response, file_upload
from app.schemas.common import PageQuerySchema
from app.schemas.release import ReleaseEditSchema
from app.schemas.verification import (
    AttemptSchema,
    BulkResultSchema,
    EvidenceSchema,
    FeatureDetailSchema,
    FeatureImportResultSchema,
    FeatureImportSchema,
    FeaturePageSchema,
    ImportAnswerSchema,
    RecordedSchema,
    ReleaseCreateSchema,
    ReleaseDetailSchema,
    ReleaseSchema,
    RerunAnswerSchema,
    RerunSchema,
    ResultQuerySchema,
    ResultRowSchema,
    ResultUpdateSchema,
    RunCreateSchema,
    RunSchema,
    ScenarioDetailSchema,
    ScenarioPageSchema,
    ScenarioQuerySchema,
    dump_result_records,
)
from app.services import releases, scenarios, verification
from app.services.errors import Msg, ValidationFailed
from app.services.paging import paginate
from app.utils import json_bytes

blp = make_blueprint("verification", "Scenario library, releases, verification runs and results")


# --- scenario library --------------------------------------------------------------------


@blp.route("/features")
class Features(MethodView):
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, FeaturePageSchema)
    def get(self, args):
        """Feature files of the scenario library."""
        return paginate(scenarios.features_query(actor()), args["page"], args["per_page"])

    @blp.arguments(FeatureImportSchema)
    @blp.response(201, FeatureImportResultSchema)
    @blp.alt_response(200, schema=FeatureImportResultSchema, description="The text is unchanged: no new revision.")
    @error_responses(blp, 403)
    def post(self, data):
        """Import a .feature file (a new revision if the path exists); a syntax error answers 400.

        201 with the new revision; 200 with `unchanged: true` when the text is the current
        revision's (nothing is written)."""
        result = scenarios.import_feature(actor(), data["path"], data["text"])
        return (result, 200) if result.unchanged else result


@blp.route("/features/<int:feature_id>")
class FeatureItem(MethodView):
    @blp.response(200, FeatureDetailSchema)
    def get(self, feature_id):
        """A feature file with its revisions and current scenarios."""
        return scenarios.feature_detail(actor(), feature_id)


@blp.route("/scenarios")
class Scenarios(MethodView):
    @blp.arguments(ScenarioQuerySchema, location="query")
    @blp.response(200, ScenarioPageSchema)
    def get(self, args):
        """Browse scenarios by feature, domain, tag, requirement or name."""
        page, per_page = args.pop("page"), args.pop("per_page")
        return paginate(scenarios.search(actor(), args), page, per_page)


@blp.route("/scenarios/<int:scenario_id>")
class ScenarioItem(MethodView):
    @blp.response(200, ScenarioDetailSchema)
    def get(self, scenario_id):
        """A scenario with its links, revisions and results across runs."""
        return scenarios.scenario_detail(actor(), scenario_id)


# --- releases ----------------------------------------------------------------------------


@blp.route("/releases")
class Releases(MethodView):
    @blp.response(200, ReleaseSchema(many=True))
    def get(self):
        """Iteration versions, latest planned first."""
        return verification.releases(actor())

    @blp.arguments(ReleaseCreateSchema)
    @blp.response(201, ReleaseSchema)
    @error_responses(blp, 403, 409, conflict="The version is taken.")
    def post(self, data):
        return verification.create_release(actor(), data)


@blp.route("/releases/<int:release_id>")
class ReleaseItem(MethodView):
    @blp.response(200, ReleaseDetailSchema)
    def get(self, release_id):
        """A release with the runs of it in your scope."""
        return verification.release_detail(actor(), release_id)

    @blp.arguments(ReleaseEditSchema)
    @blp.response(200, ReleaseDetailSchema)
    @error_responses(blp, 403, 409, conflict="A stale `version` answers 409 `stale_version`.")
    def patch(self, data, release_id):
        """Edit the roles that must sign, in order (managers, while planned or in acceptance, before
        anyone signed), and the build label."""
        releases.edit(actor(), releases.get(actor(), release_id), data)
        return verification.release_detail(actor(), release_id)


@blp.route("/releases/<int:release_id>/runs")
class ReleaseRuns(MethodView):
    @blp.arguments(RunCreateSchema)
    @blp.response(201, RunSchema)
    @error_responses(blp, 403, 409)
    def post(self, data, release_id):
        """Start a verification run: the selected scenarios' text is frozen in it."""
        release = verification.get_release(actor(), release_id)
        return verification.summary(verification.create_run(actor(), release, data))


# --- runs and results --------------------------------------------------------------------


@blp.route("/runs/<int:run_id>")
class RunItem(MethodView):
    @blp.response(200, RunSchema)
    def get(self, run_id):
        """A run with its `totals` by status."""
        return verification.summary(verification.get_run(actor(), run_id))


@blp.route("/runs/<int:run_id>/results")
class RunResults(MethodView):
    @blp.arguments(ResultQuerySchema, location="query")
    @blp.response(200, ResultRowSchema(many=True), headers={
        "X-Total-Count": {"description": "Rows matching `status`, on every page", "schema": {"type": "integer"}}})
    def get(self, args, run_id):
        """One row per scenario, as frozen in the run, with its current attempt, in run order.

        Paged like the other lists: `page` and `per_page` (default 20, up to 1,000 rows a page,
        so a regression run is read a thousand rows a request) and `status` (or `failures`:
        failed and blocked) to filter. The answer stays a JSON list of rows, as clients have
        always read it, with `X-Total-Count` saying how many rows match on every page. Without
        `page` and `per_page` every row is answered (as this endpoint always has, so existing
        clients keep working); prefer pages for large runs. UTF-8 JSON, no `\\uXXXX` escapes."""
        run = verification.get_run(actor(), run_id)
        records = verification.result_records(run, args.get("status"), args.get("page"), args.get("per_page"))
        # one dict per row built from plain database rows (dump_result_records answers what
        # ResultRowSchema would), sent as is: no marshmallow pass per row and step
        response = current_app.response_class(json_bytes(dump_result_records(records)), mimetype="application/json")
        response.headers["X-Total-Count"] = str(records.page.total)
        return response

    @blp.arguments(BulkResultSchema(many=True))
    @blp.response(200, RecordedSchema)
    @error_responses(blp, 403, 409, invalid="All or nothing: one bad item rejects the whole list.")
    def post(self, items, run_id):
        """Record many results in one all-or-nothing request."""
        run = verification.get_run(actor(), run_id)
        return verification.record_many(actor(), run, items)


@blp.route("/runs/<int:run_id>/results/<int:scenario_id>")
class RunResultItem(MethodView):
    @blp.response(200, ResultRowSchema)
    def get(self, run_id, scenario_id):
        run = verification.get_run(actor(), run_id)
        return verification.result_row(run, scenario_id)

    @blp.arguments(ResultUpdateSchema)
    @blp.response(200, ResultRowSchema)
    @error_responses(blp, 403, 409)
    def put(self, data, run_id, scenario_id):
        """Record one scenario's result: `status` sets it directly, `steps` mark steps.

        A scenario's status follows its steps (any failed → failed; else any blocked →
        blocked; all passed, or passed and skipped → passed; all skipped → skipped; otherwise
        untested) until `status` sets it directly. A status set directly stays until it is
        cleared explicitly with `"status": null` (the page's "Follow the steps"): marking steps
        afterwards records the steps but keeps the scenario's status and `set_directly`.
        An imported report replaces it (the report is a new result).
        """
        run = verification.get_run(actor(), run_id)
        records = verification.record(actor(), run, {**data, "scenario_id": scenario_id})
        # the row as written, dumped as the results list dumps its rows (what ResultRowSchema answers)
        return current_app.response_class(json_bytes(dump_result_records(records)[0]), mimetype="application/json")


@blp.route("/runs/<int:run_id>/results/<int:scenario_id>/attempts")
class RunResultAttempts(MethodView):
    @blp.response(200, AttemptSchema(many=True))
    def get(self, run_id, scenario_id):
        """Every attempt at this scenario in the run, latest first."""
        run = verification.get_run(actor(), run_id)
        return verification.attempts(run, scenario_id)


@blp.route("/runs/<int:run_id>/results/<int:scenario_id>/evidence")
class RunResultEvidence(MethodView):
    @file_upload(blp, "The evidence file (a screenshot, a log).")
    @blp.response(201, EvidenceSchema)
    @error_responses(blp, 403, 404, 409, 413, 422)
    def post(self, run_id, scenario_id):
        """Attach evidence (multipart/form-data, field `file`) to the current attempt."""
        run = verification.get_run(actor(), run_id)
        upload = request.files.get("file")
        if upload is None:
            raise ValidationFailed.field("file", Msg("Send the file as multipart/form-data field 'file'."))
        return verification.add_evidence(actor(), run, scenario_id, upload.filename, upload.stream, upload.mimetype)


@blp.route("/evidence/<int:evidence_id>")
class EvidenceFile(MethodView):
    @file_response(blp, ANY_FILE, "The file as uploaded, of its own media type.")
    @error_responses(blp, 404)
    def get(self, evidence_id):
        """Download evidence (only where the run is in your scope)."""
        evidence, path = verification.get_evidence_for(actor(), evidence_id)
        return send_file(path, mimetype=evidence.content_type, as_attachment=True, download_name=evidence.filename)


@blp.route("/runs/<int:run_id>/rerun")
class RunRerun(MethodView):
    @blp.arguments(RerunSchema)
    @blp.response(200, RerunAnswerSchema)
    @error_responses(blp, 403, 409)
    def post(self, data, run_id):
        """A new attempt on the run's failed and blocked scenarios (earlier attempts are kept)."""
        run = verification.get_run(actor(), run_id)
        return verification.rerun(actor(), run, data.get("scenario_ids") or None)


@blp.route("/runs/<int:run_id>/import")
class RunImport(MethodView):
    @file_upload(blp, "The report: Cucumber JSON, Cucumber Messages (NDJSON) or JUnit XML.",
                 "application/json", "application/x-ndjson", "application/junit+xml", "application/xml",
                 "application/octet-stream")
    @blp.response(200, ImportAnswerSchema)
    @error_responses(blp, 403, 404, 409, 413, 415, 422)
    def post(self, run_id):
        """Import a Cucumber JSON, Cucumber Messages (NDJSON, `application/x-ndjson`) or JUnit XML
        report (body, or multipart field `file`)."""
        run = verification.get_run(actor(), run_id)
        if (request.mimetype or "").startswith("multipart/form-data"):
            upload = request.files.get("file")
            if upload is None:
                raise ValidationFailed.field("file", Msg("Send the report as multipart/form-data field 'file'."))
            return verification.import_report(actor(), run, upload.stream, filename=upload.filename or "",
                                              content_type=upload.mimetype or "")
        return verification.import_report(actor(), run, request.get_data(), content_type=request.mimetype or "")
