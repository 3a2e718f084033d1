"""A release's lifecycle under /api/v1: moves, timeline, requirements and verdicts, gate,
waivers, sign-offs, problems and the acceptance report."""
from __future__ import annotations

from flask import send_file
from flask.views import MethodView

from app.api import actor, make_blueprint
from app.api.contract import error_responses, file_response
from app.schemas.release import (
    GateSchema,
    ProblemSchema,
    ReleaseEventSchema,
    ReleaseRequirementSchema,
    ReleaseTransitionSchema,
    RequirementIdsSchema,
    SignoffCreateSchema,
    SignoffSchema,
    WaiverCreateSchema,
    WaiverSchema,
)
from app.schemas.verification import ReleaseSchema
from app.services import releases
from app.services.releases import documents, report

blp = make_blueprint("releases", "Release lifecycle: requirements, acceptance gate, waivers, sign-off, report")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@blp.route("/releases/<int:release_id>/transitions")
class ReleaseTransitions(MethodView):
    @blp.arguments(ReleaseTransitionSchema)
    @blp.response(200, ReleaseSchema)
    @error_responses(blp, 403, 409, conflict="A move the release lifecycle does not allow answers 409 "
                     "`illegal_transition`; acceptance also needs the gate to pass and every required sign-"
                     "off; `scheduled` needs an upgrade window outside freeze periods.")
    def post(self, data, release_id):
        """Move the release; an illegal move answers 409 naming the current and allowed statuses.

        `accepted` answers 409 with the `blockers` unless the gate passes and every required
        role approved; leaving `rejected` for `in_acceptance` needs the fixed `build`'s label;
        `rolled_back` needs a `reason`."""
        release = releases.get(actor(), release_id)
        return releases.transition(actor(), release, data["to"], data["reason"], data["build"])


@blp.route("/releases/<int:release_id>/timeline")
class ReleaseTimeline(MethodView):
    @blp.response(200, ReleaseEventSchema(many=True))
    def get(self, release_id):
        """Moves, sign-offs, waivers, requirements added/taken out and runs started, oldest first."""
        return releases.events(releases.get(actor(), release_id))


@blp.route("/releases/<int:release_id>/requirements")
class ReleaseRequirements(MethodView):
    @blp.response(200, ReleaseRequirementSchema(many=True))
    def get(self, release_id):
        """The release's requirements in your region, each with its verdict."""
        release = releases.get(actor(), release_id)
        return releases.requirement_verdicts(actor(), release)

    @blp.arguments(RequirementIdsSchema)
    @blp.response(200, ReleaseRequirementSchema(many=True))
    @error_responses(blp, 403, 409, conflict="Requirements are added while the release is open; only "
                     "approved requirements, each in one open release at a time.")
    def post(self, data, release_id):
        """Schedule approved requirements into the release (all or nothing); answers the release's list."""
        release = releases.get(actor(), release_id)
        releases.add_requirements(actor(), release, data["requirement_ids"])
        return releases.requirement_verdicts(actor(), release)


@blp.route("/releases/<int:release_id>/requirements/<int:requirement_id>")
class ReleaseRequirementItem(MethodView):
    @blp.response(204)
    @error_responses(blp, 403, 409, conflict="Not once the requirement's verification has started.")
    def delete(self, release_id, requirement_id):
        """Take a requirement out: back to approved while scheduled; after a failed verdict to
        verification_failed with the failing scenarios named."""
        release = releases.get(actor(), release_id)
        releases.remove_requirement(actor(), release, requirement_id)


@blp.route("/releases/<int:release_id>/gate")
class ReleaseGate(MethodView):
    @blp.response(200, GateSchema)
    def get(self, release_id):
        """Whether the release may be accepted, and what blocks it."""
        release = releases.get(actor(), release_id)
        return releases.gate(actor(), release)


@blp.route("/releases/<int:release_id>/waivers")
class ReleaseWaivers(MethodView):
    @blp.response(200, WaiverSchema(many=True))
    def get(self, release_id):
        """Every waiver, withdrawn ones included."""
        return releases.waivers(releases.get(actor(), release_id))

    @blp.arguments(WaiverCreateSchema)
    @blp.response(201, WaiverSchema)
    @error_responses(blp, 403, 409, conflict="Only a failed or blocked scenario, once, before acceptance.")
    def post(self, data, release_id):
        """Waive a failed or blocked scenario (有条件通过) with a reason; reviewers and managers."""
        release = releases.get(actor(), release_id)
        return releases.add_waiver(actor(), release, data["scenario_id"], data["reason"])


@blp.route("/releases/<int:release_id>/waivers/<int:waiver_id>")
class ReleaseWaiverItem(MethodView):
    @blp.response(204)
    @error_responses(blp, 403, 409, conflict="Waivers are withdrawn only before acceptance.")
    def delete(self, release_id, waiver_id):
        """Withdraw a waiver."""
        release = releases.get(actor(), release_id)
        releases.withdraw_waiver(actor(), release, waiver_id)


@blp.route("/releases/<int:release_id>/signoffs")
class ReleaseSignoffs(MethodView):
    @blp.response(200, SignoffSchema(many=True))
    def get(self, release_id):
        """Every sign-off, all rounds."""
        return releases.signoffs(releases.get(actor(), release_id))

    @blp.arguments(SignoffCreateSchema)
    @blp.response(201, SignoffSchema)
    @error_responses(blp, 403, 409, conflict="Sign-off happens in acceptance testing, once per person, "
                     "in the order of the required roles.")
    def post(self, data, release_id):
        """Sign the acceptance in the release's order of roles; `refuse` rejects the release."""
        release = releases.get(actor(), release_id)
        return releases.sign(actor(), release, data["decision"], data["comment"])


@blp.route("/releases/<int:release_id>/problems")
class ReleaseProblems(MethodView):
    @blp.response(200, ProblemSchema(many=True))
    def get(self, release_id):
        """Failed and blocked scenarios of the latest attempts, for feedback to the operations centre."""
        release = releases.get(actor(), release_id)
        return report.problems(actor(), release)


@blp.route("/releases/<int:release_id>/problems.xlsx")
class ReleaseProblemsXlsx(MethodView):
    @file_response(blp, XLSX, "问题反馈清单 (.xlsx)")
    @error_responses(blp, 404)
    def get(self, release_id):
        release = releases.get(actor(), release_id)
        data = documents.problems_xlsx(release, report.problems(actor(), release))
        return send_file(data, mimetype=XLSX, as_attachment=True,
                         download_name=documents.problems_filename(release))


@blp.route("/releases/<int:release_id>/report.docx")
class ReleaseReportDocx(MethodView):
    @file_response(blp, DOCX, "验收报告 (.docx)")
    @error_responses(blp, 404)
    def get(self, release_id):
        """The acceptance report; frozen as signed once the release is accepted."""
        release = releases.get(actor(), release_id)
        data = documents.report_docx(report.report_of(release))
        return send_file(data, mimetype=DOCX, as_attachment=True, download_name=documents.report_filename(release))
