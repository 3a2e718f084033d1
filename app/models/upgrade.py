"""A release's upgrade: its window and the freeze periods (封网期) no window may overlap
unless a manager overrides with a reason. Times are stored as naive UTC."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.user import User
from app.utils import utcnow


class FreezePeriod(db.Model):
    """A period in which no upgrade may take place (holidays, year-end closing, ...)."""

    __tablename__ = "freeze_period"
    __table_args__ = (Index("ix_freeze_period_span", "starts_at", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReleaseWindow(db.Model):
    """The upgrade window of a release (one per release), possibly overriding a freeze period."""

    __tablename__ = "release_window"

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id"), unique=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    override_reason: Mapped[str] = mapped_column(Text, default="")
    overridden_freeze_id: Mapped[int | None] = mapped_column(ForeignKey("freeze_period.id", ondelete="SET NULL"))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    set_by: Mapped[User | None] = relationship(lazy="joined")
    overridden_freeze: Mapped[FreezePeriod | None] = relationship(lazy="joined")
