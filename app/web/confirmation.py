"""Closing the loop with the proposer on the requirement page (feedback drafts with a copy button,
delivery, the proposer's confirmation, follow-up calls), the opinions list, and the
administrators' e-mail outbox page."""
from __future__ import annotations

from flask import g, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from jinja2_fragments.flask import render_block

from app.schemas.common import PageQuerySchema
from app.schemas.confirmation import ConfirmationSchema, FollowUpSchema, OutboxQuerySchema
from app.services import mail, permissions, requirements
from app.services.sla import confirmation, drafts
from app.services.timeline import CHANNEL_LABELS
from app.web import bp
from app.web.helpers import FormSubmission, htmx_redirect, load_query, render_page_or_block, wants_fragment

CARD_TEMPLATE = "requirements/_proposer_loop.html"


@bp.app_template_global("feedback_drafts")
def feedback_drafts(req):
    return drafts.drafts(req)


@bp.app_template_global("auto_confirm_at")
def auto_confirm_at(req):
    return confirmation.auto_confirm_at(req)


@bp.app_template_global("channel_label")
def channel_label(code: str) -> str:
    return str(CHANNEL_LABELS.get(code, code))


MAIL_STATUS_LABELS = {
    "pending": _l("Waiting to send"),
    "sending": _l("Sending now"),
    "sent": _l("Sent"),
    "failed": _l("Sending failed"),
}


@bp.app_template_global("mail_status_label")
def mail_status_label(status: str) -> str:
    return str(MAIL_STATUS_LABELS.get(status, status))


@bp.app_template_global("awaiting_confirmation")
def awaiting_confirmation(req) -> bool:
    return confirmation.awaiting(req)


def loop_error_response(requirement_id: int, form: FormSubmission):
    """A form of the card failed: the card again with the errors (htmx), or the whole page."""
    req = requirements.get_for(g.user, requirement_id)
    context = {"loop_errors": form.errors, "loop_values": form.values}
    if wants_fragment():
        return render_block(CARD_TEMPLATE, "card", req=req, **context), form.status
    from app.web.requirements import DETAIL_TEMPLATE, _detail_context

    return render_template(DETAIL_TEMPLATE, **_detail_context(req, **context)), form.status


def _done(requirement_id: int):
    # the status, clocks, actions and timeline all change: the page again
    return htmx_redirect(url_for("web.requirement_detail", requirement_id=requirement_id) + "#proposer-loop")


@bp.route("/requirements/<int:requirement_id>/proposer-loop")
def requirement_proposer_loop(requirement_id: int):
    """The card alone (htmx refreshes it when a status link is created or revoked); opened
    directly, the requirement page."""
    req = requirements.get_for(g.user, requirement_id)
    if not wants_fragment():
        return redirect(url_for("web.requirement_detail", requirement_id=req.id) + "#proposer-loop")
    return render_block(CARD_TEMPLATE, "card", req=req)


@bp.route("/requirements/<int:requirement_id>/confirmation", methods=["POST"])
def requirement_confirmation(requirement_id: int):
    form = FormSubmission(ConfirmationSchema())
    if not form.submit(lambda data: confirmation.record(g.user, requirement_id, data)):
        return loop_error_response(requirement_id, form)
    return _done(requirement_id)


@bp.route("/requirements/<int:requirement_id>/follow-ups", methods=["POST"])
def requirement_follow_up(requirement_id: int):
    form = FormSubmission(FollowUpSchema())
    if not form.submit(lambda data: confirmation.follow_up(g.user, requirement_id, data)):
        return loop_error_response(requirement_id, form)
    return _done(requirement_id)


@bp.route("/opinions")
def opinion_list():
    """Proposers' opinions (not satisfied, with the reason) in the reader's region."""
    args, _raw, _errors = load_query(PageQuerySchema())
    page = confirmation.opinions(g.user, args["page"], args["per_page"])
    return render_page_or_block("opinions/list.html", "list", page=page)


@bp.route("/admin/mail")
def admin_mail_outbox():
    """The e-mail outbox's delivery status (administrators), filtered by status, paginated."""
    permissions.require(g.user, "manage_users")
    args, _raw, errors = load_query(OutboxQuerySchema())
    status = args.get("status")
    page = mail.outbox(g.user, status, args["page"], args["per_page"])
    return render_page_or_block("admin/mail_outbox.html", "list", page=page, status=status, errors=errors,
                                counts=mail.outbox_counts(g.user), statuses=mail.STATUSES)
