"""Notifications on the pages: the bell (its count polled by htmx), the list, marking read,
the e-mail preference and watching a requirement."""
from __future__ import annotations

from flask import g, render_template, request, url_for
from flask_login import current_user

from app.schemas.common import PageQuerySchema
from app.schemas.notification import NotificationSettingsSchema
from app.services import notifications
from app.web import bp
from app.web.helpers import FormSubmission, htmx_redirect, load_query, render_page_or_block


@bp.app_template_global("unread_notifications")
def unread_notifications() -> int:
    user = g.get("user") or (current_user if current_user.is_authenticated else None)
    return notifications.unread_count(user) if user is not None else 0


@bp.app_template_global("is_watching")
def is_watching(req) -> bool:
    return notifications.is_watching(g.user, req)


@bp.app_template_global("notification_text")
def notification_text(n) -> str:
    return notifications.describe(n)


@bp.app_template_global("notification_kind_label")
def notification_kind_label(kind: str) -> str:
    return notifications.kind_label(kind)


@bp.route("/notifications/bell")
def notification_bell():
    """The bell alone (htmx polls it every 30 seconds)."""
    return render_template("notifications/_bell.html")


@bp.route("/notifications")
def notification_list():
    args, _raw, _errors = load_query(PageQuerySchema())
    unread = request.args.get("unread") in ("1", "true")
    page = notifications.listing(g.user, args["page"], args["per_page"], unread=unread)
    return render_page_or_block("notifications/list.html", "list", page=page, unread=unread,
                                email_enabled=notifications.email_enabled(g.user),
                                mail_configured=notifications.mail_enabled(), errors={})


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
def notification_read(notification_id: int):
    notifications.mark_read(g.user, [notification_id])
    return htmx_redirect(request.form.get("next") or url_for("web.notification_list"))


@bp.route("/notifications/read-all", methods=["POST"])
def notification_read_all():
    notifications.mark_read(g.user, everything=True)
    return htmx_redirect(url_for("web.notification_list"))


@bp.route("/notifications/settings", methods=["POST"])
def notification_settings():
    form = FormSubmission(NotificationSettingsSchema())
    form.submit(lambda data: notifications.set_email_enabled(g.user, data["email_enabled"]))
    if form.errors:
        page = notifications.listing(g.user)
        return render_page_or_block("notifications/list.html", "settings", page=page, unread=False,
                                    email_enabled=notifications.email_enabled(g.user),
                                    mail_configured=notifications.mail_enabled(),
                                    errors=form.errors), form.status
    return htmx_redirect(url_for("web.notification_list"))


@bp.route("/requirements/<int:requirement_id>/watch", methods=["POST"])
def requirement_watch(requirement_id: int):
    if request.form.get("watch") == "0":
        notifications.unwatch(g.user, requirement_id)
    else:
        notifications.watch(g.user, requirement_id)
    return htmx_redirect(url_for("web.requirement_detail", requirement_id=requirement_id) + "#watch-card")
