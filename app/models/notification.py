"""In-app notifications, requirement watchers, the e-mail preference and the e-mail outbox (issue 10)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.utils import utcnow


class Notification(db.Model):
    """One thing a user should know about; rendered in the reader's language from `kind` and `data`."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # assigned, decision, transition, comment, feedback_due, verification_failed,
    # release_accepted, release_completed, sla_at_risk, sla_breached
    kind: Mapped[str] = mapped_column(String(30))
    requirement_id: Mapped[int | None] = mapped_column(ForeignKey("requirement.id"))
    release_id: Mapped[int | None] = mapped_column(ForeignKey("release.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class Watch(db.Model):
    """A user following a requirement: its decisions, moves and comments notify them."""

    __tablename__ = "requirement_watch"
    __table_args__ = (Index("ix_requirement_watch_requirement", "requirement_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationSetting(db.Model):
    """A user's notification preferences (no row: defaults, e-mail on)."""

    __tablename__ = "notification_setting"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    email_enabled: Mapped[bool] = mapped_column(default=True)


class MailMessage(db.Model):
    """An e-mail waiting in the outbox, sent once: pending → sent, or failed after the last attempt."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id"), unique=True)
    to_address: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # pending, sending, sent, failed
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    notification: Mapped[Notification | None] = relationship()
