"""Scenario library, releases, verification runs and results under /api/v1."""
from __future__ import annotations

from flask import request, send_file
from flask.views import MethodView

from app.api import actor, make_blueprint
from app.schemas.common import PageQuerySchema
from app.schemas.verification import (
    BulkResultSchema,
    FeatureImportResultSchema,
    FeatureImportSchema,
    FeaturePageSchema,
    FeatureRevisionSchema,
    FeatureSchema,
    ImportAnswerSchema,
    ReleaseCreateSchema,
    ReleaseDetailSchema,
    ReleaseSchema,
    RerunSchema,
    ResultQuerySchema,
    ResultRowSchema,
    ResultUpdateSchema,
    RunCreateSchema,
    RunSchema,
    ScenarioPageSchema,
    ScenarioQuerySchema,
    ScenarioSchema,
)
from app.services import scenarios, verification
from app.services.errors import Msg, ValidationFailed
from app.services.paging import every, paginate

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
    def post(self, data):
        """Import a .feature file (a new revision if the path exists); a syntax error answers 400.

        201 with the new revision; 200 with `unchanged: true` when the text is the current
        revision's (nothing is written)."""
        result = scenarios.import_feature(actor(), data["path"], data["text"])
        return (result, 200) if result.unchanged else result


@blp.route("/features/<int:feature_id>")
class FeatureItem(MethodView):
    @blp.response(200)
    def get(self, feature_id):
        """A feature file with its revisions and current scenarios."""
        feature = scenarios.get_feature(actor(), feature_id)
        items = every(scenarios.search(actor(), {"feature": feature.id}))
        return {
            **FeatureSchema().dump(feature),
            "description": scenarios.feature_description(feature),
            "revisions": FeatureRevisionSchema(many=True).dump(scenarios.revisions(feature)),
            "scenarios": ScenarioSchema(many=True).dump(items),
        }


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
    @blp.response(200)
    def get(self, scenario_id):
        """A scenario with its links, revisions and results across runs."""
        user = actor()
        scenario = scenarios.get_scenario(user, scenario_id)
        return {
            **ScenarioSchema().dump(scenario),
            "domains": scenarios.domains_of([scenario.id]).get(scenario.id, []),
            "requirements": [r.code for r in scenarios.requirements_of(user, scenario)],
            "revisions": [{"revision": v.revision, "change": v.change, "name": v.name} for v in scenarios.versions(scenario)],
            "results": [{"run_id": run.id, "release": run.release.version, "environment": run.environment,
                         "status": rs.status, "attempt": rs.attempt}
                        for rs, run in scenarios.results_across_runs(user, scenario)],
        }


# --- releases ----------------------------------------------------------------------------


@blp.route("/releases")
class Releases(MethodView):
    @blp.response(200, ReleaseSchema(many=True))
    def get(self):
        """Iteration versions, latest planned first."""
        return verification.releases(actor())

    @blp.arguments(ReleaseCreateSchema)
    @blp.response(201, ReleaseSchema)
    def post(self, data):
        return verification.create_release(actor(), data)


@blp.route("/releases/<int:release_id>")
class ReleaseItem(MethodView):
    @blp.response(200, ReleaseDetailSchema)
    def get(self, release_id):
        release = verification.get_release(actor(), release_id)
        release.runs = verification.runs_of(actor(), release)
        return release


@blp.route("/releases/<int:release_id>/runs")
class ReleaseRuns(MethodView):
    @blp.arguments(RunCreateSchema)
    @blp.response(201, RunSchema)
    def post(self, data, release_id):
        """Start a verification run: the selected scenarios' text is frozen in it."""
        release = verification.get_release(actor(), release_id)
        run = verification.create_run(actor(), release, data)
        run.totals = verification.totals(run)
        return run


# --- runs and results --------------------------------------------------------------------


@blp.route("/runs/<int:run_id>")
class RunItem(MethodView):
    @blp.response(200, RunSchema)
    def get(self, run_id):
        """A run with its `totals` by status."""
        run = verification.get_run(actor(), run_id)
        run.totals = verification.totals(run)
        return run


