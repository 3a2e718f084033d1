"""Closing the loop with the proposer: feedback drafts, the proposer's confirmation, follow-up
calls, the opinions kept for the reports, and the e-mail outbox's delivery status."""
from __future__ import annotations

from flask.views import MethodView

from app.api import actor, make_blueprint
from app.api.contract import error_responses
from app.schemas.confirmation import (
    ConfirmationResultSchema,
    ConfirmationSchema,
    FeedbackDraftSchema,
    FollowUpResultSchema,
    FollowUpSchema,
    OpinionPageSchema,
    OpinionQuerySchema,
    OutboxPageSchema,
    OutboxQuerySchema,
)
from app.services import mail
from app.services.sla import confirmation, drafts

blp = make_blueprint("proposer_loop", "Closing the loop with the proposer; the e-mail outbox")


@blp.route("/requirements/<int:requirement_id>/feedback/<int:feedback_id>/draft")
class FeedbackDraft(MethodView):
    @blp.response(200, FeedbackDraftSchema)
    def get(self, requirement_id, feedback_id):
        """The message to the proposer drafted from a feedback record, in Chinese: the decision,
        why, what happens next, the requirement's code (and where the status link goes)."""
        return drafts.feedback_draft(actor(), requirement_id, feedback_id)


@blp.route("/requirements/<int:requirement_id>/confirmation")
class Confirmation(MethodView):
    @blp.arguments(ConfirmationSchema)
    @blp.response(200, ConfirmationResultSchema)
    @error_responses(blp, 403, 409, conflict="Only a requirement waiting for the proposer's confirmation.")
    def post(self, data, requirement_id):
        """The proposer's answer to a released or locally resolved requirement: `confirmed`, or
        `not_satisfied` with the `reason` (reopens it to assessing; kept as a user opinion).
        409 when it is not waiting for a confirmation."""
        return confirmation.record(actor(), requirement_id, data)


@blp.route("/requirements/<int:requirement_id>/follow-ups")
class FollowUps(MethodView):
    @blp.arguments(FollowUpSchema)
    @blp.response(201, FollowUpResultSchema)
    @error_responses(blp, 403)
    def post(self, data, requirement_id):
        """Record a follow-up call (回访) with the proposer: channel and what was said."""
        return confirmation.follow_up(actor(), requirement_id, data)


@blp.route("/opinions")
class Opinions(MethodView):
    @blp.arguments(OpinionQuerySchema, location="query")
    @blp.response(200, OpinionPageSchema)
    def get(self, args):
        """Proposers' opinions (not satisfied, with the reason) in my region, newest first;
        `from`/`to` (local dates, inclusive) limit them to a period."""
        page = confirmation.opinions(actor(), args["page"], args["per_page"], args.get("date_from"),
                                     args.get("date_to"))
        return {"items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page}


@blp.route("/mail/outbox")
class Outbox(MethodView):
    @blp.arguments(OutboxQuerySchema, location="query")
    @blp.response(200, OutboxPageSchema)
    def get(self, args):
        """The e-mail outbox with each message's delivery status, newest first (administrators)."""
        user = actor()
        page = mail.outbox(user, args.get("status"), args["page"], args["per_page"])
        return {"items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page,
                "counts": mail.outbox_counts(user)}
