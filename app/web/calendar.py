"""Admin page of the working calendar: the overrides and which years lack the official schedule."""
from __future__ import annotations

from flask import g, redirect, request, url_for

from app.schemas.calendar import OverrideCreateSchema
from app.services import calendar, permissions
from app.web import bp
from app.web.helpers import FormSubmission, render_page_or_block


def _context(**extra):
    return {
        "overrides": calendar.overrides(),
        "status": calendar.schedule_status(calendar.local_today()),
        "periods": calendar.WorkingCalendar.load().periods,
        "errors": {},
        "values": {},
        **extra,
    }


@bp.route("/admin/calendar", methods=["GET", "POST"])
def admin_calendar():
    permissions.require(g.user, "manage_reference")
    if request.method == "POST":
        form = FormSubmission(OverrideCreateSchema())
        if not form.submit(lambda data: calendar.add_override(g.user, data)):
            context = _context(errors=form.errors, values=form.values)
            return render_page_or_block("admin/calendar.html", "content", **context), form.status
        return redirect(url_for("web.admin_calendar"), 303)
    return render_page_or_block("admin/calendar.html", "content", **_context())


@bp.route("/admin/calendar/<day>/delete", methods=["POST"])
def admin_calendar_remove(day: str):
    calendar.remove_override(g.user, calendar.parse_day(day))
    return redirect(url_for("web.admin_calendar"), 303)
