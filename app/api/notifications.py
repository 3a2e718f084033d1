"""Notifications: my list and unread count, marking read, watching requirements, the e-mail preference."""
from __future__ import annotations

from flask.views import MethodView

from app.api import actor, make_blueprint
from app.schemas.notification import (
    MarkReadResultSchema,
    MarkReadSchema,
    NotificationPageSchema,
    NotificationQuerySchema,
    NotificationSettingsSchema,
    WatchSchema,
)
from app.services import notifications

blp = make_blueprint("notifications", "In-app notifications, watching requirements, e-mail")


@blp.route("/notifications")
class Notifications(MethodView):
    @blp.arguments(NotificationQuerySchema, location="query")
    @blp.response(200, NotificationPageSchema)
    def get(self, args):
        """My notifications, newest first (`unread=true`: only the unread), with the unread count."""
        user = actor()
        page = notifications.listing(user, args["page"], args["per_page"], unread=args["unread"])
        return {"items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page,
                "unread_count": notifications.unread_count(user)}


@blp.route("/notifications/read")
class NotificationsRead(MethodView):
    @blp.arguments(MarkReadSchema)
    @blp.response(200, MarkReadResultSchema)
    def post(self, data):
        """Mark notifications read: `{"ids": [...]}` (only one's own count) or `{"all": true}`."""
        user = actor()
        marked = notifications.mark_read(user, data.get("ids"), everything=bool(data.get("all")))
        return {"marked": marked, "unread_count": notifications.unread_count(user)}


@blp.route("/notifications/settings")
class NotificationSettings(MethodView):
    @blp.response(200, NotificationSettingsSchema)
    def get(self):
        """My notification settings."""
        return {"email_enabled": notifications.email_enabled(actor())}

    @blp.arguments(NotificationSettingsSchema)
    @blp.response(200, NotificationSettingsSchema)
    def put(self, data):
        """Turn e-mail of my notifications on or off."""
        return {"email_enabled": notifications.set_email_enabled(actor(), data["email_enabled"])}


@blp.route("/requirements/<int:requirement_id>/watch")
class RequirementWatch(MethodView):
    @blp.response(200, WatchSchema)
    def post(self, requirement_id):
        """Watch a requirement (anyone who may read it); its decisions, moves and comments notify me."""
        req = notifications.watch(actor(), requirement_id)
        return {"requirement_id": req.id, "watching": True}

    @blp.response(200, WatchSchema)
    def delete(self, requirement_id):
        """Stop watching a requirement."""
        req = notifications.unwatch(actor(), requirement_id)
        return {"requirement_id": req.id, "watching": False}
