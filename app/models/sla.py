"""Service levels: targets per clock, each requirement's current clock states, feedback delivery."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.utils import utcnow


class SlaTarget(db.Model):
    """A clock's target in working minutes for a requirement type and priority (`*` = any)."""

    __tablename__ = "sla_target"
    __table_args__ = (UniqueConstraint("clock", "type", "priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clock: Mapped[str] = mapped_column(String(20))
    type: Mapped[str] = mapped_column(String(40), default="*")
    priority: Mapped[str] = mapped_column(String(20), default="*")
    minutes: Mapped[int]


class SlaState(db.Model):
    """A requirement's clock as last evaluated (on each write and by `sla tick`), so lists filter
    at-risk and breached items with an indexed query. A running clock is at risk from `at_risk_at`
    and breached from `due_at` even before the next evaluation."""

    __tablename__ = "sla_state"
    __table_args__ = (
        Index("ix_sla_state_due_at", "due_at"),
        Index("ix_sla_state_at_risk_at", "at_risk_at"),
        Index("ix_sla_state_state", "state"),
        # the reports: clocks started in a period, counted per clock and state (issue 11)
        Index("ix_sla_state_started", "started_at", "clock", "state"),
    )

    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"), primary_key=True)
    clock: Mapped[str] = mapped_column(String(20), primary_key=True)
    # running, paused, met, at_risk, breached
    state: Mapped[str] = mapped_column(String(10))
    used_minutes: Mapped[int]
    target_minutes: Mapped[int]
    # while running: when 80 % of the target is used, and when all of it is
    at_risk_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    evaluated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the start of the clock's episode the breach event was recorded for (recorded once)
    breach_recorded_for: Mapped[datetime | None]
    started_at: Mapped[datetime | None]


class FeedbackDelivery(db.Model):
    """How and when a feedback record reached the proposer (stops the `feedback` clock)."""

    __tablename__ = "feedback_delivery"

    feedback_id: Mapped[int] = mapped_column(ForeignKey("requirement_feedback.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    delivered_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