@blp.route("/runs/<int:run_id>/results")
class RunResults(MethodView):
    @blp.arguments(ResultQuerySchema, location="query")
    @blp.response(200, ResultRowSchema(many=True))
    def get(self, args, run_id):
        """One row per scenario, as frozen in the run, with its current attempt."""
        run = verification.get_run(actor(), run_id)
        return [row.as_dict() for row in verification.result_rows(run, args.get("status"), with_evidence=True)]

    @blp.arguments(BulkResultSchema(many=True))
    @blp.response(200)
    def post(self, items, run_id):
        """Record many results in one all-or-nothing request."""
        run = verification.get_run(actor(), run_id)
        return verification.record_many(actor(), run, items)


@blp.route("/runs/<int:run_id>/results/<int:scenario_id>")
class RunResultItem(MethodView):
    @blp.response(200, ResultRowSchema)
    def get(self, run_id, scenario_id):
        run = verification.get_run(actor(), run_id)
        return verification.result_row(run, scenario_id).as_dict()

    @blp.arguments(ResultUpdateSchema)
    @blp.response(200, ResultRowSchema)
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
        return verification.record(actor(), run, {**data, "scenario_id": scenario_id}).as_dict()


@blp.route("/runs/<int:run_id>/results/<int:scenario_id>/attempts")
class RunResultAttempts(MethodView):
    @blp.response(200)
    def get(self, run_id, scenario_id):
        """Every attempt at this scenario in the run, latest first."""
        run = verification.get_run(actor(), run_id)
        return [{"attempt": a.attempt, "status": a.status, "set_directly": a.set_directly,
                 "steps": a.step_results, "note": a.note, "defect": a.defect, "fed_back": a.fed_back,
                 "source": a.source or None, "tester": a.tester.username if a.tester else None,
                 "recorded_at": a.recorded_at.isoformat() + "Z" if a.recorded_at else None}
                for a in verification.attempts(run, scenario_id)]


@blp.route("/runs/<int:run_id>/results/<int:scenario_id>/evidence")
class RunResultEvidence(MethodView):
    @blp.response(201)
    def post(self, run_id, scenario_id):
        """Attach evidence (multipart/form-data, field `file`) to the current attempt."""
        run = verification.get_run(actor(), run_id)
        upload = request.files.get("file")
        if upload is None:
            raise ValidationFailed.field("file", Msg("Send the file as multipart/form-data field 'file'."))
        evidence = verification.add_evidence(actor(), run, scenario_id, upload.filename, upload.stream, upload.mimetype)
        return {"id": evidence.id, "filename": evidence.filename, "size": evidence.size}


@blp.route("/evidence/<int:evidence_id>")
class EvidenceFile(MethodView):
    def get(self, evidence_id):
        """Download evidence (only where the run is in your scope)."""
        evidence, path = verification.get_evidence_for(actor(), evidence_id)
        return send_file(path, mimetype=evidence.content_type, as_attachment=True, download_name=evidence.filename)


@blp.route("/runs/<int:run_id>/rerun")
class RunRerun(MethodView):
    @blp.arguments(RerunSchema)
    @blp.response(200)
    def post(self, data, run_id):
        """A new attempt on the run's failed and blocked scenarios (earlier attempts are kept)."""
        run = verification.get_run(actor(), run_id)
        count = verification.rerun(actor(), run, data.get("scenario_ids") or None)
        return {"rerun": count, "totals": verification.totals(run)}


@blp.route("/runs/<int:run_id>/import")
class RunImport(MethodView):
    @blp.response(200, ImportAnswerSchema)
    def post(self, run_id):
        """Import a Cucumber JSON or JUnit XML report (body, or multipart field `file`)."""
        run = verification.get_run(actor(), run_id)
        if (request.mimetype or "").startswith("multipart/form-data"):
            upload = request.files.get("file")
            if upload is None:
                raise ValidationFailed.field("file", Msg("Send the report as multipart/form-data field 'file'."))
            body, content_type = upload.read(), upload.mimetype or ""
        else:
            body, content_type = request.get_data(), request.mimetype or ""
        return verification.import_report(actor(), run, body, content_type)
