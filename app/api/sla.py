"""Service levels: targets, a requirement's clocks, and feedback delivered to the proposer."""
from __future__ import annotations

from flask.views import MethodView

from app.api import actor, make_blueprint
from app.api.contract import error_responses
from app.schemas.sla import (
    FeedbackDeliveredSchema,
    FeedbackDeliverySchema,
    RequirementSlaSchema,
    SlaTargetsSchema,
)
from app.services import sla

blp = make_blueprint("sla", "Service levels on the working calendar")


@blp.route("/sla/targets")
class Targets(MethodView):
    @blp.response(200, SlaTargetsSchema)
    def get(self):
        """Each clock's target in working minutes by requirement type and priority (`*` = any)."""
        actor()
        return {"targets": sla.targets()}

    @blp.arguments(SlaTargetsSchema)
    @blp.response(200, SlaTargetsSchema)
    @error_responses(blp, 403)
    def put(self, data):
        """Replace every target (admin); each clock needs a `*`/`*` row."""
        return {"targets": sla.replace_targets(actor(), data["targets"])}


@blp.route("/requirements/<int:requirement_id>/sla")
class RequirementSla(MethodView):
    @blp.response(200, RequirementSlaSchema)
    def get(self, requirement_id):
        """Each started clock: state (running, paused, met, at_risk, breached), working minutes
        used, target and due time."""
        return sla.requirement_sla(actor(), requirement_id)


@blp.route("/requirements/<int:requirement_id>/feedback/<int:feedback_id>/delivered")
class FeedbackDelivered(MethodView):
    @blp.arguments(FeedbackDeliverySchema)
    @blp.response(201, FeedbackDeliveredSchema)
    @error_responses(blp, 403, 409, conflict="Feedback is recorded delivered once.")
    def post(self, data, requirement_id, feedback_id):
        """Record how the feedback reached the proposer (粤政易, phone, SMS…); stops the feedback clock."""
        return sla.deliver_feedback(actor(), requirement_id, feedback_id, data)
