"""Service levels on the pages: markers on lists and the detail page, working time of stages,
and the admin page of targets."""
from __future__ import annotations

from flask import g, redirect, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from app.schemas.sla import FeedbackDeliverySchema, SlaTargetsSchema
from app.services import calendar, permissions, reference, sla
from app.services.errors import ValidationFailed
from app.services.sla.clocks import CLOCKS
from app.services.timeline import CHANNEL_LABELS, CLOCK_LABELS
from app.utils import utcnow
from app.web import bp
from app.web.helpers import FormSubmission, htmx_redirect, render_page_or_block, wants_fragment

def _calendar() -> calendar.WorkingCalendar:
    if "_working_calendar" not in g:
        g._working_calendar = calendar.WorkingCalendar.load()
    return g._working_calendar


@bp.app_template_global("sla_marks")
def sla_marks(items) -> dict[int, str]:
    """{requirement id: "at_risk" | "breached"} for a page of requirements (one query each)."""
    return sla.marks([r.id for r in items])


@bp.app_template_global("requirement_clocks")
def requirement_clocks(req):
    return sla.readings(req, utcnow(), _calendar())


@bp.app_template_global("channel_choices")
def channel_choices():
    return [(code, str(CHANNEL_LABELS[code])) for code in sla.CHANNELS]


@bp.route("/requirements/<int:requirement_id>/feedback/<int:feedback_id>/delivered", methods=["POST"])
def feedback_delivered(requirement_id: int, feedback_id: int):
    form = FormSubmission(FeedbackDeliverySchema())
    form.submit(lambda data: sla.deliver_feedback(g.user, requirement_id, feedback_id, data))
    if form.errors and wants_fragment():
        from app.web.confirmation import loop_error_response  # the card of the requirement page

        return loop_error_response(requirement_id, form)
    if form.errors:
        return render_page_or_block("sla/feedback_error.html", "content", errors=form.errors,
                                    requirement_id=requirement_id), form.status
    return htmx_redirect(url_for("web.requirement_detail", requirement_id=requirement_id) + "#proposer-loop")


@bp.app_template_global("stage_working_minutes")
def stage_working_minutes(stage) -> int:
    return _calendar().working_minutes(stage.started, stage.ended or utcnow())


@bp.app_template_global("clock_label")
def clock_label(clock: str) -> str:
    return str(CLOCK_LABELS.get(clock, clock))


@bp.app_template_global("sla_state_label")
def sla_state_label(state: str) -> str:
    return {
        "running": _("Running"),
        "paused": _("Paused"),
        "met": _("Met"),
        "at_risk": _("At risk"),
        "breached": _("Breached"),
    }.get(state, state)


@bp.app_template_filter("work_duration")
def work_duration(minutes: int) -> str:
    hours, mins = divmod(int(minutes), 60)
    return _("%(h)sh %(m)smin", h=hours, m=mins) if hours else _("%(m)smin", m=mins)


def _rows_from_form() -> list[dict]:
    form = request.form
    rows = []
    for clock, type_, priority, minutes in zip(form.getlist("clock"), form.getlist("type"),
                                               form.getlist("priority"), form.getlist("minutes")):
        if minutes.strip() == "":
            continue  # a cleared row is removed
        rows.append({"clock": clock, "type": type_ or "*", "priority": priority or "*", "minutes": minutes.strip()})
    return rows


def _replace(rows: list[dict]):
    try:
        data = SlaTargetsSchema().load({"targets": rows})
    except ValidationError as error:
        messages = error.messages.get("targets", error.messages)
        if isinstance(messages, dict):  # {row: {field: [messages]}}
            text = "; ".join(f"{int(n) + 1}: {', '.join(f'{k} {v[0]}' for k, v in fields.items())}"
                             for n, fields in messages.items())
        else:
            text = "; ".join(map(str, messages))
        raise ValidationFailed.field("targets", text) from None
    return sla.replace_targets(g.user, data["targets"])


def _context(**extra):
    return {
        "targets": sla.targets(),
        "clocks": CLOCKS,
        "types": reference.lookups("type", include_inactive=True),
        "priorities": reference.lookups("priority", include_inactive=True),
        "errors": {},
        **extra,
    }


@bp.route("/admin/sla", methods=["GET", "POST"])
def admin_sla():
    permissions.require(g.user, "manage_reference")
    if request.method == "POST":
        rows = _rows_from_form()
        form = FormSubmission(None)
        if not form.submit(lambda _data: _replace(rows)):
            return render_page_or_block("admin/sla.html", "content", **_context(errors=form.errors)), form.status
        return redirect(url_for("web.admin_sla", saved=1), 303)
    return render_page_or_block("admin/sla.html", "content", **_context())
