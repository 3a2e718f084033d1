"""History across releases (the scenario matrix, comparing two releases), a release's operation
manual updates and its upgrade content summary (.docx) under /api/v1."""
from __future__ import annotations

from flask import send_file
from flask.views import MethodView

from app.api import actor, make_blueprint
from app.api.contract import error_responses, file_response
from app.schemas.history import (
    ComparisonSchema,
    ManualDoneSchema,
    ManualMarkSchema,
    ManualPageSchema,
    ManualQuerySchema,
    ManualUpdateSchema,
    MatrixQuerySchema,
    MatrixSchema,
)
from app.services import releases
from app.services.paging import paginate
from app.services.releases import history, manuals, summary

blp = make_blueprint("history", "History across releases, operation manual updates, upgrade content summary")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@blp.route("/scenarios/matrix")
class ScenarioMatrix(MethodView):
    @blp.arguments(MatrixQuerySchema, location="query")
    @blp.response(200, MatrixSchema)
    def get(self, args):
        """Scenarios × the last `releases` releases (oldest first): each cell the scenario's final
        status in that release's acceptance runs (its latest attempt in the latest run selecting
        it), the number of passed ↔ failed flips, and `unstable` (two or more flips in the last
        five releases). Rows grouped by domain then feature, paginated."""
        return history.matrix(actor(), args["releases"], args.get("domain"), args.get("feature"),
                              args.get("unstable"), args["page"], args["per_page"])


@blp.route("/releases/<int:a_id>/compare/<int:b_id>")
class ReleaseCompare(MethodView):
    @blp.response(200, ComparisonSchema)
    def get(self, a_id, b_id):
        """Release `b` against `a`: newly failing, newly passing, new and retired scenarios."""
        user = actor()
        return history.compare(user, history.get_release(user, a_id), history.get_release(user, b_id))


@blp.route("/releases/<int:release_id>/manual-updates")
class ReleaseManualUpdates(MethodView):
    @blp.arguments(ManualQuerySchema, location="query")
    @blp.response(200, ManualPageSchema)
    def get(self, args, release_id):
        """The release's operation manual updates (`state`: open, done, all), open ones first."""
        release = releases.get(actor(), release_id)
        return paginate(manuals.listing_query(actor(), release, args["state"]), args["page"], args["per_page"])

    @blp.arguments(ManualMarkSchema)
    @blp.response(201, ManualUpdateSchema)
    @error_responses(blp, 403, 409, conflict="Marked while the release is open, once per requirement and "
                     "manual.")
    def post(self, data, release_id):
        """Mark a requirement the release carries as changing a domain's operation manual (managers)."""
        release = releases.get(actor(), release_id)
        return manuals.mark(actor(), release, data["requirement_id"], data["domain"], data["note"])


@blp.route("/releases/<int:release_id>/manual-updates/<int:update_id>")
class ReleaseManualUpdateItem(MethodView):
    @blp.response(204)
    @error_responses(blp, 403, 409, conflict="Not once the update was recorded done.")
    def delete(self, release_id, update_id):
        """Unmark an update still to do (managers)."""
        manuals.unmark(actor(), releases.get(actor(), release_id), update_id)


@blp.route("/releases/<int:release_id>/manual-updates/<int:update_id>/done")
class ReleaseManualUpdateDone(MethodView):
    @blp.arguments(ManualDoneSchema)
    @blp.response(200, ManualUpdateSchema)
    @error_responses(blp, 403, 409, conflict="Recorded done once.")
    def post(self, data, release_id, update_id):
        """Record the manual updated (who and when are kept); 409 when it already is."""
        release = releases.get(actor(), release_id)
        return manuals.close(actor(), release, update_id, data["note"])


@blp.route("/releases/<int:release_id>/summary.docx")
class ReleaseSummaryDocx(MethodView):
    @file_response(blp, DOCX, "软件升级内容汇总报告 (.docx)")
    def get(self, release_id):
        """The upgrade content summary: requirements delivered, problems fixed, manual updates and
        the rollout outcome per region."""
        release = releases.get(actor(), release_id)
        return send_file(summary.summary_docx(summary.build(release)), mimetype=DOCX, as_attachment=True,
                         download_name=summary.filename(release))
